"""Mini-batches of (Fashion-)MNIST, sliced from arrays held in memory."""
import numbers

import numpy as np

from . import settings, threads
from .arrays import to_numpy
from .datasets import load_arrays

FASHION_LABELS = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                  'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f'{what} must be a whole number, got {value!r}')
    if value <= 0:
        raise ValueError(f'{what} must be at least 1, got {value}')
    return int(value)


class ArrayIter:
    """Iterate over (X, y) mini-batches of images held in a numpy array.

    X is float32 of shape (batch, 1, h, w) scaled to [0, 1], y the labels
    (what the book's DataLoader yields).  With `shuffle` the order is drawn
    afresh from numpy's generator on every pass.  The batching is the same
    for every framework; ``_convert`` turns a batch into the framework's
    tensors (each framework's side overrides it; here the batch stays
    NumPy: X float32, y the labels as stored).
    """

    def __init__(self, images, labels, batch_size, shuffle=False,
                 resize=None):
        self.images, self.labels = images, labels
        self.batch_size = _positive_int(batch_size, 'batch_size')
        self.shuffle = shuffle
        if resize is not None:
            resize = _positive_int(resize, 'resize')
            if type(self)._convert is ArrayIter._convert:
                raise ValueError(
                    'resizing needs a framework: use the ArrayIter of '
                    'd2l_local.mxnet or d2l_local.torch')
        self.resize = resize

    def __len__(self):
        return -(-len(self.images) // self.batch_size)

    def __iter__(self):
        n = len(self.images)
        order = np.random.permutation(n) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            threads.follow()  # fewer threads while others use the cores
            if order is None:
                idx = slice(start, start + self.batch_size)
            else:
                idx = order[start:start + self.batch_size]
            X = self.images[idx].astype(np.float32)
            X *= 1 / 255
            yield self._convert(X[:, None], self.labels[idx])

    def _convert(self, X, y):
        """One batch as the framework's tensors; here NumPy, unresized."""
        return X, y


def load_data(name, batch_size, resize=None, root=None,
              iter_class=ArrayIter):
    """Return (train_iter, test_iter) over data set `name`.

    In quick mode (D2L_QUICK=1) only the first images of each split are used.
    `iter_class` makes the iterators: each framework's side passes its own.
    """
    # Refuse bad arguments before finding (perhaps downloading) any data.
    _positive_int(batch_size, 'batch_size')
    if resize is not None:
        _positive_int(resize, 'resize')
    arrays = load_arrays(name, root)
    (X, y), (X_test, y_test) = arrays['train'], arrays['test']
    if settings.quick():
        X, y = X[:settings.QUICK_TRAIN], y[:settings.QUICK_TRAIN]
        X_test = X_test[:settings.QUICK_TEST]
        y_test = y_test[:settings.QUICK_TEST]
    return (iter_class(X, y, batch_size, True, resize),
            iter_class(X_test, y_test, batch_size, False, resize))


def get_fashion_mnist_labels(labels):
    """Return the text labels of Fashion-MNIST class indices.  (§3.5)"""
    if hasattr(labels, 'asnumpy') or hasattr(labels, 'detach'):
        labels = to_numpy(labels)  # an MXNet NDArray, a PyTorch tensor
    if np.ndim(labels) == 0:
        raise TypeError(f'labels must be a list or array of class indices '
                        f'(e.g. [{labels!r}] or y), got {labels!r}')
    for i in labels:
        if not (isinstance(i, numbers.Real) and not isinstance(i, bool)
                and 0 <= i < len(FASHION_LABELS) and i == int(i)):
            raise ValueError(f'{i!r} is not a Fashion-MNIST class index: '
                             f'the classes are the whole numbers 0 to '
                             f'{len(FASHION_LABELS) - 1}')
    return [FASHION_LABELS[int(i)] for i in labels]
