"""How long SDLM's per-digit step takes, plain and with sdlm.Online.

Trains LeNet-5 (from +-2.4/sqrt(F), h estimated once on 500 digits) one
digit at a time over the same --digits training digits from the same start,
once with SDLM.step after autograd (the plain step) and once with
sdlm.Online (fast=True), alternating the two --repeat times in one process,
and prints each side's median milliseconds per digit, wall-clock and of
this process's CPU time (the pass's loop and its metrics; the 500-digit
estimate of h and a 100-digit test are counted in both), their ratios, and
how far the two sides' parameters are apart after the same digits.  On
cores other programs share, the CPU time says more than the wall clock.

    D2L_DATA_DIR=/work/shared/data nice -n 10 .venv/bin/python \\
        benchmarks/sdlm_step.py --digits 3000 --repeat 2
"""
import argparse
import os
import statistics
import sys
import time

import d2l_local as d2l  # before mxnet: engine settings
import mxnet as mx
import numpy as np
from d2l_local.mxnet import lenet5 as L
from d2l_local.mxnet.sdlm import SDLM


def one_side(train, test, fast, seed=0):
    """Wall and CPU seconds of one pass over `train`, and the trained
    parameters."""
    d2l.set_seed(seed)
    net = L.lenet5(init='sqrt')
    net.initialize(ctx=mx.cpu())
    net.hybridize()
    opt = SDLM(net)
    tic, cpu = time.perf_counter(), time.process_time()
    L.train_lenet5(net, train, test, 1, optimizer='sdlm', lr=0.0005,
                   schedule=lambda epoch, base: base, verbose=False,
                   trainer=opt, fast=fast)
    seconds = (time.perf_counter() - tic, time.process_time() - cpu)
    return seconds, [p.data().asnumpy() for p in opt.params]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--digits', type=int, default=3000)
    parser.add_argument('--repeat', type=int, default=2)
    args = parser.parse_args(argv)
    train_iter, test_iter = d2l.load_data_mnist(1)
    train = L.subset(train_iter, args.digits)
    test = d2l.ArrayIter(test_iter.images[:100], test_iter.labels[:100], 100)
    times = {False: [], True: []}
    params = {}
    for _ in range(args.repeat):
        for fast in (False, True):
            seconds, params[fast] = one_side(train, test, fast)
            times[fast].append(seconds)
    ms = {k: 1000 * statistics.median(t[0] for t in v) / args.digits
          for k, v in times.items()}
    cpu = {k: 1000 * statistics.median(t[1] for t in v) / args.digits
           for k, v in times.items()}
    gap = max(float(np.abs(a - b).max() / max(1e-30, np.abs(a).max()))
              for a, b in zip(params[False], params[True]))
    print(f'{args.digits} digits one at a time, {args.repeat} runs a side '
          f'(load {os.getloadavg()[0]:.1f}):')
    for fast, name in ((False, 'plain step (autograd, SDLM.step)'),
                       (True, 'sdlm.Online')):
        print(f'  {name:33} {ms[fast]:.3f} ms a digit ({cpu[fast]:.3f} '
              f'ms of CPU time)')
    print(f'  ratio plain / Online: {ms[False] / ms[True]:.2f} (CPU time: '
          f'{cpu[False] / cpu[True]:.2f})')
    print(f'  largest parameter difference after the same digits, '
          f'relative to the largest parameter of its group: {gap:.2g}')


if __name__ == '__main__':
    sys.exit(main())
