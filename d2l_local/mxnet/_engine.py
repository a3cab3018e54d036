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
And with two such processes on two cores, each parallel step waits for
a partner thread that is not running: an epoch took 20x longer.  So the
choice is made from what the cores are doing when MXNet loads.  On Linux
the count is the number of idle cores (at least 1), and while a model
trains it falls to the cores other programs leave free (``threads``);
elsewhere it is one per usable core.  The threads spin if enough cores are
idle for them, and sleep otherwise.
``benchmarks/README.md`` has the measurements.  Any of these variables set
by the reader wins over these choices.

Nothing happens at ``import d2l_local``: the choice is made by the process
that loads MXNet, just before it does (``install_hook`` watches for the
first ``import mxnet``).  A process that only reads data never makes it.  The same moment, the NumPy
names MXNet 1.9.1 reads at import are put back where NumPy has removed them
(``_numpy_compat``).
What a process chose is recorded in D2L_ENGINE_AUTO, so a child process
(a notebook kernel started by a test run) that inherits the variables
makes its own choice instead of taking its parent's for the reader's.
"""
import importlib.abc
import importlib.machinery
import os
import sys
import time

VARIABLES = ('MXNET_ENGINE_TYPE', 'OMP_NUM_THREADS', 'OMP_WAIT_POLICY')
MARKER = 'D2L_ENGINE_AUTO'  # the values this process chose, not the reader
MAX_THREADS = 4  # more threads do not pay for LeNet-sized operators
# What configure() found and did: {variable: (value or None, origin)},
# origin being 'chosen' (by d2l_local), 'yours' (set by the reader) or
# 'default' (left unset: the library's own default).
SETTINGS = {}


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


def _forget_inherited(environ):
    """Drop the variables a parent process chose (not the reader)."""
    inherited = dict(item.split('=', 1)
                     for item in environ.pop(MARKER, '').split(';')
                     if '=' in item)
    for key, value in inherited.items():
        if key in VARIABLES and environ.get(key) == value:
            del environ[key]


def _can_follow():
    """Whether the thread count can follow the free cores (Linux)."""
    return sys.platform.startswith('linux') and os.path.exists('/proc/stat')


def configure(environ=None):
    """Set the settings unless MXNet is loaded already or the reader chose.

    Return True if this call made the choice.
    """
    environ = os.environ if environ is None else environ
    if 'mxnet' in sys.modules or SETTINGS:
        return False
    _forget_inherited(environ)
    try:
        threads, count_chosen = int(environ['OMP_NUM_THREADS']), False
    except (KeyError, ValueError):
        threads, count_chosen = min(usable_cpus(), MAX_THREADS), True
    threads = max(1, threads)
    idle = None
    if threads > 1 and (count_chosen or 'OMP_WAIT_POLICY' not in environ):
        idle = idle_cpus()
    if count_chosen and idle is not None and _can_follow():
        # As many threads as idle cores: more would wait for each other.
        from ..threads import decide
        threads = decide(idle, threads)
    settings = choose(threads, idle)
    chosen = {}
    for key in VARIABLES:
        if key in environ:
            SETTINGS[key] = (environ[key], 'yours')
        elif key in settings:
            environ[key] = chosen[key] = settings[key]
            SETTINGS[key] = (settings[key], 'chosen')
        else:
            SETTINGS[key] = (None, 'default')
    environ[MARKER] = ';'.join(f'{k}={v}' for k, v in chosen.items())
    return True


def describe():
    """One line on the engine settings this process runs with."""
    if not SETTINGS:
        return ('MXNet engine: its own defaults (MXNet was imported before '
                'd2l_local, so the course\'s settings were not applied)')
    engine, origin = SETTINGS['MXNET_ENGINE_TYPE']
    threads, _ = SETTINGS['OMP_NUM_THREADS']
    policy, _ = SETTINGS['OMP_WAIT_POLICY']
    wait = {None: 'spin briefly, then sleep (the cores were idle)',
            'PASSIVE': 'sleep (the cores were busy)',
            'ACTIVE': 'spin'}.get(policy, policy)
    if threads == '1':  # one thread has no partner to wait for
        wait = 'no waiting (one thread)'
        if (SETTINGS['OMP_NUM_THREADS'][1] == 'chosen'
                and min(usable_cpus(), MAX_THREADS) > 1):
            wait += ', the other cores were busy'

    yours = [k for k, (_, o) in SETTINGS.items() if o == 'yours']
    line = (f'MXNet engine: {engine or "ThreadedEngine"}, '
            f'{threads or "default"} OpenMP thread(s) that wait by: {wait}')
    from .. import threads as follower
    if follower.follower() is not None:
        now = follower.follower().threads
        line += (f'; fewer while other programs use the cores'
                 + (f' (now {now})' if str(now) != threads else ''))
    if yours:
        line += f'; yours: {", ".join(yours)}'
    return line


class _BeforeMXNet(importlib.abc.MetaPathFinder):
    """Make the choice the moment anything first imports mxnet, and start
    its engine quietly once it has loaded."""

    def find_spec(self, name, path=None, target=None):
        if name != 'mxnet':
            return None
        uninstall_hook()
        configure()
        _restore_numpy_names()
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _StartQuietly(spec.loader)
        return spec


class _StartQuietly(importlib.abc.Loader):
    """MXNet's own loader, then start_quietly()."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _start_once()


def _restore_numpy_names():
    """Put back the NumPy names MXNet 1.9.1 reads (``_numpy_compat``)."""
    from . import _numpy_compat  # here: this file also loads on its own
    _numpy_compat.restore()


def install_hook():
    """Choose the settings before the first `import mxnet`, not before."""
    if 'mxnet' in sys.modules:
        return
    if not any(isinstance(f, _BeforeMXNet) for f in sys.meta_path):
        sys.meta_path.insert(0, _BeforeMXNet())


def uninstall_hook():
    sys.meta_path[:] = [f for f in sys.meta_path
                        if not isinstance(f, _BeforeMXNet)]


_STARTED = []


def _start_once():
    """Once MXNet has loaded: start its engine quietly, refuse GPUs this
    build does not have before any operator can abort the process, and
    follow the free cores."""
    if not _STARTED:
        _STARTED.append(True)
        start_quietly()
        from . import guards
        guards.install()
        follow_free_cores()


def follow_free_cores():
    """Let the thread count fall to the cores other programs leave free
    (``threads``), if d2l_local chose it and it is more than one."""
    value, origin = SETTINGS.get('OMP_NUM_THREADS', (None, None))
    if origin != 'chosen' or int(value) < 2:
        return None
    from .. import threads
    # Down only: oneDNN keeps the count a convolution was created with.
    return threads.start(int(value), set_threads, can_raise=False)


def set_threads(threads):
    """Set MXNet's OpenMP threads for the operators this thread runs.

    MXNet 1.9.1's ``MXSetNumOMPThreads`` is OpenMP's
    ``omp_set_num_threads`` for the calling thread, which under
    NaiveEngine is the thread that runs the operators.  Only ever lower
    it: a oneDNN convolution keeps the thread count it was created with,
    and one created with fewer threads than it later runs with crashes
    the process (``benchmarks/README.md``).
    """
    import ctypes

    from mxnet.base import _LIB, check_call
    check_call(_LIB.MXSetNumOMPThreads(ctypes.c_int(threads)))


def load():
    """Choose the settings, import MXNet and start its engine quietly."""
    if 'mxnet' not in sys.modules:
        configure()
        uninstall_hook()
        _restore_numpy_names()
    import mxnet  # noqa: F401
    _start_once()


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
