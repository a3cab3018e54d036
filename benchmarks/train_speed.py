"""Training speed of the chapter's LeNet: both editions against the book.

Trains the sigmoid LeNet of §6.6 (batch 256, SGD lr 0.9, Xavier) on
Fashion-MNIST for --epochs epochs on each of four sides, each in its own
process (MXNet reads its engine type once, when it loads):

* ours: the MXNet course: d2l_local's in-memory loader, the hybridized
  net, d2l_local.train_ch5 and d2l_local's engine settings (NaiveEngine,
  one OpenMP thread per usable core that is idle when MXNet loads, fewer
  while other programs use the cores: d2l_local/threads.py);
* book: d2l 1.0.3's MXNet pipeline (ToTensor via transform_first and a
  DataLoader with its 4 workers) and d2l.train_ch6, under MXNet's own
  defaults (none of d2l_local's variables reach it);
* torch: the PyTorch edition: ``from d2l_local import torch as d2l``,
  its in-memory loader, d2l.lenet() (the book's nn.Sequential) and its
  train_ch6 (the book's v0.17.6 listing), with what the edition sets by
  itself;
* torch-book: the book's own PyTorch pipeline of release v0.17.6:
  torchvision's FashionMNIST with ToTensor, a DataLoader with 4 workers
  and train_ch6, under PyTorch's own defaults.  The code is d2l 1.0.3's
  d2l/torch.py (the MXNet side's pin), whose copies of these functions are
  v0.17.6's token for token: book_code_check() verifies that every run.

Every epoch is timed whole, data loading and test evaluation included.
The first epoch is reported apart as warm-up; the throughput is taken over
the others.  A fifth process measures the arithmetic floor: LeNet's
multiply-adds per image (counted on the model) times 3 for forward and
backward, over the peak rate of a large float32 matrix product on the
usable cores.  Other jobs on the machine slow every side down, so each side
prints the load average around it; --repeat N alternates the sides N times
and compares each side's best run.  Run from the repository root:

    D2L_DATA_DIR=/work/shared/data .venv/bin/python benchmarks/train_speed.py
"""
import argparse
import ast
import gzip
import hashlib
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import textwrap
import time

BATCH_SIZE, LR = 256, 0.9
NUM_TRAIN, NUM_TEST = 60000, 10000
SIDES = ('book', 'ours', 'torch-book', 'torch')
TORCH_SIDES = ('torch-book', 'torch')
# The book's v0.17.6 code the torch-book side runs, as digests of each
# definition's code (docstrings left out; see code_digest), taken from
# d2l/torch.py at tag v0.17.6 of github.com/d2l-ai/d2l-en.
V0176 = {'get_dataloader_workers': '06f5d91110216cdc',
         'load_data_fashion_mnist': '3fec0abb48497df2',
         'Accumulator': '70ba9383e9ebda65', 'accuracy': '7411eefe187cd942',
         'Timer': '497b6921ac663c03',
         'evaluate_accuracy_gpu': 'a9a3a755e5ac5011',
         'train_ch6': '5e4a592e87b0a33e'}
MATMUL = 4096  # side of the float32 matrices whose product gives the peak
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


def cpu_time():
    """CPU seconds of this process, all its threads, and of its children
    that have ended (the DataLoader's workers end with each pass)."""
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class EpochClock:
    """Wrap a data iterator; note the time each pass over it starts.

    Consecutive starts (and the end of training) bound whole epochs, so
    an epoch's time includes its test evaluation and all else between.
    The CPU time used is noted at the same moments.
    """
    last = None  # the clock of this process's training run

    def __init__(self, data_iter):
        self.data_iter, self.starts, self.cpu_starts = data_iter, [], []
        EpochClock.last = self

    def __len__(self):
        return len(self.data_iter)

    def __iter__(self):
        self.starts.append(time.perf_counter())
        self.cpu_starts.append(cpu_time())
        return iter(self.data_iter)

    def cpu_seconds(self, end):
        bounds = self.cpu_starts + [end]
        return [b - a for a, b in zip(bounds, bounds[1:])]

    def seconds(self, end):
        bounds = self.starts + [end]
        return [b - a for a, b in zip(bounds, bounds[1:])]


class NoAnimator:
    """Stands in for d2l.Animator (it cannot draw in a plain script);
    keeps the last test accuracy train_ch6 reports."""
    test_acc = None

    def __init__(self, *args, **kwargs):
        pass

    def add(self, x, ys):
        if ys[-1] is not None:
            NoAnimator.test_acc = ys[-1]


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


def code_digest(source):
    """A digest of a definition's code, the same on every Python: its
    syntax tree without docstrings, with torch.utils.data.DataLoader
    spelled data.DataLoader as v0.17.6 imports it."""
    source = source.replace('torch.utils.data.DataLoader', 'data.DataLoader')
    tree = ast.parse(textwrap.dedent(source))

    def canon(node):
        if isinstance(node, list):
            return '[' + ','.join(canon(n) for n in node) + ']'
        if not isinstance(node, ast.AST):
            return repr(node)
        body = getattr(node, 'body', None)
        if (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            body = body[1:]  # the docstring
        fields = []
        for name in node._fields:
            value = body if name == 'body' and body is not None else \
                getattr(node, name, None)
            if name in ('type_params', 'kind', 'type_comment') or \
                    value is None or value == []:
                continue  # fields newer Pythons add, empty or not
            fields.append(f'{name}={canon(value)}')
        return f'{type(node).__name__}({" ".join(fields)})'
    return hashlib.sha256(canon(tree).encode()).hexdigest()[:16]


def book_code_check(d2l):
    """Refuse to time the book's PyTorch pipeline unless the installed
    d2l's functions are release v0.17.6's code."""
    import inspect
    differ = [name for name, digest in V0176.items()
              if code_digest(inspect.getsource(getattr(d2l, name)))
              != digest]
    if differ:
        sys.exit(f'the installed d2l ({d2l.__file__}) is not the book\'s '
                 f'v0.17.6 code in: {", ".join(differ)}; install the '
                 f'pinned d2l (requirements.txt) and run again.')


def torchvision_layout(root):
    """Put Fashion-MNIST where the book's loader reads it: root/data/
    FashionMNIST/raw, decompressed as torchvision keeps it; return the
    folder to run from (the book loads root="../data")."""
    from d2l_local import datasets
    dataset = datasets.get_dataset('fashion-mnist')
    raw = root / 'data' / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True)
    for key, spec in dataset.files.items():
        path, _ = datasets.fetch_file(dataset, key)  # verified
        with gzip.open(path) as f:
            (raw / spec.filename[:-len('.gz')]).write_bytes(f.read())
    (root / 'run').mkdir()
    return root / 'run'


def book_torch_net():
    """The §6.6 LeNet as the book's v0.17.6 PyTorch listing builds it."""
    from torch import nn
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def run_torch_book(num_epochs):
    import random

    import numpy as np
    import torch
    from d2l import torch as d2l

    book_code_check(d2l)
    d2l.Animator = NoAnimator
    torch.manual_seed(0)  # same data order and init on every run
    np.random.seed(0)
    random.seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(torchvision_layout(pathlib.Path(tmp)))
        train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
        net = book_torch_net()
        clock = EpochClock(train_iter)
        d2l.train_ch6(net, clock, test_iter, num_epochs, LR, d2l.try_gpu())
        end = time.perf_counter()
        os.chdir(ROOT)
    return clock.seconds(end), NoAnimator.test_acc, len(train_iter)


def run_torch(num_epochs):
    from d2l_local import torch as d2l

    d2l.set_seed(0)  # same data order and init on every run
    train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
    net = d2l.lenet()
    clock = EpochClock(train_iter)
    history = d2l.train_ch6(net, clock, test_iter, num_epochs, LR,
                            d2l.try_gpu(), animate=False)
    end = time.perf_counter()
    return clock.seconds(end), history[-1].test_acc, len(train_iter)


def count_macs(net, shape=(1, 1, 28, 28)):
    """Multiply-adds of one forward pass of `net` on one image, counted
    in its convolutions and dense layers (pooling and activations add a
    few percent of other operations, left out)."""
    import torch
    from torch import nn
    counts = []

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            per_output = (module.in_channels // module.groups
                          * module.kernel_size[0] * module.kernel_size[1])
            counts.append(output.numel() * per_output)
        elif isinstance(module, nn.Linear):
            counts.append(output.numel() * module.in_features)
    handles = [m.register_forward_hook(hook) for m in net.modules()]
    with torch.no_grad():
        net(torch.zeros(shape))
    for handle in handles:
        handle.remove()
    return sum(counts)


def run_floor():
    """Measure the peak FLOP rate; count LeNet's multiply-adds."""
    import torch
    threads = len(os.sched_getaffinity(0)) if hasattr(
        os, 'sched_getaffinity') else os.cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    a, b = torch.rand(MATMUL, MATMUL), torch.rand(MATMUL, MATMUL)
    torch.mm(a, b)  # warm-up: threads started, pages touched
    times = []
    for _ in range(5):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    return {'side': 'floor', 'threads': threads, 'seconds': times,
            'peak': 2 * MATMUL ** 3 / min(times),
            'macs': count_macs(book_torch_net()),
            'torch': torch.__version__}


RUNNERS = {'ours': run_ours, 'book': run_book, 'torch': run_torch,
           'torch-book': run_torch_book}


def side_main(side, num_epochs):
    if side == 'floor':
        print(RESULT + json.dumps(run_floor()), flush=True)
        return
    seconds, test_acc, num_batches = RUNNERS[side](num_epochs)
    cpu = EpochClock.last.cpu_seconds(cpu_time())
    info = {'side': side, 'seconds': seconds, 'cpu': cpu,
            'test_acc': float(test_acc),
            'num_batches': num_batches,
            'env': {key: os.environ.get(key) for key in engine_vars()}}
    if side in TORCH_SIDES:
        from d2l_local.torch.startup import describe
        info['engine'] = describe() + (
            '' if side == 'torch' else ' (the book pipeline: its defaults)')
    else:
        from d2l_local.mxnet import _engine
        info['engine'] = (_engine.describe() if side == 'ours' else
                          'MXNet engine: its own defaults (the book pipeline)')
    print(RESULT + json.dumps(info), flush=True)


def run_side(side, num_epochs):
    """Run one side in a fresh interpreter; return its RESULT record."""
    env = dict(os.environ)
    if side in ('book', 'torch-book'):  # the framework's own defaults
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
    if side != 'floor':
        rate, timed = throughput(info)
        cpu = info['cpu'][1:] or info['cpu']
        info.update(rate=rate, per_epoch=sum(timed) / len(timed),
                    cpu_per_epoch=sum(cpu) / len(cpu))
    return info


def throughput(info, num_examples=NUM_TRAIN):
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
        print(f'      CPU time {info["cpu_per_epoch"]:.2f} s/epoch (all '
              f'threads, spinning ones too, and the data workers)')
        print(f'      {info["engine"]}')
        print(f'      {env}; load avg {info["load"][0]:.1f} '
              f'-> {info["load"][1]:.1f} on {os.cpu_count()} cores')
    return best


def report_floor(floors, torch_best):
    """Print the arithmetic floor from the least disturbed peak."""
    best = max(floors, key=lambda info: info['peak'])
    macs, peak = best['macs'], best['peak']
    flop = 2 * macs * (3 * NUM_TRAIN + NUM_TEST)
    floor = flop / peak
    print(f'arithmetic floor: {floor:.2f} s/epoch = {macs:,} multiply-adds '
          f'per image x 3 (forward + backward) x {NUM_TRAIN:,} training '
          f'images, + x 1 x {NUM_TEST:,} test images, x 2 FLOP each = '
          f'{flop / 1e9:.0f} GFLOP, at the peak of '
          f'{peak / 1e9:.0f} GFLOP/s')
    print(f'      peak: the fastest of 5 products of two {MATMUL}x{MATMUL} '
          f'float32 matrices (torch.mm, {best["threads"]} threads, '
          f'PyTorch {best["torch"]}): '
          + ', '.join(f'{t:.2f}' for t in best['seconds'])
          + f' s; load avg {best["load"][0]:.1f} -> {best["load"][1]:.1f}'
          + (f'; best of {len(floors)} runs' if len(floors) > 1 else ''))
    if torch_best:
        print(f'      the PyTorch edition takes '
              f'{torch_best["per_epoch"] / floor:.1f}x the floor')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=2,
                        help='epochs per side (default 2)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='run the sides this many times, alternating,'
                             ' and compare the best runs (default 1)')
    parser.add_argument('--sides', nargs='+', choices=SIDES, default=SIDES,
                        metavar='SIDE',
                        help='which sides to run: ' + ', '.join(SIDES)
                             + ' (default: all)')
    parser.add_argument('--side', choices=SIDES + ('floor',),
                        help=argparse.SUPPRESS)  # set when re-invoked
    args = parser.parse_args()
    if args.epochs < 1 or args.repeat < 1:
        parser.error('--epochs and --repeat must be at least 1')
    if args.side:
        side_main(args.side, args.epochs)
        return
    sys.path.insert(0, str(ROOT))
    from d2l_local import settings
    if settings.quick():
        parser.error('D2L_QUICK is set: the editions would train on a '
                     'slice of the data and the book on all of it; unset '
                     'D2L_QUICK and run again')
    runs = {side: [] for side in SIDES if side in args.sides}
    missing = [name for name in ('torch', 'torchvision')
               if any(side in runs for side in TORCH_SIDES)
               and importlib.util.find_spec(name) is None]
    if missing:
        parser.error(f'the PyTorch sides need {" and ".join(missing)}, '
                     f'missing from this Python ({sys.executable}): '
                     f'install them (python -m pip install torch '
                     f'torchvision) or leave those sides out with '
                     f'--sides book ours')
    floors = []
    for _ in range(args.repeat):
        for side in runs:
            runs[side].append(run_side(side, args.epochs))
        if any(side in runs for side in TORCH_SIDES):
            floors.append(run_side('floor', args.epochs))
    best = {side: report(side_runs) for side, side_runs in runs.items()}
    if 'book' in best and 'ours' in best:
        print(f'speedup vs book pipeline: '
              f'{best["ours"]["rate"] / best["book"]["rate"]:.2f}x')
    if 'torch' in best and 'ours' in best:
        ratio = best['torch']['per_epoch'] / best['ours']['per_epoch']
        print(f'PyTorch edition / MXNet course: {ratio:.2f} of its time '
              f'per epoch (goal: at most 0.6)')
    if 'torch-book' in best and 'torch' in best:
        ratio = best['torch-book']['per_epoch'] / best['torch']['per_epoch']
        print(f"book's PyTorch pipeline / PyTorch edition: {ratio:.2f}x "
              f'its time per epoch (goal: at least 2)')
    if floors:
        report_floor(floors, best.get('torch'))


if __name__ == '__main__':
    main()
