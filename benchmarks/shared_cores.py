"""Speed when the cores are shared: the chapter's training, 1 to 3 at once.

Starts N processes together (N = 1, 2 and 3), each training the chapter's
LeNet as the chapter does (``import d2l_local``, ``d2l.lenet()``, Xavier,
hybridized, SGD with learning rate 0.9, batch 256, the course's in-memory
iterators, ``d2l.train_ch5``) for --epochs epochs, and prints each
process's epoch times against the lone run's, for each way of choosing the
OpenMP threads:

* fixed: one thread per usable core, fixed when MXNet loads (the course
  before d2l_local.threads; here by setting OMP_NUM_THREADS to that count,
  which also keeps the follower off, as a reader's own value does);
* one: OMP_NUM_THREADS=1;
* adaptive: d2l_local's default: one thread per idle core when MXNet
  loads, then down to the cores the other processes leave free while
  training runs (d2l_local/threads.py).

With --framework pytorch the processes train the PyTorch edition instead
(``from d2l_local import torch as d2l``, ``d2l.setup()``, ``d2l.lenet()``,
``d2l.train_ch6`` with the book's settings): fixed is one thread per usable
core (PyTorch's own default, kept fixed by OMP_NUM_THREADS), one is one
thread, adaptive is ``d2l.setup()``'s follower, which there also raises
the count again when the cores free up.

Each process loads its framework and the data, says it is ready and waits; when
all N are ready they start training at once.  With --stagger S the second
and later processes are started S seconds after the first began training:
a notebook opened while another one trains.  Every epoch is timed whole
(test evaluation included), the first one with its warm-up, and compared
with the same epoch of the same mode's lone run (the mean of LONE_RUNS lone
runs made one after the other, listed as processes 1 and 2 of "1 at
once": a single lone epoch varies by a fifth from run to run).  The engine variables
(OMP_NUM_THREADS, OMP_WAIT_POLICY, MXNET_ENGINE_TYPE) are cleared from the
environment first, so each mode runs as a reader's notebook would.  Run
from the repository root on an otherwise idle machine:

    D2L_DATA_DIR=/work/shared/data .venv/bin/python benchmarks/shared_cores.py
"""
import argparse
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
MODES = ('fixed', 'one', 'adaptive')
GOALS = {2: 2.3, 3: 3.5}  # epoch time against the lone run, at most
LONE_RUNS = 2  # lone runs, one after the other; their mean is the reference
RESULT = 'RESULT '


def engine_module():
    """d2l_local/mxnet/_engine.py loaded alone: importing the package here
    would choose the settings for this process."""
    path = ROOT / 'd2l_local' / 'mxnet' / '_engine.py'
    spec = importlib.util.spec_from_file_location('_engine_alone', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mode_env(mode):
    """The environment a process of `mode` starts with."""
    engine = engine_module()
    env = {k: v for k, v in os.environ.items()
           if k not in engine.VARIABLES + (engine.MARKER,)}
    if mode == 'fixed':
        env['OMP_NUM_THREADS'] = str(min(engine.usable_cpus(),
                                         engine.MAX_THREADS))
    elif mode == 'one':
        env['OMP_NUM_THREADS'] = '1'
    return env


def child(num_epochs, framework='mxnet'):
    """Train the chapter's LeNet once the parent says go; print RESULT."""
    if framework == 'pytorch':
        return torch_child(num_epochs)
    import d2l_local as d2l  # chooses the engine settings, then mxnet
    import mxnet as mx
    from mxnet import gluon, init

    sys.path.insert(0, str(HERE))
    from train_speed import BATCH_SIZE, LR, EpochClock

    d2l.set_seed(0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
    net = d2l.lenet()
    net.initialize(init.Xavier())
    net.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': LR})
    print('READY', flush=True)
    sys.stdin.readline()  # all processes start training together
    start = time.monotonic()
    clock = EpochClock(train_iter)
    history = d2l.train_ch5(net, clock, test_iter, BATCH_SIZE, trainer,
                            mx.cpu(), num_epochs, animate=False)
    from d2l_local import threads
    from d2l_local.mxnet import _engine
    follower = threads.follower()
    say_result(start, clock, history,
               None if follower is None else follower.threads,
               _engine.describe())


def say_result(start, clock, history, threads_now, engine):
    """Print the RESULT line: epoch times, accuracy, thread changes."""
    seconds = clock.seconds(time.perf_counter())
    from d2l_local import threads
    follower = threads.follower()
    changes = [] if follower is None else [
        (round(t - start, 1), n) for t, n in follower.changes]
    print(RESULT + json.dumps({
        'seconds': seconds, 'test_acc': history[-1].test_acc,
        'threads': threads_now, 'changes': changes, 'engine': engine}),
        flush=True)


def torch_child(num_epochs):
    """The PyTorch edition's chapter training, as child() does MXNet's."""
    from d2l_local import torch as d2l
    import torch

    sys.path.insert(0, str(HERE))
    from train_speed import BATCH_SIZE, LR, EpochClock

    from d2l_local.torch.startup import follow_free_cores
    follow_free_cores()  # as d2l.setup() does (off if OMP_NUM_THREADS)
    d2l.set_seed(0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
    net = d2l.lenet()
    print('READY', flush=True)
    sys.stdin.readline()  # all processes start training together
    start = time.monotonic()
    clock = EpochClock(train_iter)
    history = d2l.train_ch6(net, clock, test_iter, num_epochs, LR,
                            torch.device('cpu'), animate=False)
    say_result(start, clock, history, torch.get_num_threads(),
               f'PyTorch {torch.__version__}, '
               f'{torch.get_num_threads()} thread(s) at the end')


def run_together(mode, count, num_epochs, stagger=0.0, framework='mxnet'):
    """Start `count` processes of `mode` together (with `stagger`, the
    second and later that many seconds after the first has started
    training); return their results."""
    cmd = [sys.executable, os.path.abspath(__file__), '--child',
           '--epochs', str(num_epochs), '--framework', framework]

    def launch(n):
        procs = [subprocess.Popen(cmd, env=mode_env(mode), cwd=ROOT,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
                 for _ in range(n)]
        for proc in procs:  # wait until each has loaded MXNet and the data
            for line in proc.stdout:
                if line.startswith('READY'):
                    break
            else:
                sys.exit(f'a {mode} process failed before training')
        for proc in procs:
            proc.stdin.write('go\n')
            proc.stdin.flush()
        return procs

    if stagger and count > 1:
        procs = launch(1)
        time.sleep(stagger)
        procs += launch(count - 1)
    else:
        procs = launch(count)
    results = []
    for proc in procs:
        info = None
        for line in proc.stdout:
            if line.startswith(RESULT):
                info = json.loads(line[len(RESULT):])
        if proc.wait() != 0 or info is None:
            sys.exit(f'a {mode} process failed (exit code {proc.returncode})')
        results.append(info)
    return results


def load():
    """The 1-minute load average and the machine's cores, as text."""
    return f'load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores'


def report(mode, count, results, lone):
    """Print each process's epochs against the lone run; return the worst
    ratio."""
    worst = 0.0
    for i, info in enumerate(results, 1):
        cells = []
        for epoch, s in enumerate(info['seconds']):
            ratio = s / lone[epoch]
            worst = max(worst, ratio)
            cells.append(f'{s:6.1f} s {ratio:5.2f}x')
        threads = info['threads'] if info['threads'] is not None else '-'
        changes = ', '.join(f'{n} at {t} s' for t, n in info['changes'])
        print(f'{mode:9s} {count:^7d} {i:^7d} {" | ".join(cells)}'
              f'   threads {threads}'
              + (f' ({changes})' if changes else ''), flush=True)
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=2,
                        help='epochs per process (default 2)')
    parser.add_argument('--modes', default=','.join(MODES),
                        help=f'comma-separated, from {",".join(MODES)}')
    parser.add_argument('--counts', default='1,2,3',
                        help='processes at once, comma-separated '
                             '(default 1,2,3; 1 is always run first)')
    parser.add_argument('--stagger', type=float, default=0.0,
                        help='start the second and later processes this '
                             'many seconds after the first (default 0: '
                             'all at once)')
    parser.add_argument('--framework', choices=('mxnet', 'pytorch'),
                        default='mxnet',
                        help='the edition that trains (default mxnet)')
    parser.add_argument('--child', action='store_true',
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.epochs < 1 or args.stagger < 0:
        parser.error('--epochs must be at least 1, --stagger at least 0')
    if args.child:
        child(args.epochs, args.framework)
        return
    modes = args.modes.split(',')
    if not set(modes) <= set(MODES):
        parser.error(f'--modes: choose from {", ".join(MODES)}')
    try:
        counts = sorted({1} | {int(c) for c in args.counts.split(',')})
    except ValueError:
        parser.error('--counts: whole numbers, e.g. 1,2,3')
    if counts[0] < 1:
        parser.error('--counts must be at least 1')
    header = ' | '.join(f'epoch {e + 1:<2d} (x lone)'
                        for e in range(args.epochs))
    print(f'{args.framework}: the chapter\'s training, {args.epochs} '
          f'epoch(s) per process')
    print(f'{"mode":9s} at once process {header}')
    lone, worst = {}, {}
    for mode in modes:
        for count in counts:
            before = load()
            if count == 1:  # one lone run's epochs vary by a fifth: average
                results = [run_together(mode, 1, args.epochs, 0.0,
                                        args.framework)[0]
                           for _ in range(LONE_RUNS)]
                lone[mode] = [sum(s) / len(s) for s in
                              zip(*(r['seconds'] for r in results))]
            else:
                results = run_together(mode, count, args.epochs,
                                       args.stagger, args.framework)
            worst[mode, count] = report(mode, count, results, lone[mode])
            print(f'{"":9s} ({before} before, {load()} after; '
                  f'{results[0]["engine"]})', flush=True)
    print()
    if 'fixed' in lone:
        for mode in modes:
            ratio = sum(lone[mode]) / sum(lone['fixed'])
            print(f'{mode}: alone {sum(lone[mode]):.1f} s for '
                  f'{args.epochs} epoch(s), {ratio:.2f}x fixed alone '
                  f'(goal: adaptive at most 1.10x)')
    for (mode, count), ratio in worst.items():
        if count in GOALS:
            verdict = 'met' if ratio <= GOALS[count] else 'NOT met'
            print(f'{mode}, {count} at once: slowest epoch {ratio:.2f}x '
                  f'its lone run (goal at most {GOALS[count]}x: {verdict})')


if __name__ == '__main__':
    main()
