"""No template leftovers in a saved notebook's prose, and every sentence
that judges a variant against the band is judged by the function that
colours the chart (issue 21)."""
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
# An ALL_CAPS name with an underscore (CONFUSION_PROSE), a {{ }} slot, or a
# note left for later: none belongs in prose a learner reads.
LEFTOVER = re.compile(r'\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\{\{|\}\}|'
                      r'\b(TODO|FIXME|XXX|TBD)\b|OWNER/REPO')
# Words that judge a variant by the chart's colours or its band.
# (A colour map's "red for positive weights" describes a picture, not a
# verdict.)
JUDGED = re.compile(r'\b(red|green)\b(?!\s+for\s)|(above|below|inside|'
                    r'within|outside) the band', re.I)


def prose(cell):
    """A markdown cell's text without code spans, code blocks and links'
    addresses: what a learner reads as words."""
    text = re.sub(r'```.*?```', ' ', cell.source, flags=re.S)
    text = re.sub(r'`[^`]*`', ' ', text)
    return re.sub(r'\]\([^)]*\)', ']', text)


def markdown(path):
    nb = nbformat.read(path, as_version=4)
    return nb, [c for c in nb.cells if c.cell_type == 'markdown']


@pytest.mark.parametrize('path', NOTEBOOKS, ids=_name)
def test_no_template_leftovers_in_prose(path):
    _, cells = markdown(path)
    found = [(i, m.group(0)) for i, c in enumerate(cells)
             for m in LEFTOVER.finditer(prose(c))]
    assert found == [], f'{path.name}: unfinished text {found}'


def test_the_leftover_rule_catches_what_it_should():
    for text in ('CONFUSION_PROSE', 'ends in SUMMARY_MISTAKES.', '{{ n }}',
                 'TODO: say why', 'see OWNER/REPO'):
        assert LEFTOVER.search(text), text
    for text in ('MNIST and GPU', 'LeNet-5 (C1, S2)', 'ReLU, SGD, RBF'):
        assert not LEFTOVER.search(text), text
    cell = nbformat.v4.new_markdown_cell('Call `d2l.SOME_NAME` or ```\nX_Y\n```')
    assert not LEFTOVER.search(prose(cell))


@pytest.mark.parametrize('path', NOTEBOOKS, ids=_name)
def test_judged_words_are_checked_by_the_charts_own_function(path):
    nb, cells = markdown(path)
    if not any(JUDGED.search(prose(c)) for c in cells):
        pytest.skip(f'{path.name} judges no variant against a band')
    hidden = [c.source for c in nb.cells if c.cell_type == 'code'
              and c.metadata.get('jupyter', {}).get('source_hidden')]
    assert any(re.search(r'\bverdict\(', s) for s in hidden), (
        f'{path.name}: its prose judges variants by colour or band, but no '
        'hidden check calls variants.verdict, the function that colours '
        'the chart')
