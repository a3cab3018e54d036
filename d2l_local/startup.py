"""The one call that opens every notebook: d2l.setup(seed=0)."""
import sys

from . import _engine, settings

PYTHONS = ((3, 10), (3, 11), (3, 12), (3, 13))  # each with its own pins
NUMPYS = ((1, 21), (3, 0))  # tested from 1.23.5 to 2.2.6 (README)
SET_UP = 'see "Set-up" in README.md, or use the Binder link there'


def check_versions():
    """Raise RuntimeError, saying what to do, on a Python or NumPy that
    MXNet 1.9.1 cannot run on; return the versions as text."""
    py = sys.version_info
    if py[:2] not in PYTHONS:
        raise RuntimeError(
            f'This course runs on Python 3.10 to 3.13, not on Python '
            f'{py.major}.{py.minor}: {SET_UP}.')
    import numpy as np
    major, minor = (int(v) for v in np.__version__.split('.')[:2])
    if not NUMPYS[0] <= (major, minor) < NUMPYS[1]:
        raise RuntimeError(
            f'MXNet 1.9.1 does not run on NumPy {np.__version__}; the course '
            f'is tested with NumPy 1.23.5 to 2.2.6: {SET_UP} (./course lab '
            f'installs the tested versions).')
    _engine.load()
    import mxnet as mx
    return (f'Python {py.major}.{py.minor}.{py.micro}, MXNet '
            f'{mx.__version__}, NumPy {np.__version__}')


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
    _inline_figures()
    print(f'{versions}; seed {seed}')
    print(where())
    if verbose:
        print(_engine.describe())
        from . import _numpy_compat
        restored = ', '.join(_numpy_compat.RESTORED) or 'none needed'
        print(f'NumPy names put back for MXNet 1.9.1: {restored}')
    if settings.quick():
        print(f'Quick mode (D2L_QUICK): {settings.QUICK_TRAIN:,} training '
              f'and {settings.QUICK_TEST:,} test images, so results differ '
              f'from the text.')


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


def _inline_figures():
    """In a notebook, draw figures under the cell (%matplotlib inline)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and 'IPKernelApp' in shell.config:
        shell.run_line_magic('matplotlib', 'inline')
