"""Exercise 2 of §6.6: change LeNet one thing at a time and measure.

Trains each variant below on Fashion-MNIST (batch 256) and writes one row
per (variant, seed) to d2l_local/results/lenet_grid.csv: its test accuracy after the
last epoch, its parameter count and its training time (the sum of the
per-epoch times train_ch5 reports, test evaluation included), with the
machine's 1-minute load average when the run ended, because a busy machine
inflates the times.  notebooks/ex2_better_lenet.ipynb shows the table.

A row already in the CSV is kept and not run again, so the grid can be
stopped and resumed, or split across processes (rows are merged under a
lock).  Run from the repository root, e.g.:

    D2L_DATA_DIR=/work/shared/data .venv/bin/python tools/lenet_grid.py
    ... tools/lenet_grid.py --list          # the variants and their changes
    ... tools/lenet_grid.py relu 'max pool' --seeds 0 1 2
"""
import argparse
import os
import pathlib
import sys
import time

import d2l_local as d2l  # before mxnet: engine settings
import mxnet as mx
from mxnet import init

from d2l_local.mxnet.models import BETTER_LENET, BETTER_RECIPE, Recipe
from d2l_local.results import merge_row, read_rows

ROOT = pathlib.Path(__file__).resolve().parents[1]
CSV = ROOT / 'd2l_local' / 'results' / 'lenet_grid.csv'
FIELDS = ['variant', 'change', 'seed', 'epochs', 'test_acc', 'params',
          'seconds', 'load']
# The chapter's recipe; a variant overrides what it changes.
BASE = dict(net={}, lr=0.9, epochs=5, init='xavier', optimizer='sgd',
            batch_size=256, cosine=False)
INITS = {
    'xavier': init.Xavier,
    'uniform': init.Uniform,  # MXNet's default: U(-0.07, 0.07)
    'normal': lambda: init.Normal(0.01),
}


def variant(name, change, **overrides):
    spec = dict(BASE, name=name, change=change)
    spec.update(overrides)
    return spec


RELU_MAX = dict(activation='relu', pooling='max')
# The better LeNet's net and recipe (d2l_local.mxnet.models), trained for 10 and
# for 8 epochs (the recipe's) below
BETTER = dict(net=dict(BETTER_LENET), optimizer=BETTER_RECIPE.optimizer,
              lr=BETTER_RECIPE.lr, cosine=BETTER_RECIPE.cosine,
              batch_size=BETTER_RECIPE.batch_size)
VARIANTS = [
    variant('baseline', "the chapter's LeNet: sigmoid, avg pooling, 6/16 "
            'channels of 5x5, dense 120/84, Xavier, SGD lr 0.9, 5 epochs'),
    # One change at a time.
    variant('window 3x3', 'convolution windows 3x3',
            net=dict(convs=((6, 3), (16, 3)))),
    variant('window 7x7', 'convolution windows 7x7',
            net=dict(convs=((6, 7), (16, 7)))),
    variant('channels 16/32', 'output channels 16 and 32',
            net=dict(convs=((16, 5), (32, 5)))),
    variant('max pool', 'max pooling instead of average pooling',
            net=dict(pooling='max')),
    variant('relu', 'ReLU instead of sigmoid',
            net=dict(activation='relu')),
    variant('tanh', 'tanh instead of sigmoid',
            net=dict(activation='tanh')),
    variant('3 convs', 'a third convolution block (32 channels, 3x3)',
            net=dict(convs=((6, 5), (16, 5), (32, 3)))),
    variant('dense 120', 'one hidden dense layer (120)',
            net=dict(dense=(120,))),
    variant('lr 0.3', 'learning rate 0.3', lr=0.3),
    variant('init uniform', "MXNet's default init U(-0.07, 0.07)",
            init='uniform'),
    variant('init normal', 'weights drawn from N(0, 0.01^2)',
            init='normal'),
    variant('10 epochs', '10 epochs', epochs=10),
    variant('adam', 'Adam, lr 0.001', optimizer='adam', lr=0.001),
    # Combinations, towards a better LeNet.
    variant('relu+max lr 0.1', 'ReLU, max pooling, lr 0.1',
            net=RELU_MAX, lr=0.1),
    variant('relu+max 16/32 adam 10ep', 'ReLU, max, 16/32, Adam 0.001, '
            '10 epochs',
            net=dict(RELU_MAX, convs=((16, 5), (32, 5))),
            optimizer='adam', lr=0.001, epochs=10),
    variant('relu+max 16/32 adam 10ep b128', 'ReLU, max, 16/32, Adam '
            '0.001, 10 epochs, batches of 128',
            net=dict(RELU_MAX, convs=((16, 5), (32, 5))),
            optimizer='adam', lr=0.001, epochs=10, batch_size=128),
    variant('relu+max 16/32 adam cos 10ep', 'ReLU, max, 16/32, Adam 0.002 '
            'decayed to 0 (cosine), 10 epochs',
            net=dict(RELU_MAX, convs=((16, 5), (32, 5))),
            optimizer='adam', lr=0.002, epochs=10, cosine=True),
    variant('relu+max 16/32 adam cos 10ep b128', 'ReLU, max, 16/32, Adam '
            '0.001 decayed to 0 (cosine), 10 epochs, batches of 128',
            net=dict(RELU_MAX, convs=((16, 5), (32, 5))),
            optimizer='adam', lr=0.001, epochs=10, cosine=True,
            batch_size=128),
    variant('relu+max 32/64 3x3 adam cos 10ep b128', 'ReLU, max, 32/64 '
            'channels of 3x3, Adam 0.001 decayed to 0 (cosine), 10 epochs, '
            'batches of 128', epochs=10, **BETTER),
    # d2l_local.better_lenet() and its recipe: as above, in 8 epochs
    variant('relu+max 32/64 3x3 adam cos 8ep b128', 'ReLU, max, 32/64 '
            'channels of 3x3, Adam 0.001 decayed to 0 (cosine), 8 epochs, '
            'batches of 128', epochs=BETTER_RECIPE.num_epochs, **BETTER),
]
BY_NAME = {spec['name']: spec for spec in VARIANTS}


def run(spec, seed, train_iter, test_iter):
    """Train one variant from seed `seed`; return its CSV row.

    The iterators must serve batches of spec['batch_size'].
    """
    d2l.set_seed(seed)
    net = d2l.lenet(**spec['net'])
    net.initialize(INITS[spec['init']](), ctx=mx.cpu())
    net.hybridize()
    recipe = Recipe(spec['batch_size'], spec['lr'], spec['epochs'],
                    spec['optimizer'], spec['cosine'])
    trainer = recipe.trainer(net, len(train_iter))
    history = d2l.train_ch5(net, train_iter, test_iter, spec['batch_size'],
                            trainer, mx.cpu(), spec['epochs'], animate=False)
    return dict(variant=spec['name'], change=spec['change'], seed=seed,
                epochs=spec['epochs'],
                test_acc=f'{history[-1].test_acc:.4f}',
                params=d2l.num_params(net),
                seconds=f'{sum(e.seconds for e in history):.1f}',
                load=f'{os.getloadavg()[0]:.1f}')


def merge(row, path=CSV):
    """Add `row` to the CSV under a lock, keeping the variants' order."""
    merge_row(row, path, FIELDS, BY_NAME)


def read(path=CSV):
    """Return the rows already in the CSV, by (variant, seed)."""
    return read_rows(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('variants', nargs='*',
                        help='names of variants to run (default: all)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--csv', type=pathlib.Path, default=CSV)
    parser.add_argument('--list', action='store_true')
    args = parser.parse_args(argv)
    if args.list:
        for spec in VARIANTS:
            print(f"{spec['name']:28} {spec['change']}")
        return
    unknown = [v for v in args.variants if v not in BY_NAME]
    if unknown:
        parser.error(f'unknown variants {unknown}; see --list')
    names = args.variants or list(BY_NAME)
    for name in names:
        spec = BY_NAME[name]
        data = d2l.load_data_fashion_mnist(spec['batch_size'])
        for seed in args.seeds:
            if (name, seed) in read(args.csv):
                continue
            start = time.time()
            row = run(spec, seed, *data)
            merge(row, args.csv)
            print(f"{name} seed {seed}: test acc {row['test_acc']}, "
                  f"{row['params']} params, {row['seconds']} s "
                  f'(load {row["load"]}, wall {time.time() - start:.0f} s)',
                  file=sys.stderr, flush=True)


if __name__ == '__main__':
    main()
