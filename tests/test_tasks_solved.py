"""Every notebook's tasks, in both states (issue 13).

The notebooks learners open have their tasks blank; strict nbval holds them
in that state.  Here each notebook is also run solved: every task cell has
its blank part replaced by the task's solution (`q.code`, exactly what
`q.solution()` shows), the notebook runs top to bottom in quick mode from
another folder, and every check must say the answer is right.  The blank
state's saved outputs are read too: each check says "Not attempted yet" and
no solution is on screen.
"""
import importlib
import json
import pathlib
import re

import nbformat
import pytest

from d2l_local.tasks import Prediction

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / 'notebooks'
TASK_IMPORT = re.compile(r'^from d2l_local\.tasks\.([\w.]+) import \*',
                         re.M)
CHECK_LINE = re.compile(r'^(q\d+)\.check\((.*)\)\s*$')
REVEAL_LINE = re.compile(r'^\s*(q\d+)\.reveal\(', re.M)


def notebooks():
    """Every notebook: the MXNet edition's, then the PyTorch twins."""
    return [*sorted(NOTEBOOKS.glob('*.ipynb')),
            *sorted(NOTEBOOKS.glob('pytorch/*.ipynb'))]


def with_tasks():
    """The notebooks that import a task module, with that module's name
    ('lenet', or 'pytorch.lenet' for a twin)."""
    found = []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        match = TASK_IMPORT.search('\n'.join(
            c.source for c in nb.cells if c.cell_type == 'code'))
        if match:
            found.append(pytest.param(path, match[1], id=match[1]))
    return found


def task_cells(nb):
    """(cell, task name) for every cell that ends with `qN.check(...)`."""
    for cell in nb.cells:
        if cell.cell_type != 'code':
            continue
        lines = cell.source.rstrip().splitlines()
        match = lines and CHECK_LINE.match(lines[-1])
        if match:
            yield cell, match[1]


def tasks_of(module):
    return {name: getattr(module, name) for name in module.__all__
            if re.fullmatch(r'q\d+', name)}


def text_of(cell):
    return ''.join(o.get('text', '') for o in cell.get('outputs', []))


def test_every_notebook_has_tasks():
    names = set(notebooks())
    have = {param.values[0] for param in with_tasks()}
    assert names == have, f'notebooks without tasks: {names - have}'


@pytest.mark.parametrize('path, name', with_tasks())
def test_each_task_has_a_cell_a_solution_and_hints(path, name):
    module = importlib.import_module(f'd2l_local.tasks.{name}')
    tasks = tasks_of(module)
    nb = nbformat.read(path, as_version=4)
    in_cells = [q for _, q in task_cells(nb)]
    assert sorted(in_cells) == sorted(tasks), (
        'every task needs exactly one cell that ends with its check')
    for q, task in tasks.items():
        assert task.name == f'{name}.{q}'
        assert task.code.strip(), f'{task.name} has no solution code'
        assert task.hints, f'{task.name} has no hint'
    predictions = [q for q, t in tasks.items() if isinstance(t, Prediction)]
    revealed = REVEAL_LINE.findall(
        '\n'.join(c.source for c in nb.cells if c.cell_type == 'code'))
    assert sorted(revealed) == sorted(predictions), (
        'every prediction is revealed once, after the measurement')
    if name.split('.')[-1] != 'lenet':  # exercises: a prediction, a task
        assert predictions, f'{path.name} has no prediction'
        assert len(tasks) > len(predictions), f'{path.name}: no code task'
    else:
        assert len(tasks) >= 2


@pytest.mark.parametrize('path, name', with_tasks())
def test_the_saved_notebook_is_blank(path, name):
    nb = nbformat.read(path, as_version=4)
    for cell, q in task_cells(nb):
        assert '____' in cell.source, (
            f'{path.name}: the cell of {q} is not blank:\n{cell.source}')
        assert text_of(cell).startswith('Not attempted yet'), (
            f'{path.name}: {q} says {text_of(cell)!r}')
    for cell in nb.cells:
        if cell.cell_type == 'code':
            assert 'Solution:' not in text_of(cell), (
                f'{path.name} shows a solution before it is asked for')
            if REVEAL_LINE.search(cell.source):
                assert 'You made no prediction' in text_of(cell)


@pytest.mark.parametrize('path, name', with_tasks())
def test_the_solved_notebook_passes_every_check(path, name, tmp_path,
                                                monkeypatch):
    from nbclient import NotebookClient
    module = importlib.import_module(f'd2l_local.tasks.{name}')
    tasks = tasks_of(module)
    nb = nbformat.read(path, as_version=4)
    for cell, q in task_cells(nb):
        check = cell.source.rstrip().splitlines()[-1]
        cell.source = f'{tasks[q].code}\n\n{check}'
    nb.cells.append(nbformat.v4.new_code_cell(
        'import json\n'
        f'print(json.dumps({{q: t.last and t.last.status for q, t in '
        f'[{", ".join(f"({q!r}, {q})" for q in tasks)}]}}))'))
    monkeypatch.setenv('D2L_QUICK', '1')  # a slice of the data: seconds
    client = NotebookClient(nb, timeout=900, kernel_name='python3',
                            resources={'metadata': {'path': str(tmp_path)}})
    client.execute()  # raises CellExecutionError on any failing cell
    statuses = json.loads(text_of(nb.cells[-1]).strip().splitlines()[-1])
    assert statuses == dict.fromkeys(tasks, 'right'), statuses
    assert not list(tmp_path.iterdir()), 'the notebook wrote into the cwd'
