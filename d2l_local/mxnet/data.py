"""Mini-batches of (Fashion-)MNIST as MXNet NDArrays."""
from .. import data


class ArrayIter(data.ArrayIter):
    """Iterate over (X, y) mini-batches as NDArrays: X float32 of shape
    (batch, 1, h, w) in [0, 1], resized if asked; y float32 labels, as the
    book's DataLoader yields them.  (§3.5, §6.6)"""

    def _convert(self, X, y):
        """One batch as MXNet NDArrays: X float32, resized; y float32."""
        from mxnet import nd
        X = nd.array(X, dtype='float32')
        if self.resize:
            X = nd.contrib.BilinearResize2D(X, height=self.resize,
                                            width=self.resize)
        return X, nd.array(y, dtype='float32')


def load_data(name, batch_size, resize=None, root=None):
    """Return (train_iter, test_iter) over data set `name`, as NDArrays."""
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
