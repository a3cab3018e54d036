"""requirements.txt installs on every Python 3.11 a reader is likely to have,
and each lock of locks/ on its own Python.

Some packages need a later 3.11.x than Debian 12's python3 (3.11.2); pip
then finds no version of the pin and the set-up stops. Resolving the pins
(pip's --dry-run) on each 3.11 interpreter found here catches that early.
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def interpreters():
    """This Python and the system's python3.11, if they are 3.11."""
    found = {}
    for candidate in (sys.executable, '/usr/bin/python3.11',
                      shutil.which('python3.11')):
        if not candidate or not pathlib.Path(candidate).exists():
            continue
        version = subprocess.run(
            [candidate, '-c', 'import sys; print(*sys.version_info[:3], '
             'sys.base_prefix)'], capture_output=True, text=True).stdout
        if version.startswith('3 11 '):
            micro, prefix = version.split(maxsplit=3)[2:]
            found.setdefault(prefix.strip(), (f'3.11.{micro}', candidate))
    return sorted(found.values())


INTERPRETERS = interpreters()  # asked once, at collection


def normal(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def pinned_here(lock, venv):
    """{name: version} of the lock's pins whose markers hold for the venv's
    Python here (pip itself evaluates them)."""
    code = ('import sys\n'
            'from pip._vendor.packaging.requirements import Requirement\n'
            'for line in open(sys.argv[1]):\n'
            '    line = line.partition("#")[0].strip()\n'
            '    if line:\n'
            '        r = Requirement(line)\n'
            '        if not r.marker or r.marker.evaluate():\n'
            '            print(r.name, str(r.specifier)[2:])\n')
    out = subprocess.run([str(venv / 'bin' / 'python'), '-c', code,
                          str(lock)], capture_output=True, text=True,
                         check=True).stdout
    return {normal(name): v for name, v in
            (line.split() for line in out.splitlines())}


@pytest.mark.slow
@pytest.mark.parametrize('version, python', INTERPRETERS,
                         ids=[v for v, _ in INTERPRETERS])
def test_the_pins_resolve(version, python, tmp_path):
    # With dependencies, as pip would resolve them: it must find nothing to
    # add, since ./course installs each part with --no-deps
    venv = tmp_path / 'venv'
    subprocess.run([python, '-m', 'venv', str(venv)], check=True)
    pip = [str(venv / 'bin' / 'python'), '-m', 'pip']
    result = subprocess.run(
        pip + ['install', '--dry-run', '--ignore-installed', '--quiet',
               '--report', str(tmp_path / 'report.json'),
               '-r', str(ROOT / 'requirements.txt')],
        capture_output=True, text=True, timeout=600)
    errors = [line for line in result.stderr.splitlines()
              if line.startswith('ERROR')]
    assert result.returncode == 0, f'Python {version}: ' + '\n'.join(
        errors[-3:])
    report = json.loads((tmp_path / 'report.json').read_text())
    resolved = {normal(p['metadata']['name']): p['metadata']['version']
                for p in report['install']}
    assert resolved == pinned_here(ROOT / 'requirements.txt', venv)


# The locks of the other Pythons (tools/lock.py): each pin must have a build
# for its Python.  They are installed --no-deps (./course), so that is
# what the dry run checks; that they work together is what the fast tier,
# run in a venv of each lock, shows.
LOCKS = sorted((ROOT / 'locks').glob('py3.*.txt'))


@pytest.mark.slow
@pytest.mark.parametrize('lock', LOCKS, ids=[p.stem for p in LOCKS])
def test_each_lock_installs_on_its_python(lock, tmp_path):
    import pythons
    version = lock.stem[2:]
    python = pythons.require(version)
    venv = tmp_path / 'venv'
    subprocess.run([python, '-m', 'venv', str(venv)], check=True)
    result = subprocess.run(
        [str(venv / 'bin' / 'python'), '-m', 'pip', 'install', '--dry-run',
         '--ignore-installed', '--no-deps', '--quiet', '-r', str(lock)],
        capture_output=True, text=True, timeout=600)
    errors = [line for line in result.stderr.splitlines()
              if line.startswith('ERROR')]
    assert result.returncode == 0, f'Python {version}: ' + '\n'.join(
        errors[-3:])

