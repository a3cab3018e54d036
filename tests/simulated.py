"""A hosted platform simulated (Colab, Kaggle): what their tests share.

A platform gives a notebook its own Python and its own versions of numpy,
IPython, ipykernel, ipywidgets and matplotlib (Colab's torch too), already
installed, and not the course.  A fresh venv of that Python gets exactly
those.  Each notebook of NOTEBOOKS, and each PyTorch twin of TWINS on a
platform that holds torch, then starts from that venv as a new session
finds it and installs what it needs through its own set-up cell: an MXNet
notebook the course and MXNet, a twin the course alone, beside the
platform's torch; neither replaces or removes a package the platform has
(so no restart).  It fetches the data (from a server on 127.0.0.1
standing in for the official mirrors, through D2L_DATA_URL, into an empty
cache) and runs top to bottom with every hidden check passing.  The
set-up cell installs from the course's published address; here that
address is replaced by this checkout, the path a published URL takes (pip
builds and installs it, not editable).

A platform's test module subclasses `Platform` as `TestName` and sets its
Python and versions; the tests are `Platform`'s, one per notebook.
"""
import json
import os
import pathlib
import re
import subprocess

import pytest

import pythons

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Under notebooks/: NOTEBOOKS run on every platform, TWINS (PyTorch) on a
# platform whose packages hold torch.
NOTEBOOKS = ['lenet.ipynb', 'ex4_activations.ipynb']
TWINS = ['pytorch/lenet.ipynb']
# What a notebook's set-up cell adds to the platform: the course, and for
# an MXNet notebook MXNet (a twin uses the platform's torch).
COURSE = 'd2l-local'
MXNET = {'mxnet': '1.9.1'}
INSTALL_TIMEOUT = 1800  # s for the platform's packages (torch: ~3 GB)
TIMEOUT = 1200          # s for one cell


class Platform:
    """The tests of one simulated platform; a subclass sets these."""
    name = None          # the kernel's name: 'colab'
    python = None        # its Python: '3.13'
    packages = ''        # what it has: 'numpy==2.1.3 ... requests'
    kernel_options = ()  # what its kernel is started with
    preloaded = ()       # modules loaded before the set-up cell runs

    def pytest_generate_tests(self, metafunc):
        """One test per notebook: NOTEBOOKS, and TWINS if it has torch."""
        if 'notebook' in metafunc.fixturenames:
            twins = TWINS if 'torch' in self.pins else []
            metafunc.parametrize('notebook', NOTEBOOKS + twins)

    @pytest.fixture(scope='class')
    @classmethod
    def venv(cls, tmp_path_factory):
        """A venv with the platform's packages and a kernel spec for it:
        (folder, its python, {distribution: version} it holds)."""
        python = pythons.require(cls.python)
        tmp = tmp_path_factory.mktemp(cls.name)
        subprocess.run([python, '-m', 'venv', str(tmp / 'venv')],
                       check=True)
        py = str(tmp / 'venv' / 'bin' / 'python')
        install = subprocess.run(
            [py, '-m', 'pip', 'install', '--quiet', '--only-binary=:all:',
             *cls.packages.split()],
            capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        assert install.returncode == 0, install.stderr[-3000:]
        held = distributions(py)
        assert COURSE not in held and 'mxnet' not in held
        spec = tmp / 'jupyter' / 'kernels' / cls.name
        spec.mkdir(parents=True)
        (spec / 'kernel.json').write_text(json.dumps({
            'argv': [py, '-m', 'ipykernel_launcher', *cls.kernel_options,
                     '-f', '{connection_file}'],
            'display_name': f'{cls.name} (simulated)',
            'language': 'python'}))
        return tmp, py, held

    @pytest.fixture
    def session(self, venv):
        """The venv as a new session finds it: what an earlier notebook's
        set-up cell installed (the course, MXNet) is gone again."""
        tmp, py, held = venv
        subprocess.run([py, '-m', 'pip', 'uninstall', '--quiet', '--yes',
                        COURSE, *MXNET], check=True, capture_output=True)
        assert distributions(py) == held
        missing = subprocess.run([py, '-c', 'import d2l_local'], cwd=tmp,
                                 capture_output=True, text=True)
        assert missing.returncode != 0  # the course is not there
        return venv

    @pytest.fixture(scope='class')
    @classmethod
    def mirror(cls):
        """The data sets served from 127.0.0.1 in D2L_DATA_URL's layout."""
        from localserver import Server
        data = os.environ.get('D2L_DATA_DIR')
        if not data:
            pytest.skip('set D2L_DATA_DIR to the folder of fashion-mnist/ '
                        f'and mnist/ to serve them to the simulated '
                        f'{cls.name}')
        server = Server()
        for name in ('fashion-mnist', 'mnist'):
            folder = pathlib.Path(data) / name
            server.add(name, {f.name: f.read_bytes()
                              for f in folder.glob('*.gz')})
        yield server
        server.close()

    @property
    def pins(self):
        """{distribution: version} of each package given a version."""
        return dict(p.split('==') for p in self.packages.split()
                    if '==' in p)

    def test_installs_the_course_and_runs(self, notebook, session, mirror,
                                          tmp_path, monkeypatch):
        _, py, held = session
        nb, loaded = self.run(notebook, session, mirror, tmp_path,
                              monkeypatch)
        assert loaded == sorted(self.preloaded)
        twin = is_twin(notebook)
        setup = next(c for c in nb.cells if c.cell_type == 'code')
        out = text_of(setup)
        framework = (f'PyTorch {self.pins["torch"]}' if twin
                     else f'MXNet {MXNET["mxnet"]}')
        assert (f'Python {self.python}.' in out and framework in out
                and f'NumPy {self.pins["numpy"]}' in out), out[-2000:]
        # the set-up cell added the course (and MXNet for an MXNet
        # notebook) and replaced or removed none of the platform's packages
        now = distributions(py)
        added = {d: v for d, v in now.items() if d not in held}
        assert sorted(added) == ([COURSE] if twin else [COURSE, *MXNET])
        assert {d: now.get(d) for d in held} == held
        assert twin or added['mxnet'] == MXNET['mxnet']
        assert {d: held.get(d) for d in self.pins} == self.pins
        assert any(p.endswith('.gz') for p in mirror.requests)  # fetched
        saved = read(notebook)
        assert output_kinds(nb) >= output_kinds(saved)  # widgets, figures

    def run(self, notebook, venv, mirror, tmp_path, monkeypatch):
        """Run `notebook` in the platform's kernel; return it executed and
        which of `preloaded` were loaded before its set-up cell."""
        from nbclient import NotebookClient
        from nbformat import v4
        tmp = venv[0]
        for variable in ('D2L_DATA_DIR', 'D2L_QUICK', 'D2L_ENGINE_AUTO',
                         'PYTHONPATH', 'VIRTUAL_ENV'):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv('JUPYTER_PATH', str(tmp / 'jupyter'))
        monkeypatch.setenv('D2L_DATA_URL', mirror.url)
        monkeypatch.setenv('MXNET_HOME', str(tmp_path / 'mxnet'))  # empty
        monkeypatch.setenv('MPLBACKEND', 'module://matplotlib_inline.'
                           'backend_inline')
        # the thread count the notebook was saved with, as replays use it
        # (conftest.py, REPLAY_THREADS): its exact checks hold only there
        monkeypatch.setenv('OMP_NUM_THREADS',
                           '1' if is_twin(notebook) else '2')
        mirror.requests.clear()
        nb = as_published(read(notebook))
        probe = v4.new_code_cell(  # names no variable of the notebook's
            f'print(*sorted(set({list(self.preloaded)!r}) '
            f'& set(__import__("sys").modules)))')
        nb.cells.insert(0, probe)
        work = tmp / 'work'
        work.mkdir(exist_ok=True)
        client = NotebookClient(nb, kernel_name=self.name, timeout=TIMEOUT,
                                resources={'metadata': {'path': str(work)}})
        client.execute()  # raises on the first cell that fails
        nb.cells.remove(probe)
        return nb, text_of(probe).split()


def is_twin(notebook):
    """Whether `notebook` (a path under notebooks/) is a PyTorch twin."""
    return 'pytorch' in pathlib.Path(notebook).parts


def read(notebook):
    """The saved notebook, `notebook` a path under notebooks/."""
    import nbformat
    return nbformat.read(ROOT / 'notebooks' / notebook, as_version=4)


def as_published(nb):
    """The notebook with the course's address replaced by this checkout."""
    cell = next(c for c in nb.cells if c.cell_type == 'code')
    lines = cell.source.splitlines()
    pip = next(i for i, line in enumerate(lines) if 'pip install' in line)
    published = lines[pip].split()[-1].rstrip("'")
    assert published.startswith('git+https://github.com/')
    lines[pip] = lines[pip].replace(published, str(ROOT))
    cell.source = '\n'.join(lines)
    return nb


def distributions(py):
    """{distribution: version} of everything `py`'s environment holds,
    names normalised as pip does ('d2l-local', 'typing-extensions');
    isolated (-I), so not what the working folder holds (a checkout's
    d2l_local.egg-info)."""
    out = subprocess.run(
        [py, '-I', '-c', 'import importlib.metadata as m, json; '
         'print(json.dumps([[d.metadata["Name"], d.version] '
         'for d in m.distributions()]))'],
        capture_output=True, text=True, check=True)
    return {re.sub(r'[-_.]+', '-', name).lower(): version
            for name, version in json.loads(out.stdout)}


def output_kinds(nb):
    """The kinds of output `nb` shows: stream, image/png, widget, ..."""
    return {kind for c in nb.cells if c.cell_type == 'code'
            for o in c.outputs
            for kind in (o.get('data') or {o.output_type: ''})
            if kind != 'text/plain'}


def text_of(cell):
    """What `cell` printed."""
    return ''.join(o.get('text', '') for o in cell.outputs
                   if o.output_type == 'stream')
