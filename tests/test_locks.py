"""Each supported Python has its lock, in three parts, with the course's own
packages and, on every platform an edition installs on, what that edition's
framework needs (tools/lock.py writes them; tests/test_pins.py installs
them)."""
import pathlib
import sys

import pytest
from packaging.markers import Marker

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / 'tools'))
import course  # noqa: E402
import lock  # noqa: E402  (tools/lock.py)

LOCKS = {v: ROOT / course.lock_of(v) for v in course.SUPPORTED}
SYS_PLATFORM = {'Linux': 'linux', 'Darwin': 'darwin', 'Windows': 'win32'}
# What torch 2.14.1 and torchvision 0.29.1 ask for on every platform
TORCH_NEEDS = {'torch', 'torchvision', 'filelock', 'sympy', 'mpmath',
               'networkx', 'jinja2', 'fsspec', 'typing-extensions',
               'setuptools', 'numpy', 'pillow'}
# and the CUDA build, PyPI's Linux wheel, besides
CUDA_NEEDS = {'triton', 'nvidia-cublas', 'nvidia-cudnn-cu13',
              'nvidia-nccl-cu13', 'nvidia-cuda-runtime', 'cuda-toolkit'}


def pins(version, part, where):
    """{name: version} of a lock's part whose markers hold on `where`."""
    system, machine = where
    env = {'sys_platform': SYS_PLATFORM[system], 'platform_machine': machine,
           'platform_system': system, 'python_version': version,
           'python_full_version': f'{version}.0',
           'os_name': 'nt' if system == 'Windows' else 'posix'}
    out = {}
    for req in course.parts(LOCKS[version])[part]:
        spec, _, marker = req.partition(';')
        if marker.strip() and not Marker(marker).evaluate(env):
            continue
        name = course.name_of(spec)
        assert name not in out, f'{LOCKS[version].name}: {name} twice on ' \
                                f'{where}'
        out[name] = spec.partition('==')[2].strip()
    return out


def test_every_python_has_a_lock_in_three_parts():
    assert sorted(p.name for p in (ROOT / 'locks').glob('py3.*.txt')) == [
        'py3.10.txt', 'py3.12.txt', 'py3.13.txt']
    for version, path in LOCKS.items():
        assert list(course.parts(path)) == ['common', 'mxnet', 'pytorch'], \
            path.name


@pytest.mark.parametrize('version', course.SUPPORTED)
def test_each_lock_holds_the_course_s_packages(version):
    for part, names in lock.inputs(version).items():
        for where, editions in course.WHERE.items():
            if part != 'common' and part not in editions:
                continue
            found = pins(version, part, where)
            for name in names:
                assert name in found, (f'{LOCKS[version].name} [{part}] '
                                       f'lacks {name} on {where}')
    linux = ('Linux', 'x86_64')
    assert pins(version, 'mxnet', linux)['mxnet'] == '1.9.1'
    assert pins(version, 'pytorch', linux)['torch'] == '2.14.1'
    assert pins(version, 'pytorch', linux)['torchvision'] == '0.29.1'
    common = pins(version, 'common', linux)
    assert not {'mxnet', 'torch', 'torchvision'} & set(common)
    numpy = {'3.10': '1.23.5', '3.11': '1.23.5', '3.12': '1.26.4',
             '3.13': '2.2.6'}[version]
    assert common['numpy'] == numpy


@pytest.mark.parametrize('where', course.WHERE, ids='/'.join)
@pytest.mark.parametrize('version', course.SUPPORTED)
def test_each_platform_gets_what_its_editions_need(version, where):
    editions = course.WHERE[where]
    common = pins(version, 'common', where)
    mxnet = pins(version, 'mxnet', where)
    torch = pins(version, 'pytorch', where)
    if 'mxnet' in editions:
        assert {'mxnet', 'graphviz'} <= set(mxnet)
    else:  # the line is there, its marker keeps pip from trying
        assert not mxnet
    if 'pytorch' in editions:
        have = set(common) | set(torch)
        assert TORCH_NEEDS <= have, TORCH_NEEDS - have
        cuda = CUDA_NEEDS & have
        assert cuda == (CUDA_NEEDS if where[0] == 'Linux' else set())
        # no pin of the PyTorch part changes one of the common part
        assert not set(torch) & set(common)
    else:
        assert not torch
    if where[0] == 'Windows':  # what Jupyter needs there
        assert {'pywinpty', 'colorama'} <= set(common)
        assert 'pexpect' not in common
    if where[0] == 'Darwin':
        assert 'appnope' in common


def test_the_course_script_reads_each_lock(tmp_path):
    assert course.SUPPORTED == ('3.10', '3.11', '3.12', '3.13')
    assert course.lock_of('3.11') == 'requirements.txt'
    assert course.lock_of('3.12') == 'locks/py3.12.txt'
    # a requirement before any part is an error that says what to do
    (tmp_path / 'lock.txt').write_text('# a lock\nnumpy==1.23.5\n')
    with pytest.raises(course.Failure, match='run `python tools/lock.py`'):
        course.parts(tmp_path / 'lock.txt')


def test_markers_name_exactly_the_platforms():
    everywhere = list(course.WHERE)
    assert lock.marker(everywhere) == ''
    torch = [w for w in everywhere if 'pytorch' in course.WHERE[w]]
    assert lock.marker(torch) == ("sys_platform != 'darwin' or "
                                  "platform_machine != 'x86_64'")
    mxnet = [w for w in everywhere if 'mxnet' in course.WHERE[w]]
    assert lock.marker(mxnet) == (
        "sys_platform == 'linux' or (sys_platform == 'darwin' and "
        "platform_machine == 'x86_64')")
    assert lock.marker([('Windows', 'AMD64')]) == "sys_platform == 'win32'"
