"""The checks that hold a notebook to the results it cites.

Each notebook's collapsed check cells call these after the lesson has
computed something; a check that fails says what was found, what was
expected and what to do.  In quick mode (``D2L_QUICK=1``) results come from
a slice of the data, so the bands measured on the full data do not apply
and check_range lets every value pass.
"""
from . import settings


def check_range(value, low, high, what):
    """Assert low <= value <= high, with a message a reader can act on."""
    if settings.quick():
        return
    if not low <= value <= high:
        raise AssertionError(
            f'{what} is {value:.4f}, outside the range [{low}, {high}] '
            f'measured for this notebook. If you changed the code on '
            f'purpose, that is your result; otherwise restart the kernel '
            f'and run all cells from the top.')
