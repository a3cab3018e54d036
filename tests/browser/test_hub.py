"""The JupyterHub link, end to end: nbgitpuller in the course's JupyterLab.

A class's hub hands the course to a student as one nbgitpuller link
(tools/links.py --hub).  Here the student's single-user server is
JupyterLab from this environment on an empty home folder, and the course's
upstream is a small git repository in a temporary folder holding the
chapter.  Opened in Chromium, the link (the part after the hub's
/hub/user-redirect/, which JupyterHub sends to the student's own server)
clones the repository into the home folder and opens the chapter.  The
student adds a cell and saves; upstream gets a new commit; the same link
again merges the commit and keeps the student's cell (nbgitpuller's
automatic merging).  The server's memory with the chapter open is printed
(README, "Teaching with a JupyterHub").
"""
import importlib.util
import json
import os
import shutil
import subprocess

import pytest

from labserver import ARTIFACTS, ROOT, Lab
from test_notebooks_in_lab import KERNEL_READY_JS, VIEWPORT

spec = importlib.util.spec_from_file_location('links',
                                              ROOT / 'tools' / 'links.py')
links = importlib.util.module_from_spec(spec)
spec.loader.exec_module(links)

CHAPTER = 'notebooks/lenet.ipynb'
FOLDER = 'lenet-course'  # the upstream's name: the clone's folder
OPEN_TIMEOUT = 120  # s for the sync, the redirect and the kernel
NOTE = '# my note: the second conv layer has 16 channels'
SHOTS = ARTIFACTS / 'hub'


def git(*args, cwd):
    """Run git in `cwd` as nobody in particular; return its output."""
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM='1',
               GIT_CONFIG_GLOBAL=os.devnull)
    return subprocess.run(
        ['git', '-c', 'user.name=Instructor',
         '-c', 'user.email=instructor@example.org', *args],
        cwd=cwd, env=env, check=True, capture_output=True,
        text=True).stdout.strip()


class HomeLab(Lab):
    """JupyterLab on a student's empty home folder."""

    def __init__(self, tmp):
        super().__init__(tmp)
        self.root = tmp / 'home'

    def env(self):
        return dict(super().env(), HOME=str(self.root),
                    GIT_CONFIG_NOSYSTEM='1')

    def start(self):
        self.root.mkdir()
        return self.serve()


@pytest.fixture(scope='module')
def upstream(tmp_path_factory):
    """The instructor's repository: the chapter and a notes file."""
    if not shutil.which('git'):
        pytest.fail('git is not installed: nbgitpuller needs it')
    repo = tmp_path_factory.mktemp('upstream') / FOLDER
    (repo / 'notebooks').mkdir(parents=True)
    shutil.copy(ROOT / CHAPTER, repo / CHAPTER)
    (repo / 'NOTES.md').write_text('# Notes for the class\n')
    git('init', '--quiet', '--initial-branch=main', cwd=repo)
    git('add', '.', cwd=repo)
    git('commit', '--quiet', '-m', 'The chapter', cwd=repo)
    return repo


@pytest.fixture(scope='module')
def home_lab(tmp_path_factory):
    """The student's server, with nbgitpuller, stopped afterwards."""
    if importlib.util.find_spec('nbgitpuller') is None:
        pytest.fail('nbgitpuller is not installed: run ./course setup')
    server = HomeLab(tmp_path_factory.mktemp('hub'))
    try:
        yield server.start()
    finally:
        server.stop()
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(server.log_path, SHOTS / 'jupyter-server.log')


def visit(page, lab, link):
    """Open the git-pull link; return 'ready' once the chapter is open
    in JupyterLab with its kernel idle, or what went wrong."""
    page.goto(link)
    target = f'**/lab/tree/{FOLDER}/{CHAPTER}'
    try:
        page.wait_for_url(target, timeout=OPEN_TIMEOUT * 1000)
        return page.wait_for_function(
            KERNEL_READY_JS, polling=250,
            timeout=OPEN_TIMEOUT * 1000).json_value()
    except Exception as exc:  # Playwright's TimeoutError
        if 'Timeout' not in type(exc).__name__:
            raise
        status = page.locator('body').inner_text()[:1500]
        return (f'not open after {OPEN_TIMEOUT} s at {page.url}:\n'
                f'{status}\n{lab.log_tail()}')


def server_rss_mb(lab):
    """Resident memory of the JupyterLab server alone (no kernels)."""
    import psutil
    return psutil.Process(lab.proc.pid).memory_info().rss / 2**20


def add_note(page):
    """As a student: a new cell above the first, NOTE typed in, saved."""
    first = page.locator('.jp-NotebookPanel .jp-Notebook .jp-Cell').first
    first.locator('.jp-InputArea-prompt').click()  # selected, not edited
    page.keyboard.press('a')  # insert a code cell above
    page.keyboard.press('Enter')  # edit it
    page.keyboard.type(NOTE)
    page.keyboard.press('Escape')
    page.keyboard.press('Control+s')
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')",
        polling=250, timeout=60_000)


def sources(path):
    return [''.join(c['source'])
            for c in json.loads(path.read_text())['cells']]


def test_the_hub_link_clones_opens_and_merges(browser, home_lab, upstream):
    query = links.git_pull(str(upstream), CHAPTER)
    # What the hub's /hub/user-redirect/git-pull sends the student to
    link = f'{home_lab.base}/git-pull?{query}&token={home_lab.token}'
    assert links.hub('https://hub.example.org', str(upstream), CHAPTER) \
        == f'https://hub.example.org/hub/user-redirect/git-pull?{query}'
    clone = home_lab.root / FOLDER
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        # First click: the course is cloned and the chapter opens
        state = visit(page, home_lab, link)
        page.screenshot(path=SHOTS / 'first-visit.png')
        assert state == 'ready', state
        assert (clone / CHAPTER).is_file()
        assert git('rev-parse', 'HEAD', cwd=clone) == \
            git('rev-parse', 'HEAD', cwd=upstream)
        title = sources(upstream / CHAPTER)[0].split('\n# ', 1)[1]
        title = title.splitlines()[0]
        heading = page.locator('.jp-NotebookPanel h1').first
        assert title in heading.inner_text(), heading.inner_text()
        print(f'JupyterLab server with the chapter open: '
              f'{server_rss_mb(home_lab):.0f} MB resident')

        # The student writes in their copy and saves
        add_note(page)
        assert sources(clone / CHAPTER)[0] == NOTE
        # The instructor adds to another file upstream
        with open(upstream / 'NOTES.md', 'a') as notes:
            notes.write('Week 2: exercise 1.\n')
        git('commit', '--quiet', '-am', 'Week 2', cwd=upstream)
        new = git('rev-parse', 'HEAD', cwd=upstream)

        # Second click: the commit is merged, the note kept
        state = visit(page, home_lab, link)
        page.screenshot(path=SHOTS / 'second-visit.png')
        assert state == 'ready', state
        git('merge-base', '--is-ancestor', new, 'HEAD', cwd=clone)
        assert (clone / 'NOTES.md').read_text() == \
            '# Notes for the class\nWeek 2: exercise 1.\n'
        cells = sources(clone / CHAPTER)
        assert cells[0] == NOTE
        assert cells[1:] == sources(upstream / CHAPTER)
        editor = page.locator('.jp-NotebookPanel .jp-Cell').first
        assert NOTE in editor.inner_text()
    finally:
        context.close()
