"""The test tiers (README.md, "Testing"), and the editions not installed.

`./course test` runs everything; `./course test -m "not slow"` is the fast
tier: the unit tests of d2l_local, without what replays notebooks on the
full data, drives a browser or builds virtual environments.  The slow ones
are marked here, in one place, so a new notebook or browser test is slow
without anyone remembering to say so; other slow tests carry
@pytest.mark.slow themselves.

Where an edition's framework has no build (MXNet on Apple Silicon and
Windows, PyTorch on Intel Macs) `./course test` installs only the other
edition, and what needs the missing framework is skipped, with the reason,
instead of failing: a test module that cannot be imported without it, a
test that imports it as it runs, a notebook whose code imports it (or a
slow test that runs such a notebook, named by its parameters), and a test
marked `mxnet` or `torch` (one that needs it only in a child process).
"""
import importlib.util
import json
import os
import pathlib
import re

import pytest

# Test files whose every test replays a notebook or builds a venv.
SLOW_FILES = {'test_notebook_rerun.py', 'test_pins.py',
              'test_tasks_solved.py', 'test_colab.py', 'test_kaggle.py'}

NOTEBOOKS = pathlib.Path(__file__).resolve().parent / 'notebooks'
# Each edition's framework: its module, and why it may be missing here.
FRAMEWORKS = {
    'mxnet': 'needs MXNet, which is not installed here (MXNet 1.9.1 has no '
             'build for Apple Silicon or Windows: ./course set up the '
             'PyTorch edition only)',
    'torch': 'needs PyTorch, which is not installed here (PyTorch 2.14.1 '
             'has no build for Intel Macs: ./course set up the MXNet '
             'edition only)',
}


def installed(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # what a finder says of a module it hides
        return False


MISSING = {name: why for name, why in FRAMEWORKS.items()
           if not installed(name)}


def missing_in(text):
    """The reason to skip, if `text` is a failure to import a missing
    framework (`No module named 'mxnet'`), else None."""
    for name, why in MISSING.items():
        if re.search(rf"No module named '{name}(\.|')", text):
            return why
    return None


def missing_from(error):
    """The reason to skip, if `error` or one it was raised from is the
    import of a missing framework, else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ModuleNotFoundError):
            why = MISSING.get((error.name or '').partition('.')[0])
            if why:
                return why
        error = error.__cause__ or error.__context__
    return None


def notebook_needs(path):
    """The reason to skip a notebook whose code imports a missing
    framework, else None."""
    if not MISSING:
        return None
    try:
        cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    except (OSError, ValueError, KeyError):
        return None  # nbval reports what is wrong with it
    code = '\n'.join(''.join(c.get('source', '')) for c in cells
                     if c.get('cell_type') == 'code')
    for name, why in MISSING.items():
        if re.search(rf'^\s*(import|from)\s+{name}\b', code, re.M):
            return why
    return None


def notebook_path(value):
    """The notebook a test parameter names (a path, or a name under
    notebooks/), else None."""
    if not isinstance(value, (str, pathlib.Path)) or not str(
            value).endswith('.ipynb'):
        return None
    for path in (pathlib.Path(value), NOTEBOOKS / value):
        if path.is_file():
            return path
    return None


def pytest_collection_modifyitems(config, items):
    needs = {}
    for item in items:
        path = item.path
        if (path.suffix == '.ipynb' or 'browser' in path.parts
                or path.name in SLOW_FILES):
            item.add_marker(pytest.mark.slow)
        if path.suffix == '.ipynb':
            if path not in needs:
                needs[path] = notebook_needs(path)
            if needs[path]:
                item.add_marker(pytest.mark.skip(reason=needs[path]))
        for name, why in MISSING.items():
            if item.get_closest_marker(name):
                item.add_marker(pytest.mark.skip(reason=why))
        # a slow test parametrized by a notebook runs it: it needs what
        # the notebook imports (the fast ones only read it)
        params = {}
        if item.get_closest_marker('slow'):
            params = getattr(getattr(item, 'callspec', None), 'params', {})
        for value in params.values():
            path = notebook_path(value)
            if path and path not in needs:
                needs[path] = notebook_needs(path)
            if path and needs[path]:
                item.add_marker(pytest.mark.skip(reason=needs[path]))


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # A test module that imports a missing framework: skipped, not an error
    report = (yield).get_result()
    why = report.failed and MISSING and missing_in(str(report.longrepr))
    if why:
        report.outcome = 'skipped'
        report.longrepr = (str(collector.path), None, f'Skipped: {why}')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # A test that imports a missing framework as it runs: skipped too
    report = (yield).get_result()
    why = call.excinfo and MISSING and missing_from(call.excinfo.value)
    if why:
        report.outcome = 'skipped'
        report.longrepr = (str(item.path), item.location[1], f'Skipped: {why}')


# The PyTorch twins were executed with one thread (OMP_NUM_THREADS=1), the
# MXNet notebooks with two: a convolution sums in another order on another
# count, so a notebook's exact hidden checks hold only at the thread count
# it was saved with.  The course's own count follows the idle cores
# (d2l_local/threads.py), so each notebook's kernel is started with its
# saved count; every other test keeps the reader's own setting.
# (CHECKING.md, "Threads".)
REPLAY_THREADS = {'pytorch': '1', 'notebooks': '2'}
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
