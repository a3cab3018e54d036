"""LeNet in PyTorch, the variants the exercises try, and their recipe."""
import torch
from torch import nn

from .. import layers
from ..layers import BETTER_LENET, _whole

ACTIVATIONS = {'sigmoid': nn.Sigmoid, 'relu': nn.ReLU, 'tanh': nn.Tanh}
POOLINGS = {'avg': nn.AvgPool2d, 'max': nn.MaxPool2d}


class LeNet(nn.Sequential):
    """An nn.Sequential that checks its input is a batch of 1-channel
    images of the size its dense layers were built for, so a wrong shape
    gets a readable error."""

    def __init__(self, *layers_, size=28):
        super().__init__(*layers_)
        self.size = size

    def forward(self, X):
        if isinstance(X, torch.Tensor) and (
                X.ndim != 4 or X.shape[1] != 1):
            raise ValueError(
                f'LeNet expects a batch of gray images of shape (batch, 1, '
                f'height, width), got {tuple(X.shape)}; a single '
                f'{self.size}x{self.size} image is '
                f'X.reshape(1, 1, {self.size}, {self.size}).')
        if isinstance(X, torch.Tensor) and tuple(X.shape[2:]) != (
                self.size, self.size):
            raise ValueError(
                f'this net was built for {self.size}x{self.size} images, '
                f'which fixed the sizes of its dense layers; it cannot take '
                f'{X.shape[2]}x{X.shape[3]} images. Build a net for the new '
                f'size: net = d2l.lenet(size={X.shape[2]})')
        return super().forward(X)


def _side_after(size, convs, same_padding):
    """The side of the last pooling's maps for `size` x `size` images."""
    for i, (_, kernel) in enumerate(convs):
        padding = (kernel - 1) // 2 if i == 0 or same_padding else 0
        size = (size + 2 * padding - kernel + 1) // 2
    return size


def lenet(activation='sigmoid', pooling='avg', convs=((6, 5), (16, 5)),
          dense=(120, 84), num_classes=10, same_padding=False, size=28):
    """Return LeNet; the defaults are the book's model.  (§6.6)

    `convs` lists (channels, kernel size) per convolution, each followed by
    its activation and 2x2 pooling of kind `pooling`; `dense` the hidden
    dense layers' widths.  The first convolution keeps the image size
    (padding 2 for a 5x5 window, as in the book); with `same_padding`
    every convolution does.  `size` is the side of the images it takes.
    """
    convs, dense, num_classes = layers.check_lenet(
        activation, pooling, convs, dense, num_classes, same_padding)
    size = _whole(size, 'size', 'lenet(size=28)')
    smallest = layers._min_input(convs, same_padding)
    if size < smallest:
        raise ValueError(f'these convolutions need images of side at least '
                         f'{smallest}, got size={size}')
    net, channels = [], 1
    for i, (out, kernel) in enumerate(convs):
        padding = (kernel - 1) // 2 if i == 0 or same_padding else 0
        net += [nn.Conv2d(channels, out, kernel_size=kernel,
                          padding=padding), ACTIVATIONS[activation](),
                POOLINGS[pooling](kernel_size=2, stride=2)]
        channels = out
    side = _side_after(size, convs, same_padding)
    net.append(nn.Flatten())
    inputs = channels * side * side
    for units in dense:
        net += [nn.Linear(inputs, units), ACTIVATIONS[activation]()]
        inputs = units
    net.append(nn.Linear(inputs, num_classes))
    return LeNet(*net, size=size)


def num_params(net):
    """Return the number of scalar parameters of a net."""
    return sum(p.numel() for p in net.parameters())


def act_type(layer):
    """The name of an activation layer ('sigmoid', 'relu', 'tanh'), or
    None for any other layer."""
    for name, cls in ACTIVATIONS.items():
        if isinstance(layer, cls):
            return name
    return None


class Recipe(layers.Recipe):
    """How a net is trained: batches, optimiser, learning rate, epochs."""

    def optimizer_for(self, net):
        """Return the optimiser (SGD or Adam) of `net`'s parameters."""
        kinds = {'sgd': torch.optim.SGD, 'adam': torch.optim.Adam}
        if self.optimizer not in kinds:
            raise ValueError(f'optimizer is one of {tuple(kinds)}, got '
                             f'{self.optimizer!r}')
        return kinds[self.optimizer](net.parameters(), lr=self.lr)

    def scheduler_for(self, optimizer, num_batches):
        """The cosine schedule from lr down to 0 over the whole run,
        stepped once per mini-batch; None without `cosine`."""
        if not self.cosine:
            return None
        return torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, self.num_epochs * num_batches)


# The recipe of exercise 2's improved LeNet, as the MXNet edition's.
BETTER_RECIPE = Recipe(batch_size=128, lr=0.001, num_epochs=8,
                       optimizer='adam', cosine=True)


def better_lenet(num_classes=10):
    """Return the improved LeNet of §6.6 exercise 2 (used again in ex. 3).

    The chapter's LeNet with ReLU instead of sigmoid, max instead of average
    pooling, and 32 and 64 channels of 3x3 instead of 6 and 16 of 5x5: the
    best model tools/lenet_grid.py measured.  Train it with Xavier
    initialisation (train_ch6 does) and BETTER_RECIPE.
    """
    return lenet(num_classes=_whole(num_classes, 'num_classes',
                                    'better_lenet(num_classes=10)'),
                 **BETTER_LENET)
