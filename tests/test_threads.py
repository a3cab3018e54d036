"""d2l_local.threads: the thread count follows the cores others leave free."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from d2l_local import threads
from d2l_local.mxnet import _engine
from d2l_local.data import ArrayIter

TICKS = os.sysconf('SC_CLK_TCK')


def stat_text(busy, idle=0):
    """/proc/stat with each CPU's busy and idle seconds (lists)."""
    lines = [f'cpu  {sum(busy) * TICKS:.0f} 0 0 {sum(idle or [0]) * TICKS:.0f}'
             ' 0 0 0 0 0 0']
    for i, b in enumerate(busy):
        lines.append(f'cpu{i} {b * TICKS / 2:.0f} 0 {b * TICKS / 2:.0f} '
                     f'{(idle[i] if idle else 0) * TICKS:.0f} 7 0 0 0 0 0')
    return '\n'.join(lines + ['intr 0', 'procs_running 1']) + '\n'


def test_busy_seconds_counts_only_the_given_cpus(tmp_path):
    stat = tmp_path / 'stat'
    stat.write_text(stat_text(busy=[3.0, 5.0, 40.0], idle=[9, 9, 9]))
    assert threads.busy_seconds([0, 1], str(stat)) == pytest.approx(8.0)
    assert threads.busy_seconds([2], str(stat)) == pytest.approx(40.0)


@pytest.mark.parametrize('free, most, expected', [
    (2.0, 2, 2),    # idle machine: every core
    (1.0, 2, 1),    # one other busy process
    (0.0, 2, 1),    # two (or more): never fewer than one thread
    (1.4, 2, 1),
    (1.6, 2, 2),
    (7.9, 4, 4),    # never more than chosen at load
])
def test_decide(free, most, expected):
    assert threads.decide(free, most) == expected


class Machine:
    """Two simulated cores: this process and `others` busy processes."""

    def __init__(self, tmp_path):
        self.stat = tmp_path / 'stat'
        self.now, self.busy, self.own = 100.0, [0.0, 0.0], 0.0
        self.write()

    def write(self):
        self.stat.write_text(stat_text(self.busy))

    def run(self, seconds, own, others):
        """`seconds` pass in which this process uses `own` cores' worth of
        CPU and other processes `others` (two cores in all, at most)."""
        used = min(2.0, own + others)
        self.busy = [b + used / 2 * seconds for b in self.busy]
        self.own += own * seconds
        self.now += seconds
        self.write()

    def follower(self, can_raise=True, others_at_start=0.0):
        """A Follower of this machine after its first look, during which
        other processes use `others_at_start` cores' worth of CPU."""
        applied = []
        self.others_at_start = others_at_start
        follower = threads.Follower(
            2, applied.append, can_raise, cpus=[0, 1], stat=str(self.stat),
            clock=lambda: self.now, cpu=lambda: self.own,
            busy=lambda s: self.run(s, own=1.0, others=self.others_at_start))
        follower.step()  # the first look, before the first batch
        return follower, applied


def run_batches(machine, follower, seconds, own, others):
    """One batch a tenth of a second, for `seconds`."""
    for _ in range(int(seconds * 10)):
        machine.run(0.1, own, others)
        follower.step()


def test_an_idle_machine_keeps_every_thread(tmp_path):
    machine = Machine(tmp_path)
    follower, applied = machine.follower()
    run_batches(machine, follower, 10, own=2.0, others=0.0)
    assert applied == [] and follower.threads == 2


def test_one_other_busy_process_leaves_one_core(tmp_path):
    machine = Machine(tmp_path)
    follower, applied = machine.follower()
    # the cores are shared half and half: others use one core's worth
    run_batches(machine, follower,
                threads.PATIENCE * threads.INTERVAL - 0.2, own=1.0,
                others=1.0)
    assert applied == []  # not yet: fewer measurements than PATIENCE
    run_batches(machine, follower, 1, own=1.0, others=1.0)
    assert applied == [1] and follower.threads == 1


@pytest.mark.parametrize('others, after', [(0.0, []), (0.3, []),
                                           (1.0, [1]), (2.0, [1])])
def test_the_first_look_lowers_at_once(tmp_path, others, after):
    machine = Machine(tmp_path)
    follower, applied = machine.follower(others_at_start=others)
    assert applied == after  # before the first batch, no patience
    run_batches(machine, follower, 5, own=1.0, others=others)
    assert applied == after


def test_resuming_after_a_pause_looks_again(tmp_path):
    machine = Machine(tmp_path)
    follower, applied = machine.follower(can_raise=False)
    run_batches(machine, follower, 3, own=2.0, others=0.0)
    machine.run(threads.STALE + 1, own=0.0, others=1.0)  # a pause
    machine.others_at_start = 1.0  # another notebook trains meanwhile
    follower.step()
    assert applied == [1]


def test_two_other_busy_processes_leave_one_thread(tmp_path):
    machine = Machine(tmp_path)
    follower, applied = machine.follower()
    run_batches(machine, follower, 5, own=2 / 3, others=4 / 3)
    assert applied == [1]


def test_a_short_burst_changes_nothing(tmp_path):
    machine = Machine(tmp_path)
    follower, applied = machine.follower()
    # too short to cover more than half of PATIENCE measurements in a row
    burst = (threads.PATIENCE - 1) * threads.INTERVAL - 0.1
    for _ in range(3):
        run_batches(machine, follower, burst, own=1.0, others=1.0)
        run_batches(machine, follower, 1.5, own=2.0, others=0.0)
    assert applied == []


def test_going_up_waits_longer_than_going_down(tmp_path):
    machine = Machine(tmp_path)
    follower, applied = machine.follower()
    run_batches(machine, follower, 2, own=1.0, others=1.0)
    assert applied == [1]
    # free again: as long as it took to go down is not enough to go up
    run_batches(machine, follower, threads.PATIENCE * threads.INTERVAL + 0.1,
                own=1.0, others=0.0)
    assert applied == [1]
    run_batches(machine, follower, threads.PATIENCE_UP * threads.INTERVAL,
                own=1.0, others=0.0)
    assert applied == [1, 2]


@pytest.mark.parametrize('can_raise, after', [(True, [1, 2]), (False, [1])])
def test_once_the_others_stop(tmp_path, can_raise, after):
    machine = Machine(tmp_path)
    follower, applied = machine.follower(can_raise)
    run_batches(machine, follower, 5, own=1.0, others=1.0)
    run_batches(machine, follower, 5, own=1.0, others=0.0)
    assert applied == after


def test_a_pause_in_training_is_not_measured(tmp_path):
    machine = Machine(tmp_path)
    follower, applied = machine.follower()
    for _ in range(threads.PATIENCE + 1):
        # a batch now and then, the other process busy in between
        machine.run(threads.STALE + 1, own=0.0, others=2.0)
        follower.step()
    assert applied == []


def test_without_proc_stat_nothing_follows(tmp_path, monkeypatch):
    monkeypatch.setattr(threads, '_FOLLOWER', [])
    assert threads.start(2, print, stat=str(tmp_path / 'none')) is None
    assert threads.follower() is None
    threads.follow()  # and following does nothing


def test_the_iterator_follows_once_a_batch(monkeypatch):
    calls = []
    monkeypatch.setattr(threads, 'follow', lambda: calls.append(1))
    data_iter = ArrayIter(np.zeros((10, 28, 28), np.uint8), np.zeros(10), 4)
    assert len(list(data_iter)) == 3 and len(calls) == 3


def python(code, **env):
    """Run `code` in a fresh interpreter with the engine variables cleared
    (plus `env`); return what it printed last, read as JSON."""
    clean = {k: v for k, v in os.environ.items()
             if k not in _engine.VARIABLES + (_engine.MARKER,)}
    clean.update(env)
    out = subprocess.run([sys.executable, '-c', code], env=clean,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


APPLY = '''
import ctypes, json
import d2l_local
d2l_local.mxnet._engine.idle_cpus = lambda: 64.0  # as on idle cores
import mxnet as mx
from d2l_local import threads
gomp = ctypes.CDLL('libgomp.so.1')  # the OpenMP runtime MXNet uses
net = d2l_local.lenet()
net.initialize(mx.init.Xavier())
X = mx.nd.random.uniform(shape=(64, 1, 28, 28))
before, y = gomp.omp_get_max_threads(), net(X).asnumpy()
d2l_local.mxnet._engine.set_threads(1)
after, y1 = gomp.omp_get_max_threads(), net(X).asnumpy()
print(json.dumps([before, after, float(abs(y - y1).max())]))
'''


@pytest.mark.mxnet  # loads MXNet in a child process
@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='libgomp is the OpenMP runtime of Linux MXNet')
def test_the_mxnet_applier_changes_the_thread_count():
    before, after, change = python(APPLY)
    assert before == min(_engine.usable_cpus(), _engine.MAX_THREADS)
    assert after == 1
    assert change < 1e-5  # the network computes the same with fewer


FOLLOWS = ('import json, d2l_local; '
           'd2l_local.mxnet._engine.idle_cpus = lambda: 64.0; '
           'import mxnet; from d2l_local import threads; '
           'f = threads.follower(); '
           'print(json.dumps(f and [f.most, f.can_raise]))')


@pytest.mark.mxnet  # loads MXNet in a child process
@pytest.mark.skipif(_engine.usable_cpus() < 2 or not os.path.exists(
    threads.STAT), reason='one core, or no /proc/stat: nothing to follow')
def test_mxnet_follows_unless_the_reader_chose_the_threads():
    most = min(_engine.usable_cpus(), _engine.MAX_THREADS)
    assert python(FOLLOWS) == [most, False]  # down only, for oneDNN
    assert python(FOLLOWS, OMP_NUM_THREADS=str(most)) is None


def test_importing_threads_imports_no_framework():
    code = ('import json, sys, d2l_local.threads; print(json.dumps('
            '[m in sys.modules for m in ("mxnet", "torch")]))')
    assert python(code) == [False, False]


@pytest.mark.torch  # loads PyTorch in a child process
def test_the_torch_edition_follows_unless_the_reader_chose():
    pytest.importorskip('torch')
    code = ('import json, d2l_local.torch as d2l; d2l.setup(); '
            'import torch; from d2l_local import threads; '
            'f = threads.follower(); most = torch.get_num_threads(); '
            'f and f.apply(1); '
            'print(json.dumps(f and [f.most == most, f.can_raise, '
            'torch.get_num_threads()]))')
    if os.path.exists(threads.STAT):
        # the applier really sets PyTorch's count
        assert python(code) == [True, True, 1]
    assert python(code, OMP_NUM_THREADS='1') is None
