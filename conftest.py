"""The test tiers (README.md, "Testing").

`./course test` runs everything; `./course test -m "not slow"` is the fast
tier: the unit tests of d2l_local, without what replays notebooks on the
full data, drives a browser or builds virtual environments.  The slow ones
are marked here, in one place, so a new notebook or browser test is slow
without anyone remembering to say so; other slow tests carry
@pytest.mark.slow themselves.
"""
import os

import pytest

# Test files whose every test replays a notebook or builds a venv.
SLOW_FILES = {'test_notebook_rerun.py', 'test_pins.py',
              'test_tasks_solved.py', 'test_colab.py', 'test_kaggle.py'}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.path
        if (path.suffix == '.ipynb' or 'browser' in path.parts
                or path.name in SLOW_FILES):
            item.add_marker(pytest.mark.slow)


# The PyTorch twins were executed with one thread (OMP_NUM_THREADS=1):
# PyTorch's convolutions sum in another order on two threads, so a twin's
# exact hidden checks hold only at the thread count it was saved with.
# Each twin's kernel is started with it; every other test keeps the
# reader's own setting.  (CHECKING.md, "Threads".)
REPLAY_THREADS = {'pytorch': '1'}
_READERS_THREADS = os.environ.get('OMP_NUM_THREADS')


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    threads = None
    if item.path.suffix == '.ipynb':
        threads = REPLAY_THREADS.get(item.path.parent.name)
    threads = threads or _READERS_THREADS
    if threads is None:
        os.environ.pop('OMP_NUM_THREADS', None)
    else:
        os.environ['OMP_NUM_THREADS'] = threads
