"""Mini-batches of (Fashion-)MNIST as PyTorch tensors."""
import numpy as np
import torch
from torch.nn import functional as F

from .. import data
from .devices import try_gpu

# Called with no arguments before each mini-batch is handed out: the one
# place a per-batch policy (such as the number of threads) hooks in.
BATCH_HOOKS = []


class ArrayIter(data.ArrayIter):
    """Iterate over (X, y) mini-batches as tensors: X float32 of shape
    (batch, 1, h, w) in [0, 1], resized bilinearly if asked; y int64
    labels, as the book's DataLoader yields them.  (§3.5, §6.6)"""

    def _convert(self, X, y):
        """One batch as PyTorch tensors: X float32, resized; y int64."""
        for hook in BATCH_HOOKS:
            hook()
        X = torch.from_numpy(X)  # a fresh array: no copy needed
        if self.resize:
            X = F.interpolate(X, size=(self.resize, self.resize),
                              mode='bilinear', align_corners=False)
        if try_gpu().type == 'cpu':
            X = channels_last(X)
        return X, torch.from_numpy(np.asarray(y, dtype=np.int64))


def channels_last(X):
    """The same one-channel images, marked channels-last (NHWC).

    With one channel both orders lay the pixels out alike, so no byte
    moves: only the strides say NHWC.  PyTorch's CPU convolutions then
    pick oneDNN's channels-last kernels and every layer after follows,
    which makes an epoch of the chapter's LeNet about a tenth faster on
    two threads (README.md, "Speed").  Values and shapes are unchanged.
    """
    n, c, h, w = X.shape
    if c != 1 or not X.is_contiguous():
        return X
    return X.as_strided(X.shape, (h * w, 1, w, 1))


def load_data(name, batch_size, resize=None, root=None):
    """Return (train_iter, test_iter) over data set `name`, as tensors."""
    return data.load_data(name, batch_size, resize, root, ArrayIter)


def load_data_fashion_mnist(batch_size, resize=None, root=None):
    """Load Fashion-MNIST into memory; return its iterators.  (§3.5, §6.6)

    `root` is a folder holding the four .gz files; without it the loader
    searches D2L_DATA_DIR, the cache and Debian's copy, then downloads.
    """
    return load_data('fashion-mnist', batch_size, resize, root)


def load_data_mnist(batch_size, resize=None, root=None):
    """Load the original MNIST digits like Fashion-MNIST.  (§6.6 ex. 3)"""
    return load_data('mnist', batch_size, resize, root)
