"""Find the Pythons the course supports on this machine, for the tests
that build a virtual environment of another version.

A Python X.Y is `pythonX.Y` on PATH, if it runs, or one under pyenv's
versions folder.  Where none is found the test skips, unless
D2L_REQUIRE_PYTHONS is set (CI sets it): then it fails.
"""
import glob
import os
import shutil
import subprocess

import pytest

PYENV = os.path.expanduser(os.environ.get('PYENV_ROOT', '/root/.pyenv'))


def version_of(python):
    """'3.13' for a Python that runs, else None."""
    try:
        out = subprocess.run(
            [python, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
            capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find(version):
    """A Python `version` ('3.13') found here, or None."""
    candidates = [shutil.which(f'python{version}')]
    candidates += sorted(glob.glob(
        f'{PYENV}/versions/{version}.*/bin/python{version}'), reverse=True)
    for python in filter(None, candidates):
        if version_of(python) == version:
            return python
    return None


def require(version):
    """A Python `version`, or skip (fail under D2L_REQUIRE_PYTHONS)."""
    python = find(version)
    if python is None:
        message = (f'no Python {version} here (pythonX.Y on PATH, or under '
                   f'{PYENV}/versions)')
        if os.environ.get('D2L_REQUIRE_PYTHONS'):
            pytest.fail(message)
        pytest.skip(message)
    return python
