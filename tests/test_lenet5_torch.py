"""LeNet-5 of 1998 in PyTorch (d2l_local/torch/lenet5.py, sdlm.py): the
MXNet edition's tests of the model, its loss, training and the tool, on
the PyTorch side; then the two editions held equal: the same weights give
the same outputs, loss, gradients and h_kk on the same digits, and the
same SDLM steps (to float32 rounding)."""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip('torch')

from d2l_local import lenet5_paper as P  # noqa: E402
from d2l_local import torch as d2l  # noqa: E402
from d2l_local.torch import lenet5 as L  # noqa: E402
from d2l_local.torch.sdlm import SDLM  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    'lenet5_1998_torch', ROOT / 'tools' / 'lenet5_1998.py')
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

TABLE_I = ['X...XXX..XXXX.XX',
           'XX...XXX..XXXX.X',
           'XXX...XXX..X.XXX',
           '.XXX..XXXX..X.XX',
           '..XXX..XXXX.XX.X',
           '...XXX..XXXX.XXX']
SHAPES = {'input': (2, 1, 32, 32), 'C1': (2, 6, 28, 28),
          'S2': (2, 6, 14, 14), 'C3': (2, 16, 10, 10), 'S4': (2, 16, 5, 5),
          'C5': (2, 120, 1, 1), 'F6': (2, 84), 'output': (2, 10)}


@pytest.fixture
def net():
    d2l.set_seed(0)
    return L.lenet5()


def fake_images(n, seed=0):
    """n 28x28 images of class 0 (a bar) or 1 (a ring), and labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    X[y == 0, 6:22, 12:16] = 255
    X[y == 1, 8:20, 8:20] = 255
    X[y == 1, 11:17, 11:17] = 0
    return X, y


def fake_load(batch_size):
    (X, y), (X_test, y_test) = fake_images(64), fake_images(32, seed=1)
    return (d2l.ArrayIter(X, y, batch_size, shuffle=True),
            d2l.ArrayIter(X_test, y_test, batch_size))


def tensors_of(X, y):
    return torch.from_numpy(X[:, None] / np.float32(255)), \
        torch.from_numpy(np.asarray(y, np.int64))


# The model ---------------------------------------------------------------

def test_counts_equal_the_papers_table(net):
    counts = L.layer_counts(net)
    assert {k: counts[k] for k in P.PAPER_COUNTS} == P.PAPER_COUNTS
    assert counts['output'] == (0, 840)
    assert sum(p.numel() for p in net.parameters()) == 60000 + 16 * 151 \
        - 1516  # C3 stores all 16 x 6 kernels; the mask keeps Table I's


def test_c3_mask_is_table_i(net):
    mask = net.c3.mask.numpy()
    reads = mask.max(axis=(2, 3))
    table = np.array([[c == 'X' for c in row] for row in TABLE_I]).T
    np.testing.assert_array_equal(reads, table)
    assert ((mask.sum(axis=(2, 3)) == 25) | (reads == 0)).all()


def test_masked_weights_get_no_gradient(net):
    X = torch.rand(3, 1, 28, 28)
    L.Loss()(net(X), torch.tensor([0, 1, 2])).sum().backward()
    grad, mask = net.c3.weight.grad, net.c3.mask
    assert (grad[mask == 0] == 0).all() and (grad[mask == 1] != 0).any()
    assert [name for name, _ in net.named_buffers()] == [
        'c1.mask', 'c3.mask', 'c5.mask', 'output.prototypes']


def test_squashing_function():
    assert L.squash(1.0) == pytest.approx(1, abs=1e-5)
    assert L.squash(-1.0) == pytest.approx(-1, abs=1e-5)
    assert L.squash(50.0) == pytest.approx(1.7159)
    out = L.squash(torch.tensor([1.0, 0.0]))
    np.testing.assert_allclose(out.numpy(), [1, 0], atol=1e-5)


def test_input_scaling_and_padding():
    X = torch.zeros(1, 1, 28, 28)
    X[0, 0, 10, 10] = 1
    out = L.InputScaling()(X).numpy()
    assert out.shape == (1, 1, 32, 32)
    assert out[0, 0, 12, 12] == pytest.approx(1.175)
    np.testing.assert_allclose(np.unique(out), [-0.1, 1.175], rtol=1e-6)
    plain = L.InputScaling(paper=False)(X).numpy()
    assert set(np.unique(plain)) == {0.0, 1.0}


def test_layer_shapes_and_output(net):
    X = torch.rand(2, 1, 28, 28)
    for name, layer in zip(L.NAMES, net):
        X = layer(X)
        assert tuple(X.shape) == SHAPES[name], name
    assert net.predict(torch.zeros(5, 1, 28, 28)).shape == (5,)


def test_rbf_outputs_squared_distances(net):
    X = torch.rand(4, 1, 28, 28)
    f6 = net[:-1](X).detach().numpy()
    expected = ((f6[:, None, :] - P.prototypes()[None]) ** 2).sum(axis=2)
    np.testing.assert_allclose(net(X).detach().numpy(), expected,
                               rtol=1e-4)


@pytest.mark.parametrize('init, power', [('paper', 1.0), ('sqrt', 0.5)])
def test_init_is_uniform_in_2_4_over_fan_in(init, power):
    d2l.set_seed(0)
    net = L.lenet5(init=init)
    for layer, fan_in in ((net.c1, 25), (net.c5, 400), (net.f6, 120),
                          (net.s2, 4)):
        bound = 2.4 / fan_in ** power
        for p in layer.parameters():
            assert p.abs().max() <= bound
        if layer is not net.s2:  # 6 coefficients: too few to fill it
            assert bound * 0.8 < layer.weight.abs().max()
    for i, maps in enumerate(P.C3_TABLE):
        bound = 2.4 / (25 * len(maps)) ** power
        assert 0.5 * bound < net.c3.weight[i].abs().max() <= bound
    with pytest.raises(ValueError, match="'paper' or 'sqrt'"):
        L.lenet5(init='xavier')


def test_the_books_switches():
    net = L.lenet5(activation='sigmoid', pooling='avg', c3_table=False,
                   output='dense', scaling='plain')
    assert not net.penalties
    counts = L.layer_counts(net)
    assert counts['S2'] == (0, None) and counts['output'] == (850, 850)
    assert counts['C3'] == (16 * 151, 16 * 151 * 100)
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    for bad, says in [(dict(pooling='max'), "'paper' or 'avg'"),
                      (dict(activation='relu'), "'squash' or 'sigmoid'"),
                      (dict(output='softmax'), "'rbf' or 'dense'"),
                      (dict(scaling='none'), "'paper' or 'plain'")]:
        with pytest.raises(ValueError, match=says):
            L.lenet5(**bad)


def test_loss_mse_and_map():
    y = torch.tensor([[1.0, 5.0, 9.0], [4.0, 2.0, 8.0]])
    label = torch.tensor([0, 2])
    np.testing.assert_allclose(L.Loss()(y, label).numpy(), [1, 8])
    j = 3.0
    expected = [y_d + np.log(np.exp(-j) + np.exp(-row).sum())
                for y_d, row in zip([1, 8], y.numpy())]
    np.testing.assert_allclose(L.Loss(j)(y, label).numpy(), expected,
                               rtol=1e-5)


# Training ----------------------------------------------------------------

@pytest.mark.parametrize('optimizer, lr', [('adam', 0.003), ('sgd', 0.01),
                                           ('sdlm', 0.0001)])
def test_one_training_step_lowers_the_loss(optimizer, lr):
    d2l.set_seed(0)
    net = L.lenet5()
    X, y = tensors_of(*fake_images(32))
    loss = L.Loss()
    before = float(loss(net(X), y).mean().detach())
    if optimizer == 'sdlm':
        opt = L.SDLM(net)
        opt.estimate(X, y)
        assert all((h >= 0).all() for h in opt.h)
        loss(net(X), y).sum().backward()
        opt.step(lr)  # the 32 patterns' summed gradient
    else:
        trainer = L.optimizer_for(net, optimizer, lr)
        loss(net(X), y).mean().backward()
        trainer.step()
    assert float(loss(net(X), y).mean().detach()) < before


def test_sdlm_estimates_the_f6_bias_curvature(net):
    # For F6's biases h = 2 f'(a)^2 exactly, under the MSE criterion.
    X = torch.rand(20, 1, 28, 28)
    y = torch.arange(20) % 10
    sdlm = L.SDLM(net, chunk=7)
    h = dict(zip(sdlm.names, sdlm.estimate(X, y)))
    with torch.no_grad():
        pre = net.f6.linear(net[:6](X), net.f6.weight, net.f6.bias)
    expected = (2 * (L.A * L.S * (1 - torch.tanh(L.S * pre) ** 2)) ** 2)
    np.testing.assert_allclose(h['f6.bias'].numpy(),
                               expected.mean(dim=0).numpy(), rtol=1e-5)


def test_sdlm_step_is_eta_over_mu_plus_h_times_the_gradient(net):
    X, y = tensors_of(*fake_images(8))
    opt = SDLM(net, mu=0.02)
    h = opt.estimate(X, y)
    before = [p.detach().clone() for p in opt.params]
    L.Loss()(net(X), y).sum().backward()
    grads = [p.grad.clone() for p in opt.params]
    opt.step(0.001)
    for p, b, g, hk in zip(opt.params, before, grads, h):
        torch.testing.assert_close(p.detach(), b - 0.001 / (0.02 + hk) * g)


def test_train_with_sdlm_online_lowers_the_loss():
    d2l.set_seed(0)
    net = L.lenet5()
    (X, y), (X_test, y_test) = fake_images(64), fake_images(32, seed=1)
    history = L.train_lenet5(
        net, d2l.ArrayIter(X, y, 1, shuffle=True),
        d2l.ArrayIter(X_test, y_test, 32), num_epochs=2,
        optimizer='sdlm', lr=0.0005, verbose=False)
    assert [e.epoch for e in history] == [1, 2]
    assert history[-1].loss < history[0].loss


@pytest.mark.parametrize('output', ['rbf', 'dense'])
def test_train_returns_a_history_of_errors(output):
    d2l.set_seed(0)
    net = L.lenet5(output=output)
    history = L.train_lenet5(net, *fake_load(16), num_epochs=2, lr=0.003,
                             verbose=False)
    assert [e.epoch for e in history] == [1, 2]
    assert history[-1].loss < history[0].loss
    assert all(0 <= e.test_acc <= 1 for e in history)


def test_train_lenet5_refuses_an_unknown_curvature_and_optimizer(net):
    with pytest.raises(ValueError, match="'each pass' or 'once'"):
        L.train_lenet5(net, *fake_load(4), 1, optimizer='sdlm',
                       curvature='never', verbose=False)
    with pytest.raises(ValueError, match="'adam', 'sgd' or 'sdlm'"):
        L.train_lenet5(net, *fake_load(4), 1, optimizer='rmsprop',
                       verbose=False)


def test_sdlm_needs_the_rbf_output():
    with pytest.raises(ValueError, match='RBF output'):
        SDLM(L.lenet5(output='dense')).estimate(*tensors_of(
            *fake_images(4)))


def test_sdlm_h_saved_for_another_net_is_refused(tmp_path, net):
    opt = SDLM(net)
    opt.estimate(*tensors_of(*fake_images(8)))
    opt.save(tmp_path / 'h')
    other = SDLM(net)
    other.load(tmp_path / 'h')
    for a, b in zip(opt.h, other.h):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert [opt.key(p) for p in opt.params][:4] == [
        'c1_weight', 'c1_bias', 's2_coef', 's2_bias']
    book = L.lenet5(activation='sigmoid', pooling='avg')
    with pytest.raises(ValueError, match='another net'):
        SDLM(book).load(tmp_path / 'h')


def test_distorted_iter_yields_tensors_of_the_neutral_distortions():
    X, y = fake_images(10)
    seeded = L.DistortedIter(X, y, 3, shuffle=False, seed=7, chunk=4)
    batches = list(seeded)
    assert [len(b) for b, _ in batches] == [3, 3, 3, 1]
    X0, y0 = batches[0]
    assert (X0.dtype, y0.dtype) == (torch.float32, torch.int64)
    np.testing.assert_allclose(
        X0.numpy()[:, 0], P.distort(X[:3], np.random.default_rng(7)) / 255,
        rtol=1e-6)


# The tool, --framework pytorch ------------------------------------------

def test_tool_full_with_sdlm_in_pytorch(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    path = tmp_path / 'sdlm.json'
    record = tool.full([0], epochs=1, path=path, load=fake_load,
                       framework='pytorch', optimizer='sdlm', distort=True)
    config = record['config']
    assert (config['framework'], config['model'], config['optimizer'],
            config['batch_size'], config['net'], config['curvature']) == (
        'pytorch', 'd2l_local.torch.lenet5.lenet5()', 'sdlm', 4,
        {'init': 'sqrt'}, 'once')
    assert record['environment']['torch'] == torch.__version__.split('+')[0]
    assert 'mxnet' not in record['environment']
    assert len(record['runs'][0]['history']) == 1
    assert list((tmp_path / 'cache' / 'd2l-lenet5').iterdir()) == []
    spec = dict(tool.FULL_SDLM, distort=True)
    train_iter, test_iter = tool.load_full(spec, fake_load, 'pytorch')
    assert isinstance(train_iter, L.DistortedIter)
    assert test_iter.batch_size == 1000


def test_tool_default_files_are_the_editions_own():
    parse = tool.argparse.Namespace
    assert tool.default_json(parse(optimizer='sdlm', distort=True,
                                   framework='pytorch')) == \
        ROOT / 'd2l_local' / 'results' / 'pytorch' / \
        'lenet5_1998_sdlm_distort.json'
    assert tool.default_json(parse(optimizer='adam', distort=False)) == \
        tool.FULL_JSON
    assert tool.result_file(tool.GRID_CSV, 'pytorch').parent.name == \
        'pytorch'


def test_tool_sdlm_run_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    calls = []
    real = SDLM.estimate
    monkeypatch.setattr(SDLM, 'estimate', lambda self, X, y:
                        calls.append(1) or real(self, X, y))
    spec = dict(tool.FULL_SDLM, epochs=1)
    data = tool.load_full(spec, fake_load, 'pytorch')
    checkpoint = tmp_path / 'ck'
    first, _ = tool.run(spec, 0, *data, False, checkpoint, 'pytorch')
    assert (tmp_path / 'ck.params').exists() and (tmp_path / 'ck.h').exists()
    assert not (tmp_path / 'ck.states').exists()
    h = torch.load(tmp_path / 'ck.h')
    spec['epochs'] = 3
    history, _ = tool.run(spec, 0, *data, False, checkpoint, 'pytorch')
    assert history[0] == first[0] and len(history) == 3
    assert calls == [1]  # estimated once; the resumed run read it
    after = torch.load(tmp_path / 'ck.h')
    assert sorted(after) == sorted(h)
    for key in h:
        torch.testing.assert_close(after[key], h[key], rtol=0, atol=0)


def test_tool_adam_run_resumes_with_its_optimizer_state(tmp_path):
    spec = dict(tool.FULL, epochs=1)
    first, _ = tool.run(spec, 0, *fake_load(16), False, tmp_path / 'ck',
                        'pytorch')
    assert (tmp_path / 'ck.states').exists()
    spec['epochs'] = 2
    history, _ = tool.run(spec, 0, *fake_load(16), False, tmp_path / 'ck',
                          'pytorch')
    assert history[0] == first[0] and len(history) == 2


def test_tool_grid_and_drift_in_pytorch(tmp_path, monkeypatch):
    path = tmp_path / 'grid.csv'
    for spec in tool.VARIANTS:
        monkeypatch.setitem(spec, 'epochs', 1)
    tool.grid(['sdlm', 'paper', 'book'], [0], path=path, load=fake_load,
              framework='pytorch')
    rows = tool.read_grid(path)
    assert list(rows) == [('paper', 0), ('sdlm', 0), ('book', 0)]
    assert rows[('paper', 0)]['params'] == '60000'
    record = tool.drift(0, load=fake_load, path=tmp_path / 'drift.json',
                        framework='pytorch')
    assert list(record['groups'])[:2] == ['c1_weight', 'c1_bias']
    assert len(record['test_error']) == 2
    assert all(np.isfinite(g['step_growth']) and g['step_growth'] > 0
               for g in record['groups'].values())


def test_the_tool_on_a_slice_of_mnist_never_imports_mxnet(real_data_dir,
                                                          tmp_path):
    """The command line, --framework pytorch, one pass of SDLM over the
    first 300 training digits (tested on all 10,000)."""
    out = tmp_path / 'trial.json'
    code = (
        'import sys, runpy\n'
        f"sys.argv = ['lenet5_1998.py', 'full', '--framework', 'pytorch', "
        f"'--optimizer', 'sdlm', '--epochs', '1', '--seeds', '0', "
        f"'--train-images', '300', '--json', {str(out)!r}]\n"
        'try:\n'
        "    runpy.run_path('tools/lenet5_1998.py', run_name='__main__')\n"
        'except SystemExit as done:\n'
        '    assert not done.code, done.code\n'
        "assert 'mxnet' not in sys.modules, 'MXNet was imported'\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / 'cache'),
               OMP_NUM_THREADS='1', D2L_DATA_DIR=str(real_data_dir))
    done = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'test error over 1 seeds' in done.stdout
    record = json.loads(out.read_text())
    assert record['config']['train_images'] == 300
    assert record['config']['framework'] == 'pytorch'
    error = record['runs'][0]['final_test_error']
    assert error < 0.85  # below chance (0.9): it learnt from 300 digits


def test_a_trial_needs_its_own_file(capsys):
    with pytest.raises(SystemExit):
        tool.main(['full', '--framework', 'pytorch', '--train-images',
                   '300'])
    assert '--json PATH' in capsys.readouterr().err


# The two editions, held equal -------------------------------------------

@pytest.fixture(scope='module')
def mx():
    """The MXNet edition's lenet5 and sdlm modules (skip without MXNet)."""
    pytest.importorskip('mxnet')
    import d2l_local  # noqa: F401  (before mxnet)
    from d2l_local.mxnet import lenet5, sdlm
    return lenet5, sdlm


@pytest.fixture(scope='module')
def digits():
    """32 MNIST training digits and labels (fake ones without the data)."""
    if os.environ.get('D2L_DATA_DIR'):
        from d2l_local.datasets import load_arrays
        X, y = load_arrays('mnist')['train']
        return X[:32], y[:32].astype(np.int64)
    return fake_images(32)


def twins(mx, init='paper', seed=0, **switches):
    """An MXNet LeNet-5 and a PyTorch one holding the MXNet one's weights."""
    M, _ = mx
    import d2l_local
    d2l_local.set_seed(seed)
    mx_net = M.lenet5(init=init, **switches)
    mx_net.initialize()
    net = L.lenet5(init=init, **switches)
    mx_params = {name[len(mx_net.prefix):]: p for name, p in
                 mx_net.collect_params().items()}
    ours = dict(net.named_parameters())
    ours.update(net.named_buffers())
    assert {k.replace('.', '_') for k in ours} == set(mx_params)
    with torch.no_grad():
        for name, t in ours.items():
            value = mx_params[name.replace('.', '_')].data().asnumpy()
            if name.endswith(('mask', 'prototypes')):
                np.testing.assert_array_equal(t.numpy(), value)
            t.copy_(torch.from_numpy(value))
    return mx_net, net


def close(found, want, rtol=1e-4):
    """Equal to float32 rounding: within rtol of the largest magnitude."""
    found, want = np.asarray(found), np.asarray(want)
    np.testing.assert_allclose(found, want, rtol=rtol,
                               atol=rtol * np.abs(want).max())


def mx_pass(mx, mx_net, X, y, j):
    """MXNet: F6's output, the RBF output, the loss and the gradients."""
    M, _ = mx
    from mxnet import autograd, nd
    X, y = nd.array(X[:, None] / np.float32(255)), nd.array(y)
    with autograd.record():
        out = mx_net(X)
        loss = M.Loss(j)(out, y)
    loss.backward()
    grads = {name[len(mx_net.prefix):]: p.grad().asnumpy() for name, p in
             mx_net.collect_params().items() if p.grad_req != 'null'}
    return (mx_net[:-1](X).asnumpy(), out.asnumpy(), loss.asnumpy(),
            grads)


@pytest.mark.parametrize('init, j', [('paper', None), ('sqrt', None),
                                     ('sqrt', 10.0)])
def test_same_weights_same_outputs_loss_gradients_and_h(mx, digits, init,
                                                        j):
    M, mx_sdlm = mx
    mx_net, net = twins(mx, init)
    X, y = digits
    f6, out, loss, grads = mx_pass(mx, mx_net, X, y, j)
    Xt, yt = tensors_of(X, y)
    found = net(Xt)
    found_loss = L.Loss(j)(found, yt)
    found_loss.sum().backward()
    close(net[:-1](Xt).detach(), f6)
    close(found.detach(), out)
    close(found_loss.detach(), loss)
    for name, p in net.named_parameters():
        close(p.grad, grads[name.replace('.', '_')])
    from mxnet import nd
    opt = SDLM(net, j=j)
    mx_opt = mx_sdlm.SDLM(mx_net, j=j)
    h = opt.estimate(Xt, yt)
    mx_h = mx_opt.estimate(nd.array(X[:, None] / np.float32(255)),
                           nd.array(y))
    assert [opt.key(p) for p in opt.params] == \
        [mx_opt.key(p) for p in mx_opt.params]
    for name, found_h, want_h in zip(opt.names, h, mx_h):
        close(found_h, want_h.asnumpy())
        assert (found_h >= 0).all(), name


# SDLM's first steps at the paper's rates amplify rounding about twofold a
# step: in PyTorch alone, weights changed by 1e-7 of their size drift
# 3e-5 apart in 4 steps of 4 digits and 0.3 in 30, and the two editions
# the same way.  So the steps are compared over the first 4 only.
STEPS = 4


def test_a_few_sdlm_steps_move_the_parameters_the_same_way(mx, digits):
    """SDLM in batches of 4 at the paper's first rate, from +-2.4/sqrt(F):
    h on the 32 digits, then STEPS steps; the parameters' moves agree."""
    from mxnet import autograd, nd
    M, mx_sdlm = mx
    mx_net, net = twins(mx, 'sqrt')
    X, y = digits
    Xt, yt = tensors_of(X, y)
    mx_X, mx_y = nd.array(X[:, None] / np.float32(255)), nd.array(y)
    opt, mx_opt = SDLM(net), mx_sdlm.SDLM(mx_net)
    opt.estimate(Xt, yt)
    mx_opt.estimate(mx_X, mx_y)
    start = [p.detach().clone() for p in opt.params]
    for i in range(0, 4 * STEPS, 4):
        net.zero_grad()
        L.Loss()(net(Xt[i:i + 4]), yt[i:i + 4]).sum().backward()
        opt.step(0.0005)
        with autograd.record():
            loss = M.Loss()(mx_net(mx_X[i:i + 4]), mx_y[i:i + 4])
        loss.backward()
        mx_opt.step(0.0005)
    moved = 0
    for p, p0, q in zip(opt.params, start, mx_opt.params):
        want = q.data().asnumpy() - p0.numpy()
        close((p.detach() - p0).numpy(), want, 1e-3)
        moved += np.abs(want).max() > 1e-6
    assert moved == len(opt.params)  # every group moved


def test_one_pass_of_train_lenet5_is_the_same_in_both(mx, digits):
    """The training loops themselves: one pass of SDLM, batches of 4, the
    same digits in the same order, the same weights to start with."""
    import d2l_local
    M, _ = mx
    mx_net, net = twins(mx, 'sqrt')
    X, y = digits[0][:4 * STEPS], digits[1][:4 * STEPS]
    start = [p.detach().clone() for p in net.parameters()]
    mx_history = M.train_lenet5(
        mx_net, d2l_local.ArrayIter(X, y, 4), d2l_local.ArrayIter(X, y, 16),
        1, optimizer='sdlm', lr=0.0005, verbose=False)
    history = L.train_lenet5(
        net, d2l.ArrayIter(X, y, 4), d2l.ArrayIter(X, y, 16), 1,
        optimizer='sdlm', lr=0.0005, verbose=False)
    assert history[0].loss == pytest.approx(mx_history[0].loss, rel=1e-4)
    assert (history[0].train_acc, history[0].test_acc) == \
        (mx_history[0].train_acc, mx_history[0].test_acc)
    mx_params = mx_net.collect_params()
    for (name, p), p0 in zip(net.named_parameters(), start):
        q = mx_params[mx_net.prefix + name.replace('.', '_')]
        close((p.detach() - p0).numpy(), q.data().asnumpy() - p0.numpy(),
              1e-3)  # the moves, as in the test above


def test_the_pytorch_side_never_imports_mxnet():
    code = (
        'import sys, numpy as np\n'
        'from d2l_local import torch as d2l\n'
        'from d2l_local.torch import lenet5 as L\n'
        'net = L.lenet5(init="sqrt")\n'
        'X = np.zeros((8, 28, 28), np.uint8); y = np.arange(8) % 10\n'
        'it = d2l.ArrayIter(X, y, 4)\n'
        'L.train_lenet5(net, it, it, 1, optimizer="sdlm", verbose=False)\n'
        'L.DistortedIter(X, y, 4); L.plot_full_run\n'
        "assert 'mxnet' not in sys.modules, 'MXNet was imported'\n")
    done = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
