"""Fixtures shared by the tests of d2l_local.

`isolated` gives a test its own empty MXNET_HOME, no D2L_DATA_DIR, no
Debian folder and its own temporary folder, so it reads or writes no real
cache; the data tests use it (through `tiny`, or `pytestmark`).  It is not
autouse: other tests in this folder may need the real environment.  The
tiny data set lives in memory and is served from 127.0.0.1.
"""
import os
import pathlib
import tempfile

import matplotlib

matplotlib.use('Agg')  # no window, ever

import pytest  # noqa: E402

import fakedata  # noqa: E402
from d2l_local import datasets  # noqa: E402
from localserver import Server  # noqa: E402

REAL_DATA_DIR = os.environ.get('D2L_DATA_DIR')


def pytest_configure(config):
    # mxnet 1.9.1 asks scipy for a deprecated name on every nd.array():
    # harmless, upstream, and it would bury the warnings that matter.
    config.addinivalue_line(
        'filterwarnings',
        'ignore:Please use `csr_matrix`:DeprecationWarning:mxnet')


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point every place the loader searches or writes into tmp_path."""
    monkeypatch.setenv('MXNET_HOME', str(tmp_path / 'mxnet'))
    monkeypatch.delenv('D2L_DATA_DIR', raising=False)
    monkeypatch.delenv('D2L_QUICK', raising=False)  # whole data sets
    monkeypatch.setattr(datasets, 'DEBIAN_DIR', tmp_path / 'debian')
    tmp = tmp_path / 'tmp'
    tmp.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp))
    return tmp_path


@pytest.fixture
def tiny(isolated, monkeypatch):
    """Register the tiny data set (no mirrors yet); forget it afterwards."""
    tiny = fakedata.tiny_namespace()
    monkeypatch.setitem(datasets.DATASETS, tiny.name, tiny.dataset)
    # A fresh in-memory cache: nothing loaded before leaks in or out.
    monkeypatch.setattr(datasets, '_ARRAYS', {})
    tiny.cache = datasets.cache_dir(tiny.name)
    return tiny


@pytest.fixture
def serve():
    """Return a function that starts a Server; all stop after the test."""
    servers = []

    def start(routes=()):
        server = Server(routes)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def real_data_dir():
    """The folder of the real data sets, D2L_DATA_DIR (skip without it)."""
    if not REAL_DATA_DIR:
        pytest.skip('set D2L_DATA_DIR to the folder holding fashion-mnist/ '
                    'and mnist/ to run the tests on the real data')
    return pathlib.Path(REAL_DATA_DIR)
