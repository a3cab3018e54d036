"""Arrays of any framework as NumPy arrays, for the figures and counts."""
import numpy as np


def to_numpy(x):
    """`x` as a NumPy array: an MXNet NDArray, a PyTorch tensor (on any
    device, with or without gradients), a list or a NumPy array."""
    if hasattr(x, 'asnumpy'):  # MXNet
        return x.asnumpy()
    if hasattr(x, 'detach') and hasattr(x, 'cpu'):  # PyTorch
        return x.detach().cpu().numpy()
    return np.asarray(x)
