"""What every edition's d2l.setup(seed=0) does besides the framework: the
Python check, figures under the cell, the note on quick mode."""
import sys

from . import settings

PYTHONS = ((3, 10), (3, 11), (3, 12), (3, 13))  # each with its own pins
SET_UP = 'see "Set-up" in README.md, or use the Binder link there'


def check_python():
    """Raise RuntimeError, saying what to do, on a Python the course has
    no pins for; return the version as text, e.g. 'Python 3.11.7'."""
    py = sys.version_info
    if py[:2] not in PYTHONS:
        raise RuntimeError(
            f'This course runs on Python 3.10 to 3.13, not on Python '
            f'{py.major}.{py.minor}: {SET_UP}.')
    return f'Python {py.major}.{py.minor}.{py.micro}'


def quick_note():
    """Say so when quick mode (D2L_QUICK) is on."""
    if settings.quick():
        print(f'Quick mode (D2L_QUICK): {settings.QUICK_TRAIN:,} training '
              f'and {settings.QUICK_TEST:,} test images, so results differ '
              f'from the text.')


def inline_figures():
    """In a notebook, draw figures under the cell (%matplotlib inline)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and 'IPKernelApp' in shell.config:
        shell.run_line_magic('matplotlib', 'inline')
