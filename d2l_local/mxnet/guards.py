"""Guards around the book's code: a learner's mistake ends in an error that
says what to do, never in a dead kernel.  (§6.6)

Under the NaiveEngine that d2l_local chooses (see ``_engine``), an operator
sent to a GPU that does not exist aborts the whole process, even after the
Python error it raised first was caught.  So ``install`` makes asking for
such a GPU (``mx.gpu(i)``, ``mx.Context('gpu', i)``) fail at once, before
any operator can run on it, with NoGPUError: an ``MXNetError``, which the
book's own ``try_gpu`` catches to fall back to the CPU.

``checked`` wraps evaluate_accuracy and train_ch5 without touching their
bodies (the chapter shows them line for line): it refuses a GPU context
that does not exist and data iterators that yield no mini-batch.
"""
import functools
import inspect

import mxnet as mx

from ..loops import NonEmpty, non_empty  # noqa: F401 - NonEmpty: ours


class NoGPUError(mx.base.MXNetError):
    """A GPU was asked for that this machine (or MXNet build) lacks."""


def gpu_count():
    """The GPUs MXNet can use (d2l.num_gpus, looked up on every call)."""
    from . import devices
    return devices.num_gpus()


def no_gpu_error(device_id):
    """The NoGPUError for gpu(device_id), or None if that GPU exists."""
    count = gpu_count()
    if 0 <= device_id < count:
        return None
    if count:
        why = f'this machine has {count} GPU(s), gpu(0) to gpu({count - 1})'
    elif mx.runtime.Features().is_enabled('CUDA'):
        why = 'MXNet finds no GPU on this machine'
    else:
        why = 'this MXNet is the CPU-only build'
    return NoGPUError(
        f'gpu({device_id}) is not available: {why}. Use ctx = d2l.try_gpu(),'
        f' which is the GPU when there is one and the CPU otherwise.')


def install():
    """Make asking for a GPU that does not exist raise NoGPUError at once."""
    context_init = mx.Context.__init__
    if getattr(context_init, 'd2l_guard', False):
        return

    @functools.wraps(context_init)
    def __init__(self, device_type, device_id=0):  # noqa: N807
        context_init(self, device_type, device_id)
        if self.device_type == 'gpu':
            error = no_gpu_error(self.device_id)
            if error is not None:
                raise error
    __init__.d2l_guard = True
    mx.Context.__init__ = __init__


def checked(*iterables):
    """Decorate a §6.6 function: refuse a GPU that does not exist and the
    named data iterators when they yield no mini-batch."""
    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            ctx = bound.arguments.get('ctx')
            if isinstance(ctx, mx.Context) and ctx.device_type == 'gpu':
                error = no_gpu_error(ctx.device_id)
                if error is not None:
                    raise error
            non_empty(bound, iterables, function.__name__)
            return function(*bound.args, **bound.kwargs)
        return wrapper
    return decorate


install()
