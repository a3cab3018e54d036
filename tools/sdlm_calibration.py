"""SDLM's step sizes at initialisation against the paper's (issue 27).

Section III.B of the paper: with eta = 0.0005 and mu = 0.02 "the resulting
effective learning rates during the first pass varied between
approximately 7x10^-5 and 0.016 over the set of parameters".  ``table``
builds LeNet-5 as the paper does (inputs -0.1 / 1.175, weights uniform in
+-2.4/F; also +-2.4/sqrt(F), the saved SDLM runs' start), estimates h on
500 training digits (d2l_local.mxnet.sdlm, the MSE criterion and the MAP
one with j = 10, the grid's) and prints, per parameter group, the min,
median and max of h and of eps = eta / (mu + h), beside the paper's range.
The table is saved under a label in
d2l_local/results/lenet5_1998_sdlm_calibration.json (other labels kept),
so the tables before and after a change of sdlm.py are both on record.
It also saves what-ifs: the eps range each init would have with h
rescaled by the factors an implementation can get wrong.

``first-pass`` trains the paper's set-up one digit at a time (eta 0.0005,
mu 0.02, MSE) for the first --digits training digits of a pass, with h
estimated once before it and with h re-estimated every --every digits,
and saves the test error after each, the training loss and error over
the digits trained on, and each estimate's range of eps, in
lenet5_1998_sdlm_first_pass.json (--every 0: estimated once; --init sqrt:
from +-2.4/sqrt(F)).

    D2L_DATA_DIR=/work/shared/data nice -n 10 .venv/bin/python \\
        tools/sdlm_calibration.py table --label current
    ... tools/sdlm_calibration.py first-pass --digits 20000 --every 4000
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import d2l_local as d2l  # before mxnet: engine settings
import mxnet as mx
import numpy as np
from mxnet import nd
from d2l_local import results
from d2l_local.mxnet import lenet5 as L
from d2l_local.mxnet.sdlm import SDLM

RESULTS = pathlib.Path(__file__).resolve().parent.parent / 'd2l_local' \
    / 'results'
TABLE_JSON = RESULTS / 'lenet5_1998_sdlm_calibration.json'
FIRST_PASS_JSON = RESULTS / 'lenet5_1998_sdlm_first_pass.json'
PAPER_EPS = L.PAPER_EPS  # section III.B, eta 0.0005 and mu 0.02
ETA = L.PAPER_LR_STEPS[0][1]
MAP_J = 10.0  # the grid's 'MAP loss' row; the paper gives no j
CRITERIA = {'plain': None, 'MAP': MAP_J}
# How many connections share each parameter of LeNet-5 (28x28 digits in a
# 32x32 field): the factor between a sum and a mean over them.
SHARED = {'c1_weight': 28 * 28, 'c1_bias': 28 * 28,
          's2_coef': 14 * 14 * 4, 's2_bias': 14 * 14,
          'c3_weight': 10 * 10, 'c3_bias': 10 * 10,
          's4_coef': 5 * 5 * 4, 's4_bias': 5 * 5,
          'c5_weight': 1, 'c5_bias': 1, 'f6_weight': 1, 'f6_bias': 1}


def patterns(images, labels, n=L.SDLM_PATTERNS, seed=0):
    """n training digits drawn without replacement under `seed`, as the
    SDLM sees them: X (n, 1, 28, 28) in [0, 1], y (n,)."""
    idx = np.random.default_rng(seed).choice(len(images), n, replace=False)
    X = images[idx][:, None].astype(np.float32) / 255
    return nd.array(X), nd.array(labels[idx], dtype='float32')


def fresh_net(init, seed=0):
    """LeNet-5 initialised under `seed` with the init rule `init`."""
    d2l.set_seed(seed)
    net = L.lenet5(init=init)
    net.initialize(ctx=mx.cpu())
    return net


def calibrate(X, y, seed=0, inits=('paper', 'sqrt'), eta=ETA, mu=L.SDLM_MU):
    """The table's rows: one per (init, criterion, parameter group)."""
    rows = []
    for init in inits:
        for criterion, j in CRITERIA.items():
            opt = SDLM(fresh_net(init, seed), mu=mu, j=j)
            opt.estimate(X, y)
            for row in opt.table(eta):
                rows.append(dict(init=init, criterion=criterion, **row))
    return rows


def overall(rows, init, criterion):
    """(eps min, eps max, share of the parameters whose h is below mu)
    over all the groups of (init, criterion)."""
    mine = [r for r in rows if (r['init'], r['criterion']) ==
            (init, criterion)]
    return (min(r['eps_min'] for r in mine), max(r['eps_max'] for r in mine),
            sum(r['below_mu'] for r in mine) / sum(r['n'] for r in mine))


def what_if(X, y, seed=0, eta=ETA, mu=L.SDLM_MU):
    """The eps range of each init under the MSE criterion with h rescaled:
    as computed, halved (an RBF second derivative of 1), summed over the
    500 patterns instead of averaged, averaged over the connections that
    share a parameter instead of summed."""
    out = {}
    for init in ('paper', 'sqrt'):
        opt = SDLM(fresh_net(init, seed), mu=mu)
        opt.estimate(X, y)
        hs, masks = {}, opt.masks()
        for p, h in zip(opt.params, opt.h):
            h = h.asnumpy().astype(np.float64)
            hs[opt.key(p)] = h[masks[p.name]] if p.name in masks \
                else h.ravel()
        variants = {'as computed': lambda k, h: h,
                    'RBF second derivative 1': lambda k, h: h / 2,
                    'sum over the 500 patterns': lambda k, h: h * len(X),
                    'mean over shared connections':
                        lambda k, h: h / SHARED[k]}
        for name, change in variants.items():
            h = np.concatenate([change(k, v) for k, v in hs.items()])
            eps = eta / (mu + h)
            out[f'{init}: {name}'] = dict(
                eps_min=float(eps.min()), eps_max=float(eps.max()),
                above_paper_max=float((eps > PAPER_EPS[1]).mean()),
                below_paper_min=float((eps < PAPER_EPS[0]).mean()))
    return out


def commit():
    """The worktree's commit, '+' if files differ from it."""
    try:
        head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
                              capture_output=True, text=True,
                              cwd=RESULTS).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--',
                                '../mxnet/sdlm.py'], capture_output=True,
                               text=True, cwd=RESULTS).stdout.strip()
        return head + ('+' if dirty else '')
    except OSError:
        return None


def save_table(label, rows, extra, path=TABLE_JSON):
    """Keep the table under `label`, beside the others already saved."""
    with results.locked(path.parent):
        record = json.loads(path.read_text()) if path.exists() else {}
        record.setdefault('paper_eps', list(PAPER_EPS))
        record['setup'] = dict(
            eta=ETA, mu=L.SDLM_MU, patterns=L.SDLM_PATTERNS, seed=0,
            inputs=[L.BACKGROUND, L.INK], map_j=MAP_J,
            inits={'paper': '+-2.4/F', 'sqrt': '+-2.4/sqrt(F)'})
        record.setdefault('tables', {})[label] = dict(
            commit=commit(), rows=rows, **extra)
        tmp = path.with_suffix('.tmp')
        tmp.write_text(json.dumps(record, indent=1) + '\n')
        os.replace(tmp, path)
    return record


def print_table(rows):
    lo, hi = PAPER_EPS
    for init in dict.fromkeys(r['init'] for r in rows):
        for criterion in CRITERIA:
            mine = [r for r in rows if (r['init'], r['criterion']) ==
                    (init, criterion)]
            e_min, e_max, below = overall(rows, init, criterion)
            print(f"\ninit {init}, {criterion} criterion: eps from "
                  f'{e_min:.2g} to {e_max:.2g} (the paper: {lo:.0e} to '
                  f'{hi}); h below mu for {below:.1%} of the parameters')
            print(f"{'group':10} {'n':>6} {'h<mu':>6} {'h min':>9} "
                  f"{'h median':>9} {'h max':>9} {'eps min':>9} "
                  f"{'eps median':>10} {'eps max':>9}")
            for r in mine:
                print(f"{r['group']:10} {r['n']:6d} {r['below_mu']:6d} "
                      f"{r['h_min']:9.2g} "
                      f"{r['h_median']:9.2g} {r['h_max']:9.2g} "
                      f"{r['eps_min']:9.2g} {r['eps_median']:10.2g} "
                      f"{r['eps_max']:9.2g}")


def first_pass(images, labels, test_iter, digits, every, seed=0,
               init='paper', mu=L.SDLM_MU, eta=ETA, fast=True):
    """Train one digit at a time over the first `digits` of a shuffled
    pass, h estimated once before it (every=None) or also re-estimated
    every `every` digits; return the test error after it, the training
    loss and error over it, and each estimate's eps range."""
    net = fresh_net(init, seed)
    net.hybridize()
    train = L.subset(d2l.ArrayIter(images, labels, 1, shuffle=True), digits)
    opt = SDLM(net, mu=mu)
    estimates, real = [], opt.estimate

    def estimate(X, y):  # note each estimate's step sizes
        h = real(X, y)
        rows = opt.table(eta)
        estimates.append(dict(
            eps_min=min(r['eps_min'] for r in rows),
            eps_max=max(r['eps_max'] for r in rows),
            eps_median={r['group']: r['eps_median'] for r in rows}))
        return h

    opt.estimate = estimate
    tic = time.time()
    history = L.train_lenet5(
        net, train, test_iter, 1, optimizer='sdlm', lr=eta, mu=mu,
        schedule=lambda epoch, base: base, verbose=False, trainer=opt,
        reestimate=every, fast=fast)
    return dict(digits=digits, every=every, seed=seed, init=init, mu=mu,
                eta=eta, test_error=round(1 - history[-1].test_acc, 6),
                train_error=1 - history[-1].train_acc,
                loss=history[-1].loss, seconds=time.time() - tic,
                fast=fast, estimates=estimates)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('what', choices=('table', 'first-pass'))
    parser.add_argument('--label', default='current',
                        help="table: the name it is saved under "
                             "(e.g. 'before' and 'after' a change)")
    parser.add_argument('--digits', type=int, default=20000)
    parser.add_argument('--every', type=int, nargs='+', default=[0, 4000],
                        help='first-pass: digits between re-estimates, 0 '
                             'for none (default: 0 4000)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--init', choices=tuple(L.INIT_RULES),
                        default='paper')
    parser.add_argument('--plain-step', action='store_true',
                        help='first-pass: the step of SDLM.step, not the '
                             'executor (sdlm.Online)')
    args = parser.parse_args(argv)
    if args.digits < 1 or min(args.every) < 0:
        parser.error('--digits takes a positive number of digits, --every '
                     'numbers of digits (0: h estimated once)')
    train_iter, test_iter = d2l.load_data_mnist(1000)
    images, labels = train_iter.images, train_iter.labels
    if args.what == 'table':
        X, y = patterns(images, labels)
        rows = calibrate(X, y)
        extra = {'what_if': what_if(X, y)}
        save_table(args.label, rows, extra)
        print_table(rows)
        print('\nwhat-ifs (MSE criterion): eps range, share above the '
              "paper's largest and below its smallest")
        for name, w in extra['what_if'].items():
            print(f"{name:45} {w['eps_min']:8.2g} to {w['eps_max']:8.2g}"
                  f"  {w['above_paper_max']:6.1%} {w['below_paper_min']:6.1%}")
        print(f'saved under {args.label!r} in {TABLE_JSON.name}')
        return
    record = json.loads(FIRST_PASS_JSON.read_text()) \
        if FIRST_PASS_JSON.exists() else {'runs': []}
    for seed in args.seeds:
        for every in args.every:
            run = first_pass(images, labels, test_iter, args.digits,
                             every or None, seed, args.init,
                             fast=not args.plain_step)
            run.update(commit=commit(), load=os.getloadavg()[0])
            key = (run['digits'], run['every'], seed, run['init'])
            record['runs'] = [r for r in record['runs'] if (
                r['digits'], r['every'], r['seed'], r['init']) != key]
            record['runs'].append(run)
            tmp = FIRST_PASS_JSON.with_suffix('.tmp')
            tmp.write_text(json.dumps(record, indent=1) + '\n')
            os.replace(tmp, FIRST_PASS_JSON)
            print(f"init {run['init']}, seed {seed}, {args.digits} digits, "
                  f"h re-estimated every {every or 'never'}: test error "
                  f"{run['test_error']:.2%}, train error "
                  f"{run['train_error']:.2%}, {run['seconds']:.0f} s",
                  flush=True)


if __name__ == '__main__':
    sys.exit(main())
