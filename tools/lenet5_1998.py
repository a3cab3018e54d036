"""LeNet-5 of 1998 on MNIST: the paper's 20 passes, and what each change costs.

Two offline runs that notebooks/lenet5_1998.ipynb cites, too long for it:

* ``full``: d2l_local.lenet5() trained with the paper's 20-pass schedule
  (FULL below: the optimiser substitute, Adam on batches of 16) under
  seeds 0, 1, 2.
  Per-epoch history, final test error and seconds per seed go to
  d2l_local/results/lenet5_1998.json; the summary has the median.
* ``grid``: each difference between the book's LeNet (§6.6) and the
  paper's, swapped in one at a time, on a shorter run: GRID_EPOCHS passes
  (the paper's steps squeezed into them) over the first GRID_TRAIN
  training images, tested on all 10,000 test images.  One row per
  (variant, seed) in d2l_local/results/lenet5_1998_grid.csv.

Both keep what is saved: a (seed) or (variant, seed) already there is not
run again, and rows are merged under a lock, so a killed run resumes and
two processes can share the work.  Run from the repository root, e.g.:

    D2L_DATA_DIR=/work/shared/data nice -n 10 .venv/bin/python \\
        tools/lenet5_1998.py full --seeds 0 1 2
    ... tools/lenet5_1998.py full --seeds 0 1 2 --batch-size 64 --lr 0.003 \\
        --json d2l_local/results/lenet5_1998_b64.json
    ... tools/lenet5_1998.py full --optimizer sdlm --seeds 0 1 2
    ... tools/lenet5_1998.py full --optimizer sdlm --distort --seeds 0 1 2
    ... tools/lenet5_1998.py grid --seeds 0 1
    ... tools/lenet5_1998.py grid --list

``full --optimizer sdlm`` trains with the paper's own optimiser
(FULL_SDLM below): SDLM (d2l_local.sdlm: h_kk backpropagated on 500
patterns, mu = 0.02) at the paper's global rates (--lr scales them: the
first pass's rate), in batches of 4 digits, each digit's step at the
paper's rate, from +-2.4/sqrt(F) and with h_kk estimated once (the
comment at FULL_SDLM says why; --batch-size 1, --init paper and
--curvature each-pass give the paper's own choices back).  Its runs go to
lenet5_1998_sdlm.json, with --distort (every pass's training digits freshly
distorted, lenet5.distort) to lenet5_1998_sdlm_distort.json.  The short
comparison of batches of 1 and 4 is one pass of each:

    ... tools/lenet5_1998.py full --optimizer sdlm --epochs 1 \
        --batch-size 1 --json d2l_local/results/lenet5_1998_sdlm_pass1_b1.json
    ... (the same with --batch-size 4 and ..._pass1_b4.json)

Each takes ``--framework pytorch`` to train the PyTorch edition's LeNet-5
(d2l_local/torch/lenet5.py, sdlm.py) instead of the MXNet edition's, and
then saves under d2l_local/results/pytorch/ with the same file names; it
never imports MXNet.  Give a PyTorch run one thread (OMP_NUM_THREADS=1).

--reestimate N also re-estimates h every N digits of the first pass (on
the last 500 trained on; EBLearn's default is 4,000), and --fast takes the
SDLM's steps with sdlm.Online, the same arithmetic in fewer framework
calls (benchmarks/sdlm_step.py measures both steps).
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time

import d2l_local  # before mxnet: engine settings
import numpy as np
from d2l_local import lenet5_paper as L  # the paper's numbers, no framework
from d2l_local import results
from d2l_local.results import read_rows

RESULTS = pathlib.Path(__file__).resolve().parent.parent / 'd2l_local' \
    / 'results'
# Each framework's saved runs, under the same names.
FOLDERS = {'mxnet': RESULTS, 'pytorch': RESULTS / 'pytorch'}
FULL_JSON = RESULTS / 'lenet5_1998.json'
GRID_CSV = RESULTS / 'lenet5_1998_grid.csv'
# The grid's base: the paper's net and loss, its learning-rate steps, with
# Adam in place of SDLM on mini-batches of 64 (a named substitute).
BASE = dict(net={}, optimizer='adam', lr=0.003, batch_size=64, j=None,
            epochs=L.PAPER_EPOCHS)
# The full run: as BASE, on mini-batches of 16, closer to the paper's one
# digit at a time, at a rate scaled by the square root of the batch size.
# (BASE's batches of 64 over the full 20 passes are kept, three seeds, in
# lenet5_1998_b64.json: `full --batch-size 64 --lr 0.003 --json ...`.)
FULL = dict(BASE, batch_size=16, lr=0.0015)
# The paper's own training: SDLM at its mu and rates (appendix C), on
# batches of SDLM_BATCH digits, each batch's per-digit steps taken at once
# (one digit at a time cost 2.2 ms a digit here, 131 to 135 s a pass with
# its test, about 44 minutes a seed; batches of 4 cost 0.9 ms, with the
# same test error after one pass: lenet5_1998_sdlm_pass1_b1/_b4.json).
# With appendix A's initial range as printed (2.4/F) it diverged within a
# few digits (d2l_local/mxnet/sdlm.py has the measurements); it trains from
# 2.4/sqrt(F) (lenet5.INIT_RULES).  Re-estimating h before every pass, as
# the paper does, then blew up at the start of the second pass (test error
# 2.83 % after the first, 56.04 % after the second, seed 0: `drift`,
# lenet5_1998_sdlm_drift.json), so h is estimated once, on 500 digits
# before the first pass.
SDLM_BATCH = 4
FULL_SDLM = dict(BASE, optimizer='sdlm', batch_size=SDLM_BATCH,
                 lr=L.PAPER_LR_STEPS[0][1], mu=L.SDLM_MU,
                 net=dict(init='sqrt'), curvature='once')
TEST_BATCH = 1000  # the test images' batches when training with SDLM
GRID_EPOCHS, GRID_TRAIN = 3, 10000
GRID_FIELDS = ['variant', 'change', 'seed', 'epochs', 'train_images',
               'test_error',
               'train_error', 'params', 'seconds', 'load']
BOOK_NET = dict(activation='sigmoid', pooling='avg', c3_table=False,
                output='dense', scaling='plain')


def variant(name, change, **overrides):
    spec = dict(BASE, epochs=GRID_EPOCHS, name=name, change=change)
    spec.update(overrides)
    return spec


VARIANTS = [
    variant('paper', "the paper's LeNet-5 and MSE criterion; Adam on "
            'batches of 64 at 0.003'),
    variant('sigmoid', "the book's sigmoid instead of 1.7159 tanh(2a/3)",
            net=dict(activation='sigmoid')),
    variant('avg pool', "the book's average pooling instead of trainable "
            'subsampling', net=dict(pooling='avg')),
    variant('full C3', 'C3 reads all six S2 maps instead of Table I',
            net=dict(c3_table=False)),
    variant('dense softmax', "the book's dense output and softmax "
            'cross-entropy instead of RBF units and the MSE criterion',
            net=dict(output='dense')),
    variant('MAP loss', "the paper's MAP criterion (j = 10) instead of "
            'plain MSE', j=10.0),
    variant('plain input', 'pixels in [0, 1] padded with 0 instead of '
            '-0.1 / 1.175', net=dict(scaling='plain')),
    variant('sqrt init', 'initial weights uniform in +-2.4/sqrt(F), as the '
            'SDLM runs start, instead of +-2.4/F', net=dict(init='sqrt')),
    variant('batch 16', 'mini-batches of 16 at Adam rate 0.0015 (as the '
            'full run) instead of 64 at 0.003; the paper: one digit at a '
            'time', batch_size=16, lr=0.0015),
    variant('sdlm', "the paper's SDLM at its mu and rates instead of Adam "
            '(as the full SDLM runs: batches of 4, from +-2.4/sqrt(F), h_kk '
            'estimated once)', **{k: FULL_SDLM[k] for k in (
                'optimizer', 'batch_size', 'lr', 'mu', 'net', 'curvature')}),
    variant('sgd', "the book's SGD (lr 0.9, batch 256) instead of Adam",
            optimizer='sgd', lr=0.9, batch_size=256, momentum=0),
    variant('book', "the book's LeNet, all of the above at once, with its "
            'SGD lr 0.9, batch 256', net=BOOK_NET, optimizer='sgd', lr=0.9,
            batch_size=256, momentum=0),
]
BY_NAME = {spec['name']: spec for spec in VARIANTS}


class MXNet:
    """The MXNet edition: d2l_local.mxnet's lenet5 and SDLM, a hybridized
    net, gluon.Trainer."""

    name = 'mxnet'

    def __init__(self):
        import d2l_local as d2l  # before mxnet: engine settings
        import mxnet as mx
        from d2l_local.mxnet import lenet5
        from d2l_local.mxnet.sdlm import SDLM
        self.d2l, self.mx, self.L, self.SDLM = d2l, mx, lenet5, SDLM

    def net(self, spec_net):
        """A fresh, initialised net of lenet5(**spec_net)."""
        net = self.L.lenet5(**spec_net)
        net.initialize(ctx=self.mx.cpu())
        net.hybridize()
        return net

    def trainer(self, net, optimizer, lr):
        return self.mx.gluon.Trainer(net.collect_params(), optimizer,
                                     {'learning_rate': lr})

    def save(self, net, trainer, checkpoint):
        net.save_parameters(f'{checkpoint}.params')
        if isinstance(trainer, self.SDLM):
            trainer.save(f'{checkpoint}.h')
        elif trainer is not None:
            trainer.save_states(f'{checkpoint}.states')

    def load(self, net, trainer, checkpoint):
        net.load_parameters(f'{checkpoint}.params')
        if isinstance(trainer, self.SDLM):
            if pathlib.Path(f'{checkpoint}.h').exists():
                trainer.load(f'{checkpoint}.h')
        elif trainer is not None:
            trainer.load_states(f'{checkpoint}.states')

    def numpy(self, array):
        return array.asnumpy()

    def environment(self):
        return {'python': platform.python_version(),
                'mxnet': self.mx.__version__, 'numpy': np.__version__,
                'd2l_local': d2l_local.__version__,
                **{k: os.environ.get(k) for k in (
                    'MXNET_ENGINE_TYPE', 'OMP_NUM_THREADS',
                    'OMP_WAIT_POLICY')}}


class PyTorch:
    """The PyTorch edition: d2l_local.torch's lenet5 and SDLM,
    torch.optim."""

    name = 'pytorch'

    def __init__(self):
        import torch
        from d2l_local import torch as d2l
        from d2l_local.torch import lenet5
        from d2l_local.torch.sdlm import SDLM
        self.d2l, self.torch, self.L, self.SDLM = d2l, torch, lenet5, SDLM

    def net(self, spec_net):
        """A fresh net of lenet5(**spec_net), its weights drawn."""
        return self.L.lenet5(**spec_net)

    def trainer(self, net, optimizer, lr):
        return self.L.optimizer_for(net, optimizer, lr)

    def save(self, net, trainer, checkpoint):
        self.torch.save(net.state_dict(), f'{checkpoint}.params')
        if isinstance(trainer, self.SDLM):
            trainer.save(f'{checkpoint}.h')
        elif trainer is not None:
            self.torch.save(trainer.state_dict(), f'{checkpoint}.states')

    def load(self, net, trainer, checkpoint):
        net.load_state_dict(self.torch.load(f'{checkpoint}.params'))
        if isinstance(trainer, self.SDLM):
            if pathlib.Path(f'{checkpoint}.h').exists():
                trainer.load(f'{checkpoint}.h')
        elif trainer is not None:
            trainer.load_state_dict(self.torch.load(f'{checkpoint}.states'))

    def numpy(self, array):
        return array.numpy()

    def environment(self):
        torch = self.torch
        return {'python': platform.python_version(),
                'torch': torch.__version__.split('+')[0],
                'numpy': np.__version__,
                'd2l_local': d2l_local.__version__,
                'threads': torch.get_num_threads(),
                **{k: os.environ.get(k) for k in ('OMP_NUM_THREADS',)}}


FRAMEWORKS = {'mxnet': MXNet, 'pytorch': PyTorch}
_EDITIONS = {}


def edition(framework='mxnet'):
    """The edition that trains under `framework` (made once)."""
    if framework not in FRAMEWORKS:
        raise ValueError(f'framework is one of {tuple(FRAMEWORKS)}, got '
                         f'{framework!r}')
    if framework not in _EDITIONS:
        _EDITIONS[framework] = FRAMEWORKS[framework]()
    return _EDITIONS[framework]


def result_file(path, framework='mxnet'):
    """`path`'s file name in the framework's results folder."""
    return FOLDERS[framework] / pathlib.Path(path).name


def run(spec, seed, train_iter, test_iter, verbose=True, checkpoint=None,
        framework='mxnet', fast=False):
    """Train spec's net from `seed` in `framework`; return (history, net).

    With `fast` an SDLM run takes its steps with sdlm.Online (the same
    arithmetic in fewer framework calls; MXNet only).

    The iterators must serve batches of spec['batch_size'] as the
    framework's tensors.  With a `checkpoint` path prefix the net, the
    trainer and the history are saved after every pass, and a run found
    there resumes after its last pass (with a fresh shuffling order from
    then on).
    """
    side = edition(framework)
    d2l, L = side.d2l, side.L
    d2l.set_seed(seed)
    net = side.net(spec['net'])
    loss = L.Loss(spec['j']) if net.penalties else None
    history, trainer, on_epoch = [], None, None
    if checkpoint is not None:
        saved = pathlib.Path(f'{checkpoint}.json')
        if spec['optimizer'] == 'sdlm':
            trainer = side.SDLM(net, mu=spec.get('mu', L.SDLM_MU), j=loss.j)
        else:
            trainer = side.trainer(net, spec['optimizer'], spec['lr'])
        if saved.exists():
            history = [d2l.Epoch(**e) for e in json.loads(saved.read_text())]
            side.load(net, trainer, checkpoint)
            d2l.set_seed(seed + 1000 * len(history))

        def on_epoch(record, trainer):
            history.append(record)
            side.save(net, trainer, checkpoint)
            saved.write_text(json.dumps([e._asdict() for e in history]))
    done = list(history)
    rest = L.train_lenet5(
        net, train_iter, test_iter, spec['epochs'],
        optimizer=spec['optimizer'], lr=spec['lr'], loss=loss,
        momentum=spec.get('momentum', 0.9), verbose=verbose,
        start=len(done), trainer=trainer, on_epoch=on_epoch,
        mu=spec.get('mu', L.SDLM_MU),
        curvature=spec.get('curvature', 'each pass'),
        **({'reestimate': spec['reestimate']} if spec.get('reestimate')
           else {}), **({'fast': True} if fast else {}))
    return done + rest, net


def read_full(path=FULL_JSON):
    """The saved full-run record, or an empty one."""
    if not path.exists():
        return {'config': None, 'runs': []}
    return json.loads(path.read_text())


def merge_run(run_record, config, path=FULL_JSON, framework='mxnet'):
    """Add one seed's run to the JSON under a lock; refresh the summary."""
    with results.locked(path.parent):
        record = read_full(path)
        if record['config'] not in (None, config):
            raise ValueError(f'{path} holds runs of another configuration; '
                             f'move it aside to start afresh')
        runs = {r['seed']: r for r in record['runs']}
        runs[run_record['seed']] = run_record
        record.update(config=config, environment=environment(framework),
                      runs=[runs[s] for s in sorted(runs)])
        record['summary'] = summarize(record['runs'], config)
        tmp = path.with_suffix('.tmp')
        tmp.write_text(json.dumps(record, indent=1) + '\n')
        os.replace(tmp, path)
    return record


def error_of(epoch):
    """1 - test accuracy, rounded to a millionth: a count of mistakes
    over 10,000 test images, without the float's last-digit noise
    (1 - 0.989 is 0.01100000000000001)."""
    return round(1 - epoch.test_acc, 6)


def summarize(runs, config=None):
    """Median, range and mean of the runs' final test errors, and the
    paper's figure for their training digits (distorted or not)."""
    errors = [r['final_test_error'] for r in runs]
    return {'seeds': len(errors), 'median': statistics.median(errors),
            'min': min(errors), 'max': max(errors),
            'mean': statistics.fmean(errors),
            'paper': L.paper_error(config)}


def read_grid(path=GRID_CSV):
    """The rows already in the grid CSV, by (variant, seed)."""
    return read_rows(path)


def merge_row(row, path=GRID_CSV):
    """Add `row` to the grid CSV under a lock, keeping the variants' order."""
    results.merge_row(row, path, GRID_FIELDS, BY_NAME)


def environment(framework='mxnet'):
    """What the numbers depend on besides the seed."""
    return edition(framework).environment()


MODELS = {'mxnet': 'd2l_local.lenet5()',
          'pytorch': 'd2l_local.torch.lenet5.lenet5()'}


def full_base(changes):
    """FULL, or FULL_SDLM for changes naming optimizer='sdlm'."""
    return FULL_SDLM if changes.get('optimizer') == 'sdlm' else FULL


def full_config(epochs, framework='mxnet', **changes):
    config = dict(full_base(changes), **changes)
    if framework != 'mxnet':  # the MXNet runs were saved without it
        config['framework'] = framework
    config.update(epochs=epochs, model=MODELS[framework],
                  schedule="the paper's steps (0.0005 x2, 0.0002 x3, "
                  '0.0001 x3, 0.00005 x4, 0.00001 after) rescaled to '
                  'start at lr', data='mnist')
    if config.get('distort'):
        config['distortions'] = dict(L.DISTORTIONS)
    return config


# A PyTorch run's checkpoints are named apart from an MXNet run's of the
# same file name.
CHECKPOINT_TAGS = {'mxnet': '', 'pytorch': '_pytorch'}


def checkpoint_folder():
    """Where a full run keeps its per-pass checkpoints: the user's own
    cache ($XDG_CACHE_HOME or ~/.cache, then d2l-lenet5), not a shared
    temporary folder where another account's files could be in the way."""
    base = os.environ.get('XDG_CACHE_HOME') or pathlib.Path.home() / '.cache'
    folder = pathlib.Path(base) / 'd2l-lenet5'
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def load_full(spec, load, framework='mxnet'):
    """(train_iter, test_iter) for spec: distorted training digits with
    spec['distort'], the test digits in big batches when training with SDLM;
    `load(batch_size)` gives the framework's iterators."""
    side = edition(framework)
    train_iter, test_iter = load(spec['batch_size'])
    if spec.get('train_images'):  # a trial on the first digits only
        train_iter = side.L.subset(train_iter, spec['train_images'])
    if spec.get('distort'):
        train_iter = side.L.DistortedIter(
            train_iter.images, train_iter.labels, spec['batch_size'],
            shuffle=True)
    if spec['optimizer'] == 'sdlm':
        test_iter = side.d2l.ArrayIter(test_iter.images, test_iter.labels,
                                       TEST_BATCH)
    return train_iter, test_iter


def full(seeds, epochs=L.PAPER_EPOCHS, path=FULL_JSON, load=None,
         framework='mxnet', fast=False, **changes):
    """Run the full schedule for each seed not yet saved in `path`;
    `changes` (batch_size=, lr=, optimizer='sdlm', mu=, distort=True,
    train_images=, reestimate=) alter FULL's configuration (FULL_SDLM's
    with optimizer='sdlm'); `fast`: SDLM's steps by sdlm.Online."""
    load = load or edition(framework).d2l.load_data_mnist
    config = full_config(epochs, framework, **changes)
    spec = dict(full_base(changes), epochs=epochs, **changes)
    data = None
    for seed in seeds:
        done = {r['seed'] for r in read_full(path)['runs']}
        if seed in done:
            continue
        data = data or load_full(spec, load, framework)
        print(f'--- seed {seed}', flush=True)
        checkpoint = checkpoint_folder() / \
            f'{path.stem}{CHECKPOINT_TAGS[framework]}_seed{seed}'
        history, _ = run(spec, seed, *data, checkpoint=checkpoint,
                         framework=framework, fast=fast)
        merge_run({'seed': seed,
                   'history': [e._asdict() for e in history],
                   'final_test_error': error_of(history[-1]),
                   'seconds': sum(e.seconds for e in history),
                   'load': os.getloadavg()[0]}, config, path, framework)
        for suffix in ('.json', '.params', '.states', '.h'):
            pathlib.Path(f'{checkpoint}{suffix}').unlink(missing_ok=True)
    return read_full(path)


def grid(names, seeds, path=GRID_CSV, load=None, framework='mxnet'):
    """Run each (variant, seed) not yet in `path`; seeds outermost, so
    every variant gets a first seed before any gets a second."""
    side = edition(framework)
    load = load or side.d2l.load_data_mnist
    datas = {}
    for seed in seeds:
        for name in names:
            if (name, seed) in read_grid(path):
                continue
            spec = BY_NAME[name]
            # what load_full's iterators depend on
            key = (spec['batch_size'], spec['optimizer'],
                   bool(spec.get('distort')))
            if key not in datas:
                train_iter, test_iter = load_full(spec, load, framework)
                datas[key] = side.L.subset(train_iter, GRID_TRAIN), \
                    test_iter
            start = time.time()
            history, net = run(spec, seed, *datas[key], verbose=False,
                               framework=framework)
            row = dict(variant=name, change=spec['change'], seed=seed,
                       epochs=spec['epochs'],
                       train_images=len(datas[key][0].images),
                       test_error=f'{error_of(history[-1]):.4f}',
                       train_error=f'{1 - history[-1].train_acc:.4f}',
                       params=sum(n for n, _ in
                                  side.L.layer_counts(net).values()),
                       seconds=f'{sum(e.seconds for e in history):.1f}',
                       load=f'{os.getloadavg()[0]:.1f}')
            merge_row(row, path)
            print(f"{name} seed {seed}: test error {row['test_error']}, "
                  f"{row['seconds']} s (load {row['load']}, wall "
                  f'{time.time() - start:.0f} s)', flush=True)
    return read_grid(path)


DRIFT_JSON = RESULTS / 'lenet5_1998_sdlm_drift.json'


def drift(seed=0, load=None, path=DRIFT_JSON, framework='mxnet'):
    """Why FULL_SDLM estimates h_kk once: train its first pass, re-estimate
    h_kk as the paper does before the second, and train that pass (at the
    paper's second rate) with it.  Saves to `path` and returns: each
    parameter group's median h_kk before and after the first pass and the
    median growth of its step size eta / (mu + h_kk), and the test error
    after each pass.  (FULL_SDLM's own second pass keeps the first h.)"""
    side = edition(framework)
    load = load or side.d2l.load_data_mnist
    spec = dict(FULL_SDLM, epochs=2, curvature='each pass')
    train_iter, test_iter = load_full(spec, load, framework)
    side.d2l.set_seed(seed)
    net = side.net(spec['net'])
    sdlm = side.SDLM(net, mu=spec['mu'])
    before, groups = [], {}

    def on_epoch(record, trainer):
        if record.epoch == 1:
            before.extend(side.numpy(h) for h in trainer.h)

    history = side.L.train_lenet5(
        net, train_iter, test_iter, 2, optimizer='sdlm', lr=spec['lr'],
        schedule=lambda epoch, base: L.paper_lr(epoch), trainer=sdlm,
        verbose=False, curvature='each pass', on_epoch=on_epoch)
    for p, h0, h1 in zip(sdlm.params, before, sdlm.h):
        h1 = side.numpy(h1)
        growth = (spec['mu'] + h0) / (spec['mu'] + h1)
        groups[sdlm.key(p)] = dict(h_before=float(np.median(h0)),
                                   h_after=float(np.median(h1)),
                                   step_growth=float(np.median(growth)))
    record = dict(seed=seed, batch_size=spec['batch_size'],
                  init=spec['net']['init'], patterns=L.SDLM_PATTERNS,
                  test_error=[error_of(e) for e in history],
                  groups=groups, environment=environment(framework))
    if path is not None:
        path.write_text(json.dumps(record, indent=1) + '\n')
    return record


def default_json(args):
    """Where `full` saves by default: one file per configuration, in the
    framework's results folder."""
    stem = FULL_JSON.stem + ('_sdlm' if args.optimizer == 'sdlm' else '') \
        + ('_distort' if args.distort else '')
    return result_file(stem + '.json', getattr(args, 'framework', 'mxnet'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('what', choices=('full', 'grid', 'drift'))
    parser.add_argument('variants', nargs='*',
                        help='grid: names of variants (default: all)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--epochs', type=int, default=L.PAPER_EPOCHS,
                        help='full: passes per seed (default 20)')
    parser.add_argument('--batch-size', type=int,
                        help=f"full: batch size (default "
                             f"{FULL['batch_size']}; with --optimizer sdlm "
                             f"{FULL_SDLM['batch_size']})")
    parser.add_argument('--lr', type=float,
                        help=f"full: first learning rate (default "
                             f"{FULL['lr']}; with --optimizer sdlm the "
                             f"paper's {FULL_SDLM['lr']})")
    parser.add_argument('--optimizer', choices=('adam', 'sdlm'),
                        default='adam',
                        help="full: Adam on batches of 16 (default), or the "
                             "paper's SDLM at its mu and rates")
    parser.add_argument('--mu', type=float,
                        help=f'full, sdlm: its mu (default {L.SDLM_MU})')
    parser.add_argument('--init', choices=tuple(L.INIT_RULES),
                        help="full: initial weights' range, 'paper' "
                             "(+-2.4/F) or 'sqrt' (+-2.4/sqrt(F)); default "
                             f"{FULL['net'].get('init', 'paper')!r}, with "
                             "--optimizer sdlm "
                             f"{FULL_SDLM['net']['init']!r}")
    parser.add_argument('--curvature', choices=('each-pass', 'once'),
                        help="full, sdlm: estimate h before each pass, as "
                             "the paper does, or before the first only "
                             f"(default {FULL_SDLM['curvature']!r})")
    parser.add_argument('--reestimate', type=int, metavar='PATTERNS',
                        help='full, sdlm: also re-estimate h every PATTERNS '
                             'patterns during the first pass (EBLearn: '
                             '4000)')
    parser.add_argument('--fast', action='store_true',
                        help="full, sdlm: take SDLM's steps with "
                             'sdlm.Online (the same arithmetic, fewer '
                             'framework calls)')
    parser.add_argument('--distort', action='store_true',
                        help='full: train on freshly distorted digits '
                             '(translations, scaling, squeezing, shearing)')
    parser.add_argument('--train-images', type=int,
                        help='full: train on the first N training digits '
                             'only, a trial (the saved runs use all '
                             '60,000); the test digits stay all 10,000')
    parser.add_argument('--json', type=pathlib.Path,
                        help='full: where the runs are saved (default '
                             'lenet5_1998.json, lenet5_1998_sdlm.json, '
                             'with --distort ..._distort.json)')
    parser.add_argument('--framework', choices=sorted(FRAMEWORKS),
                        default='mxnet',
                        help='the edition to train (default %(default)s); '
                             "pytorch saves under the same names in "
                             'd2l_local/results/pytorch/')
    parser.add_argument('--list', action='store_true')
    args = parser.parse_args(argv)
    if args.list:
        for spec in VARIANTS:
            print(f"{spec['name']:14} {spec['change']}")
        return
    if args.what == 'drift':
        path = result_file(DRIFT_JSON, args.framework)
        record = drift(args.seeds[0], path=path, framework=args.framework)
        print(f"SDLM in batches of {record['batch_size']}, seed "
              f"{record['seed']}: median h_kk "
              'before and after the first pass, and the median growth of the '
              'steps the re-estimate brings')
        for name, g in record['groups'].items():
            print(f"{name:12} {g['h_before']:10.3g} {g['h_after']:10.3g} "
                  f"{g['step_growth']:8.1f}x")
        first, second = record['test_error']
        print(f'test error after pass 1: {first:.2%}; after pass 2 with h '
              f're-estimated: {second:.2%} (saved in {path})')
        return
    if args.what == 'full':
        changes = {k: v for k, v in (('batch_size', args.batch_size),
                                     ('lr', args.lr), ('mu', args.mu))
                   if v is not None}
        if args.optimizer == 'sdlm':
            changes['optimizer'] = 'sdlm'
        elif 'mu' in changes:
            parser.error('--mu is for --optimizer sdlm')
        if args.distort:
            changes['distort'] = True
        if args.train_images is not None:
            if args.train_images < 1:
                parser.error('--train-images must be at least 1')
            if args.json is None:
                parser.error('a trial on --train-images digits needs '
                             '--json PATH: the default files hold the '
                             'full runs')
            changes['train_images'] = args.train_images
        if args.init:
            changes['net'] = dict(init=args.init)
        if args.curvature:
            if args.optimizer != 'sdlm':
                parser.error('--curvature is for --optimizer sdlm')
            changes['curvature'] = args.curvature.replace('-', ' ')
        if args.reestimate is not None or args.fast:
            if args.optimizer != 'sdlm':
                parser.error('--reestimate and --fast are for --optimizer '
                             'sdlm')
            if args.framework != 'mxnet':
                parser.error('--reestimate and --fast are for the MXNet '
                             'edition so far (leave out --framework)')
            if args.reestimate is not None:
                if args.reestimate < 1:
                    parser.error('--reestimate takes a number of patterns '
                                 '(e.g. 4000)')
                changes['reestimate'] = args.reestimate
        record = full(args.seeds, args.epochs,
                      path=args.json or default_json(args),
                      framework=args.framework, fast=args.fast, **changes)
        s = record['summary']
        paper = f"{s['paper']:.2%}" + (' with distorted digits'
                                        if args.distort else '')
        print(f"test error over {s['seeds']} seeds: median {s['median']:.2%}"
              f", min {s['min']:.2%}, max {s['max']:.2%} (paper {paper})")
        return
    unknown = [v for v in args.variants if v not in BY_NAME]
    if unknown:
        parser.error(f'unknown variants {unknown}; see --list')
    grid(args.variants or list(BY_NAME), args.seeds,
         path=result_file(GRID_CSV, args.framework),
         framework=args.framework)


if __name__ == '__main__':
    sys.exit(main())
