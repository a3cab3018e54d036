"""Write locks/py3.10.txt, py3.12.txt and py3.13.txt from requirements.txt.

requirements.txt is the lock of Python 3.11, where the saved notebooks were
made.  Each other Python gets a lock of its own: the same direct packages
(requirements.txt's first section) at the versions that Python needs
(CHANGES below), with everything they depend on resolved for it by uv:

    pip install uv==0.13.8
    python tools/lock.py            # all three; or: python tools/lock.py 3.13

uv resolves for a Python version without that Python being installed and
never downloads one.  ./course installs a lock with `pip install --no-deps`:
each lock holds every package, and that is how MXNet 1.9.1, whose metadata
asks for numpy < 2, and d2l 1.0.3, which pins numpy 1.23.5, go in beside the
numpy a newer Python needs (OVERRIDES).
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOCKS = ROOT / 'locks'
PLATFORM = 'x86_64-manylinux_2_28'  # MXNet 1.9.1's wheels: x86_64 only

# Direct packages that differ from Python 3.11's, and why.
CHANGES = {
    '3.10': {
        'ipykernel': 'ipykernel<7.4       # 7.4 needs 3.11 (and IPython 9)',
    },
    '3.12': {
        'numpy': 'numpy==1.26.4       # the last numpy 1; no 1.23 for 3.12',
        'matplotlib': 'matplotlib==3.10.9  # first wheels for numpy 2 era',
        'pandas': 'pandas==2.2.3       # 2.0 has no wheels for 3.12',
        'setuptools': 'setuptools==80.9.0  # supplies the distutils MXNet '
                      'imports (3.12 removed it)',
    },
    '3.13': {
        'numpy': 'numpy==2.2.6        # numpy 1 has no wheels for 3.13',
        'matplotlib': 'matplotlib==3.10.9',
        'pandas': 'pandas==2.2.3',
        'setuptools': 'setuptools==80.9.0  # supplies the distutils MXNet '
                      'imports (3.12 removed it)',
    },
}
# What MXNet's and d2l's metadata ask for, overridden where a Python needs
# newer: these packages run on them (tests/test_numpy_compat.py, the
# notebooks' replays), their metadata predates them.
OVERRIDES = {
    '3.12': ['numpy==1.26.4', 'matplotlib==3.10.9', 'pandas==2.2.3',
             'scipy==1.16.3', 'requests==2.32.5', 'jupyter==1.1.1',
             'matplotlib-inline==0.1.7'],
    '3.13': ['numpy==2.2.6', 'matplotlib==3.10.9', 'pandas==2.2.3',
             'scipy==1.16.3', 'requests==2.32.5', 'jupyter==1.1.1',
             'matplotlib-inline==0.1.7'],
}


def direct(path=ROOT / 'requirements.txt'):
    """{name: line} of requirements.txt's first section (its direct
    packages, with their comments)."""
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith('# What those depend on'):
            break
        req = line.partition('#')[0].strip()
        if req:
            out[req.partition('==')[0].lower()] = line
    return out


def inputs(version):
    """The direct requirement lines for `version`."""
    lines = direct()
    lines.update(CHANGES.get(version, {}))
    return list(lines.values())


def lock(version, uv=None):
    """Resolve the lock of Python `version` with uv; return its text."""
    uv = uv or shutil.which('uv')
    if not uv:
        sys.exit('lock.py needs uv: pip install uv==0.13.8')
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / 'in.txt').write_text('\n'.join(inputs(version)) + '\n')
        (tmp / 'over.txt').write_text(
            '\n'.join(OVERRIDES.get(version, [])) + '\n')
        run = subprocess.run(
            [uv, 'pip', 'compile', str(tmp / 'in.txt'),
             '--python-version', version, '--python-platform', PLATFORM,
             '--override', str(tmp / 'over.txt'), '--no-header',
             '--no-annotate', '--quiet', '--no-python-downloads'],
            capture_output=True, text=True, check=False)
        if run.returncode:
            sys.exit(f'uv could not resolve Python {version}:\n{run.stderr}')
        resolved = run.stdout
    comments = {name: line.partition('#')[2].strip()
                for name, line in direct().items()}
    comments.update({name: line.partition('#')[2].strip()
                     for name, line in CHANGES.get(version, {}).items()})
    head = [f'# Exact versions for Python {version}, resolved by '
            'tools/lock.py from',
            '# requirements.txt (the Python 3.11 lock): edit there or in '
            'tools/lock.py,',
            '# then run `python tools/lock.py`.  ./course installs this '
            'file with',
            '# `pip install --no-deps`: it holds every package.', '']
    body = []
    for line in resolved.splitlines():
        name = line.partition('==')[0].strip().lower()
        if not line.strip() or line.startswith('#'):
            continue
        note = comments.get(name)
        body.append(f'{line:<28} # {note}' if note else line)
    return '\n'.join(head + body) + '\n'


def main(versions):
    LOCKS.mkdir(exist_ok=True)
    for version in versions or sorted(CHANGES):
        path = LOCKS / f'py{version}.txt'
        path.write_text(lock(version))
        print(f'wrote {path.relative_to(ROOT)}')


if __name__ == '__main__':
    main(sys.argv[1:])
