"""LeNet-5 as LeCun, Bottou, Bengio and Haffner built it in 1998, in PyTorch.

The MXNet edition's d2l_local/mxnet/lenet5.py, name for name and call for
call: the same layers, switches, loss and training loop (the MXNet
module's docstrings give the paper's sections).  The paper's numbers,
prototypes, schedule and distortions are framework-neutral
(d2l_local/lenet5_paper.py) and re-exported here.  With the same weights
the two editions give the same outputs, loss, gradients and SDLM steps to
float32 rounding (tests/test_lenet5_torch.py).

A layer's parameters and buffers are named as the MXNet layer's (weight,
bias, coef, mask, prototypes), and the net's children as its prefixes
(input, c1, s2, ...), so 'c1.weight' here is 'c1_weight' there.
"""
import collections
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import lenet5_paper as P
from ..lenet5_paper import (  # noqa: F401  (the paper's, for both sides)
    A, BACKGROUND, C3_TABLE, DISTORTIONS, INIT_RULES, INK, NAMES,
    PAPER_COUNTS, PAPER_DISTORTED_ERROR, PAPER_EPOCHS, PAPER_EPS,
    PAPER_LR_AFTER,
    PAPER_LR_STEPS, PAPER_TEST_ERROR, PROTOTYPE_ART, S, SDLM_MU,
    SDLM_PATTERNS, compressed_schedule, distort, lr_schedule, paper_error,
    paper_lr, plot_full_run, prototypes, step_size_shares, step_sizes)
from ..loops import Epoch
from .data import ArrayIter


def squash(a):
    """The paper's squashing function 1.7159 tanh(2a/3) (appendix A)."""
    return A * torch.tanh(S * a) if isinstance(a, torch.Tensor) else \
        A * np.tanh(S * np.asarray(a))


def fan_in_uniform(shape, fan_in, power=1.0):
    """A tensor uniform in (-2.4/F, 2.4/F), F each unit's fan-in (appendix
    A); with power=0.5, in (-2.4/sqrt(F), 2.4/sqrt(F)) (see INIT_RULES).

    `fan_in` is one number, or one per output map (C3's maps differ).
    """
    bound = torch.from_numpy(P.init_bound(fan_in, power))
    bound = bound.reshape((-1,) + (1,) * (len(shape) - 1))
    return nn.Parameter(torch.empty(shape).uniform_(-1, 1) * bound)


def _activate(x, activation):
    if activation == 'squash':
        return A * torch.tanh(S * x)
    if activation == 'sigmoid':
        return torch.sigmoid(x)
    if activation == 'relu':
        return torch.relu(x)
    raise ValueError(f'unknown activation {activation!r}')


def tensors(layer):
    """A layer's own parameters and buffers by name: what its `linear`
    takes (SDLM calls it with squared copies)."""
    return {**dict(layer.named_buffers(recurse=False)),
            **dict(layer.named_parameters(recurse=False))}


class InputScaling(nn.Module):
    """Map pixels in [0, 1] to the paper's range and pad 28x28 to 32x32.

    With paper=False it only pads with zeros (the book pads in its first
    convolution instead).
    """

    def __init__(self, paper=True, pad=2):
        super().__init__()
        self.paper, self.pad = paper, pad

    def forward(self, x):
        background = P.input_range(self.paper)[0]
        x = P.scale_pixels(x, self.paper)
        p = self.pad
        return F.pad(x, (p, p, p, p), value=background)


class Conv(nn.Module):
    """A squashed 5x5 convolution whose map i reads only the input maps
    `table[i]` (all of them without a table); C1, C3 and C5."""

    def __init__(self, channels, in_channels, kernel=5, table=None,
                 activation='squash', power=1.0):
        super().__init__()
        self.channels, self.kernel, self.activation = channels, kernel, \
            activation
        mask = P.table_mask(channels, in_channels, kernel, table)
        fan_in = mask.reshape(channels, -1).sum(axis=1).tolist()
        self.weight = fan_in_uniform(mask.shape, fan_in, power)
        self.bias = fan_in_uniform((channels,), fan_in, power)
        self.register_buffer('mask', torch.from_numpy(mask))

    def forward(self, x):
        return _activate(self.linear(x, self.weight, self.bias, self.mask),
                         self.activation)

    def linear(self, x, weight, bias, mask):
        """The weighted sums before the squashing function."""
        return F.conv2d(x, weight * mask, bias)

    def trainable(self):
        """The connected weights and the biases."""
        return int(self.mask.sum()) + self.channels

    def connections(self, out_shape):
        return self.trainable() * out_shape[2] * out_shape[3]


class Subsampling(nn.Module):
    """S2 and S4: each unit adds a 2x2 block of its map, times the map's
    trainable coefficient, plus the map's bias, then squashes."""

    def __init__(self, channels, activation='squash', power=1.0):
        super().__init__()
        self.channels, self.activation = channels, activation
        # fan-in 4: the block's four inputs
        self.coef = fan_in_uniform((1, channels, 1, 1), 4, power)
        self.bias = fan_in_uniform((1, channels, 1, 1), 4, power)

    def forward(self, x):
        return _activate(self.linear(x, self.coef, self.bias),
                         self.activation)

    def linear(self, x, coef, bias):
        """The weighted sums before the squashing function."""
        s = F.avg_pool2d(x, 2) * 4  # the sum of each 2x2 block
        return s * coef + bias

    def trainable(self):
        return self.coef.numel() + self.bias.numel()

    def connections(self, out_shape):
        # Each unit: four inputs and the bias.
        return out_shape[1] * out_shape[2] * out_shape[3] * (4 + 1)


class Full(nn.Module):
    """F6: a squashed full connection of 84 units."""

    def __init__(self, units, in_units, activation='squash', power=1.0):
        super().__init__()
        self.units, self.activation = units, activation
        self.weight = fan_in_uniform((units, in_units), in_units, power)
        self.bias = fan_in_uniform((units,), in_units, power)

    def forward(self, x):
        return _activate(self.linear(x, self.weight, self.bias),
                         self.activation)

    def linear(self, x, weight, bias):
        """The weighted sums before the squashing function."""
        return F.linear(x.flatten(1), weight, bias)

    def trainable(self):
        return self.weight.numel() + self.bias.numel()

    def connections(self, out_shape):
        return self.trainable()


class RBF(nn.Module):
    """The output: unit i returns the squared distance of F6 to the fixed
    prototype i, a penalty (the smallest wins)."""

    def __init__(self, art=PROTOTYPE_ART):
        super().__init__()
        self.register_buffer('prototypes', torch.from_numpy(prototypes(art)))

    def forward(self, x):
        w = self.prototypes
        x2 = (x * x).sum(dim=1, keepdim=True)
        w2 = (w * w).sum(dim=1).reshape(1, -1)
        return x2 - 2 * (x @ w.T) + w2

    def trainable(self):
        return 0

    def connections(self, out_shape):
        return out_shape[1] * self.prototypes.shape[1]


class LeNet5(nn.Sequential):
    """LeNet-5; `penalties` says if its outputs are RBF penalties (the
    smallest wins) or scores (the largest wins).  `layers` are (name,
    module) pairs."""

    def __init__(self, layers=(), penalties=True):
        super().__init__(collections.OrderedDict(layers))
        self.penalties = penalties

    @torch.no_grad()
    def predict(self, X):
        """The class of each image of X."""
        y_hat = self(X)
        return (y_hat.argmin if self.penalties else y_hat.argmax)(dim=1)


def lenet5(activation='squash', pooling='paper', c3_table=True,
           output='rbf', scaling='paper', init='paper'):
    """Return LeNet-5 of 1998; the switches swap in the book's choices.

    As d2l_local.mxnet.lenet5.lenet5 (the same switches), its weights
    drawn at once from PyTorch's generator (there is no initialize()).
    """
    if init not in INIT_RULES:
        raise ValueError(f"unknown init {init!r}; choose 'paper' or 'sqrt'")
    power = INIT_RULES[init]
    if pooling == 'paper':
        def pool(c):
            return Subsampling(c, activation, power)
    elif pooling == 'avg':
        def pool(c):
            return nn.AvgPool2d(kernel_size=2, stride=2)
    else:
        raise ValueError(f"unknown pooling {pooling!r}; choose 'paper' or "
                         f"'avg'")
    if activation not in ('squash', 'sigmoid'):
        raise ValueError(f"unknown activation {activation!r}; choose "
                         f"'squash' or 'sigmoid'")
    if output not in ('rbf', 'dense'):
        raise ValueError(f"unknown output {output!r}; choose 'rbf' or "
                         f"'dense'")
    if scaling not in ('paper', 'plain'):
        raise ValueError(f"unknown scaling {scaling!r}; choose 'paper' or "
                         f"'plain'")
    layers = [
        ('input', InputScaling(scaling == 'paper')),
        ('c1', Conv(6, 1, activation=activation, power=power)),
        ('s2', pool(6)),
        ('c3', Conv(16, 6, table=C3_TABLE if c3_table else None,
                    activation=activation, power=power)),
        ('s4', pool(16)),
        ('c5', Conv(120, 16, activation=activation, power=power)),
        ('f6', Full(84, 120, activation=activation, power=power))]
    if output == 'rbf':
        layers.append(('output', RBF()))
    else:
        dense = nn.Linear(84, 10)
        dense.weight = fan_in_uniform((10, 84), 84, power)
        dense.bias = fan_in_uniform((10,), 84, power)
        layers.append(('output', dense))
    return LeNet5(layers, penalties=(output == 'rbf'))


@torch.no_grad()
def layer_counts(net, size=28):
    """Each layer's trainable parameters and connections, measured on the
    built `net`: {name: (parameters, connections)}."""
    X = torch.zeros((1, 1, size, size))
    counts = {}
    for name, layer in zip(NAMES, net):
        X = layer(X)
        if hasattr(layer, 'trainable'):
            counts[name] = (layer.trainable(), layer.connections(X.shape))
        elif name != 'input':  # the book's layers: weight sharing aside
            n = sum(p.numel() for p in layer.parameters())
            counts[name] = (n, n if isinstance(layer, nn.Linear) else None)
    return counts


class Loss(nn.Module):
    """The paper's criterion on RBF penalties y (section II.C), one value
    per pattern.

    The MSE criterion is y of the correct class.  With `j` the MAP term
    log(e^-j + sum_i e^-y_i) is added, which pushes the other classes'
    penalties up.
    """

    def __init__(self, j=None):
        super().__init__()
        self.j = j

    def forward(self, y, label):
        loss = y.gather(1, label.long().reshape(-1, 1)).reshape(-1)
        if self.j is not None:
            z = torch.cat([-y, torch.full_like(y[:, :1], -self.j)], dim=1)
            loss = loss + torch.logsumexp(z, dim=1)
        return loss


def optimizer_for(net, optimizer, lr, momentum=0.0):
    """torch.optim's 'adam' or 'sgd' (with `momentum`) over net's
    parameters, at rate lr: MXNet's gluon.Trainer of the same name."""
    if optimizer == 'adam':
        return torch.optim.Adam(net.parameters(), lr=lr)
    if optimizer == 'sgd':
        return torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    raise ValueError(f"unknown optimizer {optimizer!r}; choose 'adam', "
                     f"'sgd' or 'sdlm'")


@torch.no_grad()
def error_rate(net, data_iter):
    """The fraction of the images of data_iter that `net` misclassifies."""
    wrong, n = 0, 0
    for X, y in data_iter:
        wrong += int((net.predict(X) != y).sum())
        n += y.numel()
    return wrong / n


def train_lenet5(net, train_iter, test_iter, num_epochs=PAPER_EPOCHS,
                 optimizer='adam', lr=0.001, loss=None, schedule=None,
                 momentum=0.9, verbose=True, start=0, trainer=None,
                 on_epoch=None, mu=SDLM_MU, curvature='each pass'):
    """Train LeNet-5 with the paper's schedule shape; return the history.

    As d2l_local.mxnet.lenet5.train_lenet5, argument for argument: 'sdlm'
    steps each batch's summed gradient (d2l_local.torch.sdlm.SDLM), 'adam'
    and 'sgd' (torch.optim's, `trainer` one of them when resuming) its
    mean, the gradient MXNet's Trainer.step(batch_size) takes.
    """
    if curvature not in ('each pass', 'once'):
        raise ValueError(f"unknown curvature {curvature!r}; choose "
                         f"'each pass' or 'once'")
    schedule = schedule or compressed_schedule(num_epochs)
    if loss is None:
        loss = Loss() if net.penalties else \
            nn.CrossEntropyLoss(reduction='none')
    sdlm = None
    if optimizer == 'sdlm':
        from .sdlm import SDLM
        sdlm = trainer if isinstance(trainer, SDLM) else \
            SDLM(net, mu=mu, j=getattr(loss, 'j', None))
        trainer = None
    elif trainer is None:
        trainer = optimizer_for(net, optimizer, schedule(0, lr),
                                momentum if optimizer == 'sgd' else 0.0)
    history = []
    for epoch in range(start, num_epochs):
        tic, loss_sum, wrong, n = time.time(), 0.0, 0, 0
        if sdlm and (curvature == 'each pass' or sdlm.h is None):
            sdlm.estimate(*_first_patterns(train_iter, SDLM_PATTERNS))
        rate = schedule(epoch, lr)
        if trainer is not None:
            for group in trainer.param_groups:
                group['lr'] = rate
        for X, y in train_iter:
            y_hat = net(X)
            l = loss(y_hat, y)
            net.zero_grad()
            if sdlm:
                l.sum().backward()
                sdlm.step(rate)
            else:
                l.mean().backward()
                trainer.step()
            with torch.no_grad():
                pred = (y_hat.argmin if net.penalties else
                        y_hat.argmax)(dim=1)
                loss_sum += l.sum(dtype=torch.float64)
                wrong += (pred != y).sum()
            n += y.numel()
        test_error = error_rate(net, test_iter)
        loss_sum, wrong = float(loss_sum), int(wrong)
        record = Epoch(epoch + 1, loss_sum / n, 1 - wrong / n,
                       1 - test_error, time.time() - tic)
        history.append(record)
        if verbose:
            print(f'epoch {epoch + 1}, lr {rate:.2g}, loss {record.loss:.4f}'
                  f', train error {wrong / n:.2%}, test error '
                  f'{test_error:.2%}, time {record.seconds:.1f} sec',
                  flush=True)
        if on_epoch is not None:
            on_epoch(record, sdlm or trainer)
    return history


def subset(data_iter, n):
    """An iterator over the first n images of data_iter, in batches of the
    same size, shuffled if it was (for short runs)."""
    return ArrayIter(data_iter.images[:n], data_iter.labels[:n],
                     data_iter.batch_size, data_iter.shuffle)


class DistortedIter(P.DistortedIter, ArrayIter):
    """An ArrayIter whose every pass hands out freshly distorted images
    (`distort`), drawn from numpy's global generator (so d2l.set_seed
    decides them) or, with `seed`, from seed + the pass's number."""


def _first_patterns(data_iter, n):
    """The first n images and labels data_iter hands out (in an order of
    their own: each pass over data_iter draws one)."""
    images, labels, got = [], [], 0
    for X, y in data_iter:
        images.append(X)
        labels.append(y)
        got += X.shape[0]
        if got >= n:
            break
    return torch.cat(images)[:n], torch.cat(labels)[:n]


def __getattr__(name):
    # d2l_local.torch.sdlm imports this module, so it is imported on first
    # use.
    if name in ('SDLM', 'curvature'):
        from . import sdlm
        return getattr(sdlm, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
