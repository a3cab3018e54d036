"""MXNet engine settings, applied before the first ``import mxnet``.

On a laptop CPU LeNet's operators are tiny, so the threaded engine's
scheduling costs more than the work it schedules.  ``NaiveEngine`` runs each
operator at once on the calling thread, and one OpenMP thread per core keeps
the convolutions busy.  Idle OpenMP threads sleep instead of spinning: when
other programs share the cores (a browser, Binder's shared CPUs), a spinning
thread burns the time its partner needs, and an epoch took up to 10x longer.
``benchmarks/train_speed.py`` measures the gain.  Any of these variables set
by the reader wins over these defaults.
"""
import os
import sys

DEFAULTS = {
    'MXNET_ENGINE_TYPE': 'NaiveEngine',
    'OMP_NUM_THREADS': str(max(1, min(os.cpu_count() or 1, 4))),
    # Sleep, not spin, between OpenMP regions; see the docstring
    'OMP_WAIT_POLICY': 'PASSIVE',
}


def configure():
    """Set the defaults unless MXNet is loaded already or the reader chose."""
    if 'mxnet' in sys.modules:
        return False
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    return True


def start_quietly():
    """Start the engine now, hiding MXNet's one-line C++ log about it.

    MXNet logs ``MXNet start using engine: ...`` to the process's stderr the
    first time an operator runs with MXNET_ENGINE_TYPE set; in a notebook that
    line would land under whichever cell happened to run first.
    """
    from mxnet import nd
    try:
        fd = sys.__stderr__.fileno()
    except (AttributeError, OSError, ValueError):
        nd.zeros((1,)).wait_to_read()
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, 'w') as devnull:
            os.dup2(devnull.fileno(), fd)
            nd.zeros((1,)).wait_to_read()
    finally:
        os.dup2(saved, fd)
        os.close(saved)
