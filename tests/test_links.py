"""The badges, set-up cells, the line for instructors and README's links
all come from one address,
pyproject.toml's [project.urls] Repository (tools/links.py)."""
import importlib.util
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location('links',
                                              ROOT / 'tools' / 'links.py')
links = importlib.util.module_from_spec(spec)
spec.loader.exec_module(links)


def sources(path):
    nb = json.loads(path.read_text(encoding='utf-8'))
    return [''.join(c['source']) for c in nb['cells']]


def test_every_link_is_made_from_the_address():
    assert links.stale() == [], 'run python tools/links.py'


def test_each_notebook_opens_itself_in_colab_kaggle_and_binder():
    url = links.repository()
    for path in links.NOTEBOOKS:
        rel = path.relative_to(ROOT).as_posix()
        first = sources(path)[0].splitlines()[0]
        for made in (links.colab(url, rel), links.kaggle(url, rel),
                     links.binder(url, rel)):
            assert f']({made})' in first, (path.name, made)


def test_each_set_up_cell_installs_mxnet_without_its_numpy_pin():
    url = links.repository()
    for path in links.NOTEBOOKS:
        nb = json.loads(path.read_text(encoding='utf-8'))
        code = next(''.join(c['source']) for c in nb['cells']
                    if c['cell_type'] == 'code')
        lines = code.splitlines()
        assert lines[0].startswith('try:') and 'except ImportError:' in code
        pip = next(line for line in lines if 'pip install' in line)
        assert '--no-deps' in pip and 'mxnet==1.9.1' in pip
        assert pip.split()[-1] == f"git+{url}'"
        assert not any(line.lstrip().startswith(('%', '!')) for line in lines)
        assert 'd2l.setup(' in code


def test_one_edit_moves_every_link(tmp_path):
    for name in ('pyproject.toml', 'README.md'):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / 'notebooks', tmp_path / 'notebooks')
    old = links.slug(links.repository())
    pyproject = tmp_path / 'pyproject.toml'
    pyproject.write_text(pyproject.read_text().replace(
        links.repository(), 'https://github.com/someone/their-lenet'))
    assert links.main(['--check'], root=tmp_path) == 1
    assert links.main([], root=tmp_path) == 0
    assert links.main(['--check'], root=tmp_path) == 0
    for path in [tmp_path / 'README.md',
                 *sorted((tmp_path / 'notebooks').glob('*.ipynb'))]:
        text = path.read_text(encoding='utf-8')
        assert old not in text, path.name
        assert 'someone/their-lenet' in text, path.name
    # and only the links moved: every other cell is as it was
    for path in links.NOTEBOOKS:
        before, after = sources(path), sources(tmp_path / 'notebooks' /
                                                path.name)
        assert len(before) == len(after)
        changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
        assert set(changed) <= {0, 1, len(before) - 1}, (path.name, changed)


def test_a_running_twice_changes_nothing(tmp_path):
    for name in ('pyproject.toml', 'README.md'):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / 'notebooks', tmp_path / 'notebooks')
    links.main([], root=tmp_path)
    for path in links.NOTEBOOKS:
        assert (tmp_path / 'notebooks' / path.name).read_bytes() == \
            path.read_bytes()
