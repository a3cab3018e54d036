"""Issue 7, security: HTTPS only, no unpickling, Jupyter keeps its token."""
import os
import pathlib
import re

import pytest

import d2l_local as d2l
from d2l_local import datasets

pytestmark = pytest.mark.usefixtures('isolated')

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = pathlib.Path(datasets.__file__).parent


@pytest.mark.parametrize('url', [
    'http://example.org/train-images-idx3-ubyte.gz',
    'ftp://127.0.0.1/train-images-idx3-ubyte.gz',
    'file:///etc/passwd',
    'http://localhost.example.org/x.gz',    # not this machine
    'http://127.0.0.1@example.org/x.gz',    # a user name, then the host
    '//example.org/x.gz',
])
def test_non_https_urls_are_refused(url):
    with pytest.raises(ValueError, match='refusing to download'):
        datasets.check_url(url)


@pytest.mark.parametrize('url', [
    'https://example.org/x.gz', 'http://127.0.0.1:8000/x.gz',
    'http://localhost/x.gz', 'http://[::1]:8000/x.gz'])
def test_https_and_this_machine_are_allowed(url):
    datasets.check_url(url)


def test_a_plain_http_mirror_is_never_contacted(tiny, monkeypatch):
    contacted = []

    def record(parts, timeout):
        contacted.append(parts)
        raise AssertionError('contacted')
    monkeypatch.setattr(datasets, '_connection', record)
    tiny.dataset.mirrors[:] = ['http://example.org/tiny/',
                               'ftp://example.org/tiny/']
    with pytest.raises(d2l.DataNotFoundError) as error:
        d2l.load_data('tiny', 10)
    assert 'refusing to download over http' in str(error.value)
    assert 'refusing to download over ftp' in str(error.value)
    assert contacted == []


def test_every_mirror_is_https():
    for dataset in datasets.DATASETS.values():
        assert dataset.mirrors
        for url in dataset.mirrors:
            assert url.startswith('https://'), url
            datasets.check_url(url + 'x.gz')


def test_nothing_unpickles_data():
    # The IDX files are parsed with np.frombuffer; nothing that can run
    # code from a file (pickle, np.load with allow_pickle) may creep in.
    forbidden = re.compile(r'pickle|np\.load\(|numpy\.load\(|marshal|'
                           r'joblib|torch\.load|\beval\(|\bexec\(')
    sources = sorted(PACKAGE.glob('*.py'))
    assert PACKAGE / 'datasets.py' in sources
    for path in sources:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not forbidden.search(line), f'{path}:{number}: {line}'


# Settings that switch Jupyter's token off, in a config file or a command.
TOKEN_OFF = [
    re.compile(r"""\.token\s*=\s*(''|"")"""),        # c.ServerApp.token = ''
    re.compile(r"""--[\w.]*token(=|\s+)(''|""|(?=\s|$))""",
               re.MULTILINE),                        # --NotebookApp.token=
    re.compile(r'"token"\s*:\s*""'),                 # JSON config
]
SKIP_DIRS = {'.git', '.venv', '__pycache__', 'node_modules', 'build'}


def token_off(text):
    return [m.group(0) for p in TOKEN_OFF for m in p.finditer(text)]


@pytest.mark.parametrize('line', [
    "c.NotebookApp.token = ''",
    'c.ServerApp.token = ""',
    "c.IdentityProvider.token = ''",
    'jupyter lab --NotebookApp.token= --ip=0.0.0.0',
    "jupyter lab --ServerApp.token='' notebooks",
    'exec jupyter lab --IdentityProvider.token=""',
    '{"ServerApp": {"token": ""}}',
])
def test_token_scanner_spots_auth_turned_off(line):
    assert token_off(line)


def test_token_scanner_lets_a_real_token_pass():
    assert not token_off("c.ServerApp.token = os.environ['TOKEN']\n"
                         'jupyter lab --ip=127.0.0.1 notebooks/lenet.ipynb')


def test_no_shipped_file_turns_jupyter_token_auth_off():
    this = pathlib.Path(__file__).resolve()
    checked = 0
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs
                   if d not in SKIP_DIRS and not d.endswith('.egg-info')
                   # a virtual environment (D2L_VENV=.venv-3.12, say)
                   # holds installed packages, not what the course ships
                   and not os.path.exists(os.path.join(folder, d,
                                                       'pyvenv.cfg'))]
        for name in files:
            path = pathlib.Path(folder, name)
            if path == this or path.stat().st_size > 5_000_000:
                continue
            try:
                text = path.read_text()
            except (UnicodeDecodeError, OSError):
                continue  # not text
            checked += 1
            assert not token_off(text), (
                f'{path.relative_to(ROOT)} switches Jupyter token auth '
                f'off: {token_off(text)}')
    assert checked > 10  # the walk really saw the repository
