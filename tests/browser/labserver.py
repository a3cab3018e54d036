"""A JupyterLab server from the project's own environment, for the tests.

`Lab` starts ``python -m jupyter lab`` on 127.0.0.1 with a random token,
private settings, workspace, runtime and config folders, and a temporary
copy of notebooks/ as its root, so Run All never touches the repository's
files.  Only notebooks/ is copied and nothing of the repository lies beside
it, so a notebook that reads a path outside its folder (``../tools/...``)
fails here: every notebook must run from any working directory.  The user
settings folder starts empty, so what JupyterLab shows is the course's
shipped settings (lab/overrides.json, installed into the environment by
./course setup).  Kernels inherit D2L_QUICK=1 (quick mode: a small slice of
the data) and the caller's D2L_DATA_DIR.
"""
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / 'notebooks'
ARTIFACTS = ROOT / 'artifacts' / 'browser'
CHROMIUM = os.environ.get('D2L_CHROMIUM') or '/usr/bin/chromium'
# Headless Chromium as root in a container, on a machine with no network
# beyond 127.0.0.1: no sandbox, no GPU, and no background connections.
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic',
]
# The parent conftest empties D2L_DATA_DIR for each unit test: keep the
# caller's environment as it was when pytest started.
CALLER_ENV = dict(os.environ)
START_TIMEOUT = 120  # s for the server to answer; it takes ~5 s when idle
IN_CI = os.environ.get('CI', '').lower() in ('1', 'true', 'yes')

# The course's JupyterLab settings (./course setup installs them into the
# environment's JupyterLab, as overrides of its defaults).
SHIPPED_SETTINGS = ROOT / 'lab' / 'overrides.json'


def missing(reason):
    """Fail in CI, where the browser test must run; skip elsewhere."""
    if IN_CI:
        pytest.fail(f'{reason} (CI=true: the browser test must run)')
    pytest.skip(reason)


def notebooks():
    """Every notebook of the course, as paths relative to notebooks/."""
    return sorted(p.relative_to(NOTEBOOKS).as_posix()
                  for p in NOTEBOOKS.rglob('*.ipynb')
                  if '.ipynb_checkpoints' not in p.parts)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab server; see the `lab` fixture."""

    def __init__(self, tmp):
        self.tmp = tmp
        # notebooks/ alone in an otherwise empty folder, see start()
        self.root = tmp / 'course' / 'notebooks'
        # The notebooks as they were when the server started, untouched by
        # the tests' runs and by anyone editing notebooks/ meanwhile.
        self.promised = tmp / 'promised'
        self.token = secrets.token_urlsafe(24)
        self.port = free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        self.log_path = tmp / 'jupyter-server.log'
        self.proc = None

    def env(self):
        env = dict(CALLER_ENV)
        for name in ('settings', 'workspaces', 'runtime', 'config', 'data'):
            (self.tmp / name).mkdir()
        env.update(
            JUPYTERLAB_SETTINGS_DIR=str(self.tmp / 'settings'),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / 'workspaces'),
            JUPYTER_RUNTIME_DIR=str(self.tmp / 'runtime'),
            JUPYTER_CONFIG_DIR=str(self.tmp / 'config'),
            # No kernel specs from the user's folders: the kernel is this
            # environment's own python3.
            JUPYTER_DATA_DIR=str(self.tmp / 'data'),
            D2L_QUICK='1',
        )
        return env

    def start(self):
        # Only notebooks/: nothing else of the repository is copied or
        # linked, so a notebook reading '../tools/...' fails as it would
        # for a reader who opened it from another folder.
        ignore = shutil.ignore_patterns('.ipynb_checkpoints')
        shutil.copytree(NOTEBOOKS, self.promised, ignore=ignore)
        shutil.copytree(self.promised, self.root)
        return self.serve()

    def serve(self):
        """Start JupyterLab on self.root; return self once it answers."""
        env = self.env()  # an empty user settings folder: shipped settings
        cmd = [
            sys.executable, '-m', 'jupyter', 'lab', '--no-browser',
            '--allow-root', '--ip=127.0.0.1', f'--port={self.port}',
            '--port-retries=0', f'--IdentityProvider.token={self.token}',
            f'--ServerApp.root_dir={self.root}',
            '--ServerApp.terminals_enabled=False',
            '--LabApp.extension_manager=readonly',  # never asks PyPI
            '--LabApp.check_for_updates_class='
            'jupyterlab.handlers.announcements.NeverCheckForUpdate',
        ]
        with open(self.log_path, 'wb') as log:
            self.proc = subprocess.Popen(
                cmd, env=env, cwd=self.tmp, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f'jupyter lab exited with {self.proc.returncode}:\n'
                    f'{self.log_tail()}')
            try:
                self.api('GET', 'status')
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f'jupyter lab did not answer within '
                           f'{START_TIMEOUT} s:\n{self.log_tail()}')

    def api(self, method, path, timeout=10, body=None, prefix='api'):
        """Call the server's REST API; return the decoded JSON or None."""
        req = urllib.request.Request(
            f'{self.base}/{prefix}/{path}', method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={'Authorization': f'token {self.token}',
                     'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def url(self, notebook=None):
        """The address a reader opens (JupyterLab alone without a
        `notebook`); `reset` restores no earlier tabs."""
        path = '/tree/' + urllib.parse.quote(notebook) if notebook else ''
        return f'{self.base}/lab{path}?reset&token={self.token}'

    def user_settings(self, plugin, values):
        """Save `values` as the user's own settings of `plugin` (as
        Settings > Settings Editor does); they win over shipped ones."""
        self.api('PUT', f'settings/{plugin}', prefix='lab/api',
                 body={'raw': json.dumps(values)})

    def end_sessions(self, notebook=None):
        """Shut down the kernel of `notebook` (default: every kernel)."""
        for session in self.api('GET', 'sessions'):
            if notebook in (None, session['path']):
                self.api('DELETE', f'sessions/{session["id"]}', timeout=60)

    def cpu_seconds(self):
        """CPU time used so far by the server's processes and kernels."""
        import psutil
        server = psutil.Process(self.proc.pid)
        total = 0.0
        for proc in [server] + server.children(recursive=True):
            try:
                times = proc.cpu_times()
            except psutil.Error:  # ended meanwhile
                continue
            total += times.user + times.system
        return total

    def log_tail(self, lines=40):
        try:
            text = self.log_path.read_text(errors='replace')
        except OSError:
            return '(no server log)'
        return '\n'.join(text.splitlines()[-lines:])

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.end_sessions()
        except OSError:
            pass
        self.proc.terminate()  # the server shuts down its kernels itself
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own group only
            self.proc.wait(timeout=10)


