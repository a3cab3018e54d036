"""The course on Linux aarch64, emulated: Debian 12's arm64 Python 3.11 in a
root of its own, MXNet's aarch64 wheel with the other pins of
requirements.txt, tools/armpl_standin.py, then the set-up, the chapter's
shape trace and a few training steps (tests/aarch64_smoke.py), whose
losses must match the same steps run here on x86_64.

qemu-user runs each arm64 program; with no binfmt_misc in a sandbox it is
named on the command line, inside a chroot so that the arm64 loader and
the links the tool makes resolve in the arm64 root.  mmdebstrap unpacks
Debian's arm64 packages without running them (--variant=extract), so the
links their install scripts would make (the BLAS alternatives) are made
here.  Needs root (chroot), qemu-user-static, mmdebstrap and the Debian
and PyPI registries; about 3 minutes on two idle cores.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from aarch64 import pins, pip_platforms, target

ROOT = pathlib.Path(__file__).resolve().parent.parent
QEMU = shutil.which('qemu-aarch64-static')
MMDEBSTRAP = shutil.which('mmdebstrap')
CHROOT = shutil.which('chroot') or '/usr/sbin/chroot'
IN_CI = os.environ.get('CI', '').lower() in ('1', 'true', 'yes')
# What MXNet needs beside Python: Debian's OpenBLAS and LAPACKE stand in
# for Arm Performance Libraries (tools/armpl_standin.py).
DEBIAN = ['python3.11-minimal', 'libpython3.11-stdlib', 'libstdc++6',
          'libgomp1', 'libopenblas0-openmp', 'liblapacke']
# The links libopenblas0-openmp's install script makes (update-alternatives)
ALTERNATIVES = ['libblas.so.3', 'liblapack.so.3', 'libopenblas.so.0']
# MXNet and what its metadata asks for, at requirements.txt's versions.
WHEELS = ['mxnet', 'numpy', 'requests', 'certifi', 'charset-normalizer',
          'idna', 'urllib3', 'graphviz']
PYTHON = '/usr/bin/python3.11'
LIB = 'usr/lib/aarch64-linux-gnu'
TIMEOUT = 900  # s for one emulated run; 1 to 3 minutes here

pytestmark = pytest.mark.slow


def need(found, what):
    """Fail in CI, where this test must run; skip elsewhere."""
    if not found:
        if IN_CI:
            pytest.fail(f'{what} (CI=true: the aarch64 test must run)')
        pytest.skip(what)


def run(command, **kwargs):
    """Run `command`; fail the test with its output if it fails."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, (
        f'{" ".join(command)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}')
    return done


def emulated(root, *args):
    """Run the arm64 Python in `root` under qemu; return the process."""
    env = {'PATH': '/usr/bin:/bin', 'HOME': '/root', 'LANG': 'C.UTF-8',
           'PYTHONPATH': '/opt/site:/opt/course',
           'D2L_DATA_DIR': '/opt/data', 'MXNET_HOME': '/tmp/mxnet'}
    return subprocess.run(
        [CHROOT, str(root), '/usr/bin/qemu-aarch64-static', PYTHON,
         *args], capture_output=True, text=True, env=env, timeout=TIMEOUT)


@pytest.fixture(scope='module')
def arm64(tmp_path_factory):
    """An arm64 root with Python 3.11, MXNet's wheel, the course and the
    Fashion-MNIST files; its path."""
    need(os.geteuid() == 0, 'chroot needs root')
    need(QEMU, 'no qemu-aarch64-static: apt-get install qemu-user-static')
    need(MMDEBSTRAP, 'no mmdebstrap: apt-get install mmdebstrap')
    data = os.environ.get('D2L_DATA_DIR')
    need(data, 'set D2L_DATA_DIR to the folder holding fashion-mnist/')
    root = tmp_path_factory.mktemp('arm64') / 'root'
    run([MMDEBSTRAP, '--quiet', '--variant=extract', '--arch=arm64',
         '--include=' + ','.join(DEBIAN), 'bookworm', str(root)],
        timeout=600)
    for name in ALTERNATIVES:
        (root / LIB / name).symlink_to(f'openblas-openmp/{name}')
    shutil.copy(QEMU, root / 'usr/bin/qemu-aarch64-static')
    lock = pins(ROOT / 'requirements.txt', target('3.11'))
    run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
         '--only-binary=:all:', '--python-version', '3.11',
         '--target', str(root / 'opt/site'), *pip_platforms(),
         *(lock[name] for name in WHEELS)], timeout=600)
    course = root / 'opt/course'
    shutil.copytree(ROOT / 'd2l_local', course / 'd2l_local',
                    ignore=shutil.ignore_patterns('__pycache__'))
    for path in ('tools/armpl_standin.py', 'tests/aarch64_smoke.py'):
        (course / path).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / path, course / path)
    shutil.copytree(pathlib.Path(data) / 'fashion-mnist',
                    root / 'opt/data/fashion-mnist')
    return root


def test_the_chapter_trains_on_aarch64_as_here(arm64):
    # As pip installs it, MXNet's aarch64 build does not load: its wheel
    # leaves Arm Performance Libraries out.
    load = emulated(arm64, '-c', 'import ctypes; '
                    'ctypes.CDLL("/opt/site/mxnet/libmxnet.so")')
    assert load.returncode != 0
    assert 'libarmpl_lp64_mp.so: cannot open shared object file' in (
        load.stderr)
    tool = emulated(arm64, '/opt/course/tools/armpl_standin.py')
    assert tool.returncode == 0, tool.stderr[-2000:]
    assert ('libarmpl_lp64_mp.so -> /usr/lib/aarch64-linux-gnu/'
            'liblapacke.so.3') in tool.stdout
    assert 'MXNet loads with OpenBLAS and LAPACKE' in tool.stdout
    arm = emulated(arm64, '/opt/course/tests/aarch64_smoke.py')
    assert arm.returncode == 0, arm.stderr[-3000:]
    arm_result = json.loads(arm.stdout.splitlines()[-1])
    here = run([sys.executable, str(ROOT / 'tests/aarch64_smoke.py')],
               env={**os.environ, 'PYTHONPATH': str(ROOT)}, timeout=600)
    here_result = json.loads(here.stdout.splitlines()[-1])
    assert arm_result['machine'] == 'aarch64'
    assert arm_result['python'].startswith('3.11.')
    assert 'MXNet 1.9.1, NumPy 1.23.5; seed 0' in arm.stdout
    assert arm_result['shapes'] == here_result['shapes'] == [
        [1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10], [1, 16, 5, 5],
        [1, 120], [1, 84], [1, 10]]
    assert arm_result['losses'] == pytest.approx(here_result['losses'],
                                                 rel=1e-4)
