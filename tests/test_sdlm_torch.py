"""The paper's SDLM in PyTorch (d2l_local/torch/sdlm.py): is its h_kk what
it claims to be?  tests/test_sdlm.py's claims, on the PyTorch side.

The same numbers computed another way, in float64 on small nets made of
LeNet-5's own layers: the Gauss-Newton diagonal from explicit Jacobians
(autograd one output at a time) and the loss's exact Hessian in F6's
output (torch.autograd.functional.hessian), and the paper's layer-wise
diagonal from each layer's explicit Jacobian and connection table (found
by differences of the layer's weighted sums, exact as they are affine).

(a) h equals GN where each parameter reaches each output through one path
    and one connection: F6 and a C5 of 1x1 maps, and every layer of a
    chain of single units;
(b) h equals the paper's layer-wise diagonal at every layer, with the MSE
    criterion and the MAP term; below C5 it is not GN (the cross terms it
    drops), and the test asserts the gap is there.
"""
import numpy as np
import pytest

torch = pytest.importorskip('torch')

from d2l_local.torch import lenet5 as L  # noqa: E402
from d2l_local.torch import sdlm  # noqa: E402

RTOL = 1e-9


def small_lenet():
    """LeNet-5 in miniature: 6x6 input padded to 8x8, C1 3 maps 3x3 (6x6),
    S2, C3 4 maps 2x2 on a table (2x2), S4 (1x1), C5 5 maps (1x1), F6 3
    units, 4 RBF prototypes."""
    net = L.LeNet5([
        ('input', L.InputScaling(pad=1)),
        ('c1', L.Conv(3, 1, kernel=3)),
        ('s2', L.Subsampling(3)),
        ('c3', L.Conv(4, 3, kernel=2, table=((0, 1), (1, 2), (2, 0),
                                             (0, 1, 2)))),
        ('s4', L.Subsampling(4)),
        ('c5', L.Conv(5, 4, kernel=1)),
        ('f6', L.Full(3, 5)),
        ('output', L.RBF('#.#  ..#  ##.  .#.'))])
    return net, (1, 6, 6), 4


def chain():
    """One unit per layer below the top: every parameter has one path."""
    net = L.LeNet5([('c1', L.Conv(1, 1, kernel=3)), ('f1', L.Full(1, 1)),
                    ('f2', L.Full(2, 1)), ('output', L.RBF('#.  .#  ##'))])
    return net, (1, 3, 3), 3


def build(make, seed=0, scale=3.0, n=4):
    """The net in float64, weights drawn larger than LeNet's init so that
    the squashing functions bend; n random patterns and labels."""
    net, shape, classes = make()
    net.double()
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-1, 1, p.shape) * scale
                                     / np.sqrt(max(1, p.shape[-1]))))
    X = torch.from_numpy(rng.uniform(0, 1, (n,) + shape))
    y = torch.from_numpy(rng.integers(0, classes, n))
    return net, X, y


def loss_hessian(net, x, label, j):
    """d2E/dx dx^T of one pattern at F6's output x (d,), exactly."""
    def loss(v):
        return L.Loss(j)(net[-1](v[None]), label.reshape(1))[0]
    return torch.autograd.functional.hessian(loss, x.detach())


def gauss_newton(net, X, y, j=None):
    """mean_p sum_o J_ok^2 H_oo per parameter, J by autograd one output
    at a time; also mean_p (J^T H J)_kk with the full H."""
    names, params = zip(*net.named_parameters())
    diag = {name: 0 for name in names}
    full = {name: 0 for name in names}
    for x, label in zip(X, y):
        out = net[:-1](x[None])[0]
        H = loss_hessian(net, out, label, j).numpy()
        J = [torch.autograd.grad(out[o], params, retain_graph=True)
             for o in range(len(out))]
        for k, name in enumerate(names):
            Jp = np.stack([g[k].numpy() for g in J])       # (outputs, ...)
            diag[name] = diag[name] + np.tensordot(np.diag(H), Jp ** 2, 1)
            flat = Jp.reshape(len(Jp), -1)
            full[name] = full[name] + np.einsum(
                'ok,ol,lk->k', flat, H, flat).reshape(Jp.shape[1:])
    return ({k: v / len(X) for k, v in diag.items()},
            {k: v / len(X) for k, v in full.items()})


def affine(layer, x, values, key=None, index=None):
    """The layer's weighted sums at inputs x (numpy), its tensors `values`
    ({key: numpy}) with one entry raised by 1."""
    values = {k: v.copy() for k, v in values.items()}
    if key is not None:
        values[key].flat[index] += 1
    a = layer.linear(torch.from_numpy(x), **{
        k: torch.from_numpy(v) for k, v in values.items()})
    return a.numpy().reshape(len(x), -1)


def layer_wise(net, X, y, j=None):
    """The paper's layer-wise diagonal from explicit layer Jacobians."""
    with torch.no_grad():
        steps, out = sdlm.trace(net, X)
    h_x = np.array([np.diag(loss_hessian(net, o, label, j).numpy())
                    for o, label in zip(out, y)])
    name_of = {layer: name for name, layer in net.named_children()}
    result = {}
    for layer, x_in, a in reversed(steps):
        x_in = x_in.numpy()
        a_np = a.numpy().reshape(len(a), -1)
        # f'(a) by autograd of the layer's own squashing function
        a_var = a.clone().requires_grad_()
        L._activate(a_var, layer.activation).sum().backward()
        h_a = a_var.grad.numpy().reshape(a_np.shape) ** 2 * h_x
        n_in = x_in[0].size
        basis = np.concatenate([np.zeros((1, n_in)), np.eye(n_in)])
        basis = basis.reshape((n_in + 1,) + x_in.shape[1:])
        values = {k: t.detach().numpy() for k, t in L.tensors(layer).items()}
        with torch.no_grad():
            base = affine(layer, basis, values)
        Jx = (base[1:] - base[0]).T                       # (units, inputs)
        np.testing.assert_allclose(
            np.einsum('ij,pj->pi', Jx, x_in.reshape(len(x_in), -1))
            + base[0], a_np, rtol=1e-12, atol=1e-12)      # affine, exactly
        for key, p in layer.named_parameters(recurse=False):
            h = np.zeros(p.shape)
            for k in range(p.numel()):
                with torch.no_grad():
                    moved = affine(layer, basis, values, key, k)
                B = moved[0] - base[0]       # the bias-like connections
                C = (moved[1:] - moved[0]).T - Jx  # (units, inputs): 0/1
                h.flat[k] = (h_a * ((C ** 2) @ (x_in.reshape(
                    len(x_in), -1) ** 2).T).T).sum() + (h_a * B ** 2).sum()
            result[f'{name_of[layer]}.{key}'] = h / len(X)
        h_x = h_a @ (Jx ** 2)
    return result


def sdlm_h(net, X, y, j=None):
    return {k: v.numpy() for k, v in sdlm.curvature(net, X, y, j,
                                                    chunk=3).items()}


def close(found, want, rtol=RTOL):
    np.testing.assert_allclose(found, want, rtol=rtol,
                               atol=rtol * np.abs(want).max())


def relative_gap(h, gn):
    return np.abs(h - gn).max() / np.abs(gn).max()


def test_layer_forward_is_the_squashed_linear_part():
    net, X, _ = build(small_lenet)
    with torch.no_grad():
        x = net[0](X)
        for layer in net[1:-1]:
            want = L._activate(layer.linear(x, **L.tensors(layer)),
                               layer.activation)
            close(layer(x).numpy(), want.numpy(), 1e-14)
            x = layer(x)


@pytest.mark.parametrize('j', [None, 0.5])
def test_output_curvature_is_the_losss_second_derivative(j):
    rng = np.random.default_rng(1)
    P = L.prototypes('#.#  ..#  ##.  .#.').astype(np.float64)
    x = torch.from_numpy(P[[0, 2, 3]] + rng.normal(0, 0.4, (3, 3)))
    labels = torch.tensor([0, 1, 3])
    net = L.LeNet5([('output', L.RBF('#.#  ..#  ##.  .#.'))]).double()
    found = sdlm.output_curvature(x, torch.from_numpy(P), labels, j).numpy()
    want = [np.diag(loss_hessian(net, row, c, j).numpy())
            for row, c in zip(x, labels)]
    close(found, np.array(want), 1e-12)
    assert (found >= 0).all()
    if j is not None:
        assert np.abs(found - 2).max() > 0.05  # the MAP term counts here


def test_a_exact_gauss_newton_where_one_path_leads_to_the_output():
    net, X, y = build(small_lenet)
    h = sdlm_h(net, X, y)
    gn, gn_full = gauss_newton(net, X, y)
    for name in gn:
        close(gn_full[name], gn[name], 1e-12)  # MSE: H = 2 I, no off-diag
    top = [n for n in gn if n.split('.')[0] in ('f6', 'c5')]
    assert len(top) == 4
    for name in top:
        close(h[name], gn[name])


def test_a_exact_gauss_newton_everywhere_on_a_chain():
    net, X, y = build(chain)
    h = sdlm_h(net, X, y)
    gn, _ = gauss_newton(net, X, y)
    assert set(h) == set(gn) and len(h) == 6
    for name in gn:
        close(h[name], gn[name])


@pytest.mark.parametrize('j', [None, 0.5])
def test_b_the_papers_layer_wise_diagonal_at_every_layer(j):
    net, X, y = build(small_lenet)
    h = sdlm_h(net, X, y, j)
    want = layer_wise(net, X, y, j)
    assert set(h) == set(want) and len(h) == 12
    for name in want:
        close(h[name], want[name])
    mask = net.c3.mask.numpy()
    assert (h['c3.weight'][mask == 0] == 0).all()
    assert all((v >= 0).all() for v in h.values())
    if j is not None:  # the MAP term changes the curvature of this net
        mse = sdlm_h(net, X, y)
        assert relative_gap(h['f6.bias'], mse['f6.bias']) > .01


def test_b_below_c5_the_diagonal_is_not_gauss_newtons():
    net, X, y = build(small_lenet)
    h = sdlm_h(net, X, y)
    gn, _ = gauss_newton(net, X, y)
    for name in gn:
        gap = relative_gap(h[name], gn[name])
        if name.split('.')[0] in ('c5', 'f6'):
            assert gap < 1e-9, name
        else:  # cross terms dropped: a real difference, not rounding
            assert gap > 1e-3, name
