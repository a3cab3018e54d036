"""tools/peak_memory.py, on small notebooks made here."""
import hashlib
import importlib.util
import json
import pathlib

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    'peak_memory', ROOT / 'tools' / 'peak_memory.py')
peak_memory = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peak_memory)

ALLOCATE = 'import numpy as np\nX = np.ones(250_000_000 // 8)  # 250 MB'
IN_A_CHILD = ('import subprocess, sys\n'
              'subprocess.run([sys.executable, "-c", "import numpy as np, '
              'time; y = np.ones(400_000_000 // 8); time.sleep(1)"], '
              'check=True, timeout=60)')


def write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata['kernelspec'] = {'name': 'python3', 'language': 'python',
                                 'display_name': 'Python 3'}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def folder(tmp_path):
    write_notebook(tmp_path / 'nb' / 'alloc.ipynb', ALLOCATE, 'del X',
                   IN_A_CHILD, 'print("done")')
    write_notebook(tmp_path / 'nb' / 'sub' / 'fails.ipynb', '1 / 0')
    write_notebook(tmp_path / 'nb' / 'sub' / '.ipynb_checkpoints' /
                   'fails-checkpoint.ipynb', '1 / 0')
    return tmp_path


def test_peaks_of_kernel_and_children_are_found(folder, capsys):
    out = folder / 'peak.json'
    code = peak_memory.main([str(folder / 'nb'), '--json', str(out),
                             '--cell-timeout', '120'])
    report = json.loads(out.read_text())
    rows = {pathlib.Path(r['notebook']).name: r
            for r in report['notebooks']}
    assert sorted(rows) == ['alloc.ipynb', 'fails.ipynb']  # no checkpoint
    alloc = rows['alloc.ipynb']
    assert alloc['status'] == 'ok'
    assert alloc['sha256'] == hashlib.sha256(
        (folder / 'nb' / 'alloc.ipynb').read_bytes()).hexdigest()
    # the kernel itself held the 250 MB array, in cell 0
    assert 250 <= alloc['kernel_hwm_mb'] < 600
    assert alloc['kernel_hwm_mb'] < alloc['tree_peak_mb']
    # its child held 400 MB more while the kernel had freed its array
    assert alloc['tree_peak_mb'] >= 400
    assert alloc['peak_mb'] == alloc['tree_peak_mb']
    assert alloc['peak_cell'] == 2
    fails = rows['fails.ipynb']
    assert fails['status'] == 'error'
    assert fails['error'] == 'ZeroDivisionError: division by zero'
    assert code == 1  # a notebook failed
    table = capsys.readouterr().out
    assert 'alloc.ipynb' in table and 'ZeroDivisionError' in table


def test_over_the_limit_exits_1(folder, capsys):
    out = folder / 'peak.json'
    nb = folder / 'nb' / 'alloc.ipynb'
    assert peak_memory.main([str(nb), '--json', str(out)]) == 0
    assert peak_memory.main([str(nb), '--json', str(out),
                             '--limit-mb', '300']) == 1
    assert 'OVER the 300 MB limit' in capsys.readouterr().out


def test_figures_of_other_notebooks_are_kept(folder):
    out = folder / 'peak.json'
    alloc = folder / 'nb' / 'alloc.ipynb'
    fails = folder / 'nb' / 'sub' / 'fails.ipynb'
    peak_memory.main([str(alloc), '--json', str(out)])
    peak_memory.main([str(fails), '--json', str(out)])

    def names():
        return [pathlib.Path(r['notebook']).name
                for r in json.loads(out.read_text())['notebooks']]
    assert names() == ['alloc.ipynb', 'fails.ipynb']
    alloc.unlink()  # a notebook that is gone loses its row
    peak_memory.main([str(fails), '--json', str(out)])
    assert names() == ['fails.ipynb']


def test_save_writes_the_outputs_back_only_when_the_run_succeeds(folder):
    out = folder / 'peak.json'
    alloc = folder / 'nb' / 'alloc.ipynb'
    fails = folder / 'nb' / 'sub' / 'fails.ipynb'
    before = fails.read_bytes()
    peak_memory.main([str(alloc), str(fails), '--json', str(out), '--save'])
    nb = nbformat.read(alloc, as_version=4)
    assert nb.cells[-1].outputs[0]['text'] == 'done\n'
    assert [c.execution_count for c in nb.cells] == [1, 2, 3, 4]
    rows = {pathlib.Path(r['notebook']).name: r
            for r in json.loads(out.read_text())['notebooks']}
    assert rows['alloc.ipynb']['sha256'] == hashlib.sha256(
        alloc.read_bytes()).hexdigest()
    assert fails.read_bytes() == before  # a failed run changes nothing
    assert not list(folder.rglob('*.tmp'))
