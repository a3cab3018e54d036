"""The course's set-up and its two commands (README.md, "Set-up").

    ./course lab [mxnet|pytorch]   set up an edition, open it in JupyterLab
    ./course test [pytest options] set up both editions, run the test suite
    ./course setup [mxnet|pytorch] set up (both editions by default)

On Windows, where there is no bash, the same is `py course.py lab`.  This
file uses Python's standard library only: any Python 3.10 or later runs it,
and it makes the course's virtual environment with a supported one.

The environment is .venv (D2L_VENV moves it), made by the Python that
PYTHON names or else the first supported one found.  Each Python has its
lock (requirements.txt on 3.11, locks/py3.X.txt on the others) in three
parts: [common] for both editions, [mxnet] and [pytorch] for each one's
framework.  An edition installs the common part and its own, so a learner
of one edition never downloads the other's framework; `./course test`
installs both where both install.  Each part goes in with
`pip install --no-deps` and is recorded in the stamp .venv/.course-installed
with a digest of its pins; a part whose pins did not change is skipped.

D2L_TORCH_INDEX=https://download.pytorch.org/whl/cpu takes torch and
torchvision from that index (PyTorch's CPU-only build) and leaves out the
CUDA libraries that only PyPI's Linux build needs.

Test hook: D2L_PLATFORM=System/machine (e.g. Darwin/arm64, Windows/AMD64,
Linux/aarch64) stands in for platform.system() and platform.machine(), so
the tests can run what each platform would (tests/test_course_script.py).
"""
import hashlib
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent
SUPPORTED = ('3.10', '3.11', '3.12', '3.13')
# Preferred first: 3.11 made the saved notebooks; then the newer ones.
PREFERRED = ['python3.11', 'python3.12', 'python3.13', 'python3.10',
             'python3', 'python']
EDITIONS = {'mxnet': 'the MXNet edition', 'pytorch': 'the PyTorch edition'}
# Where each edition installs: the platforms its framework has wheels for
# (MXNet 1.9.1: Linux x86_64 and aarch64, Intel macOS; PyTorch 2.14.1:
# Linux x86_64 and aarch64, Apple Silicon, Windows x86_64).
WHERE = {
    ('Linux', 'x86_64'): ('mxnet', 'pytorch'),
    ('Linux', 'aarch64'): ('mxnet', 'pytorch'),
    ('Darwin', 'x86_64'): ('mxnet',),
    ('Darwin', 'arm64'): ('pytorch',),
    ('Windows', 'AMD64'): ('pytorch',),
}
FRAMEWORK = {'mxnet': 'MXNet 1.9.1', 'pytorch': 'PyTorch 2.14.1'}
NOTEBOOK = {'mxnet': 'notebooks/lenet.ipynb',
            'pytorch': 'notebooks/pytorch/lenet.ipynb'}
STAMP = '.course-installed'
# What only the CUDA build of torch needs (left out with D2L_TORCH_INDEX).
CUDA_ONLY = re.compile(r'(nvidia-|cuda-|triton\b)', re.I)
PART = re.compile(r'# \[(\w+)\]')  # `# [pytorch] ...` starts a part


class Failure(Exception):
    """A set-up step that cannot go on; the message says what to do."""


def system():
    """('Linux', 'x86_64'), or what D2L_PLATFORM says."""
    simulated = os.environ.get('D2L_PLATFORM')
    if simulated:
        name, _, machine = simulated.partition('/')
        return name, machine
    return platform.system(), platform.machine()


def windows():
    return system()[0] == 'Windows'


def command():
    """How the reader started the course, for the messages."""
    default = 'py course.py' if windows() else 'python3 course.py'
    return os.environ.get('D2L_COURSE_CMD', default)


def where():
    """'macOS arm64' and the like, for the messages."""
    name, machine = system()
    return f'{ {"Darwin": "macOS"}.get(name, name)} {machine}'


# -- the locks ---------------------------------------------------------

def lock_of(version):
    """The lock file of a Python version, relative to the checkout."""
    if version == '3.11':
        return 'requirements.txt'
    return f'locks/py{version}.txt'


def parts(path):
    """{part: [requirement, ...]} of a lock, in file order.

    A line `# [name] ...` starts a part; each requirement belongs to the
    part above it, its comment dropped (markers after `;` are kept)."""
    out, part = {}, None
    for number, line in enumerate(pathlib.Path(path).read_text(
            encoding='utf-8').splitlines(), 1):
        header = PART.match(line)
        if header:
            part = header[1]
            out.setdefault(part, [])
            continue
        req = line.partition('#')[0].strip()
        if not req:
            continue
        if part is None:
            raise Failure(f'{path}, line {number}: {req} stands before any '
                          '`# [part]` line; run `python tools/lock.py`.')
        out[part].append(req)
    return out


def name_of(req):
    """'torch' of 'torch==2.14.1 ; sys_platform == ...'."""
    return re.split(r'[=<>!~ ;\[]', req, maxsplit=1)[0].lower()


def digest(lines, *extra):
    h = hashlib.sha256('\n'.join(lines).encode())
    for item in extra:
        h.update(b'\0' + (item if isinstance(item, bytes) else item.encode()))
    return h.hexdigest()[:16]


# -- finding a Python ----------------------------------------------------

def version_of(cmd):
    """'3.11' for a Python command that runs, or None."""
    try:
        run = subprocess.run(
            cmd + ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
            capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = run.stdout.strip()
    return out if run.returncode == 0 and out else None


def candidates():
    """[(command, name)] of the Pythons to try, in order."""
    if windows():  # the py launcher knows every installed Python
        found = [(['py', f'-{v}'], f'py -{v}')
                 for v in ('3.11', '3.12', '3.13', '3.10')]
        found.append((['python'], 'python'))
    else:
        found = [([name], name) for name in PREFERRED]
    return [(cmd, name) for cmd, name in found if shutil.which(cmd[0])]


def find_python():
    """(command, version, why) of the Python to make the venv with."""
    chosen = os.environ.get('PYTHON')
    if chosen:  # the reader's choice wins, or fails here
        if not shutil.which(chosen):
            raise Failure(f'PYTHON={chosen}: no such program. Point PYTHON '
                          'at a Python 3.10 to 3.13, or unset it to let the '
                          'course find one.')
        v = version_of([chosen])
        if v is None:
            run = subprocess.run([chosen, '-c', 'pass'], capture_output=True,
                                 text=True)
            raise Failure(f'PYTHON={chosen} does not run:\n'
                          + '\n'.join(run.stderr.splitlines()[:3]))
        if v not in SUPPORTED:
            raise Failure(
                f'PYTHON={chosen} is Python {v}; the course runs\n'
                'on Python 3.10 to 3.13 (each has its lock of tested '
                'versions). Point PYTHON at one of those, or unset it to '
                'let the course find one.')
        return [chosen], v, 'as PYTHON asks'
    found = candidates() + [([sys.executable], sys.executable)]
    for cmd, name in found:
        v = version_of(cmd)
        if v not in SUPPORTED:
            continue
        if v == '3.11':
            why = '(3.11 made the saved notebooks)'
        elif cmd == [sys.executable]:
            why = '(the Python running course.py; no 3.11 found)'
        else:
            why = '(the first supported Python found; no 3.11)'
        return cmd, v, why
    raise Failure(
        'this course needs Python 3.10, 3.11, 3.12 or 3.13 and found none.\n'
        'Install one (from python.org, or Ubuntu\'s python3: 3.12 on 24.04) '
        'and run again, or point PYTHON at it:\n'
        f'PYTHON=/path/to/python3.12 {command()} {ARGS[0] if ARGS else "lab"}')


# -- the environment -----------------------------------------------------

def venv_dir():
    return pathlib.Path(os.environ.get('D2L_VENV', '.venv'))


def venv_python(venv):
    if windows():
        return venv / 'Scripts' / 'python.exe'
    return venv / 'bin' / 'python'


def remove_hint(venv):
    if windows():
        return f'rmdir /s /q {venv}'
    return f'rm -rf {venv}'


def make_venv(venv):
    """The venv's Python version, making the venv first if need be."""
    python = venv_python(venv)
    if python.exists():
        have = version_of([str(python)]) or 'broken'
        if os.environ.get('PYTHON'):
            _, v, _ = find_python()
            if have != v:
                raise Failure(
                    f'{venv} was made with Python {have}, but\nPYTHON asks '
                    f'for {v}. Remove it ({remove_hint(venv)}) to rebuild '
                    f'it with {v}, or keep both: D2L_VENV=.venv-{v} '
                    f'PYTHON={os.environ["PYTHON"]} {command()} '
                    f'{ARGS[0] if ARGS else "lab"}')
        if have not in SUPPORTED:
            raise Failure(f'{venv} holds Python {have}, which the course '
                          f'does not support; remove it ({remove_hint(venv)})'
                          ' and run again.')
        return have
    cmd, v, why = find_python()
    name = ' '.join(cmd)
    if subprocess.run(cmd + ['-c', 'import ensurepip, venv'],
                      capture_output=True).returncode:
        raise Failure(
            f'{name} has no venv module (Debian and Ubuntu ship it apart): '
            'sudo apt-get install python3-venv\n'
            f'(or python{v}-venv), then run again.')
    print(f'course: using {name}, Python {v}: {why}', flush=True)
    version = subprocess.run(cmd + ['--version'], capture_output=True,
                             text=True).stdout.strip()
    print(f'course: creating {venv} with {version}', flush=True)
    existed = venv.exists()
    if subprocess.run(cmd + ['-m', 'venv', str(venv)]).returncode:
        if not existed:
            shutil.rmtree(venv, ignore_errors=True)  # nothing half made
        raise Failure(f'{name} could not make {venv} (its message is '
                      'above).')
    return v


def read_stamp(venv):
    """{part: digest} of what is installed in the venv."""
    out = {}
    try:
        text = (venv / STAMP).read_text()
    except OSError:
        return out
    for line in text.splitlines():
        part, _, value = line.partition(' ')
        if part in ('common', *EDITIONS) and value:  # not an old stamp's
            out[part] = value
    return out


def write_stamp(venv, done):
    tmp = venv / (STAMP + '.tmp')
    tmp.write_text(''.join(f'{p} {d}\n' for p, d in sorted(done.items())))
    os.replace(tmp, venv / STAMP)


def pip(python, *args):
    return subprocess.run([str(python), '-m', 'pip', *args]).returncode == 0


def install(venv, version, editions):
    """Install the lock's common part and each edition's, where changed."""
    lock = lock_of(version)
    if not pathlib.Path(lock).is_file():
        raise Failure(f'no lock file {lock} for Python {version}.')
    found = parts(lock)
    python = venv_python(venv)
    index = os.environ.get('D2L_TORCH_INDEX', '')
    done = read_stamp(venv)
    upgraded = False
    for part in ['common', *editions]:
        lines = found.get(part)
        if not lines:
            raise Failure(f'{lock} has no [{part}] part; run '
                          '`python tools/lock.py`.')
        extra = [pathlib.Path('pyproject.toml').read_bytes()] \
            if part == 'common' else []
        if part == 'pytorch':
            extra.append(index)
        want = digest(lines, *extra)
        if done.get(part) == want:
            continue
        what = EDITIONS.get(part, 'what both editions use')
        print(f'course: installing {lock} [{part}], {what} (a few minutes '
              'the first time)', flush=True)
        if not upgraded:
            pip(python, 'install', '--quiet', '--upgrade', 'pip')
            upgraded = True
        # The lock holds every package: --no-deps lets MXNet 1.9.1 (which
        # asks for numpy < 2) sit beside the numpy this Python needs.
        special = []
        if part == 'pytorch' and index:
            special = [r for r in lines
                       if name_of(r) in ('torch', 'torchvision')]
            lines = [r for r in lines if r not in special
                     and not CUDA_ONLY.match(name_of(r))]
        reqs = venv / f'.course-{part}.txt'
        reqs.write_text('\n'.join(lines) + '\n')
        try:
            ok = pip(python, 'install', '--quiet', '--no-deps', '-r',
                     str(reqs))
            if ok and special:
                ok = pip(python, 'install', '--quiet', '--no-deps',
                         '--force-reinstall', '--index-url', index, *special)
            if ok and part == 'common':
                ok = pip(python, 'install', '--quiet', '--no-deps', '-e', '.')
        finally:
            reqs.unlink()
        if not ok:
            raise Failure(f'pip could not install the [{part}] part of '
                          f'{lock} (its messages are above). Fix what they '
                          'say and run again.')
        done[part] = want
        write_stamp(venv, done)  # each part recorded once it is in


def setup(editions):
    """Make the venv and install the common part and `editions`."""
    venv = venv_dir()
    version = make_venv(venv)
    install(venv, version, editions)
    # The course's JupyterLab defaults (lab/README.md)
    settings = venv / 'share' / 'jupyter' / 'lab' / 'settings'
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copyfile('lab/overrides.json', settings / 'overrides.json')
    return venv_python(venv)


# -- the editions --------------------------------------------------------

def editions_here():
    """The editions that install on this platform, or a Failure."""
    here = WHERE.get(system())
    if here is None:
        raise Failure(
            f'neither edition of the course installs on {where()}: MXNet '
            '1.9.1 and PyTorch 2.14.1 publish no builds for it.\nOpen the '
            'notebooks on Colab, Kaggle or Binder (the badges in README.md), '
            'or use Linux (x86_64 or aarch64), macOS or Windows (x86_64).')
    return here


def cannot(edition):
    """The Failure for an edition that does not install here."""
    other = 'pytorch' if edition == 'mxnet' else 'mxnet'
    take = f'{command()} lab' + (' pytorch' if other == 'pytorch' else '')
    return Failure(
        f'{FRAMEWORK[edition]} has no build for {where()}, so '
        f'{EDITIONS[edition]} cannot be set up here.\nTake '
        f'{EDITIONS[other]} ({take}), or open the notebooks on Colab, '
        'Kaggle or Binder (the badges in README.md).')


def pick(args, default, note=''):
    """(editions, rest of args): an edition named first, else `default`
    ('all': every edition that installs here)."""
    here = editions_here()
    if args and args[0] in EDITIONS:
        edition, args = args[0], args[1:]
        if edition not in here:
            raise cannot(edition)
        return [edition], args
    if default == 'all':
        for edition in EDITIONS:
            if edition not in here:
                print(f'course: {FRAMEWORK[edition]} has no build for '
                      f'{where()}: setting up {EDITIONS[here[0]]} only'
                      f'{note}.', flush=True)
        return list(here), args
    if default not in here:
        print(f'course: {FRAMEWORK[default]} has no build for {where()}, '
              f'so this sets up {EDITIONS[here[0]]} ({command()} lab '
              f'{here[0]}).', flush=True)
        return [here[0]], args
    return [default], args


def notebook(edition):
    """What JupyterLab opens: the edition's chapter, else its folder."""
    for path in (NOTEBOOK[edition], os.path.dirname(NOTEBOOK[edition])):
        if os.path.exists(path):
            return path
    return 'notebooks'


def run(argv):
    """Run argv in place of this process (its exit code is ours)."""
    sys.stdout.flush()
    if windows():  # exec on Windows starts a child and returns at once
        child = subprocess.Popen(argv)
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # the child has it too, and decides
                continue
    os.execv(argv[0], argv)


USAGE = ('usage: {0} lab [mxnet|pytorch] [JupyterLab options] | '
         '{0} test [pytest options] | {0} setup [mxnet|pytorch]')
ARGS = []


def main(argv):
    ARGS[:] = argv
    cmd, args = (argv[0], argv[1:]) if argv else ('', [])
    try:
        os.chdir(ROOT)
        if cmd == 'lab':
            editions, args = pick(args, 'mxnet')
            python = setup(editions)
            return run([str(python), '-m', 'jupyterlab', '--ip=127.0.0.1',
                        notebook(editions[0]), *args])
        if cmd == 'test':
            editions, _ = pick([], 'all', '; the tests that need the other '
                               'are skipped')
            python = setup(editions)
            return run([str(python), '-m', 'pytest', '--nbval',
                        '--nbval-current-env', '--nbval-sanitize-with',
                        'tests/sanitize.cfg', '--nbval-cell-timeout=1200',
                        *args])
        if cmd == 'setup':
            editions, args = pick(args, 'all')
            if args:
                raise Failure(f'setup takes no options: {" ".join(args)}')
            setup(editions)
            return 0
    except Failure as failure:
        print(f'course: {failure}', file=sys.stderr)
        return 1
    print(USAGE.format(command()), file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
