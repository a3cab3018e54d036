"""LeNet, the variants the exercises try, and how to train them."""
import mxnet as mx
from mxnet import gluon, nd
from mxnet.base import MXNetError
from mxnet.gluon import nn

from .. import layers
from ..layers import (ACTIVATIONS, BETTER_LENET, _check_layers,  # noqa: F401
                      _min_input, _whole)

POOLINGS = {'avg': nn.AvgPool2D, 'max': nn.MaxPool2D}


class LeNet(nn.HybridSequential):
    """A HybridSequential that checks its input is a batch of 1-channel
    images before running, so a wrong shape gets a readable error."""

    def __init__(self, min_size=1, **kwargs):
        super().__init__(**kwargs)
        self._min_size = min_size
        self._first_size = None  # (h, w) of the batch that sized the layers

    def forward(self, x, *args):
        if isinstance(x, nd.NDArray) and (
                x.ndim != 4 or x.shape[1] != 1
                or min(x.shape[2:]) < self._min_size):
            raise ValueError(
                f'LeNet expects a batch of gray images of shape (batch, 1, '
                f'height, width) with height and width at least '
                f'{self._min_size}, got {x.shape}; a single 28x28 image is '
                f'X.reshape(1, 1, 28, 28).')
        try:
            out = super().forward(x, *args)
        except MXNetError:
            first = self._first_size
            if (first is None or not isinstance(x, nd.NDArray)
                    or x.shape[2:] == first):
                raise
            raise ValueError(
                f'this net was first run on {first[0]}x{first[1]} images, '
                f'which fixed the sizes of its dense layers; it cannot take '
                f'{x.shape[2]}x{x.shape[3]} images. Build and initialize a '
                f'new net for the new size: net = lenet(); net.initialize()'
            ) from None
        if self._first_size is None and isinstance(x, nd.NDArray):
            self._first_size = x.shape[2:]
        return out


def lenet(activation='sigmoid', pooling='avg', convs=((6, 5), (16, 5)),
          dense=(120, 84), num_classes=10, same_padding=False):
    """Return LeNet; the defaults are the book's model.  (§6.6)

    `convs` lists (channels, kernel size) per convolution, each followed by
    2x2 pooling of kind `pooling`; `dense` the hidden dense layers' widths.
    The first convolution keeps the image size (padding 2 for a 5x5 window,
    as in the book); with `same_padding` every convolution does.
    """
    convs, dense, num_classes = layers.check_lenet(
        activation, pooling, convs, dense, num_classes, same_padding)
    net = LeNet(min_size=_min_input(convs, same_padding))
    for i, (channels, kernel) in enumerate(convs):
        padding = (kernel - 1) // 2 if i == 0 or same_padding else 0
        net.add(nn.Conv2D(channels=channels, kernel_size=kernel,
                          padding=padding, activation=activation),
                POOLINGS[pooling](pool_size=2, strides=2))
    for units in dense:
        net.add(nn.Dense(units, activation=activation))
    net.add(nn.Dense(num_classes))
    return net


def num_params(net):
    """Return the number of scalar parameters of an initialised net."""
    return sum(p.data().size for p in net.collect_params().values())


def act_type(layer):
    """The name of `layer`'s built-in activation ('sigmoid', 'relu'), or
    None (a pooling layer, an output layer without one)."""
    act = getattr(layer, 'act', None)
    return None if act is None else getattr(act, '_act_type', str(act))


class Recipe(layers.Recipe):
    """How a net is trained: batches, optimiser, learning rate, epochs."""

    def trainer(self, net, num_batches):
        """Return the gluon.Trainer for `net`, `num_batches` per epoch."""
        hyper = {'learning_rate': self.lr}
        if self.cosine:  # from lr down to 0 over the whole run
            hyper['lr_scheduler'] = mx.lr_scheduler.CosineScheduler(
                self.num_epochs * num_batches, self.lr)
        return gluon.Trainer(net.collect_params(), self.optimizer, hyper)


# The recipe of exercise 2's improved LeNet (layers.BETTER_LENET), chosen
# with tools/lenet_grid.py; exercise 3 trains the same on MNIST.
BETTER_RECIPE = Recipe(batch_size=128, lr=0.001, num_epochs=8,
                       optimizer='adam', cosine=True)


def better_lenet(num_classes=10):
    """Return the improved LeNet of §6.6 exercise 2 (used again in ex. 3).

    The chapter's LeNet with ReLU instead of sigmoid, max instead of average
    pooling, and 32 and 64 channels of 3x3 instead of 6 and 16 of 5x5: the
    best model tools/lenet_grid.py measured.  Train it with Xavier
    initialisation and BETTER_RECIPE.
    """
    return lenet(num_classes=_whole(num_classes, 'num_classes',
                                    'better_lenet(num_classes=10)'),
                 **BETTER_LENET)
