"""Exercise 2 of §6.6: change LeNet one thing at a time and measure.

Trains each variant below on Fashion-MNIST (batch 256) and writes one row
per (variant, seed) to d2l_local/results/lenet_grid.csv (MXNet, release
0.6's train_ch5) or, with --framework pytorch, to
d2l_local/results/pytorch/lenet_grid.csv (PyTorch, the book's v0.17.6
train_ch6): its test accuracy after the last epoch, its parameter count and
its training time (the sum of the per-epoch times the loop reports, test
evaluation included), with the machine's 1-minute load average when the run
ended, because a busy machine inflates the times.
notebooks/ex2_better_lenet.ipynb and notebooks/pytorch/ex2_better_lenet.ipynb
show the tables.

Both editions train the same variants with the same recipes: Xavier
weights, SGD or Adam (the same defaults), the cosine schedule from lr to 0
over the run, the loss averaged over a batch (MXNet's summed loss divided by
the batch size in Trainer.step is the same gradient).  Where the editions
differ, a variant's `change` text says so: biases (MXNet's are 0, PyTorch's
keep its default draw, as in the book's train_ch6) and 'init uniform'
(MXNet's default init, which PyTorch does not have).

A row already in the CSV is kept and not run again, so the grid can be
stopped and resumed, or split across processes (rows are merged under a
lock).  Run from the repository root, e.g.:

    D2L_DATA_DIR=/work/shared/data .venv/bin/python tools/lenet_grid.py
    ... tools/lenet_grid.py --list          # the variants and their changes
    ... tools/lenet_grid.py relu 'max pool' --seeds 0 1 2
    ... tools/lenet_grid.py --framework pytorch
"""
import argparse
import contextlib
import os
import pathlib
import sys
import time
import unittest.mock

from d2l_local.layers import BETTER_LENET, Recipe
from d2l_local.results import merge_row, read_rows

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / 'd2l_local' / 'results'
CSVS = {'mxnet': RESULTS / 'lenet_grid.csv',
        'pytorch': RESULTS / 'pytorch' / 'lenet_grid.csv'}
CSV = CSVS['mxnet']
FIELDS = ['variant', 'change', 'seed', 'epochs', 'test_acc', 'params',
          'seconds', 'load']
# The chapter's recipe; a variant overrides what it changes.
BASE = dict(net={}, lr=0.9, epochs=5, init='xavier', optimizer='sgd',
            batch_size=256, cosine=False)
# The better LeNet's recipe: each edition's BETTER_RECIPE (tests hold them
# equal)
BETTER_RECIPE = Recipe(batch_size=128, lr=0.001, num_epochs=8,
                       optimizer='adam', cosine=True)


def variant(name, change, pytorch=None, **overrides):
    """A variant's spec: BASE with `overrides`; `pytorch` is its change
    text in the PyTorch edition when that differs from `change`."""
    spec = dict(BASE, name=name, change=change,
                changes=dict(mxnet=change, pytorch=pytorch or change))
    spec.update(overrides)
    return spec


RELU_MAX = dict(activation='relu', pooling='max')
# The better LeNet's net and recipe (each edition's models.py), trained for
# 10 and for 8 epochs (the recipe's) below
BETTER = dict(net=dict(BETTER_LENET), optimizer=BETTER_RECIPE.optimizer,
              lr=BETTER_RECIPE.lr, cosine=BETTER_RECIPE.cosine,
              batch_size=BETTER_RECIPE.batch_size)
VARIANTS = [
    variant('baseline', "the chapter's LeNet: sigmoid, avg pooling, 6/16 "
            'channels of 5x5, dense 120/84, Xavier, SGD lr 0.9, 5 epochs',
            pytorch="the chapter's LeNet: sigmoid, avg pooling, 6/16 "
            'channels of 5x5, dense 120/84, Xavier weights (train_ch6), '
            'SGD lr 0.9, 5 epochs'),
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
            pytorch="weights drawn from U(-0.07, 0.07), MXNet's default "
            "init; PyTorch's own default draws from U(+-1/sqrt(fan_in)), "
            'the baseline keeps it for the biases',
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


class MXNet:
    """The MXNet edition: a hybridized net, its weights drawn by the
    spec's initialiser (biases 0), release 0.6's train_ch5."""

    def __init__(self):
        import d2l_local as d2l  # before mxnet: engine settings
        import mxnet as mx
        from mxnet import init
        from d2l_local.mxnet.models import Recipe as MXRecipe
        self.d2l, self.mx, self.Recipe = d2l, mx, MXRecipe
        self.inits = {'xavier': init.Xavier,
                      'uniform': init.Uniform,  # default: U(-0.07, 0.07)
                      'normal': lambda: init.Normal(0.01)}

    def train(self, spec, train_iter, test_iter):
        """Train a fresh net of `spec`; return its history and the net."""
        d2l, mx = self.d2l, self.mx
        net = d2l.lenet(**spec['net'])
        net.initialize(self.inits[spec['init']](), ctx=mx.cpu())
        net.hybridize()
        trainer = recipe_of(spec, self.Recipe).trainer(net, len(train_iter))
        history = d2l.train_ch5(net, train_iter, test_iter,
                                spec['batch_size'], trainer, mx.cpu(),
                                spec['epochs'], animate=False)
        return history, net


class PyTorch:
    """The PyTorch edition: the book's v0.17.6 train_ch6, which draws the
    weights with xavier_uniform_ (the biases keep PyTorch's default draw);
    an init variant draws the weights from its own distribution instead."""

    def __init__(self):
        import torch
        from d2l_local import torch as d2l
        self.d2l, self.torch = d2l, torch
        init = torch.nn.init
        self.inits = {'xavier': None,  # train_ch6's own xavier_uniform_
                      'uniform': lambda w: init.uniform_(w, -0.07, 0.07),
                      'normal': lambda w: init.normal_(w, 0, 0.01)}

    def train(self, spec, train_iter, test_iter):
        """Train a fresh net of `spec`; return its history and the net."""
        d2l, torch = self.d2l, self.torch
        net = d2l.lenet(**spec['net'])
        recipe = recipe_of(spec, d2l.Recipe)
        optimizer = recipe.optimizer_for(net)
        scheduler = recipe.scheduler_for(optimizer, len(train_iter))
        draw = self.inits[spec['init']]
        with contextlib.ExitStack() as stack:
            if draw is not None:  # train_ch6 calls it for every weight
                stack.enter_context(unittest.mock.patch.object(
                    torch.nn.init, 'xavier_uniform_', draw))
            history = d2l.train_ch6(net, train_iter, test_iter,
                                    spec['epochs'], spec['lr'],
                                    torch.device('cpu'), animate=False,
                                    optimizer=optimizer,
                                    scheduler=scheduler)
        return history, net


FRAMEWORKS = {'mxnet': MXNet, 'pytorch': PyTorch}
_EDITIONS = {}


def edition(framework):
    """The edition that trains under `framework` (made once)."""
    if framework not in FRAMEWORKS:
        raise ValueError(f'framework is one of {tuple(FRAMEWORKS)}, got '
                         f'{framework!r}')
    if framework not in _EDITIONS:
        _EDITIONS[framework] = FRAMEWORKS[framework]()
    return _EDITIONS[framework]


def recipe_of(spec, recipe_class=Recipe):
    """The Recipe a variant is trained with."""
    return recipe_class(spec['batch_size'], spec['lr'], spec['epochs'],
                        spec['optimizer'], spec['cosine'])


def run(spec, seed, train_iter, test_iter, framework='mxnet'):
    """Train one variant from seed `seed`; return its CSV row.

    The iterators must serve batches of spec['batch_size'] in the
    framework's tensors.
    """
    trainer = edition(framework)
    trainer.d2l.set_seed(seed)
    history, net = trainer.train(spec, train_iter, test_iter)
    return dict(variant=spec['name'], change=spec['changes'][framework],
                seed=seed, epochs=spec['epochs'],
                test_acc=f'{history[-1].test_acc:.4f}',
                params=trainer.d2l.num_params(net),
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
    parser.add_argument('--framework', choices=sorted(FRAMEWORKS),
                        default='mxnet',
                        help='the edition to train (default %(default)s)')
    parser.add_argument('--csv', type=pathlib.Path, default=None,
                        help="CSV to write (default: the edition's "
                             'results/.../lenet_grid.csv)')
    parser.add_argument('--list', action='store_true')
    args = parser.parse_args(argv)
    if args.list:
        for spec in VARIANTS:
            print(f"{spec['name']:28} {spec['changes'][args.framework]}")
        return
    unknown = [v for v in args.variants if v not in BY_NAME]
    if unknown:
        parser.error(f'unknown variants {unknown}; see --list')
    names = args.variants or list(BY_NAME)
    csv_path = args.csv or CSVS[args.framework]
    d2l = edition(args.framework).d2l
    for name in names:
        spec = BY_NAME[name]
        data = d2l.load_data_fashion_mnist(spec['batch_size'])
        for seed in args.seeds:
            if (name, seed) in read(csv_path):
                continue
            start = time.time()
            row = run(spec, seed, *data, framework=args.framework)
            merge(row, csv_path)
            print(f"{name} seed {seed}: test acc {row['test_acc']}, "
                  f"{row['params']} params, {row['seconds']} s "
                  f'(load {row["load"]}, wall {time.time() - start:.0f} s)',
                  file=sys.stderr, flush=True)


if __name__ == '__main__':
    main()
