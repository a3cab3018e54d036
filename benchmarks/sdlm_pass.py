"""One pass of LeNet-5's SDLM: the PyTorch edition's cost against the
MXNet edition's, on the same digits, in one run.

Each side trains d2l_local's LeNet-5 of 1998 as tools/lenet5_1998.py's
FULL_SDLM does (init +-2.4/sqrt(F), the paper's MSE criterion, SDLM at
eta 0.0005 and mu 0.02, batches of --batch-size digits, default 4), from
seed 0, over the first --digits MNIST training digits in their stored
order (no shuffling), so both sides see the same digits in the same
batches; the PyTorch side starts from the MXNet side's initial weights (a
file the MXNet side writes), so both do the same arithmetic.  Their first
steps agree to float32 rounding, but SDLM at these rates amplifies
rounding about twofold a step (tests/test_lenet5_torch.py), so the loss
of a whole pass differs between the sides after a few dozen digits; each
side's repeats give its own loss exactly.  Each side runs in a process of its own (MXNet chooses its engine
settings when it loads, and neither side imports the other's framework),
with the same number of threads (--threads, default 1: OMP_NUM_THREADS),
one after the other, --repeat times alternating.

Timed apart: estimating h on the first 500 digits, and the pass, the
training loop of train_lenet5 (forward, backward, SDLM step and the
running counts per batch) with its test on the first 1,000 test digits.
Prints each side's milliseconds a digit for the pass, the load average
around it, and the ratio PyTorch / MXNet of each side's best run.  Run
from the repository root:

    D2L_DATA_DIR=/work/shared/data nice -n 10 .venv/bin/python \\
        benchmarks/sdlm_pass.py --digits 10000 --repeat 2
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
SIDES = ('mxnet', 'pytorch')
RESULT = 'RESULT '  # prefix of the line a side hands back to the parent
ETA, TEST_DIGITS = 0.0005, 1000


def side(framework, digits, batch_size, weights):
    """Time h's estimate and one SDLM pass; return the seconds and the
    pass's loss.  The MXNet side saves its initial weights to the .npz
    file `weights`, the PyTorch side starts from them."""
    if framework == 'mxnet':
        import d2l_local as d2l  # before mxnet: engine settings
        from d2l_local.mxnet import lenet5 as L
    else:
        from d2l_local import torch as d2l
        from d2l_local.torch import lenet5 as L
    from d2l_local.datasets import load_arrays
    arrays = load_arrays('mnist')
    (X, y), (X_test, y_test) = arrays['train'], arrays['test']
    train_iter = d2l.ArrayIter(X[:digits], y[:digits], batch_size)
    test_iter = d2l.ArrayIter(X_test[:TEST_DIGITS], y_test[:TEST_DIGITS],
                              TEST_DIGITS)
    d2l.set_seed(0)
    net = L.lenet5(init='sqrt')
    if framework == 'mxnet':
        net.initialize()
        net.hybridize()
        np.savez(weights, **{name[len(net.prefix):]: p.data().asnumpy()
                             for name, p in net.collect_params().items()})
    else:
        import torch
        saved = np.load(weights)
        with torch.no_grad():
            for name, p in net.named_parameters():
                p.copy_(torch.from_numpy(saved[name.replace('.', '_')]))
    sdlm = L.SDLM(net)
    tic = time.perf_counter()
    sdlm.estimate(*L._first_patterns(train_iter, L.SDLM_PATTERNS))
    estimate = time.perf_counter() - tic
    tic = time.perf_counter()
    history = L.train_lenet5(net, train_iter, test_iter, 1,
                             optimizer='sdlm', lr=ETA, trainer=sdlm,
                             curvature='once', verbose=False,
                             schedule=lambda epoch, base: base)
    return {'estimate': estimate, 'pass': time.perf_counter() - tic,
            'loss': history[0].loss}


def run_side(framework, digits, batch_size, threads, weights):
    """Run `side` in a fresh process; return its result and the load."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    code = (f'import json, runpy; '
            f'bench = runpy.run_path({str(pathlib.Path(__file__))!r}); '
            f"print(bench['RESULT'] + json.dumps(bench['side']("
            f'{framework!r}, {digits}, {batch_size}, {str(weights)!r})))')
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f'the {framework} side failed:\n{done.stderr[-2000:]}')
    line = [l for l in done.stdout.splitlines() if l.startswith(RESULT)][-1]
    result = json.loads(line[len(RESULT):])
    result['load'] = (load + os.getloadavg()[0]) / 2
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--digits', type=int, default=10000,
                        help='training digits in the pass (default '
                             '%(default)s)')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--repeat', type=int, default=1,
                        help='alternate the sides this many times')
    args = parser.parse_args(argv)
    if args.digits < args.batch_size or args.repeat < 1:
        parser.error('--digits must hold one batch, --repeat be at least 1')
    best = {}
    weights = pathlib.Path(tempfile.mkdtemp()) / 'weights.npz'
    print(f'SDLM, one pass over {args.digits:,} MNIST digits in batches of '
          f'{args.batch_size}, {args.threads} thread(s) a side:')
    for _ in range(args.repeat):
        for framework in SIDES:
            r = run_side(framework, args.digits, args.batch_size,
                         args.threads, weights)
            ms = 1000 * r['pass'] / args.digits
            print(f'{framework:8} {ms:6.3f} ms a digit (pass {r["pass"]:.1f}'
                  f' s, h on 500 digits {r["estimate"]:.2f} s, loss '
                  f'{r["loss"]:.4f}, load {r["load"]:.1f})', flush=True)
            best[framework] = min(best.get(framework, ms), ms)
    weights.unlink()
    weights.parent.rmdir()
    ratio = best['pytorch'] / best['mxnet']
    print(f'best: pytorch {best["pytorch"]:.3f}, mxnet {best["mxnet"]:.3f} '
          f'ms a digit; ratio pytorch / mxnet {ratio:.2f}')
    return ratio


if __name__ == '__main__':
    main()
