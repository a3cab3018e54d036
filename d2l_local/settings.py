"""Course-wide settings read from the environment.

``D2L_QUICK=1`` is quick mode, for slow machines and the browser test: the
data loaders hand out a small slice of each data set (QUICK_TRAIN training
and QUICK_TEST test images), so every notebook still runs top to bottom but
in seconds, and check_range stops holding results to the full-data bands.
"""
import os

QUICK_TRAIN, QUICK_TEST = 5000, 1000


def quick():
    """Return True when D2L_QUICK asks for quick mode."""
    return os.environ.get('D2L_QUICK', '').strip() not in ('', '0')


def check_range(value, low, high, what):
    """Assert low <= value <= high, with a message a reader can act on.

    In quick mode the results come from a slice of the data, so the bands
    measured on the full data do not apply and nothing is checked.
    """
    if quick():
        return
    if not low <= value <= high:
        raise AssertionError(
            f'{what} is {value:.4f}, outside the range [{low}, {high}] '
            f'measured for this notebook. If you changed the code on '
            f'purpose, that is your result; otherwise restart the kernel '
            f'and run all cells from the top.')
