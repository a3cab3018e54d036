"""Open every notebook in JupyterLab, press Run All, check what a reader sees.

nbval replays the notebooks without a browser; this test proves the promise
end to end: in a real JupyterLab 4 and a real Chromium, after Edit > Clear
Outputs of All Cells and Run > Run All Cells, every code cell has run, no
cell shows an error, every figure the saved notebook shows is on screen as a
decoded image under the same cell, and the activation explorer of exercise 4
redraws its maps when the reader changes class, sample or layer.

Screenshots go to artifacts/browser/.  The kernels run in quick mode
(D2L_QUICK=1), so training takes seconds; see tests/browser/labserver.py.
"""
import json
import os
import re
import time

import pytest

from labserver import ARTIFACTS, NOTEBOOKS, notebooks

NAMES = notebooks()
EXPLORER = 'ex4_activations.ipynb'
# Seconds for Run All of one notebook in quick mode: it takes 1-5 minutes
# on a two-core machine that others keep busy.  D2L_BROWSER_TIMEOUT
# overrides.
RUN_TIMEOUT = float(os.environ.get('D2L_BROWSER_TIMEOUT', 480))
OPEN_TIMEOUT = 120  # s to load the page and start the kernel
REDRAW_TIMEOUT = 60  # s for the explorer to redraw after a change
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

# Polled in the page until Run All has finished or cannot finish.
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
  if (status === 'idle' && !prompts.includes('[*]:')
      && prompts.some(p => /^\\[\\d+\\]:$/.test(p)))
    return 'done';
  return false;
}"""

# One entry per cell of the notebook as JupyterLab shows it.
CELLS_JS = """async () => {
  const cells = [...document.querySelectorAll(
    '.jp-NotebookPanel .jp-Notebook .jp-Cell')];
  return Promise.all(cells.map(async cell => ({
    prompt: cell.querySelector('.jp-InputArea-prompt')
      ?.textContent.trim() ?? '',
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


def saved_cells(name):
    """The repository's notebook: what the reader is promised."""
    return json.loads((NOTEBOOKS / name).read_text())['cells']


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

    def wait_for(self, js, seconds, polling=500):
        """Poll `js` in the page until it is truthy; return its value."""
        try:
            return self.page.wait_for_function(
                js, polling=polling, timeout=seconds * 1000).json_value()
        except Exception as exc:  # Playwright's TimeoutError
            if 'Timeout' not in type(exc).__name__:
                raise
            return f'timed out after {seconds:.0f} s'

    def run_all(self):
        """Open the notebook, clear all outputs, Run All, wait for the end.

        Set `state` to 'done', or to what went wrong on the way.
        """
        page = self.page
        self.lab.end_sessions(self.name)  # a fresh kernel, as for a reader
        start, cpu = time.monotonic(), self.lab.cpu_seconds()
        try:
            page.goto(self.lab.url(self.name))
            # The indicator says idle once before any kernel is attached.
            self.state = self.wait_for(KERNEL_READY_JS, OPEN_TIMEOUT, 250)
            if self.state != 'ready':
                self.state = f'opening the notebook: {self.state}'
                return
            page.keyboard.press('Control+b')  # hide the file browser
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
        if saved['cell_type'] == 'code' and source(saved).strip():
            if not re.fullmatch(r'\[\d+\]:', shown['prompt']):
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


@pytest.mark.parametrize('name', NAMES)
def test_run_all_in_jupyterlab(opened, lab, name):
    """Run All in JupyterLab: every cell runs, no error, every figure."""
    tab = opened(name)
    try:
        problems = [] if tab.state == 'done' else [f'Run All: {tab.state}']
        cells = tab.cells()
        problems += problems_in(cells, saved_cells(name), tab.save())
    finally:
        shot = tab.screenshot()
        print(f'{tab.timing()}; screenshot {shot}')
        if name != EXPLORER:  # the explorer's test goes on with it
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


def test_activation_explorer_responds(opened, lab):
    """ex4's explorer renders and redraws when class/sample/layer change."""
    if EXPLORER not in NAMES:
        pytest.skip('ex4 not present')
    tab = opened(EXPLORER)
    page = tab.page
    root, controls, maps = explorer_parts(page)
    assert root is not None, (
        f'{EXPLORER}: no widget rendered after Run All (Run All: '
        f'{tab.state}); is the ipywidgets extension missing?' + where(lab))
    labels = [label for label, _, _ in controls]
    absent = [name for name in EXPLORER_CONTROLS
              if not any(name in label.lower() for label in labels)]
    assert not absent, (f'{EXPLORER}: the explorer has controls {labels}, '
                        f'none for {absent}' + where(lab))
    root.scroll_into_view_if_needed()
    shown = redrawn(page, maps, before=None)
    root.screenshot(path=ARTIFACTS / f'{tab.stem}-explorer-0-start.png')
    assert shown is not None, (f'{EXPLORER}: the explorer shows no maps'
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
    problems += problems_in(tab.cells(), saved_cells(EXPLORER), tab.save())
    assert not problems, (f'{EXPLORER} explorer:\n' + '\n'.join(problems)
                          + where(lab))
