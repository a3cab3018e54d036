"""Run every notebook in a fresh kernel and report each kernel's peak memory.

Binder gives a session 2 GB in all, and the Jupyter server takes its share,
so the course allows a notebook's kernel at most 1.2 GB.  Run from the
repository root, in the course's environment:

    .venv/bin/python tools/peak_memory.py              # all of notebooks/
    .venv/bin/python tools/peak_memory.py notebooks/lenet.ipynb

The notebooks load their data as usual: set D2L_DATA_DIR to use a local
copy.  Each row of the JSON file records the SHA-256 of the notebook it
measured, so a figure can be matched to the version it belongs to.

Two figures per notebook, and the larger counts:
- kernel HWM: the kernel process's own high-water mark (VmHWM in
  /proc/<pid>/status), read after each cell, before the kernel shuts down;
  it misses no spike, however short;
- tree peak: the largest sum of resident memory over the kernel and its
  child processes (data-loader workers, say), polled every 0.2 s.

Prints a table, updates tools/peak_memory.json (the rows of notebooks not
run this time stay), and exits 1 when a notebook fails or goes over the
limit.
"""
import argparse
import datetime
import hashlib
import json
import os
import pathlib
import platform
import re
import sys
import threading
import time

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIMIT_MB = 1200  # per kernel; Binder's 2 GB also holds the Jupyter server
POLL_S = 0.2
MB = 1e6


def find_notebooks(paths):
    """Return the .ipynb files under `paths`, without Jupyter's checkpoints."""
    found = []
    for path in map(pathlib.Path, paths):
        candidates = ([path] if path.is_file()
                      else sorted(path.rglob('*.ipynb')))
        found += [p for p in candidates
                  if '.ipynb_checkpoints' not in p.parts]
    return found


def vm_hwm(pid):
    """Return the peak resident memory of process `pid` in bytes, or None."""
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024  # reported in kB
    except OSError:  # gone, or not Linux
        pass
    return None


class TreeMonitor(threading.Thread):
    """Poll the resident memory of a process and its children."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peak, self.peak_cell, self.cell = 0, None, None
        self.done, self.lock = threading.Event(), threading.Lock()

    def sample(self):
        try:
            procs = [self.proc] + self.proc.children(recursive=True)
        except psutil.Error:  # the kernel has exited
            return
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:  # a child that just exited
                pass
        with self.lock:  # also called from the client's thread
            if total > self.peak:
                self.peak, self.peak_cell = total, self.cell

    def run(self):
        while not self.done.wait(POLL_S):
            self.sample()

    def stop(self):
        self.done.set()
        self.join(timeout=5)


def kernel_pid(client):
    """Return the pid of the kernel that `client` started."""
    provisioner = getattr(client.km, 'provisioner', None)
    pid = getattr(provisioner, 'pid', None)
    if pid is None:
        raise RuntimeError('cannot find the kernel process: needs a local '
                           'kernel started by jupyter_client >= 7')
    return pid


def measure(path, cell_timeout, kernel_name=None, save=False):
    """Run the notebook at `path` in a fresh kernel; return its figures.

    With `save`, a notebook that ran without error is written back with its
    new outputs (as saving it executed top to bottom would), and the
    sha256 recorded is that of the file written.
    """
    measured = datetime.datetime.now(datetime.timezone.utc)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    nb = nbformat.read(path, as_version=4)
    state = {'pid': None, 'monitor': None, 'hwm': 0, 'hwm_cell': None}

    def on_start(notebook):
        state['pid'] = kernel_pid(client)
        state['monitor'] = TreeMonitor(state['pid'])
        state['monitor'].start()

    def on_cell_start(cell, cell_index):
        if state['monitor']:
            state['monitor'].cell = cell_index

    def on_cell_executed(cell, cell_index, execute_reply):
        if state['monitor']:
            state['monitor'].sample()  # a cell shorter than one poll
        hwm = vm_hwm(state['pid']) if state['pid'] else None
        if hwm and hwm > state['hwm']:
            state['hwm'], state['hwm_cell'] = hwm, cell_index

    kwargs = {'kernel_name': kernel_name} if kernel_name else {}
    client = NotebookClient(
        nb, timeout=cell_timeout, startup_timeout=120,
        resources={'metadata': {'path': str(path.parent)}},
        on_notebook_start=on_start, on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed, **kwargs)
    status, error = 'ok', None
    start = time.monotonic()
    try:
        client.execute()
    except CellExecutionError as e:
        last = str(e).strip().splitlines()[-1]
        status, error = 'error', re.sub(r'\x1b\[[0-9;]*m', '', last)
    except (DeadKernelError, TimeoutError, RuntimeError) as e:
        status, error = 'error', f'{type(e).__name__}: {e}'
    seconds = time.monotonic() - start
    if save and status == 'ok':
        tmp = path.with_name(path.name + '.tmp')
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    monitor = state['monitor']
    if monitor:
        monitor.stop()
    tree = monitor.peak if monitor else 0
    peak = max(state['hwm'], tree)
    return {
        'notebook': str(path.resolve().relative_to(ROOT))
        if path.resolve().is_relative_to(ROOT) else str(path),
        'sha256': digest,  # of the file measured: is the figure current?
        'measured': measured.isoformat(timespec='seconds'),
        'python': platform.python_version(),
        'machine': f'{platform.system()} {platform.machine()}, '
                   f'{psutil.cpu_count()} CPUs, '
                   f'{round(psutil.virtual_memory().total / 1e9)} GB',
        'peak_mb': round(peak / MB),
        'kernel_hwm_mb': round(state['hwm'] / MB),
        'tree_peak_mb': round(tree / MB),
        # index in the notebook's cell list of the cell that set the peak
        'peak_cell': (state['hwm_cell'] if state['hwm'] >= tree
                      else monitor.peak_cell),
        'seconds': round(seconds, 1),
        'status': status,
        'error': error,
    }


def merge(json_path, rows):
    """Return the rows saved in `json_path`, updated with `rows`.

    Figures of notebooks not measured this time are kept while the
    notebook still exists; their sha256 tells whether they are current.
    """
    try:
        saved = json.loads(json_path.read_text())['notebooks']
    except (OSError, ValueError, KeyError, TypeError):
        saved = []
    merged = {r['notebook']: r for r in saved
              if isinstance(r, dict) and 'notebook' in r
              and (ROOT / r['notebook']).is_file()}
    merged.update((r['notebook'], r) for r in rows)
    return [merged[name] for name in sorted(merged)]


def print_table(rows, limit_mb):
    width = max([len('notebook')] + [len(r['notebook']) for r in rows])
    print(f'{"notebook":<{width}}  {"peak MB":>7}  {"kernel HWM":>10}  '
          f'{"tree peak":>9}  {"cell":>4}  {"time s":>6}  status')
    for r in rows:
        status = r['status']
        if r['peak_mb'] > limit_mb:
            status += f', OVER the {limit_mb} MB limit'
        if r['error']:
            status += f': {r["error"]}'
        cell = '' if r['peak_cell'] is None else r['peak_cell']
        print(f'{r["notebook"]:<{width}}  {r["peak_mb"]:>7}  '
              f'{r["kernel_hwm_mb"]:>10}  {r["tree_peak_mb"]:>9}  '
              f'{cell:>4}  {r["seconds"]:>6}  {status}')
    print(f'MB = 10^6 bytes; limit {limit_mb} MB per kernel; "cell" is the '
          f'index of the cell that reached the peak.')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('paths', nargs='*', default=[ROOT / 'notebooks'],
                        help='notebooks or folders (default: notebooks/)')
    parser.add_argument('--json', type=pathlib.Path,
                        default=ROOT / 'tools' / 'peak_memory.json',
                        help='where to write the figures')
    parser.add_argument('--limit-mb', type=int, default=LIMIT_MB)
    parser.add_argument('--cell-timeout', type=int, default=1200,
                        help='seconds one cell may take (default: 1200)')
    parser.add_argument('--save', action='store_true',
                        help='write each notebook that ran without error '
                             'back with its outputs')
    parser.add_argument('--kernel', default=None,
                        help="kernel name (default: the notebook's own)")
    args = parser.parse_args(argv)

    notebooks = find_notebooks(args.paths)
    if not notebooks:
        print(f'no notebooks found in {", ".join(map(str, args.paths))}',
              file=sys.stderr)
        return 1
    rows = []
    for path in notebooks:
        print(f'running {path} ...', file=sys.stderr, flush=True)
        rows.append(measure(path, args.cell_timeout, args.kernel,
                            args.save))
    print_table(rows, args.limit_mb)
    report = {'limit_mb': args.limit_mb,
              'notebooks': merge(args.json, rows)}
    args.json.write_text(json.dumps(report, indent=2) + '\n')
    print(f'wrote {args.json}', file=sys.stderr)
    bad = [r for r in rows
           if r['status'] != 'ok' or r['peak_mb'] > args.limit_mb]
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
