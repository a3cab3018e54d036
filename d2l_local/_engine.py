"""MXNet engine settings, chosen before the first ``import mxnet``.

On a laptop CPU LeNet's operators are tiny, so the threaded engine's
scheduling costs more than the work it schedules.  ``NaiveEngine`` runs each
operator at once on the calling thread, and one OpenMP thread per usable
core (at most 4) shares each convolution.

Between parallel regions an idle OpenMP thread either spins (libgomp's
default: briefly) or sleeps (``OMP_WAIT_POLICY=PASSIVE``).  Spinning is
about 1.4x faster on idle cores, since a sleeping thread must be woken for
every region; but when other programs want the same cores, a spinning
thread burns the time its partner needs and an epoch took up to 10x longer.
So the policy is picked from what the cores are doing when d2l_local loads:
spin if enough of them are idle for our threads, sleep otherwise.
``benchmarks/README.md`` has the measurements.  Any of these variables set
by the reader wins over these choices.
"""
import os
import sys
import time

VARIABLES = ('MXNET_ENGINE_TYPE', 'OMP_NUM_THREADS', 'OMP_WAIT_POLICY')
MAX_THREADS = 4  # more threads do not pay for LeNet-sized operators


def cgroup_cpu_limit(root='/sys/fs/cgroup'):
    """The CPU quota of this container in cores, or None if unlimited.

    Binder and other containers often cap CPU time well below the number
    of cores the machine reports; threads beyond the cap only queue.
    """
    try:  # cgroup v2: "<quota> <period>" or "max <period>"
        with open(os.path.join(root, 'cpu.max')) as f:
            quota, period = f.read().split()[:2]
        return None if quota == 'max' else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:  # cgroup v1: a quota of -1 means no limit
        with open(os.path.join(root, 'cpu', 'cpu.cfs_quota_us')) as f:
            quota = int(f.read())
        with open(os.path.join(root, 'cpu', 'cpu.cfs_period_us')) as f:
            period = int(f.read())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def usable_cpus(limit=None):
    """Cores this process may run on: its affinity mask and CPU quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        cpus = os.cpu_count() or 1
    limit = cgroup_cpu_limit() if limit is None else limit
    if limit:
        cpus = min(cpus, int(limit))
    return max(1, cpus)


def _cpu_times(stat):
    """(idle, total) clock ticks of all cores from /proc/stat, and cores."""
    with open(stat) as f:
        lines = f.read().splitlines()
    fields = [int(v) for v in lines[0].split()[1:9]]
    cores = sum(1 for line in lines[1:] if line.startswith('cpu'))
    return fields[3] + fields[4], sum(fields), cores  # idle + iowait


def idle_cpus(interval=0.1, stat='/proc/stat'):
    """How many cores' worth of CPU time sat idle just now.

    Read from /proc/stat over `interval` seconds on Linux; elsewhere
    estimated from the load average.  None if neither is available.
    """
    try:
        idle0, total0, cores = _cpu_times(stat)
        time.sleep(interval)
        idle1, total1, _ = _cpu_times(stat)
        if total1 > total0:
            return cores * (idle1 - idle0) / (total1 - total0)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return max(0.0, (os.cpu_count() or 1) - os.getloadavg()[0])
    except (AttributeError, OSError):
        return None


def choose(threads, idle):
    """The settings for `threads` OpenMP threads when `idle` cores are idle.

    `idle` may be None (unknown), which counts as busy.
    """
    settings = {'MXNET_ENGINE_TYPE': 'NaiveEngine',
                'OMP_NUM_THREADS': str(threads)}
    # Spin (libgomp's default) only if every thread finds an idle core.
    if threads > 1 and (idle is None or idle < threads - 0.5):
        settings['OMP_WAIT_POLICY'] = 'PASSIVE'
    return settings


def configure():
    """Set the settings unless MXNet is loaded already or the reader chose."""
    if 'mxnet' in sys.modules:
        return False
    try:
        threads = int(os.environ['OMP_NUM_THREADS'])
    except (KeyError, ValueError):
        threads = min(usable_cpus(), MAX_THREADS)
    threads = max(1, threads)
    measure = threads > 1 and 'OMP_WAIT_POLICY' not in os.environ
    settings = choose(threads, idle_cpus() if measure else None)
    for key, value in settings.items():
        if key not in os.environ:
            os.environ[key] = value
    return True


def start_quietly():
    """Start the engine now, hiding MXNet's one-line C++ log about it.

    MXNet logs ``MXNet start using engine: ...`` to the process's stderr the
    first time an operator runs with MXNET_ENGINE_TYPE set; in a notebook that
    line would land under whichever cell happened to run first.
    """
    from mxnet import nd
    try:
        fd = sys.__stderr__.fileno()
    except (AttributeError, OSError, ValueError):
        nd.zeros((1,)).wait_to_read()
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, 'w') as devnull:
            os.dup2(devnull.fileno(), fd)
            nd.zeros((1,)).wait_to_read()
    finally:
        os.dup2(saved, fd)
        os.close(saved)
