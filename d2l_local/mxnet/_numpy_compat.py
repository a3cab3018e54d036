"""The NumPy names MXNet 1.9.1 reads while it imports, put back.

MXNet 1.9.1, the last release, was built against NumPy 1.x.  While it
imports, it copies some names out of NumPy that later releases removed:
NumPy 1.24 removed the alias ``numpy.bool`` (MXNet's ``mx.np.bool``), and
NumPy 2.0 removed constants such as ``numpy.PZERO``, the aliases such as
``numpy.alltrue`` and the stubs of the financial functions (``numpy.npv``,
...) that MXNet's fallback list still names.  ``restore()`` puts back each
of these that is missing, with the value the last NumPy that had it gave
it, and nothing else: NumPy's own functions, types and printing are left
as they are, for MXNet and for your code alike.  It runs just before the
first ``import mxnet`` (``_engine``), which is why a notebook imports
``d2l_local`` before MXNet.
"""
import math
import warnings


def _financial(name):
    """The stub NumPy 1.20 to 1.26 served for a removed financial function."""
    message = (f'In accordance with NEP 32, the function {name} was removed '
               'from NumPy version 1.20.  A replacement for this function '
               'is available in the numpy_financial library: '
               'https://pypi.org/project/numpy-financial')

    def _expired(*args, **kwds):
        raise RuntimeError(message)
    _expired.__name__ = name
    return _expired


def _msort(a):
    """numpy.msort as NumPy 1.x had it: a copy sorted along the first axis."""
    import numpy as np
    return np.sort(np.asanyarray(a), axis=0)


def _names():
    """{name: value} of every name MXNet 1.9.1 reads at import, each as the
    last NumPy that had it gave it."""
    import numpy as np
    return {
        # removed in NumPy 1.24: the alias of Python's bool
        'bool': bool,
        # removed in NumPy 2.0: constants
        'PZERO': 0.0, 'NZERO': -0.0, 'PINF': math.inf, 'NINF': -math.inf,
        'Inf': math.inf, 'NAN': math.nan, 'NaN': math.nan,
        # removed in NumPy 2.0: aliases of functions that stay
        'alltrue': np.all, 'sometrue': np.any, 'product': np.prod,
        'round_': np.round, 'msort': _msort,
        # removed in NumPy 2.0: the stubs left by NEP 32 in NumPy 1.20
        **{name: _financial(name)
           for name in ('mirr', 'npv', 'pmt', 'ppmt', 'pv', 'rate')},
    }


NAMES = ('bool', 'PZERO', 'NZERO', 'PINF', 'NINF', 'Inf', 'NAN', 'NaN',
         'alltrue', 'sometrue', 'product', 'round_', 'msort',
         'mirr', 'npv', 'pmt', 'ppmt', 'pv', 'rate')
RESTORED = []  # the names restore() put back in this process


def missing(np=None):
    """The names of NAMES this NumPy lacks (a name it still serves with a
    deprecation warning, as NumPy 1.23 serves ``numpy.bool``, it has)."""
    if np is None:
        import numpy as np
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return [name for name in NAMES if not hasattr(np, name)]


def restore():
    """Put back each name of NAMES this NumPy lacks; return those put back.

    Nothing is replaced: a name NumPy still has keeps NumPy's own value.
    """
    import numpy as np
    values = _names()
    added = []
    for name in missing(np):
        setattr(np, name, values[name])
        added.append(name)
    RESTORED.extend(n for n in added if n not in RESTORED)
    return added
