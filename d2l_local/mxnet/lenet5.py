"""LeNet-5 as LeCun, Bottou, Bengio and Haffner built it in 1998.

"Gradient-Based Learning Applied to Document Recognition", Proc. IEEE 86(11),
section II.B (the layers), appendix A (squashing function, initialisation)
and C (stochastic diagonal Levenberg-Marquardt).  The switches of
`lenet5()` swap one of the paper's choices for the book's (§6.6) at a time,
for the side-by-side of notebooks/lenet5_1998.ipynb.  The paper's numbers,
prototypes, schedule and distortions are framework-neutral
(d2l_local/lenet5_paper.py) and re-exported here.
"""
import time

import numpy as np
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import nn

from .. import lenet5_paper as P
from ..lenet5_paper import (  # noqa: F401  (the paper's, for both sides)
    A, BACKGROUND, C3_TABLE, DISTORTIONS, INIT_RULES, INK, NAMES,
    PAPER_COUNTS, PAPER_DISTORTED_ERROR, PAPER_EPOCHS, PAPER_EPS,
    PAPER_LR_AFTER,
    PAPER_LR_STEPS, PAPER_TEST_ERROR, PROTOTYPE_ART, S, SDLM_MU,
    SDLM_PATTERNS, compressed_schedule, distort, lr_schedule, paper_error,
    paper_lr, plot_full_run, prototypes, step_size_shares, step_sizes)
from .data import ArrayIter
from .training import Epoch


def squash(a):
    """The paper's squashing function 1.7159 tanh(2a/3) (appendix A)."""
    return A * nd.tanh(S * a) if isinstance(a, nd.NDArray) else \
        A * np.tanh(S * np.asarray(a))


class FanInUniform(init.Initializer):
    """Uniform in (-2.4/F, 2.4/F), F each unit's fan-in (appendix A); with
    power=0.5, in (-2.4/sqrt(F), 2.4/sqrt(F)) (see INIT_RULES).

    `fan_in` is one number, or one per output map (C3's maps differ).
    """

    def __init__(self, fan_in, power=1.0):
        super().__init__(fan_in=fan_in, power=power)
        self.fan_in, self.power = fan_in, power

    def _init_weight(self, _, arr):
        bound = P.init_bound(self.fan_in, self.power)
        bound = bound.reshape((-1,) + (1,) * (arr.ndim - 1))
        arr[:] = nd.random.uniform(-1, 1, arr.shape) * nd.array(bound)

    _init_bias = _init_default = _init_weight


init.register(FanInUniform)


def _activate(F, x, activation):
    if activation == 'squash':
        return A * F.tanh(S * x)
    return F.Activation(x, act_type=activation)


class InputScaling(nn.HybridBlock):
    """Map pixels in [0, 1] to the paper's range and pad 28x28 to 32x32.

    With paper=False it only pads with zeros (the book pads in its first
    convolution instead).
    """

    def __init__(self, paper=True, pad=2, **kwargs):
        super().__init__(**kwargs)
        self.paper, self.pad = paper, pad

    def hybrid_forward(self, F, x):
        background = P.input_range(self.paper)[0]
        x = P.scale_pixels(x, self.paper)
        p = self.pad
        return F.pad(x, mode='constant', constant_value=background,
                     pad_width=(0, 0, 0, 0, p, p, p, p))


class Conv(nn.HybridBlock):
    """A squashed 5x5 convolution whose map i reads only the input maps
    `table[i]` (all of them without a table); C1, C3 and C5."""

    def __init__(self, channels, in_channels, kernel=5, table=None,
                 activation='squash', **kwargs):
        super().__init__(**kwargs)
        self.channels, self.kernel, self.activation = channels, kernel, \
            activation
        mask = P.table_mask(channels, in_channels, kernel, table)
        fan_in = mask.reshape(channels, -1).sum(axis=1).tolist()
        with self.name_scope():
            self.weight = self.params.get(
                'weight', shape=mask.shape, init=FanInUniform(fan_in))
            self.bias = self.params.get('bias', shape=(channels,),
                                        init=FanInUniform(fan_in))
            self.mask = self.params.get_constant('mask', mask)

    def hybrid_forward(self, F, x, weight, bias, mask):
        return _activate(F, self.linear(F, x, weight, bias, mask),
                         self.activation)

    def linear(self, F, x, weight, bias, mask):
        """The weighted sums before the squashing function."""
        k = self.kernel
        return F.Convolution(x, weight * mask, bias, kernel=(k, k),
                             num_filter=self.channels)

    def trainable(self):
        """The connected weights and the biases."""
        return int(self.mask.data().sum().asscalar()) + self.channels

    def connections(self, out_shape):
        return self.trainable() * out_shape[2] * out_shape[3]


class Subsampling(nn.HybridBlock):
    """S2 and S4: each unit adds a 2x2 block of its map, times the map's
    trainable coefficient, plus the map's bias, then squashes."""

    def __init__(self, channels, activation='squash', **kwargs):
        super().__init__(**kwargs)
        self.channels, self.activation = channels, activation
        with self.name_scope():  # fan-in 4: the block's four inputs
            self.coef = self.params.get('coef', shape=(1, channels, 1, 1),
                                        init=FanInUniform(4))
            self.bias = self.params.get('bias', shape=(1, channels, 1, 1),
                                        init=FanInUniform(4))

    def hybrid_forward(self, F, x, coef, bias):
        return _activate(F, self.linear(F, x, coef, bias), self.activation)

    def linear(self, F, x, coef, bias):
        """The weighted sums before the squashing function."""
        s = F.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type='sum')
        return F.broadcast_add(F.broadcast_mul(s, coef), bias)

    def trainable(self):
        return self.coef.data().size + self.bias.data().size

    def connections(self, out_shape):
        # Each unit: four inputs and the bias.
        return out_shape[1] * out_shape[2] * out_shape[3] * (4 + 1)


class Full(nn.HybridBlock):
    """F6: a squashed full connection of 84 units."""

    def __init__(self, units, in_units, activation='squash', **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, activation
        with self.name_scope():
            self.weight = self.params.get('weight', shape=(units, in_units),
                                          init=FanInUniform(in_units))
            self.bias = self.params.get('bias', shape=(units,),
                                        init=FanInUniform(in_units))

    def hybrid_forward(self, F, x, weight, bias):
        return _activate(F, self.linear(F, x, weight, bias),
                         self.activation)

    def linear(self, F, x, weight, bias):
        """The weighted sums before the squashing function."""
        return F.FullyConnected(x, weight, bias, num_hidden=self.units,
                                flatten=True)

    def trainable(self):
        return self.weight.data().size + self.bias.data().size

    def connections(self, out_shape):
        return self.trainable()


class RBF(nn.HybridBlock):
    """The output: unit i returns the squared distance of F6 to the fixed
    prototype i, a penalty (the smallest wins)."""

    def __init__(self, art=PROTOTYPE_ART, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.prototypes = self.params.get_constant('prototypes',
                                                       prototypes(art))

    def hybrid_forward(self, F, x, prototypes):
        x2 = F.sum(x * x, axis=1, keepdims=True)
        w2 = F.sum(prototypes * prototypes, axis=1).reshape((1, -1))
        xw = F.dot(x, prototypes, transpose_b=True)
        return F.broadcast_add(F.broadcast_sub(x2, 2 * xw), w2)

    def trainable(self):
        return 0

    def connections(self, out_shape):
        return out_shape[1] * self.prototypes.data().shape[1]


class LeNet5(nn.HybridSequential):
    """LeNet-5; `penalties` says if its outputs are RBF penalties (the
    smallest wins) or scores (the largest wins)."""

    def __init__(self, penalties=True, **kwargs):
        super().__init__(**kwargs)
        self.penalties = penalties

    def predict(self, X):
        """The class of each image of X."""
        y_hat = self(X)
        return (y_hat.argmin if self.penalties else y_hat.argmax)(axis=1)


def lenet5(activation='squash', pooling='paper', c3_table=True,
           output='rbf', scaling='paper', init='paper'):
    """Return LeNet-5 of 1998; the switches swap in the book's choices.

    activation: 'squash' (paper) or 'sigmoid' (book); pooling: 'paper'
    (trainable subsampling, squashed) or 'avg' (the book's plain average);
    c3_table: Table I (True) or C3 reading all of S2 (False); output: 'rbf'
    (paper) or 'dense' (the book's 10 scores for a softmax); scaling:
    'paper' (-0.1 / 1.175) or 'plain' (pixels in [0, 1]); init: 'paper'
    (uniform in +-2.4/F as appendix A prints it) or 'sqrt' (+-2.4/sqrt(F),
    the reading SDLM trains with at the paper's rates: INIT_RULES).
    """
    if init not in INIT_RULES:
        raise ValueError(f"unknown init {init!r}; choose 'paper' or 'sqrt'")
    net = LeNet5(penalties=(output == 'rbf'))
    if pooling == 'paper':
        def pool(c, name):
            return Subsampling(c, activation, prefix=name + '_')
    elif pooling == 'avg':
        def pool(c, name):
            return nn.AvgPool2D(pool_size=2, strides=2, prefix=name + '_')
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
    with net.name_scope():
        net.add(InputScaling(scaling == 'paper', prefix='input_'),
                Conv(6, 1, activation=activation, prefix='c1_'),
                pool(6, 's2'),
                Conv(16, 6, table=C3_TABLE if c3_table else None,
                     activation=activation, prefix='c3_'),
                pool(16, 's4'),
                Conv(120, 16, activation=activation, prefix='c5_'),
                Full(84, 120, activation=activation, prefix='f6_'))
        if output == 'rbf':
            net.add(RBF(prefix='output_'))
        else:
            net.add(nn.Dense(10, in_units=84, prefix='output_',
                             weight_initializer=FanInUniform(84),
                             bias_initializer=FanInUniform(84)))
    for param in net.collect_params().values():
        if isinstance(param.init, FanInUniform):
            param.init = FanInUniform(param.init.fan_in, INIT_RULES[init])
    return net


def layer_counts(net, size=28):
    """Each layer's trainable parameters and connections, measured on the
    built, initialised `net`: {name: (parameters, connections)}."""
    X = nd.zeros((1, 1, size, size))
    counts = {}
    for name, layer in zip(NAMES, net):
        X = layer(X)
        if hasattr(layer, 'trainable'):
            counts[name] = (layer.trainable(), layer.connections(X.shape))
        elif name != 'input':  # the book's layers: weight sharing aside
            n = sum(p.data().size for p in layer.collect_params().values())
            counts[name] = (n, n if isinstance(layer, nn.Dense) else None)
    return counts


class Loss(gluon.loss.Loss):
    """The paper's criterion on RBF penalties y (section II.C).

    The MSE criterion is y of the correct class.  With `j` the MAP term
    log(e^-j + sum_i e^-y_i) is added, which pushes the other classes'
    penalties up.
    """

    def __init__(self, j=None, **kwargs):
        super().__init__(None, 0, **kwargs)
        self.j = j

    def hybrid_forward(self, F, y, label):
        loss = F.pick(y, label, axis=1)
        if self.j is not None:
            z = F.concat(-y, F.ones_like(F.slice_axis(y, 1, 0, 1)) * -self.j,
                         dim=1)
            top = F.max(z, axis=1, keepdims=True)
            lse = F.log(F.sum(F.exp(F.broadcast_sub(z, top)), axis=1))
            loss = loss + lse + top.reshape((-1,))
        return loss


def error_rate(net, data_iter):
    """The fraction of the images of data_iter that `net` misclassifies."""
    wrong, n = 0, 0
    for X, y in data_iter:
        wrong += int((net.predict(X) != y).sum().asscalar())
        n += y.size
    return wrong / n


def train_lenet5(net, train_iter, test_iter, num_epochs=PAPER_EPOCHS,
                 optimizer='adam', lr=0.001, loss=None, schedule=None,
                 momentum=0.9, verbose=True, start=0, trainer=None,
                 on_epoch=None, mu=SDLM_MU, curvature='each pass',
                 reestimate=None, fast=False):
    """Train LeNet-5 with the paper's schedule shape; return the history.

    optimizer: 'sdlm', the paper's (d2l_local.sdlm.SDLM: h_kk
    backpropagated on 500 patterns, mu = 0.02, each batch's summed
    gradient; with batches of one and lr=0.0005 the paper's rates exactly;
    `mu` its mu; `curvature` 'each pass', as the paper re-estimates h_kk
    before every pass, or 'once', before the first only); or a named
    substitute, 'adam' or 'sgd' (with `momentum`).  The rate in pass e is
    schedule(e, lr): by default the paper's steps, rescaled to start at lr
    and squeezed into num_epochs passes (compressed_schedule).  `loss`
    defaults to the paper's MSE criterion for an RBF output, softmax
    cross-entropy for a dense one.  Returns d2l.Epoch records; their
    train_acc and test_acc are 1 - the error rates.  To resume, pass the
    pass to `start` from and the saved `trainer` (for 'sdlm', the SDLM
    with its h); `on_epoch(record, trainer)` is called after every pass
    (tools/lenet5_1998.py saves; for 'sdlm' trainer is the SDLM).
    With 'sdlm', `reestimate` (a number of patterns, EBLearn's default
    4,000) re-estimates h that often during the first pass, each time on
    the last SDLM_PATTERNS patterns trained on; `fast` takes each batch's
    step with sdlm.Online (one bound executor, the same arithmetic).
    """
    if curvature not in ('each pass', 'once'):
        raise ValueError(f"unknown curvature {curvature!r}; choose "
                         f"'each pass' or 'once'")
    if reestimate is not None and (int(reestimate) != reestimate
                                   or reestimate < 1):
        raise ValueError(f'reestimate is a number of patterns (e.g. '
                         f'4000), got {reestimate!r}')
    if (reestimate or fast) and optimizer != 'sdlm':
        raise ValueError("reestimate and fast are for optimizer='sdlm'")
    schedule = schedule or compressed_schedule(num_epochs)
    if loss is None:
        loss = Loss() if net.penalties else \
            gluon.loss.SoftmaxCrossEntropyLoss()
    sdlm = None
    if optimizer == 'sdlm':
        from .sdlm import SDLM
        sdlm = trainer if isinstance(trainer, SDLM) else \
            SDLM(net, mu=mu, j=getattr(loss, 'j', None))
        trainer = None
    elif trainer is None:
        hyper = {'learning_rate': schedule(0, lr)}
        if optimizer == 'sgd':
            hyper['momentum'] = momentum
        trainer = gluon.Trainer(net.collect_params(), optimizer, hyper)
    online = None
    if fast:
        from .sdlm import Online
        online = Online(sdlm, loss)
    history = []
    for epoch in range(start, num_epochs):
        tic, loss_sum, wrong, n = time.time(), 0.0, 0.0, 0
        if sdlm and (curvature == 'each pass' or sdlm.h is None):
            sdlm.estimate(*_first_patterns(train_iter, SDLM_PATTERNS))
        rate = schedule(epoch, lr)
        if trainer:
            trainer.set_learning_rate(rate)
        recent = _Recent(SDLM_PATTERNS) if reestimate and epoch == 0 \
            else None
        if online:
            online.pull()
        for X, y in train_iter:
            if online:
                l, pred = online.step(X, y, rate)  # numpy
                loss_sum += float(l.sum())
                wrong += float((pred != _numpy(y)).sum())
                n += len(pred)
            else:
                with autograd.record():
                    y_hat = net(X)
                    l = loss(y_hat, y)
                l.backward()
                if sdlm:
                    sdlm.step(rate)
                else:
                    trainer.step(X.shape[0])
                pred = (y_hat.argmin if net.penalties else
                        y_hat.argmax)(axis=1)
                # plain floats: NumPy 2 would keep float32 sums (NEP 50)
                loss_sum += float(l.sum().asscalar())
                wrong += float((pred != y).sum().asscalar())
                n += y.size
            if recent is not None and recent.add(X, y) >= reestimate:
                if online:
                    online.sync()
                sdlm.estimate(*recent.patterns())
                recent.since = 0
        if online:
            online.sync()
        test_error = error_rate(net, test_iter)
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


def _numpy(y):
    return y.asnumpy() if isinstance(y, nd.NDArray) else np.asarray(y)


class _Recent:
    """The last n patterns trained on, and how many since the last
    re-estimate of h."""

    def __init__(self, n):
        self.n, self.since, self.batches, self.held = n, 0, [], 0

    def add(self, X, y):
        """Keep batch (X, y); return the patterns seen since the last
        re-estimate."""
        self.batches.append((X, y))
        self.held += X.shape[0]
        while self.held - self.batches[0][0].shape[0] >= self.n:
            self.held -= self.batches.pop(0)[0].shape[0]
        self.since += X.shape[0]
        return self.since

    def patterns(self):
        """The last n patterns (fewer if fewer were seen): X, y."""
        X = nd.concat(*[nd.array(b[0]) if not isinstance(b[0], nd.NDArray)
                        else b[0] for b in self.batches], dim=0)
        y = nd.concat(*[nd.array(b[1]) if not isinstance(b[1], nd.NDArray)
                        else b[1] for b in self.batches], dim=0)
        start = max(0, X.shape[0] - self.n)
        return X[start:], y[start:]


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
    return nd.concat(*images, dim=0)[:n], nd.concat(*labels, dim=0)[:n]


def __getattr__(name):
    # d2l_local.sdlm imports this module, so it is imported on first use.
    if name in ('SDLM', 'curvature'):
        from . import sdlm
        return getattr(sdlm, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
