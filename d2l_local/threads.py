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
loaded.  Nothing sleeps to measure.  Going down is quick, because every
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
STALE = 5.0     # a longer gap (no batches: training paused) re-baselines
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
    `stat` are the time, this process's CPU time and /proc/stat.
    """

    def __init__(self, most, apply, can_raise=True, cpus=None, stat=STAT,
                 clock=time.monotonic, cpu=time.process_time):
        self.most = self.threads = most
        self.apply, self.can_raise = apply, can_raise
        self.cpus = usable_cpus() if cpus is None else list(cpus)
        self.stat, self.clock, self.cpu = stat, clock, cpu
        self.last = None       # (time, machine busy, own CPU) measured last
        self.votes = []        # the counts the latest measurements wanted
        self.changes = []      # (time, threads) of every change applied

    def _read(self):
        return self.clock(), busy_seconds(self.cpus, self.stat), self.cpu()

    def step(self):
        """Measure if INTERVAL has passed; change the count if due."""
        now = self.clock()
        if self.last is not None and now - self.last[0] < INTERVAL:
            return self.threads
        last, self.last = self.last, self._read()
        if last is None:
            return self.threads
        seconds = self.last[0] - last[0]
        if seconds > STALE:  # nothing ran in between: start afresh
            self.votes = []
            return self.threads
        used = others(self.last[1] - last[1], self.last[2] - last[2],
                      seconds)
        want = decide(len(self.cpus) - used, self.most)
        if not self.can_raise:
            want = min(want, self.threads)
        patience = PATIENCE_UP if want > self.threads else PATIENCE
        self.votes = (self.votes + [want])[-patience:]
        if (want != self.threads and len(self.votes) == patience
                and len(set(self.votes)) == 1):
            self.apply(want)
            self.threads = want
            self.changes.append((self.last[0], want))
            self.votes = []
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
