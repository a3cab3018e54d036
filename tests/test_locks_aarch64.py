"""Every lock installs on Linux aarch64 (Graviton, a Raspberry Pi 5, Docker's
linux/arm64 containers on an Apple Silicon Mac): each line that applies
there has a wheel for it, and nothing a package needs there is missing.

pip's dry run resolves each lock for the target (--platform,
--python-version) and reads only the packages' metadata, never the wheels
(pip download would fetch them all).  pip evaluates a line's environment
marker on the machine it runs on, not on the target, so the lines are
filtered here for aarch64 first.  ./course installs a lock with --no-deps,
so a dependency the lock lacks is found only here, from what each chosen
wheel says it requires on aarch64.
"""
import json
import pathlib
import subprocess
import sys

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from aarch64 import pins, pip_platforms, target

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCKS = {'3.11': ROOT / 'requirements.txt'}
LOCKS.update({p.stem[2:]: p for p in sorted(ROOT.glob('locks/py3.*.txt'))})


def missing(report, env):
    """[(package, requirement)] that a chosen wheel needs on `env` and
    the lock does not hold, following extras (cuda-toolkit[cublas])."""
    chosen = {canonicalize_name(i['metadata']['name']): i['metadata']
              for i in report['install']}
    extras = {name: {''} for name in chosen}
    gaps, changed = set(), True
    while changed:  # until no package is asked for a new extra
        changed = False
        for name, meta in chosen.items():
            for text in meta.get('requires_dist') or []:
                req = Requirement(text)
                if req.marker and not any(
                        req.marker.evaluate({**env, 'extra': extra})
                        for extra in extras[name]):
                    continue
                dep = canonicalize_name(req.name)
                if dep not in chosen:
                    gaps.add((meta['name'], text))
                elif not req.extras <= extras[dep]:
                    extras[dep] |= req.extras
                    changed = True
    return sorted(gaps)


@pytest.fixture(scope='module')
def resolved(tmp_path_factory):
    """Start pip's dry run of every lock at once; {version: process}."""
    runs = {}
    for version, lock in LOCKS.items():
        tmp = tmp_path_factory.mktemp(f'aarch64-{version}')
        lines = pins(lock, target(version))
        (tmp / 'lock.txt').write_text('\n'.join(lines.values()) + '\n')
        command = [sys.executable, '-m', 'pip', 'install', '--dry-run',
                   '--ignore-installed', '--no-deps', '--quiet',
                   '--only-binary=:all:', '--python-version', version,
                   '--target', str(tmp / 'target'),
                   '--report', str(tmp / 'report.json'),
                   '-r', str(tmp / 'lock.txt')] + pip_platforms()
        process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        runs[version] = (process, tmp, lines)
    yield runs
    for process, _, _ in runs.values():
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
@pytest.mark.parametrize('version', sorted(LOCKS))
def test_the_lock_resolves_to_aarch64_wheels(version, resolved):
    process, tmp, lines = resolved[version]
    _, stderr = process.communicate(timeout=600)
    errors = [line for line in stderr.splitlines()
              if line.startswith('ERROR')]
    assert process.returncode == 0, (
        f'{LOCKS[version].name} on Linux aarch64, Python {version}:\n'
        + '\n'.join(errors[-3:]))
    report = json.loads((tmp / 'report.json').read_text())
    wheels = {canonicalize_name(i['metadata']['name']):
              i['download_info']['url'].rsplit('/', 1)[-1]
              for i in report['install']}
    assert sorted(wheels) == sorted(lines)
    for name, wheel in wheels.items():
        assert wheel.endswith('.whl'), f'{name}: {wheel}'
        tags = wheel[:-4].split('-')[-1]  # e.g. manylinux_2_17_aarch64
        assert tags == 'any' or 'aarch64' in tags, f'{name}: {wheel}'
    assert missing(report, target(version)) == [], (
        f'{LOCKS[version].name} lacks what these need on aarch64')


def test_markers_are_read_for_aarch64(tmp_path):
    lock = tmp_path / 'lock.txt'
    lock.write_text(
        '# a comment\n'
        'mxnet==1.9.1       # the framework\n'
        "triton==3.8.0 ; platform_machine == 'x86_64'\n"
        "nvidia-nccl-cu13==2.30.7 ; sys_platform == 'linux'\n"
        "tomli==2.2.1 ; python_version < '3.11'\n")
    assert pins(lock, target('3.11')) == {
        'mxnet': 'mxnet==1.9.1',
        'nvidia-nccl-cu13': 'nvidia-nccl-cu13==2.30.7'}
    assert 'tomli' in pins(lock, target('3.10'))
    lock.write_text('numpy>=1.23\n')
    with pytest.raises(AssertionError, match='not an exact pin'):
        pins(lock, target('3.11'))


def test_a_dependency_the_lock_lacks_is_found():
    def item(name, *requires):
        return {'metadata': {'name': name, 'requires_dist': list(requires)}}
    report = {'install': [
        item('torch',
             'cuda-toolkit[cublas]==13.0.3; platform_system == "Linux"',
             'triton~=3.8.0; platform_system == "Linux"',
             'pywin32; sys_platform == "win32"',
             'optree>=0.13.0; extra == "optree"'),
        item('cuda-toolkit', 'nvidia-cublas==13.1.1.3; extra == "cublas"',
             'nvidia-cufft; extra == "cufft"')]}
    assert missing(report, target('3.11')) == [
        ('cuda-toolkit', 'nvidia-cublas==13.1.1.3; extra == "cublas"'),
        ('torch', 'triton~=3.8.0; platform_system == "Linux"')]
