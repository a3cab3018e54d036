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
test that imports it as it runs, a notebook whose code imports it.
"""
import importlib.util
import json
import re

import pytest

# Test files whose every test replays a notebook or builds a venv.
SLOW_FILES = {'test_notebook_rerun.py', 'test_pins.py',
              'test_tasks_solved.py'}

# Each edition's framework: its module, and why it may be missing here.
FRAMEWORKS = {
    'mxnet': 'needs MXNet, which is not installed here (MXNet 1.9.1 has no '
             'build for Apple Silicon or Windows: ./course set up the '
             'PyTorch edition only)',
    'torch': 'needs PyTorch, which is not installed here (PyTorch 2.14.1 '
             'has no build for Intel Macs: ./course set up the MXNet '
             'edition only)',
}
MISSING = {name: why for name, why in FRAMEWORKS.items()
           if importlib.util.find_spec(name) is None}


def missing_in(text):
    """The reason to skip, if `text` is a failure to import a missing
    framework (`No module named 'mxnet'`), else None."""
    for name, why in MISSING.items():
        if re.search(rf"No module named '{name}(\.|')", text):
            return why
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
    error = call.excinfo
    if (error is not None and MISSING
            and error.errisinstance(ModuleNotFoundError)
            and missing_in(str(error.value))):
        report.outcome = 'skipped'
        report.longrepr = (str(item.path), item.location[1],
                           f'Skipped: {missing_in(str(error.value))}')
