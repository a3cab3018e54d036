"""A reader restarts the kernel, runs all cells from another folder, then
runs the training cell again: the chapter must not depend on the working
directory, and the second run must start from fresh weights."""
import copy
import os
import pathlib
import re

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = pathlib.Path(__file__).parent.parent / 'notebooks' / 'lenet.ipynb'

pytestmark = pytest.mark.skipif(
    not os.environ.get('D2L_DATA_DIR'),
    reason='needs the real data: set D2L_DATA_DIR (CI does)')


def training_cell_index(nb):
    """The cell that trains with the chapter's own train_ch5."""
    for i, cell in enumerate(nb.cells):
        if (cell.cell_type == 'code'
                and re.search(r'(?m)^history = train_ch5\(', cell.source)):
            return i
    raise AssertionError('the chapter has no cell that calls its train_ch5')


@pytest.mark.mxnet  # the MXNet chapter, in a kernel
def test_run_all_elsewhere_then_rerun_training(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    i = training_cell_index(nb)
    train = copy.deepcopy(nb.cells[i])
    # Poison the trained weights: if the cell continued from them instead
    # of re-initialising, every loss of the second run would be NaN.
    poison = nbformat.v4.new_code_cell(
        'first_run = history\n'
        'for p in net.collect_params().values():\n'
        '    p.set_data(p.data() * float("nan"))')
    check = nbformat.v4.new_code_cell(
        'import math\n'
        'assert history is not first_run\n'
        'assert all(math.isfinite(e.loss) for e in history), history\n'
        'print("rerun ok")')
    nb.cells += [poison, train, check]
    monkeypatch.setenv('D2L_QUICK', '1')  # a slice of the data: seconds
    client = NotebookClient(nb, timeout=600, kernel_name='python3',
                            resources={'metadata': {'path': str(tmp_path)}})
    client.execute()  # raises CellExecutionError on any failing cell
    out = ''.join(o.get('text', '') for o in nb.cells[-1].outputs)
    assert 'rerun ok' in out
    assert not list(tmp_path.iterdir()), 'the notebook wrote into the cwd'
