"""d2l_local.mxnet._engine: the MXNet settings chosen before MXNet loads."""
import json
import os
import subprocess
import sys

import pytest

from d2l_local.mxnet import _engine


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize('text, expected', [
    ('max 100000\n', None),
    ('150000 100000\n', 1.5),
    ('200000 100000\n', 2.0),
])
def test_cgroup_v2_limit(tmp_path, text, expected):
    write(tmp_path / 'cpu.max', text)
    assert _engine.cgroup_cpu_limit(str(tmp_path)) == expected


@pytest.mark.parametrize('quota, expected', [('-1', None), ('50000', 0.5)])
def test_cgroup_v1_limit(tmp_path, quota, expected):
    write(tmp_path / 'cpu' / 'cpu.cfs_quota_us', quota + '\n')
    write(tmp_path / 'cpu' / 'cpu.cfs_period_us', '100000\n')
    assert _engine.cgroup_cpu_limit(str(tmp_path)) == expected


def test_cgroup_missing_or_garbled_means_no_limit(tmp_path):
    assert _engine.cgroup_cpu_limit(str(tmp_path)) is None
    write(tmp_path / 'cpu.max', 'garbage\n')
    assert _engine.cgroup_cpu_limit(str(tmp_path)) is None


def test_usable_cpus_respects_the_quota():
    assert _engine.usable_cpus(limit=1.5) == 1
    assert _engine.usable_cpus(limit=0.25) == 1  # never zero threads
    assert _engine.usable_cpus(limit=1000) == len(os.sched_getaffinity(0))


def stat_text(idle, busy, cores=2):
    lines = [f'cpu  {busy} 0 0 {idle} 0 0 0 0 0 0']
    lines += [f'cpu{i} 0 0 0 0 0 0 0 0 0 0' for i in range(cores)]
    return '\n'.join(lines + ['intr 0', 'procs_running 1']) + '\n'


def test_idle_cpus_from_proc_stat(tmp_path, monkeypatch):
    stat = tmp_path / 'stat'
    stat.write_text(stat_text(idle=1000, busy=500))
    # While idle_cpus waits, 150 of 200 ticks pass idle on 2 cores.
    monkeypatch.setattr(_engine.time, 'sleep', lambda seconds: stat.write_text(
        stat_text(idle=1150, busy=550)))
    assert _engine.idle_cpus(stat=str(stat)) == pytest.approx(1.5)


def test_idle_cpus_falls_back_on_the_load_average(tmp_path, monkeypatch):
    monkeypatch.setattr(_engine.os, 'cpu_count', lambda: 4)
    monkeypatch.setattr(_engine.os, 'getloadavg', lambda: (3.25, 0, 0))
    missing = str(tmp_path / 'no-such-stat')
    assert _engine.idle_cpus(stat=missing) == pytest.approx(0.75)
    monkeypatch.setattr(_engine.os, 'getloadavg', lambda: (9.0, 0, 0))
    assert _engine.idle_cpus(stat=missing) == 0.0


def test_idle_cpus_measures_this_machine():
    idle = _engine.idle_cpus()
    assert 0.0 <= idle <= (os.cpu_count() or 1) + 0.01


@pytest.mark.parametrize('threads, idle, policy', [
    (1, None, None),       # one thread never waits for a partner
    (2, 2.0, None),        # idle cores: libgomp's default (brief spin)
    (2, 1.6, None),
    (2, 1.2, 'PASSIVE'),   # another program busy: sleep
    (2, None, 'PASSIVE'),  # unknown: the safe choice
    (4, 3.0, 'PASSIVE'),
])
def test_choose(threads, idle, policy):
    settings = _engine.choose(threads, idle)
    assert settings['MXNET_ENGINE_TYPE'] == 'NaiveEngine'
    assert settings['OMP_NUM_THREADS'] == str(threads)
    assert settings.get('OMP_WAIT_POLICY') == policy


def test_configure_does_nothing_once_mxnet_is_loaded():
    import mxnet  # noqa: F401 (loaded here already, by d2l_local)
    assert _engine.configure() is False


def settings_after(code='import d2l_local, mxnet', **env):
    """The variables in a fresh process after running `code`, and whether
    MXNet was loaded."""
    clean = {k: v for k, v in os.environ.items()
             if k not in _engine.VARIABLES + (_engine.MARKER,)}
    clean.update(env)
    code += ('; import os, sys, json; print(json.dumps([{k: os.environ.get(k)'
             ' for k in d2l_local.mxnet._engine.VARIABLES}, "mxnet" in sys.modules,'
             ' d2l_local.mxnet._engine.describe()]))')
    out = subprocess.run([sys.executable, '-c', code], env=clean,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_importing_what_reads_data_loads_no_mxnet_and_sets_nothing():
    code = ('import d2l_local.datasets, d2l_local; '
            'd2l_local.quick(); d2l_local.result_path("seed_sweep.json")')
    settings, loaded, line = settings_after(code)
    assert not loaded
    assert settings == dict.fromkeys(_engine.VARIABLES)
    assert 'were not applied' in line


IDLE = ('import d2l_local; '
        'd2l_local.mxnet._engine.idle_cpus = lambda: {}; ')


@pytest.mark.mxnet  # loads MXNet in a child process
def test_the_first_import_of_mxnet_sets_the_engine_and_threads():
    settings, loaded, line = settings_after(IDLE.format(64.0) +
                                            'import mxnet')
    assert loaded and settings['MXNET_ENGINE_TYPE'] == 'NaiveEngine'
    threads = min(_engine.usable_cpus(), _engine.MAX_THREADS)
    assert settings['OMP_NUM_THREADS'] == str(threads)
    assert f'NaiveEngine, {threads} OpenMP' in line


@pytest.mark.mxnet  # loads MXNet in a child process
@pytest.mark.skipif(not _engine._can_follow() or _engine.usable_cpus() < 2,
                    reason='the count follows idle cores on Linux only')
def test_busy_cores_at_load_mean_fewer_threads():
    settings, _, line = settings_after(IDLE.format(0.2) + 'import mxnet')
    assert settings['OMP_NUM_THREADS'] == '1'
    assert settings['OMP_WAIT_POLICY'] is None  # one thread never waits
    assert 'no waiting (one thread), the other cores were busy' in line


@pytest.mark.mxnet  # loads MXNet in a child process
@pytest.mark.parametrize('idle, policy', [(0.2, 'PASSIVE'), (64.0, None)])
def test_the_wait_policy_follows_how_idle_the_cores_are(idle, policy):
    code = ('import d2l_local; '
            f'd2l_local.mxnet._engine.idle_cpus = lambda: {idle}; import mxnet')
    settings, _, line = settings_after(code, OMP_NUM_THREADS='2')
    assert settings['OMP_WAIT_POLICY'] == policy
    assert ('busy' if policy else 'idle') in line


@pytest.mark.mxnet  # loads MXNet in a child process
def test_the_readers_settings_win():
    settings, _, line = settings_after(MXNET_ENGINE_TYPE='ThreadedEngine',
                                       OMP_NUM_THREADS='3',
                                       OMP_WAIT_POLICY='ACTIVE')
    assert settings == {'MXNET_ENGINE_TYPE': 'ThreadedEngine',
                        'OMP_NUM_THREADS': '3', 'OMP_WAIT_POLICY': 'ACTIVE'}
    assert 'yours: MXNET_ENGINE_TYPE, OMP_NUM_THREADS, OMP_WAIT_POLICY' in line
    # A reader's thread count is the one the wait policy is chosen for.
    one, _, line = settings_after(OMP_NUM_THREADS='1')
    assert one['OMP_NUM_THREADS'] == '1' and one['OMP_WAIT_POLICY'] is None
    assert '1 OpenMP thread(s) that wait by: no waiting (one thread)' in line


@pytest.mark.mxnet  # loads MXNet in a child process
def test_a_child_process_makes_its_own_choice():
    """A kernel started by a process that chose (a test run) inherits the
    variables; it must choose for itself, keeping only the reader's."""
    mine = min(_engine.usable_cpus(), _engine.MAX_THREADS)
    parent = str(mine + 5)  # a thread count this machine would not choose
    settings, _, line = settings_after(
        IDLE.format(64.0) + 'import mxnet',
        OMP_NUM_THREADS=parent, OMP_WAIT_POLICY='PASSIVE',
        MXNET_ENGINE_TYPE='NaiveEngine',
        D2L_ENGINE_AUTO=f'OMP_NUM_THREADS={parent};'
                        'MXNET_ENGINE_TYPE=NaiveEngine')
    assert settings['OMP_NUM_THREADS'] == str(mine)
    assert settings['OMP_WAIT_POLICY'] == 'PASSIVE'  # the reader's
    assert 'yours: OMP_WAIT_POLICY' in line


@pytest.mark.mxnet  # loads MXNet in a child process
def test_setup_prints_versions_and_settings():
    # both calls in one process: the core count in the second line follows
    # the cores idle when MXNet is imported, which two processes may not share
    code = ('import d2l_local; d2l_local.setup(seed=4); print("---"); '
            'd2l_local.setup(seed=4, verbose=True)')
    lines = subprocess.run([sys.executable, '-c', code], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    cut = lines.index('---')
    out, verbose = lines[:cut], lines[cut + 1:]
    assert out[0].startswith('Python 3.') and out[0].endswith('; seed 4')
    assert 'MXNet 1.9.1' in out[0]
    # in a learner's words; the engine's settings only when asked
    assert out[1].startswith('Training runs on ') and 'GPU' in out[1]
    assert 'd2l.setup(verbose=True)' in out[1] and len(out) == 2
    assert verbose[:2] == out and verbose[2].startswith('MXNet engine:')
    assert verbose[3].startswith('NumPy names put back for MXNet 1.9.1: ')


@pytest.mark.mxnet  # loads MXNet in a child process
def test_a_missing_gpu_is_refused_whatever_the_import_order():
    """`import d2l_local, mxnet` and a GPU array at once: the guard is in
    place as soon as MXNet loads, so the kernel gets an error it can catch
    instead of an abort (NaiveEngine) a line later."""
    code = ('import d2l_local, mxnet as mx\n'
            'try:\n'
            '    mx.nd.zeros((1,), ctx=mx.gpu(0)).wait_to_read()\n'
            'except mx.base.MXNetError as e:\n'
            '    print(type(e).__name__, "|", e)\n'
            'print("alive")\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith('NoGPUError |') and 'd2l.try_gpu()' in lines[0]
    assert lines[-1] == 'alive'


def test_the_engine_module_loads_on_its_own():
    """benchmarks/train_speed.py reads VARIABLES from _engine.py alone,
    without importing the package (which would choose the settings)."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / 'd2l_local' / 'mxnet' / \
        '_engine.py'
    spec = importlib.util.spec_from_file_location('_engine_alone', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.VARIABLES == ('MXNET_ENGINE_TYPE', 'OMP_NUM_THREADS',
                                'OMP_WAIT_POLICY')
