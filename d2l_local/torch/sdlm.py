"""Stochastic diagonal Levenberg-Marquardt (appendix C of LeCun, Bottou,
Bengio and Haffner, 1998) for the LeNet-5 of d2l_local.torch.lenet5.

The MXNet edition's d2l_local/mxnet/sdlm.py, piece for piece: its
docstring gives the rules, what the estimate is and the measurements, and
tests/test_lenet5_torch.py holds the two editions' h_kk and steps equal.
The pieces of h, each in a function of its own on both sides so that a
change to one edition's can be mirrored in the other's:

* output_curvature: d2E/dx^2 at F6's output, the RBF's exact 2 (plus the
  MAP term's share);
* slope: f'(a), whose square carries h from a layer's outputs to its
  weighted sums (Gauss-Newton: the f'' term dropped);
* layer_curvature: a layer's h for its inputs, (W^2)^T h(a), and for each
  parameter the sum of h(a) x^2 over the connections that share it, by
  autograd on the layer with squared weights and squared inputs;
* curvature: the layers top down, summed over chunks of patterns, then
  averaged over the patterns (the division by n);
* SDLM.step_sizes: eta / (mu + h_kk) for each parameter.
"""
import torch

from . import lenet5 as L


def slope(a, activation):
    """f'(a) of the layer's squashing function."""
    if activation == 'squash':
        return L.A * L.S * (1 - torch.tanh(L.S * a) ** 2)
    if activation == 'sigmoid':
        s = torch.sigmoid(a)
        return s * (1 - s)
    if activation == 'relu':
        return (a > 0).to(a.dtype)
    raise ValueError(f'no derivative known for activation {activation!r}')


def output_curvature(x, prototypes, label, j=None):
    """d2E/dx^2, one value per pattern and F6 unit: the exact diagonal of
    the loss's second derivative in the RBF layer's input x (n, d), for
    prototypes (classes, d), labels (n,) and the MAP constant j (None: the
    MSE criterion alone, whose second derivative is 2 everywhere)."""
    h = torch.ones_like(x) * 2
    if j is None:
        return h
    d = x.unsqueeze(1) - prototypes.unsqueeze(0)            # (n, c, d)
    y = (d ** 2).sum(dim=2)                                 # (n, c)
    z = torch.cat([-y, torch.full_like(y[:, :1], -j)], dim=1)
    p = torch.softmax(z, dim=1)[:, :-1].unsqueeze(2)        # (n, c, 1)
    m = (p * d).sum(dim=1)                                  # (n, d)
    return h - 2 * p.sum(dim=1) + 4 * ((p * d ** 2).sum(dim=1) - m ** 2)


def layer_curvature(layer, x, h_a):
    """Backpropagate diagonal second derivatives through one layer.

    x is the layer's input, h_a the second derivative of the loss in its
    weighted sums (before squashing).  Returns (h_x, {parameter key: h}):
    h_x = (W^2)^T h_a, and for each trainable parameter (by its name in
    the layer) the sum over its connections of h_a times the squared
    input (1 for a bias), summed over the patterns.  Computed by autograd
    on the layer with squared weights and squared inputs (buffers too:
    C3's 0/1 mask squares to itself).
    """
    z = (x * x).detach().requires_grad_()
    squared, keys = {}, []
    for key, tensor in L.tensors(layer).items():
        value = tensor.detach() ** 2
        if isinstance(tensor, torch.nn.Parameter) and tensor.requires_grad:
            value.requires_grad_()
            keys.append(key)
        squared[key] = value
    with torch.enable_grad():
        a = layer.linear(z, **squared)
        grads = torch.autograd.grad(a, [z] + [squared[k] for k in keys],
                                    h_a)
    return grads[0], dict(zip(keys, grads[1:]))


def trace(net, X):
    """Run the body of `net` on X; return (steps, F6's output), steps the
    (layer, input, weighted sums) of every layer with weights, bottom up.

    Only layers with a `linear` method (Conv, Subsampling, Full) take part;
    parameter-free layers (InputScaling) may come before the first.
    """
    layers = list(net.named_children())
    if not isinstance(layers[-1][1], L.RBF):
        raise ValueError('SDLM needs the RBF output (output="rbf")')
    steps, x = [], X
    for name, layer in layers[:-1]:
        if hasattr(layer, 'linear'):
            a = layer.linear(x, **L.tensors(layer))
            steps.append((layer, x, a))
            x = L._activate(a, layer.activation)
        elif not steps and not list(layer.parameters()):
            x = layer(x)
        else:
            raise ValueError(f"SDLM's curvature pass does not know the "
                             f'layer {name} ({type(layer).__name__})')
    return steps, x


@torch.no_grad()
def curvature(net, X, y, j=None, chunk=100):
    """The paper's h_kk for every trainable parameter of `net`, averaged
    over the patterns X (labels y): {parameter name: tensor}."""
    total, n = {}, X.shape[0]
    name_of = {layer: name for name, layer in net.named_children()}
    for start in range(0, n, chunk):
        steps, x = trace(net, X[start:start + chunk])
        h_x = output_curvature(x, net[-1].prototypes,
                               y[start:start + chunk], j)
        for layer, x_in, a in reversed(steps):
            h_a = slope(a, layer.activation) ** 2 * h_x.reshape(a.shape)
            h_x, h_params = layer_curvature(layer, x_in, h_a)
            for key, h in h_params.items():
                name = f'{name_of[layer]}.{key}'
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
        named = [(name, p) for name, p in net.named_parameters()
                 if p.requires_grad]
        self.names = [name for name, _ in named]
        self.params = [p for _, p in named]
        self.h = self._scale = None
        self._rate = None

    def estimate(self, X, y):
        """h_kk averaged over the patterns X, labels y; a list in the
        order of self.params."""
        h = curvature(self.net, X, y, self.j, self.chunk)
        self.h = [h[name] for name in self.names]
        self._scale = self._rate = None
        return self.h

    def step_sizes(self, eta):
        """Each parameter's eta / (mu + h_kk)."""
        if self._rate != eta:
            self._scale = [eta / (self.mu + h) for h in self.h]
            self._rate = eta
        return self._scale

    def save(self, path):
        """Save h, by parameter name within the net (to resume a run)."""
        torch.save({self.key(p): h for p, h in zip(self.params, self.h)},
                   path)

    def load(self, path):
        """Take h from a file `save` wrote for a net of the same layers."""
        saved = torch.load(path)
        shapes = {self.key(p): p.shape for p in self.params}
        if {k: v.shape for k, v in saved.items()} != shapes:
            raise ValueError(f'{path} holds h for another net (its '
                             f'parameters differ from this one\'s); '
                             f'delete it to start afresh')
        self.h = [saved[self.key(p)] for p in self.params]
        self._scale = self._rate = None

    def key(self, param):
        """The parameter's name within the net, as the MXNet edition
        names it ('c1_weight')."""
        name = self.names[[id(p) for p in self.params].index(id(param))]
        return name.replace('.', '_')

    @torch.no_grad()
    def step(self, eta):
        for p, scale in zip(self.params, self.step_sizes(eta)):
            p -= scale * p.grad
