"""The badges, set-up cells, the line for instructors and README's links
all come from one address,
pyproject.toml's [project.urls] Repository (tools/links.py)."""
import importlib.util
import json
import pathlib
import shutil
import urllib.parse

import pytest

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


def hub_links(capsys, hub, root=ROOT):
    """{notebook path: link} as `links.py --hub HUB` prints them."""
    assert links.main(['--hub', hub], root=root) == 0
    out = capsys.readouterr().out.splitlines()
    pairs = [line.split() for line in out]
    assert all(len(pair) == 2 for pair in pairs), out
    return dict(pairs)


def test_hub_prints_each_notebook_s_nbgitpuller_link(capsys, tmp_path):
    shutil.copy(ROOT / 'pyproject.toml', tmp_path / 'pyproject.toml')
    shutil.copytree(ROOT / 'notebooks', tmp_path / 'notebooks')
    # a notebook in a subfolder (the PyTorch twins) is listed too
    twin = tmp_path / 'notebooks' / 'pytorch' / 'lenet.ipynb'
    twin.parent.mkdir(exist_ok=True)
    shutil.copy(ROOT / 'notebooks' / 'lenet.ipynb', twin)
    found = hub_links(capsys, 'https://hub.example.org/', tmp_path)
    expected = sorted(p.relative_to(tmp_path).as_posix() for p in
                      (tmp_path / 'notebooks').rglob('*.ipynb'))
    assert list(found) == expected
    assert 'notebooks/pytorch/lenet.ipynb' in found
    url = links.repository()
    folder = url.rsplit('/', 1)[1]
    for path, link in found.items():
        parts = urllib.parse.urlsplit(link)
        assert (parts.scheme, parts.netloc, parts.path) == (
            'https', 'hub.example.org', '/hub/user-redirect/git-pull')
        # every value encoded: nothing in the query ends it early
        assert not set('/:?#') & set(parts.query), parts.query
        query = urllib.parse.parse_qs(parts.query, strict_parsing=True)
        assert query == {'repo': [url], 'branch': ['main'],
                         'urlpath': [f'lab/tree/{folder}/{path}']}
    # the same address as the badges: a fork's links follow it
    pyproject = tmp_path / 'pyproject.toml'
    pyproject.write_text(pyproject.read_text().replace(
        url, 'https://github.com/someone/their-lenet'))
    link = hub_links(capsys, 'https://hub.example.org',
                     tmp_path)['notebooks/lenet.ipynb']
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query['repo'] == ['https://github.com/someone/their-lenet']
    assert query['urlpath'] == ['lab/tree/their-lenet/notebooks/lenet.ipynb']


def test_hub_keeps_the_address_s_own_path(capsys):
    for hub in ('https://uni.example.edu/jupyter',
                'https://uni.example.edu/jupyter/', 'HTTP://10.0.0.5:8000'):
        link = hub_links(capsys, hub)['notebooks/lenet.ipynb']
        base = hub.rstrip('/').replace('HTTP', 'http')
        assert link.startswith(f'{base}/hub/user-redirect/git-pull?repo='), \
            link


@pytest.mark.parametrize('hub, says', [
    ('hub.example.org', 'is not an http(s) address'),
    ('ftp://hub.example.org', 'is not an http(s) address'),
    ('file:///home/me', 'is not an http(s) address'),
    ('https://', 'is not an http(s) address'),
    ('https://[::1', 'is not an http(s) address'),
    ('', 'is not an address'),
    ('https://hub.example.org/ x', 'is not an address'),
    ('https://hub.example.org:99999', 'port'),
    ('https://me:secret@hub.example.org', 'user name or password'),
    ('https://hub.example.org/?next=x', '?query or #fragment'),
    ('https://hub.example.org/hub/home', 'is a page of the hub'),
    ('https://hub.example.org/user/me/lab', 'is a page of the hub'),
])
def test_hub_refuses_what_is_not_a_hub_s_address(capsys, hub, says):
    assert links.main(['--hub', hub]) == 2
    out, err = capsys.readouterr()
    assert out == ''  # no link printed, not even a first one
    assert says in err and 'e.g. https://hub.example.org' in err, err
    assert err.startswith(f'links.py --hub: {hub!r} '), err


def test_readme_s_hub_link_is_made_from_the_address(tmp_path):
    readme = (ROOT / 'README.md').read_text()
    shown = links.HUB_LINK.findall(readme)
    assert shown, "README's hub section shows no nbgitpuller link"
    for hub, path in shown:
        path = urllib.parse.unquote(path)
        assert (ROOT / path).is_file(), path
        assert links.hub(hub, links.repository(), path) in readme
    moved = links.update_readme(readme, 'https://github.com/someone/x-y')
    assert 'repo=https%3A%2F%2Fgithub.com%2Fsomeone%2Fx-y&' in moved
    assert 'urlpath=lab%2Ftree%2Fx-y%2Fnotebooks%2F' in moved
    assert links.update_readme(moved, links.repository()) == readme
