"""Helpers for the LeNet course: what the book "saves for future use".

One package, a framework-neutral core and a side per framework, as the
book's own package is split::

    from d2l_local import mxnet as d2l   # the MXNet edition
    from d2l_local import torch as d2l   # the PyTorch edition

``import d2l_local as d2l`` gives the MXNet edition's names (the MXNet
notebooks import it so).  The modules at this level (data sets,
mini-batches, figures, plots, checks, tasks) import no framework; those
under ``mxnet/`` and ``torch/`` hold what must differ.  Importing the
package loads nothing heavy: each name is imported the first time it is
used, and MXNet's engine settings are chosen the moment MXNet is first
imported (``mxnet/_engine.py``), which is why ``import d2l_local`` comes
before ``import mxnet``.
"""
import importlib
import importlib.abc
import importlib.util
import sys

from . import mxnet as _mxnet  # light: installs the hook, imports no MXNet

__version__ = '0.1.0'
__all__ = _mxnet.__all__

# Modules the MXNet notebooks import by their old paths, now in mxnet/.
MOVED = {f'{__name__}.{old}': f'{__name__}.mxnet.{old}'
         for old in ('lenet5', 'sdlm', 'tasks.lenet', 'tasks.ex1',
                     'tasks.ex2', 'tasks.ex3', 'tasks.ex4', 'tasks.lenet5')}


class _Moved(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import a moved module by its old path: the same module object."""

    def find_spec(self, name, path=None, target=None):
        if name in MOVED:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name])
        spec.loader_state = module.__spec__  # importing replaces it
        return module

    def exec_module(self, module):
        # Already run under its own name: only its own __spec__ back, so
        # its relative imports and reload() keep working.
        module.__spec__ = module.__spec__.loader_state


if not any(isinstance(f, _Moved) for f in sys.meta_path):
    sys.meta_path.insert(0, _Moved())


def __getattr__(name):
    if name in __all__:
        value = getattr(_mxnet, name)
        globals()[name] = value  # next time, a plain attribute
        return value
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(set(globals()) | set(__all__))
