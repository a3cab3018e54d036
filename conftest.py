"""The test tiers (README.md, "Testing").

`./course test` runs everything; `./course test -m "not slow"` is the fast
tier: the unit tests of d2l_local, without what replays notebooks on the
full data, drives a browser or builds virtual environments.  The slow ones
are marked here, in one place, so a new notebook or browser test is slow
without anyone remembering to say so; other slow tests carry
@pytest.mark.slow themselves.
"""
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
