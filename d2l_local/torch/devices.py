"""Devices: where the computation runs, in PyTorch."""
import torch


def _mps():
    """True when Apple's GPU (Metal, 'mps') is there for PyTorch."""
    mps = getattr(torch.backends, 'mps', None)
    return bool(mps is not None and mps.is_available())


def num_gpus():
    """Return the number of GPUs PyTorch can use: the CUDA GPUs, or 1 for
    Apple's GPU (mps) on a Mac, or 0."""
    count = torch.cuda.device_count()
    return count if count else int(_mps())


def try_gpu(i=0):
    """Return gpu(i) if exists, otherwise return cpu().  (§6.6)

    gpu(i) is CUDA's cuda:i; on a Mac without CUDA, Apple's GPU (mps)
    stands for gpu(0) (the book's version takes CUDA only).
    """
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    if i == 0 and _mps():
        return torch.device('mps')
    return torch.device('cpu')


def try_all_gpus():
    """Return all available GPUs, or [cpu(),] if no GPU exists.  (§6.6)"""
    devices = [try_gpu(i) for i in range(num_gpus())]
    return devices if devices else [torch.device('cpu')]


def check_device(device):
    """Raise ValueError, saying what to do, for a GPU this machine lacks;
    `device` may be a torch.device, a string such as 'cuda:1', or None."""
    if device is None:
        return
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f'{device!r} is not a device: use '
                         f'device = d2l.try_gpu()') from None
    if device.type == 'cuda':
        count, index = torch.cuda.device_count(), device.index or 0
        if index < count:
            return
        why = (f'this machine has {count} CUDA GPU(s), cuda:0 to '
               f'cuda:{count - 1}' if count else 'PyTorch finds no CUDA GPU '
               'on this machine')
    elif device.type == 'mps':
        if _mps():
            return
        why = 'PyTorch finds no Apple GPU (mps) on this machine'
    else:
        return
    raise ValueError(f'{device} is not available: {why}. Use device = '
                     f'd2l.try_gpu(), which is the GPU when there is one '
                     f'and the CPU otherwise.')
