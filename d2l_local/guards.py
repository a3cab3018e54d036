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


class NonEmpty:
    """Iterate over `data`, raising ValueError when a pass yields nothing."""

    def __init__(self, data, name, caller):
        self.data, self.name, self.caller = data, name, caller
        self.passes = 0

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        self.passes += 1
        batches = 0
        for batch in self.data:
            batches += 1
            yield batch
        if not batches:
            one_shot = iter(self.data) is self.data
            raise self.error(used_up=one_shot and self.passes > 1)

    def error(self, used_up=False):
        if used_up:
            return ValueError(
                f'{self.caller}: {self.name} yielded no mini-batch this time: '
                f'it is a one-shot iterator, used up by an earlier pass. '
                f'Pass one that can be read again, such as the ArrayIter of '
                f'd2l.load_data_fashion_mnist(batch_size) or a list.')
        return ValueError(
            f'{self.caller}: {self.name} yields no mini-batch, so there is '
            f'nothing to average over. Pass an iterator that holds data, '
            f'such as those of d2l.load_data_fashion_mnist(batch_size).')


def _is_empty(data):
    try:
        return len(data) == 0
    except TypeError:  # no len(): find out while iterating
        return False


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
            for name in iterables:
                data = NonEmpty(bound.arguments[name], name,
                                function.__name__)
                if _is_empty(data.data):
                    raise data.error()
                bound.arguments[name] = data
            return function(*bound.args, **bound.kwargs)
        return wrapper
    return decorate


install()
