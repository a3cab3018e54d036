"""Where a framework is not installed, what needs it is skipped with the
reason and nothing fails (conftest.py): MXNet hidden from a pytest run, as
on Apple Silicon or Windows, where ./course installs only the PyTorch
edition.  tests/test_course_script.py does the same in a real venv without
MXNet."""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

HIDE = '''
import sys

class Hide:
    """A finder that says a framework is not installed."""
    def find_spec(self, name, path=None, target=None):
        if name.partition('.')[0] == {name!r}:
            raise ModuleNotFoundError(f'No module named {{name!r}}',
                                      name=name)

sys.meta_path.insert(0, Hide())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
'''


def pytest_without(name, *args):
    return subprocess.run(
        [sys.executable, '-c', HIDE.format(name=name), '-q', '-rs',
         '-p', 'no:cacheprovider', *args],
        capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_what_needs_mxnet_is_skipped_where_it_is_missing():
    run = pytest_without(
        'mxnet', '--nbval', '--nbval-current-env',
        'tests/test_models.py',               # imports MXNet: not collected
        'tests/test_data_faults.py::test_unwritable_cache_falls_back_to_a_'
        'temporary_one',                      # loads it as it runs
        'tests/test_checks.py',               # one test marked mxnet
        'notebooks/lenet.ipynb')              # a notebook that imports it
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert 'failed' not in summary and 'error' not in summary, summary
    skips = [line for line in run.stdout.splitlines()
             if line.startswith('SKIPPED')]
    where = {line.split()[2].split(':')[0] for line in skips}
    assert where == {'tests/test_models.py', 'tests/test_data_faults.py',
                     'tests/test_checks.py', 'notebooks/lenet.ipynb'}, skips
    assert all('needs MXNet, which is not installed here' in line
               for line in skips), skips
    assert ' passed' in summary  # test_checks' other tests need no MXNet


def test_the_tests_both_editions_share_run_on_the_one_installed():
    """tests/test_tasks_both_*.py: each test runs once per edition; the
    MXNet runs are skipped with the reason (the chapter's MXNet tasks
    import MXNet), the PyTorch runs pass."""
    run = pytest_without('mxnet', 'tests/test_tasks_both_lenet.py')
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert 'failed' not in summary and 'error' not in summary, summary
    skips = [line for line in run.stdout.splitlines()
             if line.startswith('SKIPPED')]
    assert skips and all('needs MXNet, which is not installed here' in line
                         for line in skips), skips
    counts = re.match(r'(\d+) passed, (\d+) skipped', summary)
    assert counts and counts[1] == counts[2], summary  # one of each


def test_a_missing_import_of_anything_else_still_fails():
    run = pytest_without('nbformat', '-p', 'no:nbval',
                         'tests/test_notebook_form.py')
    assert run.returncode != 0
    assert "No module named 'nbformat'" in run.stdout
    assert '1 error' in run.stdout.strip().splitlines()[-1]
