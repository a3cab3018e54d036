"""Stochastic diagonal Levenberg-Marquardt, as appendix C of LeCun, Bottou,
Bengio and Haffner (1998) gives it, for the LeNet-5 of d2l_local.lenet5.

Each parameter w_k gets its own step size  eta / (mu + h_kk),  h_kk an
estimate of the diagonal second derivative of the loss in w_k, averaged over
a few hundred patterns before each pass (the paper: 500, mu = 0.02).  The
estimate is the paper's: Gauss-Newton (Levenberg-Marquardt), backpropagated
layer by layer like the gradient.  For a layer  a = W x + b,  x = f(a_prev):

    h(a)      = f'(a)^2 h(x)                  f'' terms dropped (Gauss-Newton)
    h(x_j)    = sum_i w_ij^2 h(a_i)           cross terms i != i' dropped
    h(w_k)    = sum over the connections (i, j) that share w_k of
                h(a_i) x_j^2                  cross terms between them dropped
    h(b_i)    = sum over the units sharing b_i of h(a_i)

where h(.) is the second derivative of the loss E^p of one pattern.  All
three sums are what backpropagation computes in a copy of the layer whose
weights and inputs are squared: its input gradient is (W^2)^T h(a) (a
transposed convolution for C1, C3, C5) and its weight gradient sums
h(a) x^2 over the shared positions.  `layer_curvature` runs MXNet's
autograd on that squared copy, one layer at a time.

At the top, x is F6's output, each RBF unit returns y_i = sum_j (x_j -
w_ij)^2 and the loss of a pattern of class D is E = y_D (+ log(e^-j + sum_i
e^-y_i) with the MAP term).  Its second derivative in x_j is exact, as the
RBF is a fixed quadratic (no squashing function to drop a term of):

    d2E/dx_j^2 = 2                                        (MSE alone)
               + 4 (sum_i p_i d_ij^2 - (sum_i p_i d_ij)^2) - 2 sum_i p_i
                                                           (the MAP term)

with d_ij = x_j - w_ij and p_i = e^-y_i / (e^-j + sum_k e^-y_k).  It is >= 0
(sum_i p_i < 1 and Cauchy-Schwarz); the off-diagonal terms in x are dropped
as at every layer.

What this estimate is, exactly (tests/test_sdlm.py checks each claim):
it is the paper's layer-wise diagonal approximation of the Gauss-Newton
matrix's diagonal.  It equals the true Gauss-Newton diagonal
sum_o (dx_o/dw_k)^2 d2E/dx_o^2 only where w_k reaches each output x_o
through a single path and a single connection: F6, and C5 whose maps are
1x1.  Below, it drops the cross terms between the units (and between the
shared connections) a parameter reaches the output through.  On the real
LeNet-5 at initialisation (5 MNIST digits, the exact diagonal from
per-output Jacobians) the sums of h over C1, S2, C3 and S4's parameters are
0.09 to 0.28 of the exact ones (the shared weights' cross terms add up),
S4's biases 1.0, C5 and F6 1.000.

Measured with the paper's values (seed 0, MNIST):

* From appendix A's initial range as printed, +-2.4/F, mu = 0.02 and
  eta = 0.0005 diverge within a few digits (90 % training error through
  the first 10,000, one at a time): at initialisation the h_kk of every
  parameter below F6 except C5's biases is below mu, most far below (C5's
  weights: 0.006 on average), so those steps are close to eta / mu =
  0.025 times the gradient, and the largest of C5's weights grew from
  0.006 to 0.016 in two digits.  (eta / 10 trains, 11.4 % test error
  after those 10,000, and so does mu = 0.5: 5.7 % and 8.4 % in two runs.)
* From +-2.4/sqrt(F) (lenet5.lenet5(init='sqrt')) h_kk starts above mu for
  95 % of the parameters and the paper's rates train: 2.8 % test error
  after the first pass over all 60,000 digits, one at a time or in
  batches of 4.  Re-estimated before the second pass, as the paper does,
  the medians of h_kk below F6 had fallen 19 to 1,079 times (C5's units
  saturate, and the squashing function's slope enters squared), each
  group's median step grew 12 to 44 times, and the second pass blew up:
  56 % test error after it in batches of 4 (`tools/lenet5_1998.py drift`,
  saved in lenet5_1998_sdlm_drift.json), 45 % one digit at a time.
  Estimated once, before the first pass, it trains on (tools/lenet5_1998.py
  FULL_SDLM; the saved runs are d2l_local/results/lenet5_1998_sdlm*.json).

Against the paper's own calibration (section III.B: at eta 0.0005 and
mu 0.02 the steps "varied between approximately 7x10^-5 and 0.016"), on
500 digits at initialisation (tools/sdlm_calibration.py, saved in
lenet5_1998_sdlm_calibration.json; the MAP term with j = 10 changes
nothing there, as every penalty starts near 84):

* from +-2.4/F the steps run from 1.9e-4 (F6's biases, h = 2 f'(0)^2 =
  2.6) to 0.025, h is below mu for 99.6 % of the parameters and 78.5 %
  step above 0.016: h spans 7.7 decades (F6's biases down to C1's
  weights, 5.8e-8), where the paper's spans 2.8, so no single factor (the
  RBF's 2, (A S)^2 = 1.31, the 500 patterns) can bring it into the
  paper's range; the small initial weights do, entering h squared layer
  after layer;
* from +-2.4/sqrt(F) they run from 5.9e-6 to 0.025, with 97.3 % of the
  parameters inside the paper's range (2.1 % above, C5's and F6's
  parameters of smallest h; 0.6 % below, all in C1 to S4, whose
  parameters are shared by 25 to 784 connections and sum h over them, as
  appendix C does).

So h's rules here are the paper's, and its scale is the paper's from
+-2.4/sqrt(F); from +-2.4/F the net dies before h can follow it.  There,
one digit at a time, F6 saturates within the first 10 digits (re-estimated
then, every group's median h is far below mu: its median step is
eta / mu, F6's biases' too); re-estimating h
every 10, 500 or 4,000 digits (train_lenet5(reestimate=...)) leaves the
test error at 90.2 to 90.4 % (tools/sdlm_calibration.py first-pass, saved
in lenet5_1998_sdlm_first_pass.json).  From +-2.4/sqrt(F), re-estimating
every 4,000 digits made the first 10,000 worse: 9.46 % and 17.17 % test
error after them (seeds 0 and 1) against 5.04 % and 5.42 % with h
estimated once (the steps grow as h falls, as between passes above).

`Online` takes the same steps as `SDLM.step` in fewer framework calls
(the same parameters after the same digits: to float32 rounding in
tests/test_sdlm.py, bit for bit over 3,000 MNIST digits in
benchmarks/sdlm_step.py).
"""
import numpy as np
from mxnet import autograd, nd

from . import lenet5 as L


def slope(a, activation):
    """f'(a) of the layer's squashing function."""
    if activation == 'squash':
        return L.A * L.S * (1 - nd.tanh(L.S * a) ** 2)
    if activation == 'sigmoid':
        s = nd.sigmoid(a)
        return s * (1 - s)
    if activation == 'relu':
        return (a > 0).astype(a.dtype)
    raise ValueError(f'no derivative known for activation {activation!r}')


def output_curvature(x, prototypes, label, j=None):
    """d2E/dx^2, one value per pattern and F6 unit: the exact diagonal of
    the loss's second derivative in the RBF layer's input x (n, d), for
    prototypes (classes, d), labels (n,) and the MAP constant j (None: the
    MSE criterion alone, whose second derivative is 2 everywhere)."""
    h = nd.ones_like(x) * 2
    if j is None:
        return h
    d = x.expand_dims(1) - prototypes.expand_dims(0)        # (n, c, d)
    y = (d ** 2).sum(axis=2)                                # (n, c)
    z = nd.concat(-y, nd.ones_like(y[:, :1]) * -j, dim=1)
    p = nd.softmax(z, axis=1)[:, :-1].expand_dims(2)        # (n, c, 1)
    m = (p * d).sum(axis=1)                                 # (n, d)
    return h - 2 * p.sum(axis=1) + 4 * ((p * d ** 2).sum(axis=1) - m ** 2)


def layer_curvature(layer, x, h_a):
    """Backpropagate diagonal second derivatives through one layer.

    x is the layer's input, h_a the second derivative of the loss in its
    weighted sums (before squashing).  Returns (h_x, {parameter name: h}):
    h_x = (W^2)^T h_a, and for each trainable parameter the sum over its
    connections of h_a times the squared input (1 for a bias), summed over
    the patterns.  Computed by autograd on the layer with squared weights
    and squared inputs (constants too: C3's 0/1 mask squares to itself).
    """
    z = x * x
    z.attach_grad()
    squared, names = {}, {}
    for key, param in layer._reg_params.items():
        value = param.data() ** 2
        if param.grad_req != 'null':
            value.attach_grad()
            names[key] = param.name
        squared[key] = value
    with autograd.record():
        a = layer.linear(nd, z, **squared)
    a.backward(h_a)
    return z.grad, {names[k]: squared[k].grad for k in names}


def trace(net, X):
    """Run the body of `net` on X; return (steps, F6's output), steps the
    (layer, input, weighted sums) of every layer with weights, bottom up.

    Only layers with a `linear` method (Conv, Subsampling, Full) take part;
    parameter-free layers (InputScaling) may come before the first.
    """
    layers = list(net)
    if not isinstance(layers[-1], L.RBF):
        raise ValueError('SDLM needs the RBF output (output="rbf")')
    steps, x = [], X
    for layer in layers[:-1]:
        if hasattr(layer, 'linear'):
            params = {k: p.data() for k, p in layer._reg_params.items()}
            a = layer.linear(nd, x, **params)
            steps.append((layer, x, a))
            x = L._activate(nd, a, layer.activation)
        elif not steps and not list(layer.collect_params().keys()):
            x = layer(x)
        else:
            raise ValueError(f"SDLM's curvature pass does not know the "
                             f'layer {layer.name} ({type(layer).__name__})')
    return steps, x


def curvature(net, X, y, j=None, chunk=100):
    """The paper's h_kk for every trainable parameter of `net`, averaged
    over the patterns X (labels y): {parameter name: NDArray}."""
    total, n = {}, X.shape[0]
    for start in range(0, n, chunk):
        steps, x = trace(net, X[start:start + chunk])
        h_x = output_curvature(x, net[-1].prototypes.data(),
                               y[start:start + chunk], j)
        for layer, x_in, a in reversed(steps):
            h_a = slope(a, layer.activation) ** 2 * h_x.reshape(a.shape)
            h_x, h_params = layer_curvature(layer, x_in, h_a)
            for name, h in h_params.items():
                total[name] = total[name] + h if name in total else h
    return {name: h / n for name, h in total.items()}


class SDLM:
    """The paper's optimiser: w_k -= eta / (mu + h_kk) * dE/dw_k.

    `estimate(X, y)` measures h_kk on the patterns X before a pass;
    `step(eta)` then moves each parameter by its own step size times its
    gradient summed over the patterns of the batch: with one pattern per
    batch this is the paper's update; with B it takes the B per-pattern
    steps at once, all from the same point.  `j` is the MAP constant of the
    loss trained on (None: MSE alone).
    """

    def __init__(self, net, mu=L.SDLM_MU, j=None, chunk=100):
        self.net, self.mu, self.j, self.chunk = net, mu, j, chunk
        self.params = [p for p in net.collect_params().values()
                       if p.grad_req != 'null']
        self.h = self._scale = None
        self._rate = None

    def estimate(self, X, y):
        """h_kk averaged over the patterns X, labels y; a list in the
        order of self.params."""
        h = curvature(self.net, X, y, self.j, self.chunk)
        self.h = [h[p.name] for p in self.params]
        self._scale = self._rate = None
        return self.h

    def step_sizes(self, eta):
        """Each parameter's eta / (mu + h_kk)."""
        if self._rate != eta:
            self._scale = [eta / (self.mu + h) for h in self.h]
            self._rate = eta
        return self._scale

    def masks(self):
        """{weight name: where it has connections} for the convolutions
        (C3's weights outside Table I have none: no gradient, no h)."""
        return {layer.weight.name: layer.mask.data().asnumpy() > 0
                for layer in self.net if isinstance(layer, L.Conv)}

    def table(self, eta):
        """Per parameter group (self.key: 'c1_weight', ...) the number of
        connected parameters, how many of them have h below mu (a step
        over half the largest, eta / mu), and the min, median and max of
        their h and of their step size eta / (mu + h) (C3's unconnected
        weights left out): a list of dicts."""
        rows, masks = [], self.masks()
        for p, h in zip(self.params, self.h):
            h = h.asnumpy().astype(np.float64)
            h = h[masks[p.name]] if p.name in masks else h.ravel()
            eps = eta / (self.mu + h)
            rows.append(dict(group=self.key(p), n=int(h.size),
                             below_mu=int((h < self.mu).sum()),
                             h_min=float(h.min()),
                             h_median=float(np.median(h)),
                             h_max=float(h.max()), eps_min=float(eps.min()),
                             eps_median=float(np.median(eps)),
                             eps_max=float(eps.max())))
        return rows

    def save(self, path):
        """Save h, by parameter name within the net (to resume a run)."""
        nd.save(path, {self.key(p): h for p, h in zip(self.params, self.h)})

    def load(self, path):
        """Take h from a file `save` wrote for a net of the same layers."""
        saved = nd.load(path)
        shapes = {self.key(p): p.shape for p in self.params}
        if {k: v.shape for k, v in saved.items()} != shapes:
            raise ValueError(f'{path} holds h for another net (its '
                             f'parameters differ from this one\'s); '
                             f'delete it to start afresh')
        self.h = [saved[self.key(p)] for p in self.params]
        self._scale = self._rate = None

    def key(self, param):
        """The parameter's name within the net (without its prefix)."""
        return param.name[len(self.net.prefix):]

    def step(self, eta):
        for p, scale in zip(self.params, self.step_sizes(eta)):
            data = p.data()
            data -= scale * p.grad()


class Online:
    """SDLM.step's arithmetic in a few framework calls a batch.

    The plain way, autograd through gluon then SDLM.step, makes about 45
    framework calls a batch, two for each of the 14 parameters' updates;
    with MXNet's NaiveEngine and one digit a batch those calls, not the
    arithmetic, take most of the time.  Here one executor, bound once per
    batch shape, runs forward and backward, and all parameters move in two
    operations on one flat array whose views the executor reads (and one
    flat gradient whose views it writes).  The net's own parameters lag
    behind until `sync()` copies the flat weights into them; `pull()`
    copies them back (train_lenet5 does both around each pass and each
    estimate of h).
    """

    def __init__(self, sdlm, loss):
        import mxnet as mx
        self.sdlm = sdlm
        net = sdlm.net
        penalties = net(mx.sym.var('data'))
        self.symbol = mx.sym.Group([
            mx.sym.MakeLoss(loss(penalties, mx.sym.var('label'))),
            mx.sym.BlockGrad(mx.sym.argmin(penalties, axis=1))])
        self.params = sdlm.params
        self.w = nd.concat(*[p.data().reshape((-1,)) for p in self.params],
                           dim=0)
        self.g = nd.zeros_like(self.w)
        self.args, self.grads, start = {}, {}, 0
        for p in self.params:
            stop = start + p.data().size
            self.args[p.name] = self.w[start:stop].reshape(p.shape)
            self.grads[p.name] = self.g[start:stop].reshape(p.shape)
            start = stop
        for name, p in net.collect_params().items():
            self.args.setdefault(name, p.data())  # C3's mask, prototypes
        self._executors, self._h, self._rate, self._scale = {}, None, None, \
            None

    def _executor(self, shape, label_shape):
        if shape not in self._executors:
            ctx = self.w.context
            args = dict(self.args, data=nd.zeros(shape, ctx=ctx),
                        label=nd.zeros(label_shape, ctx=ctx))
            req = {k: 'write' if k in self.grads else 'null'
                   for k in self.symbol.list_arguments()}
            self._executors[shape] = self.symbol.bind(
                ctx, args, args_grad=self.grads, grad_req=req)
        return self._executors[shape]

    def step_sizes(self, eta):
        """eta / (mu + h), flat, in the order of self.w."""
        if self._h is not self.sdlm.h or self._rate != eta:
            h = nd.concat(*[h.reshape((-1,)) for h in self.sdlm.h], dim=0)
            self._scale = eta / (self.sdlm.mu + h)
            self._h, self._rate = self.sdlm.h, eta
        return self._scale

    def step(self, X, y, eta):
        """Train on batch (X, y): the sum of its patterns' steps, as
        SDLM.step; return its losses and predicted classes (numpy)."""
        exe = self._executor(tuple(X.shape), tuple(y.shape))
        exe.arg_dict['data'][:] = X
        exe.arg_dict['label'][:] = y
        exe.forward(is_train=True)
        exe.backward()
        self.w -= self.step_sizes(eta) * self.g
        return exe.outputs[0].asnumpy(), exe.outputs[1].asnumpy()

    def sync(self):
        """Copy the trained weights into the net's parameters."""
        for p in self.params:
            p.set_data(self.args[p.name])

    def pull(self):
        """Copy the net's parameters into the trained weights."""
        for p in self.params:
            self.args[p.name][:] = p.data()
