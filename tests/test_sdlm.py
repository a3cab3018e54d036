"""The paper's SDLM (appendix C): is its h_kk what it claims to be?

d2l_local.mxnet.sdlm backpropagates diagonal second derivatives through a copy of
each layer with squared weights and squared inputs.  Here the same numbers
are computed another way, in float64 on small nets made of LeNet-5's own
layers, from explicit Jacobians (no squared layers, no transposed
convolutions), and compared:

* the Gauss-Newton diagonal  GN_k = mean_p sum_o J_ok^2 H_oo,  J_ok =
  dx_o/dw_k the Jacobian of the net's outputs x (F6's, the RBF's inputs)
  by autograd one output at a time, H_oo = d2E/dx_o^2 by central
  differences of the loss's gradient.  For the MSE criterion H = 2 I
  exactly, so this is the exact Gauss-Newton diagonal;
* the paper's layer-wise diagonal: the rules of appendix C (h(a) = f'(a)^2
  h(x), h(x_j) = sum_i J_ij^2 h(a_i), h(w_k) = sum of h(a_i) x_j^2 over the
  connections (i, j) of w_k) applied to each layer's explicit Jacobian and
  connection table, both found by finite differences of the layer's
  weighted sums (exact: they are affine in the inputs, bilinear in inputs
  and weights), in numpy.

Claims tested:
(a) h equals GN exactly (to 1e-9) where each parameter reaches each output
    through one path and one connection: F6 and a C5 of 1x1 maps in the
    small LeNet, and every layer of a net with one unit per layer below
    the top;
(b) on the small LeNet h equals the paper's layer-wise diagonal at every
    layer (to 1e-9), with the MSE criterion and with the MAP term; below
    C5 it is NOT GN: it drops the cross terms between the units and the
    shared connections a parameter reaches the output through.  The test
    asserts the gap is there (so it could tell the two apart) and prints
    its size (pytest -s).
"""
import numpy as np
import pytest

import d2l_local as d2l  # before mxnet
from d2l_local.mxnet import lenet5 as L
from d2l_local.mxnet import sdlm
from mxnet import autograd, nd

RTOL = 1e-9


def small_lenet():
    """LeNet-5 in miniature: 6x6 input padded to 8x8, C1 3 maps 3x3 (6x6),
    S2, C3 4 maps 2x2 on a table (2x2), S4 (1x1), C5 5 maps (1x1), F6 3
    units, 4 RBF prototypes."""
    art = '#.#  ..#  ##.  .#.'
    net = L.LeNet5()
    with net.name_scope():
        net.add(L.InputScaling(pad=1, prefix='input_'),
                L.Conv(3, 1, kernel=3, prefix='c1_'),
                L.Subsampling(3, prefix='s2_'),
                L.Conv(4, 3, kernel=2, table=((0, 1), (1, 2), (2, 0),
                                              (0, 1, 2)), prefix='c3_'),
                L.Subsampling(4, prefix='s4_'),
                L.Conv(5, 4, kernel=1, prefix='c5_'),
                L.Full(3, 5, prefix='f6_'),
                L.RBF(art, prefix='output_'))
    return net, (1, 6, 6), 4


def chain():
    """One unit per layer below the top: every parameter has one path."""
    net = L.LeNet5()
    with net.name_scope():
        net.add(L.Conv(1, 1, kernel=3, prefix='c1_'),
                L.Full(1, 1, prefix='f1_'),
                L.Full(2, 1, prefix='f2_'),
                L.RBF('#.  .#  ##', prefix='output_'))
    return net, (1, 3, 3), 3


def build(make, seed=0, scale=3.0, n=4):
    """The net in float64, weights drawn larger than LeNet's init so that
    the squashing functions bend; n random patterns and labels."""
    net, shape, classes = make()
    net.initialize()
    net.cast('float64')
    rng = np.random.default_rng(seed)
    for p in net.collect_params().values():
        if p.grad_req != 'null':
            p.set_data(nd.array(rng.uniform(-1, 1, p.shape) * scale
                                / np.sqrt(max(1, p.shape[-1])),
                                dtype='float64'))
    X = nd.array(rng.uniform(0, 1, (n,) + shape), dtype='float64')
    y = nd.array(rng.integers(0, classes, n), dtype='float64')
    return net, X, y


def trainable(net):
    return [p for p in net.collect_params().values() if p.grad_req != 'null']


def loss_hessian(net, x, label, j):
    """d2E/dx dx^T of one pattern at F6's output x (numpy, (d,)), by
    central differences of autograd's gradient of the net's own RBF and
    loss."""
    def grad(v):
        v = nd.array(v[None], dtype='float64')
        v.attach_grad()
        with autograd.record():
            e = L.Loss(j)(net[-1](v), nd.array([label], dtype='float64'))
        e.backward()
        return v.grad.asnumpy()[0]
    delta, rows = 1e-5, []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = delta
        rows.append((grad(x + e) - grad(x - e)) / (2 * delta))
    return np.array(rows)


def gauss_newton(net, X, y, j=None):
    """mean_p sum_o J_ok^2 H_oo per parameter, J by autograd one output
    at a time; also mean_p (J^T H J)_kk with the full H."""
    params = trainable(net)
    body = net[:-1]
    diag = {p.name: 0 for p in params}
    full = {p.name: 0 for p in params}
    for p_i in range(X.shape[0]):
        x = X[p_i:p_i + 1]
        out = body(x).asnumpy()[0]
        H = loss_hessian(net, out, y[p_i].asscalar(), j)
        J = {p.name: [] for p in params}
        for o in range(out.size):
            with autograd.record():
                z = body(x)[0, o]
            z.backward()
            for p in params:
                J[p.name].append(p.grad().asnumpy().copy())
        for p in params:
            Jp = np.array(J[p.name])                       # (outputs, ...)
            diag[p.name] = diag[p.name] + np.tensordot(
                np.diag(H), Jp ** 2, axes=1)
            flat = Jp.reshape(len(Jp), -1)
            full[p.name] = full[p.name] + np.einsum(
                'ok,ol,lk->k', flat, H, flat).reshape(p.shape)
    n = X.shape[0]
    return ({k: v / n for k, v in diag.items()},
            {k: v / n for k, v in full.items()})


def affine(layer, x, params, delta_key=None, delta_index=None):
    """The layer's weighted sums at inputs x (numpy), its parameters
    `params` ({key: numpy}) with one entry raised by 1."""
    values = {k: v.copy() for k, v in params.items()}
    if delta_key is not None:
        values[delta_key].flat[delta_index] += 1
    nd_values = {k: nd.array(v, dtype='float64') for k, v in values.items()}
    return layer.linear(nd, nd.array(x, dtype='float64'),
                        **nd_values).asnumpy().reshape(len(x), -1)


def layer_wise(net, X, y, j=None):
    """The paper's layer-wise diagonal from explicit layer Jacobians."""
    steps, out = sdlm.trace(net, X)  # each layer's input and weighted sums
    h_x = np.array([np.diag(loss_hessian(net, o, label, j))
                    for o, label in zip(out.asnumpy(), y.asnumpy())])
    result = {}
    for layer, x_in, a in reversed(steps):
        x_in = x_in.asnumpy()
        a_np = a.asnumpy().reshape(len(a), -1)
        # f'(a) by autograd of the layer's own squashing function
        a_var = a.copy()
        a_var.attach_grad()
        with autograd.record():
            f = L._activate(nd, a_var, layer.activation)
        f.backward()
        h_a = a_var.grad.asnumpy().reshape(a_np.shape) ** 2 * h_x
        # explicit Jacobian of the weighted sums in the inputs: a(e_j) - a(0)
        n_in = x_in[0].size
        basis = np.concatenate([np.zeros((1, n_in)), np.eye(n_in)])
        basis = basis.reshape((n_in + 1,) + x_in.shape[1:])
        params = {k: p.data().asnumpy() for k, p in layer._reg_params.items()}
        base = affine(layer, basis, params)
        Jx = (base[1:] - base[0]).T                       # (units, inputs)
        np.testing.assert_allclose(
            np.einsum('ij,pj->pi', Jx, x_in.reshape(len(x_in), -1))
            + base[0], a_np, rtol=1e-12, atol=1e-12)      # affine, exactly
        for key, p in layer._reg_params.items():
            if p.grad_req == 'null':
                continue
            h = np.zeros(p.shape)
            for k in range(p.data().size):
                moved = affine(layer, basis, params, key, k)
                B = moved[0] - base[0]       # the bias-like connections
                C = (moved[1:] - moved[0]).T - Jx  # (units, inputs): 0/1
                h.flat[k] = (h_a * ((C ** 2) @ (x_in.reshape(
                    len(x_in), -1) ** 2).T).T).sum() + (h_a * B ** 2).sum()
            result[p.name] = h / len(X)
        h_x = h_a @ (Jx ** 2)
    return result


def sdlm_h(net, X, y, j=None):
    return {k: v.asnumpy() for k, v in sdlm.curvature(net, X, y, j,
                                                        chunk=3).items()}


def close(found, want, rtol=RTOL):
    np.testing.assert_allclose(found, want, rtol=rtol,
                               atol=rtol * np.abs(want).max())


def relative_gap(h, gn):
    return np.abs(h - gn).max() / np.abs(gn).max()


def test_layer_forward_is_the_squashed_linear_part():
    net, X, _ = build(small_lenet)
    x = net[0](X)
    for layer in net[1:-1]:
        params = {k: p.data() for k, p in layer._reg_params.items()}
        want = L._activate(nd, layer.linear(nd, x, **params),
                           layer.activation)
        close(layer(x).asnumpy(), want.asnumpy(), 1e-14)
        x = layer(x)


@pytest.mark.parametrize('j', [None, 0.5])
def test_output_curvature_is_the_losss_second_derivative(j):
    # x near the prototypes, so that the MAP term's p_i are not negligible
    rng = np.random.default_rng(1)
    P = L.prototypes('#.#  ..#  ##.  .#.').astype(np.float64)
    x = P[[0, 2, 3]] + rng.normal(0, 0.4, (3, 3))
    labels = [0, 1, 3]
    net = L.LeNet5()
    net.add(L.RBF('#.#  ..#  ##.  .#.'))
    net.initialize()
    net.cast('float64')
    found = sdlm.output_curvature(
        nd.array(x, dtype='float64'), nd.array(P, dtype='float64'),
        nd.array(labels, dtype='float64'), j).asnumpy()
    want = [np.diag(loss_hessian(net, row, c, j)) for row, c in
            zip(x, labels)]
    close(found, np.array(want), 1e-7)  # central differences: ~1e-10
    assert (found >= 0).all()
    if j is not None:
        assert np.abs(found - 2).max() > 0.05  # the MAP term counts here


def test_a_exact_gauss_newton_where_one_path_leads_to_the_output():
    net, X, y = build(small_lenet)
    h = sdlm_h(net, X, y)
    gn, gn_full = gauss_newton(net, X, y)
    for name in gn:
        close(gn_full[name], gn[name], 1e-12)  # MSE: H = 2 I, no off-diag
    top = [n for n in gn if n.split('_')[1] in ('f6', 'c5')]
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
    # C3's masked weights get no curvature, as they get no gradient
    mask = net[3].mask.data().asnumpy()
    assert (h[net[3].weight.name][mask == 0] == 0).all()
    assert all((v >= 0).all() for v in h.values())
    if j is not None:  # the MAP term changes the curvature of this net
        mse = sdlm_h(net, X, y)
        assert relative_gap(h[net[6].bias.name], mse[net[6].bias.name]) > .01


def test_b_below_c5_the_diagonal_is_not_gauss_newtons(capsys):
    net, X, y = build(small_lenet)
    h = sdlm_h(net, X, y)
    gn, _ = gauss_newton(net, X, y)
    gaps = {name: relative_gap(h[name], gn[name]) for name in gn}
    with capsys.disabled():
        print('\nmax |h - GN| / max GN per parameter of the small LeNet:')
        for name, gap in gaps.items():
            ratio = h[name].sum() / gn[name].sum()
            print(f'  {name:24} {gap:9.2e}   sum h / sum GN {ratio:.3f}')
    for name, gap in gaps.items():
        if name.split('_')[1] in ('c5', 'f6'):
            assert gap < 1e-9
        else:  # cross terms dropped: a real difference, not rounding
            assert gap > 1e-3, name


def test_sdlm_step_is_eta_over_mu_plus_h_times_the_gradient():
    net, X, y = build(small_lenet)
    opt = sdlm.SDLM(net, mu=0.02)
    h = opt.estimate(X, y)
    before = [p.data().asnumpy() for p in opt.params]
    with autograd.record():
        loss = L.Loss()(net(X), y)
    loss.backward()
    grads = [p.grad().asnumpy() for p in opt.params]
    opt.step(0.001)
    for p, b, g, hk in zip(opt.params, before, grads, h):
        close(p.data().asnumpy(), b - 0.001 / (0.02 + hk.asnumpy()) * g,
              1e-12)


def mnist_like(n, seed=0):
    """n 28x28 digits-like images (uint8) and labels 0-9."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
    X[:, :, :6] = 0
    return X, rng.integers(0, 10, n).astype(np.float32)


def trained(fast, batch_size=1, n=40, reestimate=None, epochs=1,
            init='sqrt', j=None):
    """LeNet-5 trained with SDLM on n patterns from seed 0: (its
    parameters as numpy, the history, the SDLM)."""
    d2l.set_seed(0)
    net = L.lenet5(init=init)
    net.initialize()
    net.hybridize()
    X, y = mnist_like(n)
    Xt, yt = mnist_like(20, seed=1)
    opt = sdlm.SDLM(net, j=j)
    history = L.train_lenet5(
        net, d2l.ArrayIter(X, y, batch_size, shuffle=True),
        d2l.ArrayIter(Xt, yt, 20), epochs, optimizer='sdlm', lr=0.0005,
        loss=L.Loss(j), verbose=False, trainer=opt, fast=fast,
        reestimate=reestimate, curvature='once')
    return [p.data().asnumpy() for p in opt.params], history, opt


@pytest.mark.parametrize('batch_size, j', [(1, None), (4, None), (1, 10.0)])
def test_online_takes_the_plain_steps(batch_size, j):
    plain, h_plain, _ = trained(False, batch_size, j=j)
    fast, h_fast, _ = trained(True, batch_size, j=j)
    moved = 0
    for a, b, start in zip(plain, fast, trained(False, epochs=0)[0]):
        np.testing.assert_allclose(b, a, rtol=1e-5,
                                   atol=1e-6 * np.abs(a).max())
        moved = max(moved, np.abs(a - start).max())
    assert moved > 1e-3  # the 40 steps did move the parameters
    assert [e.loss for e in h_fast] == pytest.approx(
        [e.loss for e in h_plain], rel=1e-5)
    assert [e.train_acc for e in h_fast] == [e.train_acc for e in h_plain]
    assert [e.test_acc for e in h_fast] == [e.test_acc for e in h_plain]


def counting(monkeypatch):
    calls = []
    real = sdlm.SDLM.estimate
    monkeypatch.setattr(sdlm.SDLM, 'estimate', lambda self, X, y: calls.append(
        X.shape[0]) or real(self, X, y))
    return calls


@pytest.mark.parametrize('fast', [False, True])
def test_reestimate_during_the_first_pass_only(monkeypatch, fast):
    calls = counting(monkeypatch)
    trained(fast, n=40, reestimate=16, epochs=2)
    # before pass 1 on 40 (all there are), then after 16 and 32 patterns
    # on the 16 and 32 seen so far; pass 2 keeps the last h ('once')
    assert calls == [40, 16, 32]


def test_reestimate_uses_the_last_patterns_trained_on(monkeypatch):
    seen = []
    real = sdlm.SDLM.estimate
    monkeypatch.setattr(sdlm.SDLM, 'estimate', lambda self, X, y: seen.append(
        X.asnumpy().copy()) or real(self, X, y))
    monkeypatch.setattr(L, 'SDLM_PATTERNS', 8)
    d2l.set_seed(0)
    net = L.lenet5()
    net.initialize()
    X, y = mnist_like(24)
    L.train_lenet5(net, d2l.ArrayIter(X, y, 2, shuffle=False),
                   d2l.ArrayIter(X, y, 24), 1, optimizer='sdlm',
                   verbose=False, reestimate=10)
    first, again = seen[0], seen[1:]
    assert first.shape[0] == 8 and len(again) == 2  # after 10 and 20
    want = X[:, None].astype(np.float32)
    want *= 1 / 255  # as ArrayIter scales
    np.testing.assert_array_equal(again[0], want[2:10])
    np.testing.assert_array_equal(again[1], want[12:20])


def test_reestimate_and_fast_refuse_what_they_cannot_do():
    net = L.lenet5()
    net.initialize()
    X, y = mnist_like(4)
    data = d2l.ArrayIter(X, y, 2), d2l.ArrayIter(X, y, 2)
    with pytest.raises(ValueError, match='number of patterns'):
        L.train_lenet5(net, *data, 1, optimizer='sdlm', reestimate=0,
                       verbose=False)
    with pytest.raises(ValueError, match="optimizer='sdlm'"):
        L.train_lenet5(net, *data, 1, optimizer='adam', reestimate=4000,
                       verbose=False)


def test_table_gives_each_groups_step_sizes():
    net, X, y = build(small_lenet)
    opt = sdlm.SDLM(net, mu=0.02)
    opt.estimate(X, y)
    rows = {r['group']: r for r in opt.table(0.001)}
    assert list(rows) == [opt.key(p) for p in opt.params]
    c3 = net[3]
    mask = c3.mask.data().asnumpy() > 0
    row = rows[opt.key(c3.weight)]
    assert row['n'] == mask.sum() < mask.size  # Table I's weights only
    h = opt.h[opt.params.index(c3.weight)].asnumpy()[mask]
    assert row['h_min'] == pytest.approx(h.min()) and \
        row['h_max'] == pytest.approx(h.max())
    assert row['eps_min'] == pytest.approx(0.001 / (0.02 + h.max()))
    assert row['eps_max'] == pytest.approx(0.001 / (0.02 + h.min()))
    assert row['eps_median'] == pytest.approx(
        np.median(0.001 / (0.02 + h)))
