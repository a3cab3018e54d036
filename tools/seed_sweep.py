"""Train the chapter's LeNet under several seeds; record how results vary.

The chapter (§6.6) trains with seed 0 and pins its final test accuracy
in an assertion cell; this sweep supplies the band for that assertion.
Each seed gets the chapter's exact configuration, in the framework of the
edition asked for: SGD lr 0.9, 5 epochs, batch 256, Xavier, Fashion-MNIST
through d2l_local.  MXNet (the default): d2l_local.lenet(), init.Xavier(),
the chapter's hybridize call and release 0.6's train_ch5.  PyTorch
(--framework pytorch): d2l.lenet() of d2l_local.torch, trained by the
book's v0.17.6 train_ch6, which sets the weights with xavier_uniform_.
Run from the repository root:

    D2L_DATA_DIR=/work/shared/data .venv/bin/python tools/seed_sweep.py
    D2L_DATA_DIR=/work/shared/data .venv/bin/python tools/seed_sweep.py \
        --framework pytorch

It writes d2l_local/results/seed_sweep.json (MXNet) or
d2l_local/results/pytorch/seed_sweep.json (PyTorch), the file each
edition's chapter cites (per-seed history and final test accuracy), after
every seed, and prints the min, max and mean of the final accuracy.
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import sys

RESULTS = pathlib.Path(__file__).resolve().parent.parent / 'd2l_local' / \
    'results'
OUT = {'mxnet': RESULTS / 'seed_sweep.json',
       'pytorch': RESULTS / 'pytorch' / 'seed_sweep.json'}
# The chapter's configuration
lr, num_epochs, batch_size = 0.9, 5, 256
HYBRIDIZE = {}  # net.hybridize(), as the MXNet chapter calls it


class MXNet:
    """The MXNet edition: release 0.6's train_ch5 over a hybridized net."""

    name = 'mxnet'

    def __init__(self):
        import d2l_local as d2l  # MXNet's engine defaults before it loads
        import mxnet as mx
        self.d2l, self.mx = d2l, mx

    def config(self):
        return {'model': 'd2l_local.lenet()', 'init': 'Xavier()',
                'hybridize': HYBRIDIZE}

    def train_one(self, seed, train_iter, test_iter, num_epochs):
        """Train a fresh net under `seed`; return its Epoch records."""
        from mxnet import gluon, init
        d2l = self.d2l
        d2l.set_seed(seed)
        net = d2l.lenet()
        net.initialize(init.Xavier(), force_reinit=True)
        net.hybridize(**HYBRIDIZE)
        trainer = gluon.Trainer(net.collect_params(), 'sgd',
                                {'learning_rate': lr})
        return d2l.train_ch5(net, train_iter, test_iter, batch_size,
                             trainer, d2l.try_gpu(), num_epochs,
                             animate=False)

    def environment(self):
        import numpy as np
        return {'python': platform.python_version(),
                'mxnet': self.mx.__version__, 'numpy': np.__version__,
                'd2l_local': self.d2l.__version__,
                'MXNET_ENGINE_TYPE': os.environ.get('MXNET_ENGINE_TYPE'),
                'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS'),
                'device': str(self.d2l.try_gpu())}


class PyTorch:
    """The PyTorch edition: the book's v0.17.6 train_ch6."""

    name = 'pytorch'

    def __init__(self):
        import torch
        from d2l_local import torch as d2l
        self.d2l, self.torch = d2l, torch

    def config(self):
        return {'model': 'd2l_local.torch.lenet()',
                'init': 'xavier_uniform_ (weights, in train_ch6)'}

    def train_one(self, seed, train_iter, test_iter, num_epochs):
        """Train a fresh net under `seed`; return its Epoch records."""
        d2l = self.d2l
        d2l.set_seed(seed)
        net = d2l.lenet()
        return d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr,
                             d2l.try_gpu(), animate=False)

    def environment(self):
        import numpy as np
        import d2l_local
        torch = self.torch
        return {'python': platform.python_version(),
                'torch': torch.__version__.split('+')[0],
                'numpy': np.__version__,
                'd2l_local': d2l_local.__version__,
                'threads': torch.get_num_threads(),
                'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS'),
                'device': str(self.d2l.try_gpu())}


FRAMEWORKS = {'mxnet': MXNet, 'pytorch': PyTorch}


def summarize(runs):
    accs = [run['final_test_acc'] for run in runs]
    return {'min': min(accs), 'max': max(accs),
            'mean': statistics.fmean(accs),
            'stdev': statistics.stdev(accs) if len(accs) > 1 else 0.0}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('seeds', nargs='*', type=int,
                        default=list(range(8)),
                        help='seeds to train with (default 0..7)')
    parser.add_argument('--epochs', type=int, default=num_epochs,
                        help=f'epochs per seed (default {num_epochs}, the '
                             f'chapter\'s)')
    parser.add_argument('--framework', choices=sorted(FRAMEWORKS),
                        default='mxnet',
                        help='the edition to train (default %(default)s)')
    parser.add_argument('--out', type=pathlib.Path, default=None,
                        help='JSON file to write (default: the edition\'s '
                             'results/.../seed_sweep.json)')
    args = parser.parse_args(argv)
    if len(set(args.seeds)) != len(args.seeds):
        parser.error('each seed may be given only once')
    out = args.out or OUT[args.framework]
    edition = FRAMEWORKS[args.framework]()
    train_iter, test_iter = edition.d2l.load_data_fashion_mnist(batch_size)
    record = {
        'config': {**edition.config(), 'optimizer': 'sgd', 'lr': lr,
                   'num_epochs': args.epochs, 'batch_size': batch_size,
                   'data': 'fashion-mnist'},
        'environment': edition.environment(),
        'runs': [],
    }
    for seed in args.seeds:
        print(f'--- seed {seed}', flush=True)
        history = edition.train_one(seed, train_iter, test_iter,
                                    args.epochs)
        record['runs'].append({
            'seed': seed,
            'history': [e._asdict() for e in history],
            'final_test_acc': history[-1].test_acc,
        })
        record['summary'] = summarize(record['runs'])
        # Written after every seed, so an interrupted sweep keeps its runs
        out.write_text(json.dumps(record, indent=1) + '\n')
    accs = ', '.join(f'{run["seed"]}: {run["final_test_acc"]:.4f}'
                     for run in record['runs'])
    s = record['summary']
    print(f'final test acc by seed: {accs}')
    print(f'final test acc over {len(record["runs"])} seeds: '
          f'min {s["min"]:.4f}, max {s["max"]:.4f}, mean {s["mean"]:.4f}, '
          f'stdev {s["stdev"]:.4f}')
    print(f'wrote {out}')


if __name__ == '__main__':
    sys.exit(main())
