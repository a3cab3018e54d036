"""The one call that opens every PyTorch notebook: d2l.setup(seed=0)."""
from .. import startup
from ..startup import SET_UP

TORCH = (2, 0)  # the oldest PyTorch the course runs on; tested 2.11-2.14


def version(module):
    """A module's version without a build's local tag: '2.14.1+cpu' is
    2.14.1, so outputs read the same from either package index."""
    return module.__version__.split('+')[0]


def check_versions():
    """Raise RuntimeError, saying what to do, on a Python or PyTorch the
    course does not run on; return the versions as text."""
    python = startup.check_python()
    import numpy as np
    import torch
    found = tuple(int(v) for v in version(torch).split('.')[:2])
    if found < TORCH:
        raise RuntimeError(
            f'This course needs PyTorch {TORCH[0]}.{TORCH[1]} or later, not '
            f'{version(torch)}: {SET_UP} (./course lab pytorch installs '
            f'the tested versions).')
    return (f'{python}, PyTorch {version(torch)}, NumPy '
            f'{version(np)}')


def setup(seed=0, verbose=False):
    """Check the versions, seed every generator and say what runs.

    Call it first in a notebook: it seeds PyTorch, NumPy and Python's
    random, and prints the versions and where training runs; with
    ``verbose=True`` also PyTorch's threads and GPU build.  (§6.6)
    """
    versions = check_versions()
    follow_free_cores()
    from .training import set_seed
    set_seed(seed)
    startup.inline_figures()
    print(f'{versions}; seed {seed}')
    print(where())
    if verbose:
        print(describe())
    startup.quick_note()


def follow_free_cores():
    """Let PyTorch's threads fall to the cores other programs leave free,
    and rise again when they are free (``threads``); not if you set
    OMP_NUM_THREADS.  Return the follower, or None."""
    import os

    import torch

    from .. import threads
    if 'OMP_NUM_THREADS' in os.environ or threads.follower() is not None:
        return threads.follower()
    return threads.start(torch.get_num_threads(), torch.set_num_threads)


def where():
    """Where training runs, in a learner's words."""
    import torch
    from .devices import try_gpu
    device = try_gpu()
    details = 'details: d2l.setup(verbose=True)'
    if device.type == 'cuda':
        count = torch.cuda.device_count()
        return (f'Training runs on the GPU ({count} CUDA GPU'
                f'{"s" if count > 1 else ""} found: '
                f'{torch.cuda.get_device_name(0)}); {details}')
    if device.type == 'mps':
        return f'Training runs on the Apple GPU (mps); {details}'
    threads = torch.get_num_threads()
    return (f'Training runs on the CPU, {threads} thread'
            f'{"s" if threads != 1 else ""} (no GPU); {details}')


def describe():
    """One line on PyTorch's threads and builds."""
    import torch
    cuda = torch.version.cuda or 'none (CPU-only build)'
    return (f'PyTorch threads: {torch.get_num_threads()} for an operator, '
            f'{torch.get_num_interop_threads()} between operators; CUDA '
            f'build: {cuda}')
