"""Training speed of the chapter's LeNet: d2l_local against the book.

Trains the sigmoid LeNet of §6.6 (batch 256, SGD lr 0.9, Xavier) on
Fashion-MNIST for --epochs epochs twice, each side in its own process
because MXNet reads its engine type once, when it loads:

* ours: d2l_local's in-memory loader, the hybridized net, d2l_local.train_ch5
  and d2l_local's engine settings (NaiveEngine, one OpenMP thread per
  usable core, threads that sleep between steps only if the cores are busy);
* book: d2l 1.0.3's pipeline (ToTensor via transform_first and a DataLoader
  with its 4 workers) and d2l.train_ch6, under MXNet's own defaults (none
  of d2l_local's variables reach it).

Every epoch is timed whole, data loading and test evaluation included.
The first epoch is reported apart as warm-up; the throughput is taken over
the others.  Other jobs on the machine slow either side down, so each side
prints the load average around it; --repeat N alternates the sides N times
and compares each side's best run.  Run from the repository root:

    D2L_DATA_DIR=/work/shared/data .venv/bin/python benchmarks/train_speed.py
"""
import argparse
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import time

BATCH_SIZE, LR = 256, 0.9
RESULT = 'RESULT '  # prefix of the line a side hands back to the parent
ROOT = pathlib.Path(__file__).resolve().parent.parent


def engine_vars():
    """Names of the variables d2l_local sets before MXNet loads.

    Read from d2l_local/mxnet/_engine.py alone: importing the package would set
    them in this process and load MXNet.
    """
    path = ROOT / 'd2l_local' / 'mxnet' / '_engine.py'
    spec = importlib.util.spec_from_file_location('_engine', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.VARIABLES)


class EpochClock:
    """Wrap a data iterator; note the time each pass over it starts.

    Consecutive starts (and the end of training) bound whole epochs, so
    an epoch's time includes its test evaluation and all else between.
    """

    def __init__(self, data_iter):
        self.data_iter, self.starts = data_iter, []

    def __len__(self):
        return len(self.data_iter)

    def __iter__(self):
        self.starts.append(time.perf_counter())
        return iter(self.data_iter)

    def seconds(self, end):
        bounds = self.starts + [end]
        return [b - a for a, b in zip(bounds, bounds[1:])]


def run_ours(num_epochs):
    import d2l_local  # sets the engine defaults before importing mxnet
    import mxnet as mx
    from mxnet import gluon, init

    d2l_local.set_seed(0)  # same data order and init on every run
    train_iter, test_iter = d2l_local.load_data_fashion_mnist(BATCH_SIZE)
    net = d2l_local.lenet()
    net.initialize(init.Xavier())
    # Shapes repeat batch after batch, so MXNet may plan memory once.
    net.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': LR})
    clock = EpochClock(train_iter)
    history = d2l_local.train_ch5(net, clock, test_iter, BATCH_SIZE,
                                  trainer, mx.cpu(), num_epochs,
                                  animate=False)
    end = time.perf_counter()
    return clock.seconds(end), history[-1].test_acc, len(train_iter)


def book_loaders(batch_size):
    """d2l 1.0.3's load_data_fashion_mnist on the course's decoded arrays.

    gluon's FashionMNIST insists on MXNet's re-hosted files, so a stand-in
    serves the very items it would (in np mode: a 28x28x1 uint8 image and
    an int32 label, both mxnet.np arrays).
    """
    from d2l import mxnet as d2l
    from mxnet import gluon, np

    from d2l_local.datasets import load_arrays

    class FashionMNIST(gluon.data.Dataset):
        def __init__(self, train=True):
            X, y = load_arrays('fashion-mnist')['train' if train else 'test']
            self._data = np.array(X[..., None], dtype='uint8')
            self._label = np.array(y.astype('int32'), dtype='int32')

        def __getitem__(self, idx):
            return self._data[idx], self._label[idx]

        def __len__(self):
            return len(self._label)

    dataset = gluon.data.vision
    trans = dataset.transforms.Compose([dataset.transforms.ToTensor()])
    mnist_train = FashionMNIST(train=True).transform_first(trans)
    mnist_test = FashionMNIST(train=False).transform_first(trans)
    return (gluon.data.DataLoader(mnist_train, batch_size, shuffle=True,
                                  num_workers=d2l.get_dataloader_workers()),
            gluon.data.DataLoader(mnist_test, batch_size, shuffle=False,
                                  num_workers=d2l.get_dataloader_workers()))


def run_book(num_epochs):
    # MXNet's own engine defaults: d2l_local must not choose them, but on
    # numpy >= 1.24 the names MXNet reads at import must be there.
    from d2l_local.mxnet import _engine, _numpy_compat
    _engine.uninstall_hook()
    _numpy_compat.restore()
    import mxnet as mx  # first, so d2l_local leaves the engine alone
    from d2l import mxnet as d2l
    from mxnet import npx
    from mxnet.gluon import nn

    import d2l_local  # after mxnet: leaves the engine settings alone
    npx.set_np()  # d2l 1.0.3 is written for MXNet's numpy interface

    class NoAnimator:
        """Stands in for d2l.Animator (it cannot draw in a plain script);
        keeps the last test accuracy train_ch6 reports."""
        test_acc = None

        def __init__(self, *args, **kwargs):
            pass

        def add(self, x, ys):
            if ys[-1] is not None:
                NoAnimator.test_acc = ys[-1]

    d2l.Animator = NoAnimator
    d2l_local.set_seed(0)  # same data order and init on every run
    train_iter, test_iter = book_loaders(BATCH_SIZE)
    net = nn.Sequential()
    net.add(nn.Conv2D(channels=6, kernel_size=5, padding=2,
                      activation='sigmoid'),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=5, activation='sigmoid'),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation='sigmoid'),
            nn.Dense(84, activation='sigmoid'),
            nn.Dense(10))
    clock = EpochClock(train_iter)
    d2l.train_ch6(net, clock, test_iter, num_epochs, LR, mx.cpu())
    end = time.perf_counter()
    return clock.seconds(end), NoAnimator.test_acc, len(train_iter)


def side_main(side, num_epochs):
    seconds, test_acc, num_batches = (run_ours if side == 'ours'
                                      else run_book)(num_epochs)
    from d2l_local.mxnet import _engine
    info = {'side': side, 'seconds': seconds, 'test_acc': float(test_acc),
            'num_batches': num_batches,
            'env': {key: os.environ.get(key) for key in engine_vars()},
            'engine': _engine.describe() if side == 'ours' else
            'MXNet engine: its own defaults (the book pipeline)'}
    print(RESULT + json.dumps(info), flush=True)


def run_side(side, num_epochs):
    """Run one side in a fresh interpreter; return its RESULT record."""
    env = dict(os.environ)
    if side == 'book':  # MXNet's own defaults, none of d2l_local's
        for key in engine_vars() + ('D2L_ENGINE_AUTO',):
            env.pop(key, None)
    cmd = [sys.executable, os.path.abspath(__file__), '--side', side,
           '--epochs', str(num_epochs)]
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    info = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT):
            info = json.loads(line[len(RESULT):])
        else:
            print(f'  [{side}] {line}', flush=True)
    if proc.returncode != 0 or info is None:
        sys.exit(f'the {side} side failed (exit code {proc.returncode})')
    # Other jobs on the machine slow a side down: show how busy it was
    info['load'] = (load, os.getloadavg()[0])
    rate, timed = throughput(info)
    info.update(rate=rate, per_epoch=sum(timed) / len(timed))
    return info


def throughput(info, num_examples=60000):
    """Examples per second over the epochs after the first (warm-up)."""
    timed = info['seconds'][1:] or info['seconds']
    return num_examples * len(timed) / sum(timed), timed


def report(runs):
    """Print a side's runs; return the best one (the least disturbed)."""
    best = max(runs, key=lambda info: info['rate'])
    for info in runs:
        epochs = ', '.join(f'{s:.2f}' for s in info['seconds'])
        epochs += ' s; first is warm-up' if len(info['seconds']) > 1 else ' s'
        env = ' '.join(f'{k}={v or "(unset)"}'
                       for k, v in info['env'].items())
        print(f'{info["side"]}: {info["rate"]:.0f} examples/sec, '
              f'{info["per_epoch"]:.2f} s/epoch '
              f'(epochs {epochs}), '
              f'test acc {info["test_acc"]:.3f}'
              + (' [best]' if len(runs) > 1 and info is best else ''))
        print(f'      {info["engine"]}')
        print(f'      {env}; load avg {info["load"][0]:.1f} '
              f'-> {info["load"][1]:.1f} on {os.cpu_count()} cores')
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=2,
                        help='epochs per side (default 2)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='run both sides this many times, alternating,'
                             ' and compare the best runs (default 1)')
    parser.add_argument('--side', choices=('ours', 'book'),
                        help=argparse.SUPPRESS)  # set when re-invoked
    args = parser.parse_args()
    if args.epochs < 1 or args.repeat < 1:
        parser.error('--epochs and --repeat must be at least 1')
    if args.side:
        side_main(args.side, args.epochs)
        return
    runs = {'book': [], 'ours': []}
    for _ in range(args.repeat):
        for side in runs:
            runs[side].append(run_side(side, args.epochs))
    best = {side: report(side_runs) for side, side_runs in runs.items()}
    print(f'speedup vs book pipeline: '
          f'{best["ours"]["rate"] / best["book"]["rate"]:.2f}x')


if __name__ == '__main__':
    main()
