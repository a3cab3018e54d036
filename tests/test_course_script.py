"""./course (and course.py, its set-up) on the machines learners have.

The platform is simulated through course.py's test hook, D2L_PLATFORM
(System/machine); the Pythons through stand-ins that answer as a given
version, make a venv of stand-ins (bin/python, or Scripts\\python.exe on
Windows) and log what they are asked to do, with the contents of every
requirements file pip is given.  So each platform's choices are checked
down to the pip commands and the notebook JupyterLab opens, without
installing anything; `test_the_pytorch_edition_installs_without_mxnet`
builds the PyTorch edition for real.
"""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import course  # noqa: E402  (course.py: its lock format and platforms)


# -- ./course itself ---------------------------------------------------------

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


def course_sh(tmp_path, env, *args):
    return subprocess.run([str(ROOT / 'course'), 'setup', *args],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, D2L_VENV=str(tmp_path / 'venv'),
                                   **env))


def test_python_wins_when_supported(tmp_path):
    fake = fake_python(tmp_path, 'mypython', '3.12')
    run = course_sh(tmp_path, {'PYTHON': str(fake)})
    assert run.returncode != 0  # the fake cannot make the venv
    assert f'using {fake}, Python 3.12: as PYTHON asks' in run.stdout
    assert not (tmp_path / 'venv').exists()  # nothing half made


@pytest.mark.parametrize('version', ['3.9', '3.14', '2.7'])
def test_an_unsupported_python_fails_with_what_to_do(tmp_path, version):
    fake = fake_python(tmp_path, 'mypython', version)
    run = course_sh(tmp_path, {'PYTHON': str(fake)})
    assert run.returncode != 0
    assert f'is Python {version}; the course runs' in run.stderr
    assert 'on Python 3.10 to 3.13' in run.stderr
    assert not (tmp_path / 'venv').exists()


def test_a_python_that_is_not_there_fails(tmp_path):
    run = course_sh(tmp_path, {'PYTHON': str(tmp_path / 'nothing')})
    assert run.returncode != 0 and 'no such' in run.stderr


def test_python_against_a_venv_of_another_version_fails(tmp_path):
    (tmp_path / 'venv' / 'bin').mkdir(parents=True)
    fake_python(tmp_path / 'venv' / 'bin', 'python', '3.11')
    fake = fake_python(tmp_path, 'mypython', '3.13')
    run = course_sh(tmp_path, {'PYTHON': str(fake)})
    assert run.returncode != 0
    assert 'was made with Python 3.11, but' in run.stderr
    assert 'PYTHON asks for 3.13' in run.stderr and 'D2L_VENV=' in run.stderr


def path_with(tmp_path, pythons):
    """A PATH of the tools ./course uses and the given fake Pythons."""
    bin_ = tmp_path / 'bin'
    bin_.mkdir()
    for tool in ('bash', 'dirname'):
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
    # course.py run by this Python looks for the course's Python on PATH
    run = subprocess.run(
        [sys.executable, str(ROOT / 'course.py'), 'setup'],
        capture_output=True, text=True, timeout=60,
        env={'PATH': path_with(tmp_path, found), 'D2L_PLATFORM':
             'Linux/x86_64', 'D2L_VENV': str(tmp_path / 'venv'),
             'HOME': str(tmp_path)})
    assert f'using {chosen}, Python {found[chosen]}: ({why}' in run.stdout, \
        run.stdout + run.stderr


def test_with_no_python_to_run_the_set_up_it_says_what_to_install(tmp_path):
    # ./course finds no Python 3.10 or later to run course.py with
    run = subprocess.run(
        [shutil.which('bash'), str(ROOT / 'course'), 'setup'],
        capture_output=True, text=True, timeout=60,
        env={'PATH': path_with(tmp_path, {'python3': '3.9'}),
             'D2L_VENV': str(tmp_path / 'venv'), 'HOME': str(tmp_path)})
    assert run.returncode != 0
    assert 'needs Python 3.10, 3.11, 3.12 or 3.13' in run.stderr
    assert 'PYTHON=/path/to/python3.12' in run.stderr


def test_the_usage_names_both_editions(tmp_path):
    run = subprocess.run([str(ROOT / 'course'), 'help'], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.startswith(
        'usage: ./course lab [mxnet|pytorch] [JupyterLab options] | '
        './course test [pytest options]')


# -- each platform, simulated ------------------------------------------------

FAKE = '''#!{python}
"""A stand-in Python {version}: makes venvs of stand-ins, logs the rest."""
import os, shutil, sys
LOG, VERSION, HERE = {log!r}, {version!r}, os.path.abspath(__file__)
args = sys.argv[1:]
if args and args[0].startswith('-3.'):  # the py launcher: py -3.11 ...
    if args[0][1:] != VERSION:
        sys.exit('No suitable Python runtime found')
    args = args[1:]
code = args[1] if args[:1] == ['-c'] else ''
if 'version_info' in code:
    print(VERSION)
elif args == ['--version']:
    print('Python', VERSION + '.0')
elif code:  # import ensurepip, venv
    pass
elif args[:2] == ['-m', 'venv']:
    windows = os.environ['D2L_PLATFORM'].startswith('Windows')
    where = os.path.join(args[2], 'Scripts' if windows else 'bin')
    os.makedirs(where)
    python = os.path.join(where, 'python.exe' if windows else 'python')
    with open(HERE) as src:
        text = src.read()
    with open(python, 'w') as dst:  # a stand-in, not the py launcher
        dst.write(text)
    os.chmod(python, 0o755)
    with open(LOG, 'a') as log:
        print('venv', *sys.argv, file=log)
else:
    with open(LOG, 'a') as log:
        print(HERE, *args, file=log)
        if '-r' in args:
            with open(args[args.index('-r') + 1]) as reqs:
                log.write(reqs.read())
    failing = os.environ.get('FAKE_PIP_FAILS')
    if failing and '-r' in args and failing in args[args.index('-r') + 1]:
        sys.exit(1)
'''


class Machine:
    """A simulated platform with a stand-in Python `version` to set up."""

    def __init__(self, tmp_path, platform, version='3.11', launcher=None):
        self.log = tmp_path / 'log.txt'
        self.venv = tmp_path / 'venv'
        bin_ = tmp_path / 'bin'
        bin_.mkdir()
        self.python = bin_ / (launcher or f'python{version}')
        self.python.write_text(FAKE.format(python=sys.executable,
                                           version=version, log=str(self.log)))
        self.python.chmod(0o755)
        self.env = {'PATH': f'{bin_}{os.pathsep}/usr/bin:/bin',
                    'HOME': str(tmp_path), 'D2L_PLATFORM': platform,
                    'D2L_VENV': str(self.venv)}
        if not launcher:
            self.env['PYTHON'] = str(self.python)

    def course(self, *args, **env):
        """Run `course.py args` here, as `py course.py` is run on Windows."""
        return subprocess.run([sys.executable, str(ROOT / 'course.py'), *args],
                              capture_output=True, text=True, timeout=120,
                              env=dict(self.env, **env))

    def calls(self):
        """What the stand-ins were asked to do, one string per call."""
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text().splitlines():
            if line.startswith(('/', 'venv ')):  # a stand-in's call
                out.append(line)
            else:  # a line of the requirements file it was given
                out[-1] += '\n' + line
        return out

    def pip_installs(self):
        """{part: requirement lines} that pip was given, in order."""
        found = {}
        for call in self.calls():
            head, *lines = call.split('\n')
            if ' -m pip install' in head and ' -r ' in head:
                part = head.rsplit('.course-', 1)[1].removesuffix('.txt')
                found[part] = lines
        return found

    def opened(self):
        """The arguments JupyterLab (or pytest) was started with."""
        [call] = [c for c in self.calls() if ' -m jupyterlab ' in c
                  or ' -m pytest ' in c]
        return call.split()


def pytorch_notebook():
    """What `lab pytorch` opens: the chapter's twin, else its folder."""
    for path in ('notebooks/pytorch/lenet.ipynb', 'notebooks/pytorch'):
        if (ROOT / path).exists():
            return path
    return 'notebooks'


def lock_part(version, part):
    return course.parts(ROOT / course.lock_of(version))[part]


def test_apple_silicon_sets_up_the_pytorch_edition_and_says_so(tmp_path):
    mac = Machine(tmp_path, 'Darwin/arm64')
    run = mac.course('lab')
    assert run.returncode == 0, run.stderr
    said = [line for line in run.stdout.splitlines() if 'MXNet' in line]
    assert said == ['course: MXNet 1.9.1 has no build for macOS arm64, so '
                    'this sets up the PyTorch edition (python3 course.py '
                    'lab pytorch).']
    installed = mac.pip_installs()
    assert list(installed) == ['common', 'pytorch']
    assert installed['pytorch'] == lock_part('3.11', 'pytorch')
    assert not any(course.name_of(r) == 'mxnet'
                   for lines in installed.values() for r in lines)
    assert mac.opened()[:3] == [str(mac.venv / 'bin' / 'python'), '-m',
                                'jupyterlab']
    assert mac.opened()[-1] == pytorch_notebook()


def test_apple_silicon_refuses_the_mxnet_edition_saying_what_to_do(tmp_path):
    mac = Machine(tmp_path, 'Darwin/arm64')
    run = mac.course('lab', 'mxnet')
    assert run.returncode == 1
    assert 'MXNet 1.9.1 has no build for macOS arm64' in run.stderr
    assert 'Take the PyTorch edition (python3 course.py lab pytorch)' \
        in run.stderr
    assert not mac.venv.exists() and not mac.calls()


def test_apple_silicon_tests_the_pytorch_edition_only(tmp_path):
    mac = Machine(tmp_path, 'Darwin/arm64')
    run = mac.course('test', '-m', 'not slow')
    assert run.returncode == 0, run.stderr
    assert ('MXNet 1.9.1 has no build for macOS arm64: setting up the '
            'PyTorch edition only; the tests that need the other are '
            'skipped') in run.stdout
    assert list(mac.pip_installs()) == ['common', 'pytorch']
    assert mac.opened()[1:3] == ['-m', 'pytest']
    assert ' '.join(mac.opened()).endswith('-m not slow')


def test_windows_uses_the_py_launcher_and_scripts(tmp_path):
    # No bash: `py course.py lab`; the venv's Python is Scripts\python.exe
    win = Machine(tmp_path, 'Windows/AMD64', launcher='py')
    run = win.course('lab')
    assert run.returncode == 0, run.stderr
    assert 'using py -3.11, Python 3.11: (3.11 made the saved notebooks)' \
        in run.stdout
    assert ('MXNet 1.9.1 has no build for Windows AMD64, so this sets up '
            'the PyTorch edition (py course.py lab pytorch).') in run.stdout
    [venv] = [c for c in win.calls() if c.startswith('venv')]
    assert venv.split()[-4:] == ['-3.11', '-m', 'venv', str(win.venv)]
    python = str(win.venv / 'Scripts' / 'python.exe')
    pips = [c.split()[0] for c in win.calls() if ' -m pip ' in c]
    assert pips and set(pips) == {python}
    assert list(win.pip_installs()) == ['common', 'pytorch']
    assert win.opened()[:3] == [python, '-m', 'jupyterlab']
    assert (win.venv / '.course-installed').exists()
    settings = win.venv / 'share/jupyter/lab/settings/overrides.json'
    assert settings.read_text() == (ROOT / 'lab/overrides.json').read_text()


def test_windows_says_how_to_remove_a_venv_of_another_python(tmp_path):
    win = Machine(tmp_path, 'Windows/AMD64', launcher='py')
    (win.venv / 'Scripts').mkdir(parents=True)
    shutil.copy(win.python, win.venv / 'Scripts' / 'python.exe')
    run = win.course('lab', PYTHON=str(fake_python(tmp_path, 'py312',
                                                   '3.12')))
    assert run.returncode == 1
    assert 'was made with Python 3.11, but' in run.stderr
    assert f'rmdir /s /q {win.venv}' in run.stderr
    assert 'py course.py lab' in run.stderr


@pytest.mark.parametrize('command', [('setup',), ('lab', 'mxnet'),
                                     ('lab', 'pytorch')])
def test_linux_aarch64_takes_both_editions(tmp_path, command):
    arm = Machine(tmp_path, 'Linux/aarch64')
    run = arm.course(*command)
    assert run.returncode == 0, run.stderr
    wanted = ['mxnet', 'pytorch'] if command == ('setup',) else [command[1]]
    assert list(arm.pip_installs()) == ['common', *wanted]


def test_an_intel_mac_takes_the_mxnet_edition_only(tmp_path):
    mac = Machine(tmp_path, 'Darwin/x86_64')
    run = mac.course('lab', 'pytorch')
    assert run.returncode == 1
    assert 'PyTorch 2.14.1 has no build for macOS x86_64' in run.stderr
    assert 'Take the MXNet edition (python3 course.py lab)' in run.stderr
    run = mac.course('test')
    assert run.returncode == 0, run.stderr
    assert list(mac.pip_installs()) == ['common', 'mxnet']


@pytest.mark.parametrize('platform', ['FreeBSD/amd64', 'Linux/armv7l',
                                      'Windows/ARM64'])
def test_an_unknown_platform_fails_saying_what_to_do(tmp_path, platform):
    elsewhere = Machine(tmp_path, platform)
    run = elsewhere.course('lab')
    assert run.returncode == 1
    assert 'neither edition of the course installs on' in run.stderr
    assert 'Colab, Kaggle or Binder' in run.stderr
    assert 'Linux (x86_64 or aarch64), macOS or Windows' in run.stderr
    assert not elsewhere.venv.exists()


def test_linux_sets_up_the_mxnet_edition_and_adds_pytorch_on_asking(tmp_path):
    linux = Machine(tmp_path, 'Linux/x86_64')
    run = linux.course('lab')
    assert run.returncode == 0, run.stderr
    assert 'no build' not in run.stdout
    assert list(linux.pip_installs()) == ['common', 'mxnet']
    assert linux.opened()[-1] == 'notebooks/lenet.ipynb'
    assert linux.pip_installs()['mxnet'] == lock_part('3.11', 'mxnet')
    linux.log.unlink()
    run = linux.course('lab', 'pytorch', '--no-browser')
    assert run.returncode == 0, run.stderr
    # the common part is there already: only the PyTorch edition goes in
    assert list(linux.pip_installs()) == ['pytorch']
    assert linux.opened()[-2:] == [pytorch_notebook(), '--no-browser']
    stamp = (linux.venv / '.course-installed').read_text().split()
    assert stamp[0::2] == ['common', 'mxnet', 'pytorch']


def test_the_stamp_skips_what_did_not_change(tmp_path):
    linux = Machine(tmp_path, 'Linux/x86_64')
    assert linux.course('setup').returncode == 0
    assert list(linux.pip_installs()) == ['common', 'mxnet', 'pytorch']
    linux.log.unlink()
    run = linux.course('setup')
    assert run.returncode == 0 and 'installing' not in run.stdout
    assert not linux.calls()
    # a part whose pins changed goes in again, and only that one
    run = linux.course('setup', D2L_TORCH_INDEX='https://example.org/cpu')
    assert run.returncode == 0
    assert list(linux.pip_installs()) == ['pytorch']


def test_a_part_that_fails_is_not_recorded(tmp_path):
    linux = Machine(tmp_path, 'Linux/x86_64')
    run = linux.course('setup', FAKE_PIP_FAILS='pytorch')
    assert run.returncode == 1
    assert 'pip could not install the [pytorch] part of requirements.txt' \
        in run.stderr
    stamp = (linux.venv / '.course-installed').read_text().split()
    assert stamp[0::2] == ['common', 'mxnet']
    assert not list(linux.venv.glob('.course-*.txt'))  # no leftovers
    linux.log.unlink()
    assert linux.course('setup').returncode == 0
    assert list(linux.pip_installs()) == ['pytorch']


def test_the_cpu_only_torch_comes_from_the_index_named(tmp_path):
    linux = Machine(tmp_path, 'Linux/x86_64')
    index = 'https://download.pytorch.org/whl/cpu'
    run = linux.course('lab', 'pytorch', D2L_TORCH_INDEX=index)
    assert run.returncode == 0, run.stderr
    lines = linux.pip_installs()['pytorch']
    names = {course.name_of(r) for r in lines}
    assert names and not {n for n in names if n.startswith(
        ('nvidia-', 'cuda-', 'triton', 'torch'))}
    assert {'sympy', 'filelock', 'networkx'} <= names
    [special] = [c for c in linux.calls() if '--index-url' in c]
    assert special.split(' --index-url ')[1].startswith(index + ' torch==')
    assert [course.name_of(r) for r in special.split(index)[1].split()
            if '==' in r] == ['torch', 'torchvision']


@pytest.mark.parametrize('version', course.SUPPORTED)
def test_each_python_installs_its_own_lock(tmp_path, version):
    linux = Machine(tmp_path, 'Linux/x86_64', version=version)
    assert linux.course('setup').returncode == 0
    assert linux.pip_installs() == {
        part: lock_part(version, part)
        for part in ('common', 'mxnet', 'pytorch')}


# -- the PyTorch edition, for real -------------------------------------------

@pytest.mark.slow
def test_the_pytorch_edition_installs_without_mxnet(tmp_path):
    """`./course setup pytorch` from the lock: torch works, MXNet is not
    there, and the test suite skips what needs it instead of failing."""
    import pythons
    python = pythons.require('3.11')
    venv = tmp_path / 'venv'
    env = dict(os.environ, PYTHON=python, D2L_VENV=str(venv))
    env.pop('D2L_TORCH_INDEX', None)
    run = subprocess.run([str(ROOT / 'course'), 'setup', 'pytorch'],
                         env=env, capture_output=True, text=True,
                         timeout=1800)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (venv / '.course-installed').read_text().split()[0::2] == [
        'common', 'pytorch']
    vpy = str(venv / 'bin' / 'python')
    check = subprocess.run(
        [vpy, '-c', 'import importlib.util, numpy, torch\n'
         'print(importlib.util.find_spec("mxnet"))\n'
         'x = torch.from_numpy(numpy.ones((2, 3), dtype="float32"))\n'
         'net = torch.nn.Linear(3, 1)\n'
         'net(x).sum().backward()\n'
         'print(torch.__version__.split("+")[0], net.weight.grad.shape)'],
        capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr
    assert check.stdout.split('\n')[:2] == [
        'None', '2.14.1 torch.Size([1, 3])']
    if (ROOT / 'd2l_local' / 'torch').exists():
        side = subprocess.run(
            [vpy, '-c', 'import sys; from d2l_local import torch as d2l; '
             'print("mxnet" in sys.modules)'],
            capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert side.returncode == 0, side.stderr
        assert side.stdout.strip() == 'False'
    # What needs MXNet is skipped there, with the reason; nothing fails
    tests = subprocess.run(
        [vpy, '-m', 'pytest', '-q', '-rs', '--nbval',
         '--nbval-current-env', 'tests/test_models.py',
         'tests/test_checks.py', 'tests/test_training.py',
         'notebooks/lenet.ipynb'],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    summary = tests.stdout.strip().splitlines()[-1]
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert 'failed' not in summary and 'error' not in summary, summary
    assert 'skipped' in summary and 'needs MXNet' in tests.stdout, summary
    assert 'passed' in summary, summary  # test_checks needs no framework

