"""try_gpu, try_all_gpus, num_gpus: the CPU fallback and pretend GPUs."""
import types

import mxnet as mx

from d2l_local import num_gpus, try_all_gpus, try_gpu
from d2l_local.mxnet import devices


def test_cpu_only_build_falls_back_to_the_cpu():
    # The pinned mxnet is the CPU build: no GPU, and no error about it.
    assert num_gpus() == 0
    assert try_gpu() == mx.cpu()
    assert try_gpu(3) == mx.cpu()
    assert try_all_gpus() == [mx.cpu()]


def test_num_gpus_is_zero_when_mxnet_cannot_count(monkeypatch):
    def broken():
        raise mx.base.MXNetError('CUDA driver version is insufficient')
    monkeypatch.setattr(mx.context, 'num_gpus', broken)
    assert num_gpus() == 0


def test_gpus_that_fail_to_allocate_mean_the_cpu(monkeypatch):
    # A machine reporting two GPUs whose allocation fails (the CPU build
    # really raises here): every helper must still answer cpu().
    monkeypatch.setattr(devices, 'num_gpus', lambda: 2)
    assert try_gpu(0) == mx.cpu()
    assert try_gpu(1) == mx.cpu()
    assert try_all_gpus() == [mx.cpu()]


def fake_nd(tried):
    """An `nd` whose zeros() succeeds on any device and records it."""
    def zeros(shape, ctx):
        tried.append(ctx)
        return types.SimpleNamespace(wait_to_read=lambda: None)
    return types.SimpleNamespace(zeros=zeros)


def test_working_gpus_are_returned(monkeypatch):
    tried = []
    monkeypatch.setattr(devices, 'num_gpus', lambda: 2)
    monkeypatch.setattr(devices, 'nd', fake_nd(tried))
    assert try_gpu() == mx.gpu(0)
    assert try_gpu(1) == mx.gpu(1)
    assert try_gpu(2) == mx.cpu()  # only gpu(0) and gpu(1) exist
    assert try_all_gpus() == [mx.gpu(0), mx.gpu(1)]
    # never asked for a GPU it lacks (mx.gpu(2) itself now raises)
    assert all(ctx.device_id < 2 for ctx in tried)


def test_only_the_gpus_that_work_are_returned(monkeypatch):
    tried = []
    nd = fake_nd(tried)
    working_zeros = nd.zeros

    def zeros(shape, ctx):
        if ctx == mx.gpu(0):
            raise mx.base.MXNetError('out of memory')
        return working_zeros(shape, ctx)
    monkeypatch.setattr(devices, 'num_gpus', lambda: 2)
    monkeypatch.setattr(devices, 'nd', types.SimpleNamespace(zeros=zeros))
    assert try_gpu(0) == mx.cpu()
    assert try_all_gpus() == [mx.gpu(1)]
