"""How many threads to compute with: the cores other programs leave free.

Two notebooks training at once on two cores, each with two OpenMP threads,
put four threads on two cores: each of LeNet's tiny parallel steps then
waits at its barrier for a partner that is not running, and an epoch took
20 times longer.  So while a model trains, the course's data iterator calls
``follow()`` once a batch.  Every INTERVAL seconds it measures how much CPU
the other processes used on this process's cores (/proc/stat's busy time
less this process's own) and, once PATIENCE measurements in a row agree on
fewer threads (PATIENCE_UP on more), sets the thread count to the cores
they left free: at least 1, at most the count chosen when the framework
loaded.  When following starts, and again when training resumes after a
pause, it first looks for FIRST_LOOK seconds before the first batch, and
lowers the count at once if other programs are busy: a convolution keeps
the thread count it is first run with (in MXNet, and in PyTorch's oneDNN
kernels), so the count its first batch sees is the one that counts, and
kernels started together (a class pressing Run All) see each other only
then.  The look keeps this process busy, so that others looking at the
same moment see it.  Otherwise nothing waits to measure.  Going down is
quick, because every
second spent with more threads than free cores costs several seconds of
training (a burst of other work shorter than (PATIENCE - 1) * INTERVAL
changes nothing); going up waits longer, so a short lull does not bring
back the extra thread.

This module decides and imports no framework; each framework's side
starts it with its own applier once the framework has loaded
(``mxnet/_engine.follow_free_cores``: down only; ``torch/startup.py``'s
``follow_free_cores``: down and up).  On a system without /proc/stat
(macOS, Windows) nothing is started and the thread count stays as chosen
at load.
"""
import os
import time

INTERVAL = 0.5  # seconds between measurements
PATIENCE = 3    # measurements in a row that must agree on fewer threads
PATIENCE_UP = 6  # ... on more threads (where the framework allows it)
STALE = 5.0     # a longer gap (no batches: training paused) looks afresh
FIRST_LOOK = 0.2  # seconds of looking before the first batch
STAT = '/proc/stat'


def usable_cpus():
    """The CPUs this process may run on (its affinity mask)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return list(range(os.cpu_count() or 1))


def busy_seconds(cpus, stat=STAT):
    """CPU-seconds the CPUs `cpus` have spent busy since boot.

    Busy is every state but idle and iowait (steal included: time a
    virtual machine's host took).  Raises OSError if there is no
    /proc/stat.
    """
    wanted, busy = {f'cpu{i}' for i in cpus}, 0
    with open(stat) as f:
        for line in f:
            name, *fields = line.split()
            if name in wanted:
                ticks = [int(v) for v in fields[:8]]
                busy += sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf('SC_CLK_TCK')


def others(busy, own, seconds):
    """Cores' worth of CPU the other processes used: `busy` CPU-seconds of
    the machine's cores less `own` of this process, in `seconds`."""
    return max(0.0, busy - own) / seconds


def decide(free, most):
    """Threads for `free` idle cores: the nearest whole count, 1 to `most`."""
    return max(1, min(most, int(free + 0.5)))


class Follower:
    """Keep a thread count at the cores other processes leave free.

    `apply(threads)` sets the count; if `can_raise` is False the count
    only ever goes down (``mxnet/_engine.set_threads``).  `clock`, `cpu` and
    `stat` are the time, this process's CPU time and /proc/stat; `busy(s)`
    keeps this process busy for s seconds (the first look).
    """

    def __init__(self, most, apply, can_raise=True, cpus=None, stat=STAT,
                 clock=time.monotonic, cpu=time.process_time, busy=None):
        self.most = self.threads = most
        self.apply, self.can_raise = apply, can_raise
        self.cpus = usable_cpus() if cpus is None else list(cpus)
        self.stat, self.clock, self.cpu = stat, clock, cpu
        self.busy = busy or self._spin
        self.last = None       # (time, machine busy, own CPU) measured last
        self.votes = []        # the counts the latest measurements wanted
        self.changes = []      # (time, threads) of every change applied

    def _read(self):
        return self.clock(), busy_seconds(self.cpus, self.stat), self.cpu()

    def _spin(self, seconds):
        end = self.clock() + seconds
        while self.clock() < end:
            pass

    def _want(self, last, now):
        """The count for the cores others left free between two readings."""
        used = others(now[1] - last[1], now[2] - last[2], now[0] - last[0])
        return decide(len(self.cpus) - used, self.most)

    def _set(self, want):
        self.apply(want)
        self.threads = want
        self.changes.append((self.last[0], want))
        self.votes = []

    def look(self):
        """Before a first batch: look FIRST_LOOK seconds, lower at once."""
        start = self._read()
        self.busy(FIRST_LOOK)
        self.last, self.votes = self._read(), []
        want = self._want(start, self.last)
        if want < self.threads:
            self._set(want)
        return self.threads

    def step(self):
        """Measure if INTERVAL has passed; change the count if due."""
        now = self.clock()
        if self.last is None or now - self.last[0] > STALE:
            return self.look()  # starting, or resuming after a pause
        if now - self.last[0] < INTERVAL:
            return self.threads
        last, self.last = self.last, self._read()
        want = self._want(last, self.last)
        if not self.can_raise:
            want = min(want, self.threads)
        patience = PATIENCE_UP if want > self.threads else PATIENCE
        self.votes = (self.votes + [want])[-patience:]
        if (want != self.threads and len(self.votes) == patience
                and len(set(self.votes)) == 1):
            self._set(want)
        return self.threads


_FOLLOWER = []  # the running Follower, if any


def start(most, apply, can_raise=True, stat=STAT):
    """Follow the free cores from now on, starting at `most` threads.

    Return the Follower, or None where there is no /proc/stat to read.
    """
    try:
        busy_seconds(usable_cpus(), stat)
    except (OSError, ValueError, IndexError):
        return None
    _FOLLOWER[:] = [Follower(most, apply, can_raise, stat=stat)]
    return _FOLLOWER[0]


def stop():
    """Keep the thread count as it is from now on."""
    _FOLLOWER.clear()


def follower():
    """The running Follower, or None."""
    return _FOLLOWER[0] if _FOLLOWER else None


def follow():
    """Once a batch: re-decide the thread count if it is time to."""
    if _FOLLOWER:
        try:
            _FOLLOWER[0].step()
        except (OSError, ValueError, IndexError):
            stop()  # /proc/stat became unreadable: keep the count
