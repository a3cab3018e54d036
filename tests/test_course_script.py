"""./course on a machine that lacks what its set-up needs says what to do."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_a_python_without_venv_gets_the_package_to_install(tmp_path):
    # Debian's python3 without python3-venv: version 3.11, no ensurepip
    fake = tmp_path / 'python3.11'
    fake.write_text('#!/bin/sh\ncase "$*" in *ensurepip*) exit 1;; esac\n'
                    f'exec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    venv = tmp_path / 'venv'
    run = subprocess.run(
        [str(ROOT / 'course'), 'test'], capture_output=True, text=True,
        env=dict(os.environ, PYTHON=str(fake), D2L_VENV=str(venv)),
        timeout=60)
    assert run.returncode != 0
    assert 'has no venv' in run.stderr
    assert 'sudo apt-get install python3-venv' in run.stderr
    assert not venv.exists()  # nothing half made


def fake_python(folder, name, version, venv_ok=False):
    """A stand-in `name` that says it is Python `version`; making a venv
    with it fails (exit 3) unless `venv_ok`, so set-up stops right there."""
    fake = folder / name
    fake.write_text(
        '#!/bin/sh\n'
        f'case "$*" in *version_info*) echo {version};;\n'
        '  *ensurepip*) exit 0;;\n'
        f'  *"-m venv"*) {"exit 0" if venv_ok else "echo no >&2; exit 3"};;\n'
        f'  --version) echo Python {version}.0;;\nesac\n')
    fake.chmod(0o755)
    return fake


def course(tmp_path, env, *args):
    return subprocess.run([str(ROOT / 'course'), 'setup', *args],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, D2L_VENV=str(tmp_path / 'venv'),
                                   **env))


def test_python_wins_when_supported(tmp_path):
    fake = fake_python(tmp_path, 'mypython', '3.12')
    run = course(tmp_path, {'PYTHON': str(fake)})
    assert run.returncode != 0  # the fake cannot make the venv
    assert f'using {fake}, Python 3.12: as PYTHON asks' in run.stdout


@pytest.mark.parametrize('version', ['3.9', '3.14', '2.7'])
def test_an_unsupported_python_fails_with_what_to_do(tmp_path, version):
    fake = fake_python(tmp_path, 'mypython', version)
    run = course(tmp_path, {'PYTHON': str(fake)})
    assert run.returncode != 0
    assert f'is Python {version}; the course runs' in run.stderr
    assert 'on Python 3.10 to 3.13' in run.stderr
    assert not (tmp_path / 'venv').exists()


def test_a_python_that_is_not_there_fails(tmp_path):
    run = course(tmp_path, {'PYTHON': str(tmp_path / 'nothing')})
    assert run.returncode != 0 and 'no such' in run.stderr


def test_python_against_a_venv_of_another_version_fails(tmp_path):
    (tmp_path / 'venv' / 'bin').mkdir(parents=True)
    fake_python(tmp_path / 'venv' / 'bin', 'python', '3.11')
    fake = fake_python(tmp_path, 'mypython', '3.13')
    run = course(tmp_path, {'PYTHON': str(fake)})
    assert run.returncode != 0
    assert 'was made with Python 3.11, but' in run.stderr
    assert 'PYTHON asks for 3.13' in run.stderr and 'D2L_VENV=' in run.stderr


def path_with(tmp_path, pythons):
    """A PATH of the tools ./course uses and the given fake Pythons."""
    bin_ = tmp_path / 'bin'
    bin_.mkdir()
    for tool in ('bash', 'cat', 'cksum', 'uname', 'cut', 'mkdir', 'cp',
                 'head', 'env', 'dirname'):
        (bin_ / tool).symlink_to(shutil.which(tool))
    for name, version in pythons.items():
        fake_python(bin_, name, version)
    return str(bin_)


@pytest.mark.parametrize('found, chosen, why', [
    ({'python3.12': '3.12', 'python3.11': '3.11'}, 'python3.11',
     '3.11 made the saved notebooks'),
    ({'python3.13': '3.13', 'python3': '3.9'}, 'python3.13',
     'the first supported Python found'),
    ({'python3': '3.12'}, 'python3', 'the first supported Python found'),
])
def test_without_python_it_takes_a_supported_one_and_says_why(
        tmp_path, found, chosen, why):
    run = subprocess.run(
        [shutil.which('bash'), str(ROOT / 'course'), 'setup'],
        capture_output=True, text=True, timeout=60,
        env={'PATH': path_with(tmp_path, found),
             'D2L_VENV': str(tmp_path / 'venv'), 'HOME': str(tmp_path)})
    assert f'using {chosen}, Python {found[chosen]}: ({why}' in run.stdout, \
        run.stdout + run.stderr


def test_with_no_supported_python_it_says_what_to_install(tmp_path):
    run = subprocess.run(
        [shutil.which('bash'), str(ROOT / 'course'), 'setup'],
        capture_output=True, text=True, timeout=60,
        env={'PATH': path_with(tmp_path, {'python3': '3.9'}),
             'D2L_VENV': str(tmp_path / 'venv'), 'HOME': str(tmp_path)})
    assert run.returncode != 0
    assert 'needs Python 3.10, 3.11, 3.12 or 3.13' in run.stderr
    assert 'PYTHON=/path/to/python3.12' in run.stderr
