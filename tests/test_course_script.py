"""./course on a machine that lacks what its set-up needs says what to do."""
import os
import pathlib
import subprocess
import sys

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
