"""Devices: where the computation runs."""
import mxnet as mx
from mxnet import nd

from . import guards

# Asking for a GPU this machine lacks fails at once (NoGPUError), before an
# operator on it could abort the kernel: see guards.py.
guards.install()


def num_gpus():
    """Return the number of GPUs MXNet can use (0 on a CPU-only build)."""
    try:
        return mx.context.num_gpus()
    except mx.base.MXNetError:
        return 0


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu().  (§6.6)"""
    # Asking a CPU-only build for a GPU array makes MXNet print a complaint
    # on stderr, so count the GPUs first and only then try an allocation.
    if num_gpus() > i:
        try:
            ctx = mx.gpu(i)
            nd.zeros((1,), ctx=ctx).wait_to_read()
            return ctx
        except mx.base.MXNetError:
            pass
    return mx.cpu()


def try_all_gpus():
    """Return all available GPUs, or [cpu()] if there is none.  (§6.6)"""
    ctxes = [try_gpu(i) for i in range(num_gpus())]
    ctxes = [ctx for ctx in ctxes if ctx.device_type == 'gpu']
    return ctxes if ctxes else [mx.cpu()]
