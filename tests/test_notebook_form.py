"""The saved notebooks read as lessons (issue 12): checks out of sight,
nbval's markers as tags, saved executed top to bottom."""
import pathlib
import re

import nbformat
import pytest

_FOLDER = pathlib.Path(__file__).resolve().parent.parent / 'notebooks'
# The MXNet edition's notebooks, then the PyTorch twins in notebooks/pytorch/
NOTEBOOKS = [*sorted(_FOLDER.glob('*.ipynb')),
             *sorted(_FOLDER.glob('pytorch/*.ipynb'))]


def _name(path):
    """A test id: 'lenet', or 'pytorch/lenet' for a twin."""
    return path.relative_to(_FOLDER).with_suffix('').as_posix()
CHECK = re.compile(r'^\s*assert\b|\bcheck_range\(|NBVAL', re.M)
NBVAL_TAGS = {'nbval-ignore-output', 'nbval-skip', 'nbval-raises-exception',
              'raises-exception'}


def code_cells(path):
    nb = nbformat.read(path, as_version=4)
    return nb, [c for c in nb.cells if c.cell_type == 'code']


def hidden(cell):
    return cell.metadata.get('jupyter', {}).get('source_hidden', False)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS


@pytest.mark.parametrize('path', NOTEBOOKS, ids=_name)
def test_checks_sit_in_collapsed_cells_only(path):
    _, cells = code_cells(path)
    visible = [c.source.splitlines()[0] for c in cells
               if not hidden(c) and CHECK.search(c.source)]
    assert visible == [], f'checks in cells a learner reads: {visible}'
    for cell in filter(hidden, cells):
        assert cell.source.startswith('# Hidden check'), (
            f'a collapsed cell should say what it checks: {cell.source!r}')


@pytest.mark.parametrize('path', NOTEBOOKS, ids=_name)
def test_nbval_markers_are_tags(path):
    _, cells = code_cells(path)
    for cell in cells:
        assert '# NBVAL' not in cell.source.upper()
        tags = set(cell.metadata.get('tags', []))
        unknown = {t for t in tags if t.startswith('nbval')} - NBVAL_TAGS
        assert not unknown, f'not a tag nbval reads: {unknown}'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=_name)
def test_opens_with_setup_and_ends_with_a_line_for_instructors(path):
    nb, cells = code_cells(path)
    assert 'd2l.setup(' in cells[0].source
    markdown = [c for c in nb.cells if c.cell_type == 'markdown']
    assert len(markdown[-1].source.splitlines()) == 1
    assert 'CHECKING.md' in markdown[-1].source
    # how the notebooks are checked is the maintainers' document's, not the
    # lesson's
    for cell in markdown:
        assert 'How this notebook is checked' not in cell.source
        assert 'D2L_QUICK' not in cell.source and 'nbval' not in cell.source
    assert 'Where to go next' in ''.join(
        c.source for c in nb.cells if c.cell_type == 'markdown')


@pytest.mark.parametrize('path', NOTEBOOKS, ids=_name)
def test_saved_executed_top_to_bottom(path):
    _, cells = code_cells(path)
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f'{path.name} was not saved from one run top to bottom in a fresh '
        f'kernel: execution counts {counts}')
    errors = [o for c in cells for o in c.outputs
              if o.output_type == 'error']
    assert errors == []
