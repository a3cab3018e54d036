"""A simulated Colab: the chapter and exercise 4 run top to bottom in an
environment that holds Colab's own packages and not the course.

Colab runs Python 3.13 with numpy 2.1.3, IPython 7.34.0, ipykernel 6.17.1,
ipywidgets 7.7.1 and matplotlib 3.10.0 already loaded (googlecolab/
backend-info, pip-freeze.txt of 2026-08-19).  A fresh venv of Python 3.13
gets exactly those, and the notebooks' set-up cell must then install the
course and MXNet itself without replacing that numpy (no restart), fetch
the data (here from a server on 127.0.0.1 standing in for the official
mirrors, through D2L_DATA_URL, into an empty cache) and go on; every
hidden check must pass.  The set-up cell installs from the course's
published address; here that address is replaced by this checkout, the
path a published URL takes (pip builds and installs it, not editable).
"""
import json
import os
import pathlib
import subprocess

import pytest

import pythons

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLAB = ['numpy==2.1.3', 'ipython==7.34.0', 'ipykernel==6.17.1',
         'ipywidgets==7.7.1', 'matplotlib==3.10.0',
         # Colab has these too; pandas 2.2.3 is the first with 3.13 wheels
         'pandas==2.2.3', 'requests', 'tqdm', 'setuptools']
NOTEBOOKS = ['lenet.ipynb', 'ex4_activations.ipynb']
TIMEOUT = 1200  # s for one cell

# slow; and the notebooks it runs are the MXNet edition's
pytestmark = [pytest.mark.slow, pytest.mark.mxnet]


@pytest.fixture(scope='module')
def colab(tmp_path_factory):
    """A Python 3.13 venv with Colab's packages and a kernel spec for it."""
    python = pythons.require('3.13')
    tmp = tmp_path_factory.mktemp('colab')
    venv = tmp / 'venv'
    subprocess.run([python, '-m', 'venv', str(venv)], check=True)
    py = str(venv / 'bin' / 'python')
    install = subprocess.run(
        [py, '-m', 'pip', 'install', '--quiet', '--only-binary=:all:',
         *COLAB], capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    missing = subprocess.run([py, '-c', 'import d2l_local'], cwd=tmp,
                             capture_output=True, text=True)
    assert missing.returncode != 0  # the course is not there: Colab's case
    spec = tmp / 'jupyter' / 'kernels' / 'colab'
    spec.mkdir(parents=True)
    (spec / 'kernel.json').write_text(json.dumps({
        'argv': [py, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
        'display_name': 'Colab (simulated)', 'language': 'python'}))
    return tmp, py


@pytest.fixture(scope='module')
def mirror():
    """The data sets served from 127.0.0.1 in D2L_DATA_URL's layout."""
    from localserver import Server
    data = os.environ.get('D2L_DATA_DIR')
    if not data:
        pytest.skip('set D2L_DATA_DIR to the folder of fashion-mnist/ and '
                    'mnist/ to serve them to the simulated Colab')
    server = Server()
    for name in ('fashion-mnist', 'mnist'):
        folder = pathlib.Path(data) / name
        server.add(name, {f.name: f.read_bytes()
                          for f in folder.glob('*.gz')})
    yield server
    server.close()


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


def run_notebook(name, colab, mirror, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    tmp, _ = colab
    for variable in ('D2L_DATA_DIR', 'D2L_QUICK', 'D2L_ENGINE_AUTO',
                     'PYTHONPATH', 'VIRTUAL_ENV'):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv('JUPYTER_PATH', str(tmp / 'jupyter'))
    monkeypatch.setenv('D2L_DATA_URL', mirror.url)
    monkeypatch.setenv('MXNET_HOME', str(tmp / 'mxnet'))  # an empty cache
    monkeypatch.setenv('MPLBACKEND', 'module://matplotlib_inline.'
                       'backend_inline')
    nb = as_published(nbformat.read(ROOT / 'notebooks' / name, as_version=4))
    work = tmp / 'work'
    work.mkdir(exist_ok=True)
    client = NotebookClient(nb, kernel_name='colab', timeout=TIMEOUT,
                            resources={'metadata': {'path': str(work)}})
    client.execute()  # raises on the first cell that fails
    return nb


def text_of(cell):
    return ''.join(o.get('text', '') for o in cell.outputs
                   if o.output_type == 'stream')


def test_the_chapter_installs_the_course_and_runs(colab, mirror,
                                                  monkeypatch):
    nb = run_notebook('lenet.ipynb', colab, mirror, monkeypatch)
    setup = next(c for c in nb.cells if c.cell_type == 'code')
    out = text_of(setup)
    assert 'Python 3.13' in out and 'NumPy 2.1.3' in out, out[-2000:]
    _, py = colab
    versions = subprocess.run(
        [py, '-c', 'import d2l_local, numpy, IPython, ipywidgets, matplotlib, mxnet; '
         'print(numpy.__version__, IPython.__version__, '
         'ipywidgets.__version__, matplotlib.__version__, '
         'mxnet.__version__)'], capture_output=True, text=True,
        cwd=colab[0])
    # Colab's own versions are still the ones installed, beside MXNet
    assert versions.stdout.split() == ['2.1.3', '7.34.0', '7.7.1', '3.10.0',
                                       '1.9.1'], versions.stderr
    assert any(p.endswith('.gz') for p in mirror.requests)  # fetched


def test_exercise_4_and_its_explorer_run_on_ipywidgets_7(colab, mirror,
                                                         monkeypatch):
    nb = run_notebook('ex4_activations.ipynb', colab, mirror, monkeypatch)
    widgets = [o for c in nb.cells if c.cell_type == 'code'
               for o in c.outputs
               if 'application/vnd.jupyter.widget-view+json'
               in o.get('data', {})]
    assert widgets, 'the explorer showed no widget'
