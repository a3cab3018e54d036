"""The Binder image, checked without Docker or a network.

repo2docker renders the Dockerfile Binder would build; the pip section of
binder/environment.yml goes into a fresh virtual environment, as it goes
into Binder's conda env; binder/postBuild then runs in that environment
against the shared data.  repo2docker itself comes from a tools venv made
here, never from the pins: it must not land in the image.

The tests that need the pinned set installed are marked `slow` (about
two minutes in all); deselect them with `-m "not slow"`.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from d2l_local import datasets

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINDER = ROOT / 'binder'
REPO2DOCKER = 'jupyter-repo2docker==2026.4.0'  # what Binder builds with
# Binder serves the notebooks with these, from repo2docker's conda base
# env, which our pip pins are installed over: conda name -> PyPI name
SERVER_PACKAGES = {'jupyterhub-base': 'jupyterhub',
                   'jupyter-resource-usage': 'jupyter-resource-usage',
                   'jupyter-offlinenotebook': 'jupyter-offlinenotebook'}
INSTALL_TIMEOUT = 1200  # s, for one pip install of the whole pinned set
RUN_TIMEOUT = 300       # s, for anything else


def run(cmd, timeout=RUN_TIMEOUT, **kwargs):
    """Run `cmd`, capture its output as text; fail the test on a timeout."""
    try:
        return subprocess.run([str(c) for c in cmd], capture_output=True,
                              text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired:
        pytest.fail(f'{cmd[0]} took more than {timeout} s: {cmd}')


def check(proc, what):
    """Fail with the command's own output unless it exited 0."""
    assert proc.returncode == 0, (
        f'{what} failed (exit {proc.returncode}):\n'
        f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def python311():
    """Return a Python 3.11, the version Binder's image gets."""
    for py in (sys.executable, shutil.which('python3.11')):
        if py and run([py, '-c', 'import sys; '
                       'sys.exit(sys.version_info[:2] != (3, 11))'],
                      timeout=60).returncode == 0:
            return py
    pytest.skip('no Python 3.11 here to rebuild the Binder environment')


def make_venv(path, *requirements, timeout=INSTALL_TIMEOUT):
    """Create a fresh venv at `path`, pip install into it, return its bin."""
    check(run([python311(), '-m', 'venv', path], timeout=120), 'venv')
    bin_dir = pathlib.Path(path) / 'bin'
    check(run([bin_dir / 'python', '-m', 'pip', 'install', '--quiet',
               '--upgrade', 'pip'], timeout=timeout), 'upgrading pip')
    check(run([bin_dir / 'python', '-m', 'pip', 'install', '--quiet',
               *requirements], timeout=timeout),
          f'pip install {" ".join(map(str, requirements))}')
    return bin_dir


def binder_env():
    return yaml.safe_load((BINDER / 'environment.yml').read_text())


def pip_section(env):
    """Return the requirement strings of the env's pip section."""
    [pip] = [d['pip'] for d in env['dependencies'] if isinstance(d, dict)]
    return pip


def copy_repo(dest):
    """Copy the work tree as a clone would have it (plus local edits)."""
    listed = run(['git', 'ls-files', '-z', '--cached', '--others',
                  '--exclude-standard'], cwd=ROOT, timeout=60)
    if listed.returncode != 0:  # not a git checkout: copy all but the venv
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
            '.git', '.venv', '__pycache__', '*.egg-info', 'build'))
        return dest
    for rel in filter(None, listed.stdout.split('\0')):
        src = ROOT / rel
        if src.is_file():  # skip files deleted but not yet committed
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def run_postbuild(bin_dir, repo, mxnet_home, data_dir):
    """Run binder/postBuild as repo2docker does, in the venv at bin_dir."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV')}
    env.update(PATH=f'{bin_dir}{os.pathsep}{env.get("PATH", "")}',
               VIRTUAL_ENV=str(bin_dir.parent), MXNET_HOME=str(mxnet_home),
               D2L_DATA_DIR=str(data_dir))
    return run(['./binder/postBuild'], cwd=repo, env=env)


@pytest.fixture(scope='session')
def repo2docker(tmp_path_factory):
    """repo2docker, from a tools venv of its own."""
    bin_dir = make_venv(tmp_path_factory.mktemp('repo2docker-venv'),
                        REPO2DOCKER)
    return bin_dir / 'repo2docker'


@pytest.fixture(scope='session')
def binder_venv(tmp_path_factory):
    """A fresh venv holding exactly the pip section of the Binder env."""
    tmp = tmp_path_factory.mktemp('binder')
    pins = tmp / 'binder-pins.txt'
    pins.write_text('\n'.join(pip_section(binder_env())) + '\n')
    return make_venv(tmp / 'venv', '-r', pins)


@pytest.mark.slow
def test_repo2docker_builds_from_binder_folder(repo2docker):
    proc = check(run([repo2docker, '--no-build', '.'], cwd=ROOT),
                 'repo2docker --no-build')
    dockerfile, log = proc.stdout, proc.stderr
    assert 'Building conda environment for python=3.11' in log, log
    # The conda base env of Python 3.11 (file names escaped as -2e for .),
    # then our environment.yml over it
    [base] = re.findall(r'^COPY .* (\S+) /tmp/env/environment.lock$',
                        dockerfile, re.M)
    base = re.sub('-([0-9a-f]{2})', lambda m: chr(int(m[1], 16)), base)
    assert '/environment.py-3.11-linux-64.lock' in base, base
    # repo2docker copies files as the account that runs it (root in CI)
    owner = f'{os.getuid()}:{os.getgid()}'
    assert (f'COPY --chown={owner} src/binder/environment.yml '
            '${REPO_DIR}/binder/environment.yml') in dockerfile
    update = dockerfile.index('env update -p ${NB_PYTHON_PREFIX} '
                              '--file "binder/environment.yml"')
    # postBuild runs last, as the user, once the repository is copied in
    copy = dockerfile.index(f'COPY --chown={owner} src/ ${{REPO_DIR}}/')
    postbuild = dockerfile.index('RUN ./binder/postBuild')
    assert update < copy < postbuild
    users = re.findall(r'^USER (.+)$', dockerfile[:postbuild], re.M)
    assert users[-1] == '${NB_USER}', users
    # binder/ wins: the top-level environment.yml and requirements.txt
    # are not what Binder installs
    assert 'src/environment.yml' not in dockerfile
    assert 'requirements.txt' not in dockerfile
    # Launches start Jupyter directly: no binder/start wraps them
    assert 'binder/start' not in dockerfile


def test_postbuild_is_strict_bash():
    lines = (BINDER / 'postBuild').read_text().splitlines()
    assert lines[0] == '#!/bin/bash'
    assert 'set -euo pipefail' in lines
    assert os.access(BINDER / 'postBuild', os.X_OK)


def test_binder_env_is_python_pip_and_the_pins():
    env = binder_env()
    conda = [d for d in env['dependencies'] if isinstance(d, str)]
    assert [c.split()[0] for c in conda] == ['python=3.11', 'pip']
    pins = [line.partition('#')[0].strip() for line in
            (ROOT / 'requirements.txt').read_text().splitlines()]
    assert pip_section(env) == [p for p in pins if p]
    proc = run([sys.executable, ROOT / 'tools' / 'sync_env.py', '--check'],
               timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_binder_pins_install_consistently(binder_venv):
    proc = check(run([binder_venv / 'python', '-m', 'pip', 'check']),
                 'pip check')
    assert 'No broken requirements found' in proc.stdout
    # and the framework really works with the numpy it was given
    proc = check(run([binder_venv / 'python', '-c',
                      'import mxnet, numpy; print(mxnet.__version__, '
                      'numpy.__version__, mxnet.nd.ones(3).sum().asscalar())'
                      ]), 'importing mxnet')
    assert proc.stdout.split() == ['1.9.1', '1.23.5', '3.0']


@pytest.mark.slow
def test_binder_server_packages_accept_the_pins(repo2docker, binder_venv,
                                                tmp_path):
    # pip installs the pins over the base env without re-checking what is
    # already there; a pin that broke jupyterhub-singleuser would build
    # fine and then fail every launch
    [lock] = repo2docker.parent.parent.glob(
        'lib/python*/site-packages/repo2docker/buildpacks/conda/'
        'environment.py-3.11-linux-64.lock')
    versions = {}
    for url in re.findall(r'^https://\S+\.conda', lock.read_text(), re.M):
        name, version, _ = url.rsplit('/', 1)[1].rsplit('-', 2)
        versions[name] = version
    wanted = [f'{pypi}=={versions[conda]}'
              for conda, pypi in SERVER_PACKAGES.items()]
    pins = tmp_path / 'pins.txt'
    pins.write_text('\n'.join(pip_section(binder_env())) + '\n')
    check(run([binder_venv / 'python', '-m', 'pip', 'install', '--dry-run',
               '--quiet', '-c', pins, *wanted], timeout=INSTALL_TIMEOUT),
          f'resolving {" ".join(wanted)} under the pins')


@pytest.mark.slow
def test_postbuild_installs_package_and_bakes_verified_data(
        binder_venv, real_data_dir, tmp_path):
    # CI has no internet: postBuild finds the data in D2L_DATA_DIR (set by
    # .ci/run; skipped without it), where Binder's build downloads it
    repo = copy_repo(tmp_path / 'repo')
    home = tmp_path / 'mxnet-home'
    check(run_postbuild(binder_venv, repo, home, real_data_dir),
          'postBuild')

    found = []
    for name in ('fashion-mnist', 'mnist'):
        folder = home / 'datasets' / name
        specs = datasets.get_dataset(name).files.values()
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            s.filename for s in specs), f'{folder} holds more or less'
        for spec in specs:
            path = folder / spec.filename
            assert not path.is_symlink()  # a real copy, baked in
            assert len(datasets.decode(path, spec)) == spec.count
            found.append(path)
            # the same file outside the home folder, for a JupyterHub
            # whose home volume hides ~/.mxnet (D2L_DATA_DIR points here)
            shelf = (binder_venv.parent / 'share' / 'd2l-data' / name /
                     spec.filename)
            assert shelf.is_file() and not shelf.is_symlink()
            assert os.path.samefile(shelf, path), shelf
    assert len(found) == 8
    # a kernel on such a hub: an empty home, D2L_DATA_DIR set, no network
    empty = tmp_path / 'empty-home'
    empty.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV')}
    env.update(MXNET_HOME=str(empty), HOME=str(empty),
               D2L_DATA_DIR=str(binder_venv.parent / 'share' / 'd2l-data'))
    proc = check(run([binder_venv / 'python', '-c',
                      'from d2l_local import datasets\n'
                      'for name in ("fashion-mnist", "mnist"):\n'
                      '    ds = datasets.get_dataset(name)\n'
                      '    for key in ds.files:\n'
                      '        print(datasets.fetch_file(ds, key)[0])'],
                     cwd=tmp_path, env=env),
                 'reading the data through D2L_DATA_DIR')
    assert sorted(proc.stdout.split()) == sorted(
        str(binder_venv.parent / 'share' / 'd2l-data' / p.parent.name /
            p.name) for p in found)
    assert not any(empty.iterdir())  # nothing downloaded or cached

    # d2l_local went into the environment, not as a link to the checkout
    proc = check(run([binder_venv / 'python', '-c',
                      'import d2l_local; print(d2l_local.__file__)'],
                     cwd=tmp_path), 'importing d2l_local')
    installed = pathlib.Path(proc.stdout.strip())
    assert installed.is_relative_to(binder_venv.parent), installed
    # with its subpackages and saved results, as a real install has them
    check(run([binder_venv / 'python', '-c',
               'import d2l_local, d2l_local.tasks; '
               'd2l_local.read_result("lenet_grid.csv")'], cwd=tmp_path),
          'the installed package')
    # the course's JupyterLab defaults: no news question for the learner
    overrides = (binder_venv.parent / 'share' / 'jupyter' / 'lab' /
                 'settings' / 'overrides.json')
    news = json.loads(overrides.read_text())[
        '@jupyterlab/apputils-extension:notification']
    assert news['fetchNews'] == 'false'
    # and pip's build leftovers are gone from the reader's home folder
    assert not (repo / 'build').exists()
    assert not (repo / 'd2l_local.egg-info').exists()


@pytest.mark.slow
def test_postbuild_fails_the_build_on_a_bad_data_file(binder_venv,
                                                      tmp_path):
    # A corrupt copy where the data is looked up first: postBuild must stop
    # the build (no download is tried for a folder the builder named).
    bad = tmp_path / 'data' / 'fashion-mnist' / 'train-images-idx3-ubyte.gz'
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b'not a gzip file')
    repo = copy_repo(tmp_path / 'repo')
    home = tmp_path / 'mxnet-home'
    proc = run_postbuild(binder_venv, repo, home, tmp_path / 'data')
    assert proc.returncode != 0
    assert 'DataFileError' in proc.stderr
    assert 'train-images-idx3-ubyte.gz' in proc.stderr
    assert not (home / 'datasets' / 'fashion-mnist' /
                'train-images-idx3-ubyte.gz').exists()
