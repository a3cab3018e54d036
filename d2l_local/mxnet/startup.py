"""The one call that opens every MXNet notebook: d2l.setup(seed=0)."""
from .. import startup
from ..startup import PYTHONS, SET_UP  # noqa: F401 - the course's Pythons
from . import _engine

NUMPYS = ((1, 21), (3, 0))  # tested from 1.23.5 to 2.2.6 (README)


def check_versions():
    """Raise RuntimeError, saying what to do, on a Python or NumPy that
    MXNet 1.9.1 cannot run on; return the versions as text."""
    python = startup.check_python()
    import numpy as np
    major, minor = (int(v) for v in np.__version__.split('.')[:2])
    if not NUMPYS[0] <= (major, minor) < NUMPYS[1]:
        raise RuntimeError(
            f'MXNet 1.9.1 does not run on NumPy {np.__version__}; the course '
            f'is tested with NumPy 1.23.5 to 2.2.6: {SET_UP} (./course lab '
            f'installs the tested versions).')
    _engine.load()
    import mxnet as mx
    return f'{python}, MXNet {mx.__version__}, NumPy {np.__version__}'


def setup(seed=0, verbose=False):
    """Check the versions, seed every generator and say what runs.

    Call it first in a notebook, before ``import mxnet``: it chooses
    MXNet's engine settings, seeds MXNet, NumPy and Python's random, and
    prints the versions and where training runs; with ``verbose=True``
    also MXNet's engine settings and the NumPy names put back for it.
    (§6.6)
    """
    versions = check_versions()
    from .training import set_seed
    set_seed(seed)
    startup.inline_figures()
    print(f'{versions}; seed {seed}')
    print(where())
    if verbose:
        print(_engine.describe())
        from . import _numpy_compat
        restored = ', '.join(_numpy_compat.RESTORED) or 'none needed'
        print(f'NumPy names put back for MXNet 1.9.1: {restored}')
    startup.quick_note()


def where():
    """Where training runs, in a learner's words."""
    from .devices import num_gpus
    gpus = num_gpus()
    if gpus:
        return (f'Training runs on the GPU ({gpus} found); details: '
                f'd2l.setup(verbose=True)')
    threads = _engine.SETTINGS.get('OMP_NUM_THREADS', (None,))[0]
    cores = f'{threads} CPU core' + ('s' if threads != '1' else '')
    if threads is None:
        cores = 'the CPU'
    return f'Training runs on {cores} (no GPU); details: d2l.setup(verbose=True)'

