"""Fixtures of the browser tests: a JupyterLab server and a real Chromium.

`lab` is a running labserver.Lab on a temporary copy of notebooks/;
`browser` is Debian's Chromium driven by Playwright for Python.  Without
Chromium or Playwright the tests skip locally and fail under CI=true.
"""
import os
import shutil

import pytest

from labserver import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Lab, missing


@pytest.fixture(scope='module')
def artifacts():
    """artifacts/browser/, emptied of an earlier run's screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob('*.png'), ARTIFACTS / 'timings.txt']:
        old.unlink(missing_ok=True)
    return ARTIFACTS


@pytest.fixture(scope='module')
def lab(tmp_path_factory, artifacts):
    """A JupyterLab server on a copy of notebooks/, stopped afterwards."""
    server = Lab(tmp_path_factory.mktemp('lab'))
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.copy(server.log_path, artifacts / 'jupyter-server.log')


@pytest.fixture(scope='module')
def browser():
    """Debian's Chromium under Playwright, closed afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing('Playwright for Python is not installed: run ./course setup')
    if not os.access(CHROMIUM, os.X_OK):
        missing(f'no Chromium at {CHROMIUM}: apt-get install chromium '
                f'(or point D2L_CHROMIUM at one)')
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
