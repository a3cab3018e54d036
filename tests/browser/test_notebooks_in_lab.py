"""Open every notebook in JupyterLab, press Run All, check what a reader sees.

nbval replays the notebooks without a browser; this test proves the promise
end to end: in a real JupyterLab 4 and a real Chromium, after Edit > Clear
Outputs of All Cells and Run > Run All Cells, every code cell has run, no
cell shows an error, every figure the saved notebook shows is on screen as a
decoded image under the same cell, and the activation explorer of exercise 4
(the MXNet notebook's and its PyTorch twin's) redraws its maps when the
reader changes class, sample or layer.  A learner types a wrong and then
the right answer into the chapter's first task and sees its check answer
"Not yet" and "Correct!" (issue 13).  No notification asks about Jupyter
news: the course's shipped settings switch it off.

Screenshots go to artifacts/browser/.  The kernels run in quick mode
(D2L_QUICK=1), so training takes seconds; see tests/browser/labserver.py.
"""
import importlib
import json
import os
import pathlib
import re
import time

import pytest

from labserver import ARTIFACTS, SHIPPED_SETTINGS, notebooks

NAMES = notebooks()
# The notebooks with exercise 4's activation explorer: the MXNet edition's
# and its PyTorch twin.
EXPLORERS = ('ex4_activations.ipynb', 'pytorch/ex4_activations.ipynb')
CHAPTER = 'lenet.ipynb'  # its first task is typed in as a learner would
# Seconds for Run All of one notebook in quick mode: it takes 1-5 minutes
# on a two-core machine that others keep busy.  D2L_BROWSER_TIMEOUT
# overrides.
RUN_TIMEOUT = float(os.environ.get('D2L_BROWSER_TIMEOUT', 480))
OPEN_TIMEOUT = 120  # s to load the page and start the kernel
REDRAW_TIMEOUT = 60  # s for the explorer to redraw after a change
CHECK_TIMEOUT = 120  # s for one task cell's check to answer
# s to watch a freshly loaded JupyterLab for a news question; with the
# question switched on it shows as soon as the page is restored.
NEWS_WATCH = 10
VIEWPORT = {'width': 1280, 'height': 900}
# What a control of the explorer must be called (its description).
EXPLORER_CONTROLS = ('class', 'sample', 'layer')

STDERR = 'application/vnd.jupyter.stderr'
ERROR_LINE = re.compile(r'^\s*[\w.]*(Error|Exception)\b', re.M)

# 'ready' once the notebook's kernel has started and is idle.
KERNEL_READY_JS = """() => {
  const dialog = document.querySelector('.jp-Dialog');
  if (dialog) return 'dialog: ' + dialog.textContent.slice(0, 300);
  const panel = document.querySelector('.jp-NotebookPanel');
  const name = panel?.querySelector('.jp-KernelName')?.textContent.trim();
  const status = panel?.querySelector('.jp-Notebook-ExecutionIndicator')
    ?.dataset.status;
  return !!name && name !== 'No Kernel' && status === 'idle' && 'ready';
}"""

# Polled in the page until Run All has finished or cannot finish.  A cell
# whose input is collapsed shows no prompt, so no "[*]" while it waits:
# the kernel must stay idle for SETTLE ms with no visible cell waiting (the
# kernel is idle for an instant between two cells).
SETTLE_MS = 2000
RUN_STATE_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel');
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator')
    ?.dataset.status;
  if (['dead', 'restarting', 'autorestarting'].includes(status))
    return 'kernel ' + status;
  const dialog = document.querySelector('.jp-Dialog');
  if (dialog) return 'dialog: ' + dialog.textContent.slice(0, 300);
  const prompts = [...panel.querySelectorAll(
    '.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
  if (!(status === 'idle' && !prompts.includes('[*]:')
        && prompts.some(p => /^\\[\\d+\\]:$/.test(p)))) {
    window.d2lSettledSince = null;
    return false;
  }
  window.d2lSettledSince ??= Date.now();
  return Date.now() - window.d2lSettledSince >= SETTLE_MS && 'done';
}""".replace('SETTLE_MS', str(SETTLE_MS))

# The texts of notifications on screen that speak of news (the question
# "Would you like to get notified about official Jupyter news?" is a toast).
NEWS_JS = """() => {
  const toasts = [...document.querySelectorAll(
    '.Toastify__toast, .jp-Notification-Toast')].map(
      t => t.textContent.trim());
  const shown = document.body.innerText.match(/[^\\n]*Jupyter news[^\\n]*/i);
  return [...new Set([...toasts.filter(t => /news/i.test(t)),
                      ...(shown ? [shown[0].trim()] : [])])];
}"""

# 'restored' once JupyterLab has laid out its shell (the launcher is open).
RESTORED_JS = """() => !!document.querySelector('.jp-LabShell .jp-Launcher')
  && 'restored'"""

# One entry per cell of the notebook as JupyterLab shows it.
CELLS_JS = """async () => {
  const cells = [...document.querySelectorAll(
    '.jp-NotebookPanel .jp-Notebook .jp-Cell')];
  return Promise.all(cells.map(async cell => ({
    prompt: cell.querySelector('.jp-InputArea-prompt')
      ?.textContent.trim() ?? '',
    hidden: !!cell.querySelector('.jp-InputPlaceholder'),
    outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => ({
      mime: o.dataset.mimeType ?? null, text: o.textContent.slice(0, 3000)
    })),
    images: await Promise.all(
      [...cell.querySelectorAll('.jp-OutputArea-output img')].map(
        img => img.decode().then(() => '', e => String(e)).then(error => ({
          width: img.naturalWidth, height: img.naturalHeight, error
        })))),
  })));
}"""


def saved_cells(lab, name):
    """The repository's notebook as `lab` started: what the reader is
    promised."""
    return json.loads((lab.promised / name).read_text())['cells']


def png_count(cell):
    return sum('image/png' in out.get('data', {})
               for out in cell.get('outputs', []))


def source(cell):
    text = cell['source']
    return text if isinstance(text, str) else ''.join(text)


class OpenNotebook:
    """One notebook open in its own browser tab, with its own kernel."""

    def __init__(self, lab, browser, name):
        self.lab, self.name = lab, name
        self.stem = name.replace('/', '--').removesuffix('.ipynb')
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.run_seconds = self.cpu_seconds = None
        self.state = None

    def menu(self, title, command):
        """Click a main-menu entry, as a reader does."""
        self.page.get_by_role('menuitem', name=title, exact=True).click()
        self.page.locator(
            f'.lm-Menu-item[data-command="{command}"]').click()

    def wait_for(self, js, seconds, polling=500, arg=None):
        """Poll `js` in the page until it is truthy; return its value."""
        try:
            return self.page.wait_for_function(
                js, arg=arg, polling=polling,
                timeout=seconds * 1000).json_value()
        except Exception as exc:  # Playwright's TimeoutError
            if 'Timeout' not in type(exc).__name__:
                raise
            return f'timed out after {seconds:.0f} s'

    def open(self):
        """Open the notebook on a fresh kernel, as a reader does; return
        'ready' or what went wrong."""
        self.lab.end_sessions(self.name)  # a fresh kernel, as for a reader
        self.page.goto(self.lab.url(self.name))
        # The indicator says idle once before any kernel is attached.
        state = self.wait_for(KERNEL_READY_JS, OPEN_TIMEOUT, 250)
        if state != 'ready':
            return f'opening the notebook: {state}'
        self.page.keyboard.press('Control+b')  # hide the file browser
        return state

    def run_all(self):
        """Open the notebook, clear all outputs, Run All, wait for the end.

        Set `state` to 'done', or to what went wrong on the way.
        """
        page = self.page
        start, cpu = time.monotonic(), self.lab.cpu_seconds()
        try:
            self.state = self.open()
            if self.state != 'ready':
                return
            self.menu('Edit', 'editmenu:clear-all')
            outputs = page.locator('.jp-NotebookPanel .jp-OutputArea-output')
            if outputs.count():
                self.state = 'Clear Outputs of All Cells left outputs'
                return
            start, cpu = time.monotonic(), self.lab.cpu_seconds()
            self.menu('Run', 'runmenu:run-all')
            self.state = self.wait_for(RUN_STATE_JS, RUN_TIMEOUT)
        except Exception as exc:  # a Playwright error: say what it was
            self.state = f'{type(exc).__name__}: {exc}'
        finally:
            self.run_seconds = time.monotonic() - start
            self.cpu_seconds = self.lab.cpu_seconds() - cpu
            with open(ARTIFACTS / 'timings.txt', 'a') as log:
                print(self.timing(), file=log)

    def timing(self):
        return (f'{self.name}: Run All {self.run_seconds:.0f} s, kernel '
                f'and server CPU {self.cpu_seconds:.0f} s, load average '
                f'{os.getloadavg()[0]:.1f}')

    def cells(self):
        return self.page.evaluate(CELLS_JS)

    def news(self):
        """Notifications on the page that speak of news (none expected)."""
        return self.page.evaluate(NEWS_JS)

    def save(self):
        """File > Save Notebook; return the cells as the kernel sent them
        (None if saving failed: the test then goes by the page alone)."""
        try:
            self.menu('File', 'docmanager:save')
            self.page.wait_for_function(
                "() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')",
                polling=250, timeout=60_000)
        except Exception:  # a Playwright error; the page says the rest
            return None
        path = self.lab.root / self.name
        return json.loads(path.read_text())['cells']

    def screenshot(self, suffix=''):
        """Save the whole notebook, every cell in view, as one picture."""
        page = self.page
        height = page.evaluate("""() => {
          const s = document.querySelector(
            '.jp-NotebookPanel .jp-WindowedPanel-outer');
          return s ? s.scrollHeight : 0; }""")
        path = ARTIFACTS / f'{self.stem}{suffix}.png'
        page.set_viewport_size({'width': VIEWPORT['width'],
                                'height': min(max(height + 150, 900),
                                              15000)})
        page.wait_for_timeout(500)  # let JupyterLab lay out the new size
        page.evaluate("""() => document.querySelector(
          '.jp-NotebookPanel .jp-WindowedPanel-outer').scrollTop = 0""")
        page.wait_for_timeout(500)
        page.screenshot(path=path)
        page.set_viewport_size(VIEWPORT)
        return path

    def close(self):
        self.context.close()
        self.lab.end_sessions(self.name)


class Tabs:
    """Notebooks opened and run once each, until closed."""

    def __init__(self, lab, browser):
        self.lab, self.browser, self.open = lab, browser, {}

    def __call__(self, name):
        """Return the notebook `name`, opened and run if it is not yet."""
        if name not in self.open:
            self.open[name] = OpenNotebook(self.lab, self.browser, name)
            self.open[name].run_all()
        return self.open[name]

    def close(self, name):
        """Close the tab and shut down its kernel."""
        self.open.pop(name).close()


@pytest.fixture(scope='module')
def opened(browser, lab):
    """Tabs of the module; whatever is still open is closed at the end."""
    tabs = Tabs(lab, browser)
    yield tabs
    for name in list(tabs.open):
        tabs.close(name)


def where(lab):
    return (f'\nScreenshots: {ARTIFACTS}/\nServer log (tail):\n'
            f'{lab.log_tail(15)}')


def problems_in(cells, promised, ran):
    """What the reader would see go wrong, one line per problem.

    `cells` is what JupyterLab shows, `promised` the repository's notebook
    and `ran` the same notebook saved after Run All.
    """
    found = []
    if ran is None:
        found.append('File > Save Notebook failed: the saved run is unknown')
        ran = [{}] * len(promised)
    if not len(cells) == len(promised) == len(ran):
        return [f'JupyterLab shows {len(cells)} cells, the notebook has '
                f'{len(promised)}, the saved run {len(ran)}']
    for i, (shown, saved, done) in enumerate(zip(cells, promised, ran)):
        collapsed = saved['metadata'].get('jupyter', {}).get('source_hidden')
        if bool(collapsed) != shown['hidden']:
            found.append(f'cell {i}: its input is '
                         f'{"shown" if collapsed else "collapsed"}, the '
                         f'notebook has it '
                         f'{"collapsed" if collapsed else "shown"}')
        if saved['cell_type'] == 'code' and source(saved).strip():
            if shown['hidden']:  # no prompt on screen: the saved run says
                if done and done.get('execution_count') is None:
                    found.append(f'cell {i} (input collapsed) did not run')
            elif not re.fullmatch(r'\[\d+\]:', shown['prompt']):
                found.append(f'cell {i} did not run (prompt '
                             f'{shown["prompt"]!r})')
        shows_error = False
        for out in shown['outputs']:
            text = out['text']
            if out['mime'] == STDERR and ('Traceback' in text
                                         or ERROR_LINE.search(text)):
                shows_error = True
                found.append(f'cell {i} shows an error:\n'
                             f'{text.strip()[-1500:]}')
            if 'Error displaying widget' in text:
                found.append(f'cell {i}: {text.strip()[:200]}')
        for out in done.get('outputs', []):
            if out['output_type'] == 'error' and not shows_error:
                found.append(f'cell {i} raised {out["ename"]}: '
                             f'{out["evalue"]}')
        for img in shown['images']:
            if img['error'] or img['width'] == 0:
                found.append(f'cell {i} has a figure that did not render '
                             f'({img["error"] or "width 0"})')
        shown_n = len(shown['images'])
        if shown_n < png_count(saved):
            found.append(f'cell {i} shows {shown_n} figure(s); the saved '
                         f'notebook shows {png_count(saved)} there')
        if shown_n < png_count(done):
            found.append(f'cell {i} shows {shown_n} figure(s); its kernel '
                         f'sent {png_count(done)}')
    return found


# A notebook with one of each fault, to show the checks above can fail.
BROKEN = {
    'print("a figure was promised here")':
        'cell 0 shows 0 figure(s); the saved notebook shows 1 there',
    'from IPython.display import display\n'
    'display({"image/png": "bm90IGEgcG5n"}, raw=True)':
        'cell 1 has a figure that did not render',
    '1 / 0': 'cell 2 shows an error:',
    'print("Run All stops before this cell")': 'cell 3 did not run',
}


def test_checks_catch_a_broken_notebook(opened, lab):
    """The checks report an error, a broken and a missing figure."""
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata['kernelspec'] = {'name': 'python3', 'language': 'python',
                                 'display_name': 'Python 3 (ipykernel)'}
    nb.cells = [nbformat.v4.new_code_cell(code) for code in BROKEN]
    nbformat.write(nb, lab.root / 'broken.ipynb')
    promised = json.loads(nbformat.writes(nb))['cells']
    promised[0]['outputs'] = [{'output_type': 'display_data',
                               'data': {'image/png': ''}, 'metadata': {}}]
    tab = opened('broken.ipynb')
    try:
        assert tab.state == 'done', tab.state
        problems = '\n'.join(problems_in(tab.cells(), promised, tab.save()))
    finally:
        opened.close('broken.ipynb')
    for want in BROKEN.values():
        assert want in problems, f'{want!r} not reported in:\n{problems}'
    assert 'ZeroDivisionError' in problems


# --- JupyterLab asks no question about news (the shipped settings) ---------

def installed_settings():
    """The overrides.json JupyterLab reads in this environment, or None."""
    from jupyterlab.commands import get_app_dir
    path = pathlib.Path(get_app_dir()) / 'settings' / 'overrides.json'
    return json.loads(path.read_text()) if path.exists() else None


def open_lab(browser, lab, shot):
    """Load JupyterLab with no notebook in a new tab, watch it for
    NEWS_WATCH s after it is restored; return the news it showed."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(lab.url())
        page.wait_for_function(RESTORED_JS, polling=250,
                               timeout=OPEN_TIMEOUT * 1000)
        deadline = time.monotonic() + NEWS_WATCH
        while time.monotonic() < deadline:
            news = page.evaluate(NEWS_JS)
            if news:
                break
            page.wait_for_timeout(250)
        page.screenshot(path=ARTIFACTS / shot)
        return news
    finally:
        context.close()


def test_no_news_question_on_opening(browser, lab):
    """The course's settings are installed and JupyterLab, freshly
    opened, shows no notification about Jupyter news."""
    shipped = json.loads(SHIPPED_SETTINGS.read_text())
    assert installed_settings() == shipped, (
        f'this environment\'s JupyterLab does not have the course\'s '
        f'{SHIPPED_SETTINGS.name}: run ./course setup')
    news = open_lab(browser, lab, 'lab-opened.png')
    assert not news, (f'JupyterLab asks about news: {news}' + where(lab))


def test_news_check_sees_the_question(browser, lab):
    """With fetchNews "none" (JupyterLab's default, which the shipped
    settings override) set as the user's own setting, the question shows
    and the check above sees it: it can fail."""
    plugin = '@jupyterlab/apputils-extension:notification'
    lab.user_settings(plugin, {'fetchNews': 'none'})
    try:
        news = open_lab(browser, lab, 'lab-opened-news-on.png')
    finally:
        lab.user_settings(plugin, {})
    assert any('Jupyter news' in text for text in news), (
        f'no news question within {NEWS_WATCH} s with fetchNews "none" '
        f'(found {news})' + where(lab))


# --- A learner types an answer into the chapter's first task (issue 13) ----

TASK_IMPORT = re.compile(r'^from d2l_local\.tasks\.(\w+) import \*', re.M)
CHECK_LINE = re.compile(r'^(q\d+)\.check\((.*)\)\s*$')
BLANK = '____'

# The cell `i` has run since its prompt read `before`: 'done', or what
# stopped it.
CELL_RAN_JS = """([i, before]) => {
  const panel = document.querySelector('.jp-NotebookPanel');
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator')
    ?.dataset.status;
  if (['dead', 'restarting', 'autorestarting'].includes(status))
    return 'kernel ' + status;
  const cell = panel.querySelectorAll('.jp-Notebook .jp-Cell')[i];
  const prompt = cell.querySelector('.jp-InputArea-prompt')
    ?.textContent.trim();
  return status === 'idle' && /^\\[\\d+\\]:$/.test(prompt)
    && prompt !== before && 'done';
}"""

# Every code cell `indices` whose input shows has run and the kernel has
# been idle for SETTLE_MS (a collapsed cell shows no prompt).
CELLS_RAN_JS = """(indices) => {
  const panel = document.querySelector('.jp-NotebookPanel');
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator')
    ?.dataset.status;
  if (['dead', 'restarting', 'autorestarting'].includes(status))
    return 'kernel ' + status;
  const cells = panel.querySelectorAll('.jp-Notebook .jp-Cell');
  const ran = indices.every(i => cells[i].querySelector(
    '.jp-InputPlaceholder') || /^\\[\\d+\\]:$/.test(cells[i].querySelector(
      '.jp-InputArea-prompt')?.textContent.trim()));
  if (!(status === 'idle' && ran)) {
    window.d2lSettledSince = null;
    return false;
  }
  window.d2lSettledSince ??= Date.now();
  return Date.now() - window.d2lSettledSince >= SETTLE_MS && 'done';
}""".replace('SETTLE_MS', str(SETTLE_MS))

# Where `text` first stands on line `row` of an editor, as a box on screen
# (the highlighter splits a line into many text nodes; the editor must be
# in view).
TEXT_BOX_JS = """(content, [text, row]) => {
  const line = content.querySelectorAll('.cm-line')[row];
  const at = line ? line.textContent.indexOf(text) : -1;
  if (at >= 0) {
    const end = at + text.length, range = document.createRange();
    const walk = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let seen = 0, started = false;
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      const size = node.data.length;
      if (!started && at < seen + size) {
        range.setStart(node, at - seen);
        started = true;
      }
      if (started && end <= seen + size) {
        range.setEnd(node, end - seen);
        break;
      }
      seen += size;
    }
    const box = range.getBoundingClientRect();
    return {left: box.left, right: box.right,
            y: box.top + box.height / 2};
  }
  return null;
}"""


def first_task(lab, name):
    """(cell index, cell source, task) of the notebook's first task that
    a check can call right (a prediction is only graded later)."""
    from d2l_local.tasks import Prediction
    cells = saved_cells(lab, name)
    modules = TASK_IMPORT.findall('\n'.join(
        source(c) for c in cells if c['cell_type'] == 'code'))
    assert modules, f'{name} imports no task module (d2l_local.tasks.NAME)'
    module = importlib.import_module(f'd2l_local.tasks.{modules[0]}')
    for i, cell in enumerate(cells):
        text = source(cell).rstrip()
        lines = text.splitlines()
        match = (cell['cell_type'] == 'code' and lines
                 and CHECK_LINE.match(lines[-1]))
        if match and any(BLANK in line.split('#', 1)[0] for line in lines):
            task = getattr(module, match[1])
            if not isinstance(task, Prediction):
                return i, text, task
    pytest.fail(f'{name} has no task cell: a code cell with {BLANK} whose '
                f'last line is qN.check(...)')


def blank_row(text):
    """The number of the cell's line with the blank in its code."""
    return next(row for row, line in enumerate(text.splitlines())
                if BLANK in line.split('#', 1)[0])  # not in a comment


def filled(text, answer):
    """The cell `text` with `answer` in place of the blank."""
    lines = text.splitlines()
    row = blank_row(text)
    lines[row] = lines[row].replace(BLANK, answer, 1)
    return '\n'.join(lines)


def code_lines(text):
    """The lines of `text` without comments and blank lines."""
    lines = (line.split('#', 1)[0].rstrip() for line in text.splitlines())
    return [line for line in lines if line.strip()]


def answer_for_blank(text, code):
    """What the solution `code` has where the cell `text` has the blank,
    if the cell with that in its place is the solution (else None: the
    solution is more than the blank's line)."""
    line = text.splitlines()[blank_row(text)]
    before, after = line.split(BLANK, 1)
    after = after.split('#', 1)[0].rstrip()
    pattern = re.compile(re.escape(before.strip()) + r'(.+?)'
                         + re.escape(after) + r'\s*(#.*)?')
    learner_part = '\n'.join(text.splitlines()[:-1])
    for solved in code.splitlines():
        match = pattern.fullmatch(solved.strip())
        if match and (code_lines(filled(learner_part, match[1].strip()))
                      == code_lines(code)):
            return match[1].strip()
    return None


def a_wrong_answer(task, answer):
    """A wrong answer to type: the right whole number (or a shape's last
    side) plus one where the task says that is wrong, else None (a number,
    a shape and a net all refuse it)."""
    try:  # the solution's expression, with no names: arithmetic only
        value = eval(answer, {'__builtins__': {}})
    except Exception:  # noqa: BLE001 - it needs names: not arithmetic
        value = None
    if isinstance(value, int) and not isinstance(value, bool):
        wrong = value + 1
    elif (isinstance(value, tuple) and value
          and all(isinstance(v, int) for v in value)):
        wrong = (*value[:-1], value[-1] + 1)
    else:
        wrong = None
    if wrong is not None and task.grade(wrong).status == 'wrong':
        return repr(wrong)
    assert task.grade(None).status == 'wrong', f'{task.name} accepts None'
    return 'None'


def lines_of(text):
    return [line.rstrip() for line in text.splitlines() if line.strip()]


class Learner:
    """A learner at one cell of an open notebook: types, runs, reads."""

    def __init__(self, tab, index):
        self.tab, self.page, self.index = tab, tab.page, index
        self.cell = self.page.locator(
            '.jp-NotebookPanel .jp-Notebook .jp-Cell').nth(index)
        self.editor = self.cell.locator('.cm-content')

    def prompt(self):
        return self.cell.locator('.jp-InputArea-prompt').text_content(
        ).strip()

    def select(self):
        """Click the cell's prompt: the cell is selected, not edited."""
        self.cell.scroll_into_view_if_needed()
        self.cell.locator('.jp-InputArea-prompt').click()

    def replace(self, old, new, row):
        """Select `old` on line `row` of the editor with the mouse, type
        `new`; return the editor's text."""
        self.cell.scroll_into_view_if_needed()
        box = self.editor.evaluate(TEXT_BOX_JS, [old, row])
        assert box, f'{old!r} is not on line {row}:\n{self.text()}'
        self.page.mouse.click(box['left'] + 1, box['y'])
        self.page.keyboard.down('Shift')
        self.page.mouse.click(box['right'] - 1, box['y'])
        self.page.keyboard.up('Shift')
        self.page.keyboard.type(new)
        return self.text()

    def text(self):
        return self.editor.inner_text()

    def run(self):
        """Shift+Enter; wait for the cell to have run; return its output
        text or what stopped it."""
        before = self.prompt()
        self.page.keyboard.press('Shift+Enter')
        state = self.tab.wait_for(CELL_RAN_JS, CHECK_TIMEOUT,
                                  arg=[self.index, before])
        outputs = self.cell.locator('.jp-OutputArea-output')
        text = '\n'.join(outputs.all_text_contents()).strip()
        return text if state == 'done' else f'{state}: {text}'


def test_a_learner_answers_the_first_task(browser, lab):
    """In the chapter a learner runs the cells above the first task, types
    a wrong answer in place of the blank and runs the cell (Not yet:),
    then the right one (Correct!).  The answer is the task's own solution
    (`q.code`), so the test follows the task."""
    index, text, task = first_task(lab, CHAPTER)
    answer = answer_for_blank(text, task.code)
    wrong = a_wrong_answer(task, answer) if answer else 'None'
    check = text.splitlines()[-1]
    # Its own copy in another folder: the Run All test's copy stays blank.
    name = f'learner/{CHAPTER}'
    (lab.root / 'learner').mkdir(exist_ok=True)
    # As a learner opens it after Edit > Clear Outputs of All Cells: no
    # saved prompt number can look like the task cell's fresh one.
    nb = json.loads((lab.promised / CHAPTER).read_text())
    for cell in nb['cells']:
        if cell['cell_type'] == 'code':
            cell['execution_count'], cell['outputs'] = None, []
    (lab.root / name).write_text(json.dumps(nb))
    tab = OpenNotebook(lab, browser, name)
    start, cpu = time.monotonic(), lab.cpu_seconds()
    try:
        state = tab.open()
        assert state == 'ready', state + where(lab)
        learner = Learner(tab, index)
        learner.select()
        tab.menu('Run', 'notebook:run-all-above')
        above = [i for i, cell in enumerate(saved_cells(lab, CHAPTER)[:index])
                 if cell['cell_type'] == 'code' and source(cell).strip()]
        state = tab.wait_for(CELLS_RAN_JS, RUN_TIMEOUT, arg=above)
        assert state == 'done', f'Run All Above: {state}' + where(lab)
        row = blank_row(text)
        shown = learner.replace(BLANK, wrong, row)
        assert lines_of(shown) == lines_of(filled(text, wrong)), (
            f'after typing {wrong!r} the cell reads:\n{shown}')
        said = learner.run()
        learner.cell.screenshot(path=ARTIFACTS / f'learner-{task.name}-'
                                                 f'wrong.png')
        assert said.startswith('Not yet:'), (
            f'{task.name} answered {wrong!r} with:\n{said}' + where(lab))
        if answer is None:  # the solution replaces the learner's part
            learner.editor.click()
            tab.page.keyboard.press('Control+a')
            tab.page.keyboard.insert_text(f'{task.code}\n\n{check}')
            expected = f'{task.code}\n\n{check}'
        else:
            learner.replace(wrong, answer, row)
            expected = filled(text, answer)
        shown = learner.text()
        assert lines_of(shown) == lines_of(expected), (
            f'after typing the answer the cell reads:\n{shown}')
        said = learner.run()
        learner.cell.screenshot(path=ARTIFACTS / f'learner-{task.name}-'
                                                 f'right.png')
        assert said.startswith('Correct!'), (
            f'{task.name} answered the solution {answer or task.code!r} '
            f'with:\n{said}' + where(lab))
        assert tab.news() == []
    finally:
        tab.run_seconds = time.monotonic() - start
        tab.cpu_seconds = lab.cpu_seconds() - cpu
        with open(ARTIFACTS / 'timings.txt', 'a') as log:
            print(f'{tab.timing()} (run above, two checks)', file=log)
        tab.close()


@pytest.mark.parametrize('name', NAMES)
def test_run_all_in_jupyterlab(opened, lab, name):
    """Run All in JupyterLab: every cell runs, no error, every figure."""
    tab = opened(name)
    try:
        problems = [] if tab.state == 'done' else [f'Run All: {tab.state}']
        cells = tab.cells()
        problems += problems_in(cells, saved_cells(lab, name), tab.save())
        problems += [f'a notification asks about news: {text!r} (is '
                     f'lab/overrides.json installed? ./course setup)'
                     for text in tab.news()]
    finally:
        shot = tab.screenshot()
        print(f'{tab.timing()}; screenshot {shot}')
        if name not in EXPLORERS:  # the explorer's test goes on with it
            opened.close(name)
    assert not problems, (f'{name} in JupyterLab:\n' + '\n'.join(problems)
                          + where(lab))


# --- The activation explorer of exercise 4 --------------------------------

CONTROLS = ('.widget-dropdown', '.widget-slider', '.widget-select',
            '.widget-toggle-buttons', '.widget-radio')


def explorer_parts(page):
    """The last widget output: (whole widget, its controls, its maps)."""
    widgets = page.locator('.jp-NotebookPanel .jp-OutputArea-output'
                           ' > .jupyter-widgets')
    if widgets.count() == 0:
        return None, [], None
    root = widgets.last
    maps = root.locator('.widget-output')
    maps = maps.last if maps.count() else root
    controls = []
    for kind in CONTROLS:
        found = root.locator(kind)
        for k in range(found.count()):
            control = found.nth(k)
            label = control.locator('.widget-label')
            text = label.first.text_content() if label.count() else ''
            controls.append((text.strip(), kind, control))
    return root, controls, maps


def snapshot(maps):
    """What the maps look like now: their images' sources (None while an
    image is loading or broken), or a screenshot if they are no images."""
    srcs = maps.locator('img').evaluate_all(
        'imgs => imgs.map(i => i.complete && i.naturalWidth > 0'
        ' ? i.src : "")')
    if not srcs:
        return maps.screenshot()
    return None if '' in srcs else tuple(srcs)


def redrawn(page, maps, before):
    """Wait until the maps differ from `before`; return them (or None)."""
    deadline = time.monotonic() + REDRAW_TIMEOUT
    while time.monotonic() < deadline:
        now = snapshot(maps)
        if now not in (None, before):
            page.wait_for_timeout(500)  # a last frame may follow
            return snapshot(maps)
        page.wait_for_timeout(250)
    return None


def change(kind, control):
    """Move one control to another value; return what it now says."""
    if kind in ('.widget-dropdown', '.widget-select'):
        select = control.locator('select')
        options = select.locator('option').all_text_contents()
        now = select.evaluate('s => s.selectedIndex')
        pick = (now + 1) % len(options)
        select.select_option(index=pick)
        return options[pick]
    if kind == '.widget-slider':
        handle = control.locator('.noUi-handle').first
        at_end = handle.get_attribute('aria-valuenow') == \
            handle.get_attribute('aria-valuemax')
        handle.focus()
        handle.press('ArrowLeft' if at_end else 'ArrowRight')
        return handle.get_attribute('aria-valuetext')
    if kind == '.widget-toggle-buttons':
        button = control.locator('button:not(.mod-active)').first
        button.click()
        return button.text_content()
    radio = control.locator('input:not(:checked)').first
    radio.check()
    return radio.evaluate('r => r.value')


@pytest.mark.parametrize('name', EXPLORERS)
def test_activation_explorer_responds(opened, lab, name):
    """ex4's explorer (in either edition) renders and redraws when
    class/sample/layer change."""
    if name not in NAMES:
        pytest.skip(f'{name} not present')
    tab = opened(name)
    page = tab.page
    root, controls, maps = explorer_parts(page)
    assert root is not None, (
        f'{name}: no widget rendered after Run All (Run All: '
        f'{tab.state}); is the ipywidgets extension missing?' + where(lab))
    labels = [label for label, _, _ in controls]
    absent = [wanted for wanted in EXPLORER_CONTROLS
              if not any(wanted in label.lower() for label in labels)]
    assert not absent, (f'{name}: the explorer has controls {labels}, '
                        f'none for {absent}' + where(lab))
    root.scroll_into_view_if_needed()
    shown = redrawn(page, maps, before=None)
    root.screenshot(path=ARTIFACTS / f'{tab.stem}-explorer-0-start.png')
    assert shown is not None, (f'{name}: the explorer shows no maps'
                               + where(lab))
    problems = []
    for n, (label, kind, control) in enumerate(controls, 1):
        value = change(kind, control)
        now = redrawn(page, maps, before=shown)
        root.screenshot(
            path=ARTIFACTS / f'{tab.stem}-explorer-{n}-{label or n}.png')
        if now is None:
            problems.append(f'setting {label!r} to {value!r} did not change '
                            f'the maps within {REDRAW_TIMEOUT} s')
        shown = now or snapshot(maps)
    problems += problems_in(tab.cells(), saved_cells(lab, name),
                            tab.save())
    assert not problems, (f'{name} explorer:\n' + '\n'.join(problems)
                          + where(lab))
