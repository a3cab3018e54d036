"""Course-wide settings read from the environment.

``D2L_QUICK=1`` is quick mode, for slow machines and the browser test: the
data loaders hand out a small slice of each data set (QUICK_TRAIN training
and QUICK_TEST test images), so every notebook still runs top to bottom but
in seconds, and the checks (``checks.py``) stop holding results to the
full-data bands.
"""
import os

QUICK_TRAIN, QUICK_TEST = 5000, 1000


def quick():
    """Return True when D2L_QUICK asks for quick mode."""
    return os.environ.get('D2L_QUICK', '').strip() not in ('', '0')
