"""The PyTorch edition (d2l_local.torch): data, LeNet, devices, training,
evaluation, set-up and results.  Skipped where PyTorch is not installed."""
import re

import numpy as np
import pytest

torch = pytest.importorskip('torch')
from torch import nn  # noqa: E402

from d2l_local import torch as d2l  # noqa: E402
from d2l_local.torch import data as torch_data  # noqa: E402
from d2l_local.torch import startup  # noqa: E402

BOOK_LENET = [nn.Conv2d, nn.Sigmoid, nn.AvgPool2d, nn.Conv2d, nn.Sigmoid,
              nn.AvgPool2d, nn.Flatten, nn.Linear, nn.Sigmoid, nn.Linear,
              nn.Sigmoid, nn.Linear]


def two_classes(n=240, seed=0):
    """Images whose class is the bright half: 0 left, 1 right."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        image[:, 14 * label:14 * label + 14] += 150
    return images, labels


# Data -------------------------------------------------------------------

def test_array_iter_yields_float32_images_and_int64_labels():
    images, labels = two_classes(50)
    batches = list(d2l.ArrayIter(images, labels, 16))
    assert [len(X) for X, _ in batches] == [16, 16, 16, 2]
    X, y = batches[0]
    assert (X.dtype, y.dtype) == (torch.float32, torch.int64)
    assert X.shape == (16, 1, 28, 28)
    assert torch.allclose(X[0, 0], torch.from_numpy(images[0] / 255).float())
    assert y.tolist() == labels[:16].tolist()


def test_array_iter_resizes_bilinearly():
    images, labels = two_classes(8)
    X, _ = next(iter(d2l.ArrayIter(images, labels, 8, resize=56)))
    assert X.shape == (8, 1, 56, 56)
    # a constant image stays constant under bilinear interpolation
    flat = np.full((1, 28, 28), 51, np.uint8)
    X, _ = next(iter(d2l.ArrayIter(flat, np.zeros(1), 1, resize=14)))
    assert torch.allclose(X, torch.full_like(X, 0.2))


def test_batch_hooks_run_once_per_mini_batch(monkeypatch):
    calls = []
    monkeypatch.setattr(torch_data, 'BATCH_HOOKS', [lambda: calls.append(1)])
    images, labels = two_classes(50)
    assert len(list(d2l.ArrayIter(images, labels, 16))) == len(calls) == 4


def test_load_data_fashion_mnist_gives_torch_iterators(real_data_dir):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert isinstance(train_iter, torch_data.ArrayIter)
    assert (len(train_iter.images), len(test_iter.images)) in (
        (60000, 10000), (5000, 1000))
    X, y = next(iter(test_iter))
    assert X.shape == (256, 1, 28, 28) and y.dtype == torch.int64


def test_get_fashion_mnist_labels_takes_tensors():
    assert d2l.get_fashion_mnist_labels(torch.tensor([0, 9, 4])) == [
        't-shirt', 'ankle boot', 'coat']
    with pytest.raises(ValueError, match='not a Fashion-MNIST class'):
        d2l.get_fashion_mnist_labels(torch.tensor([10]))
    with pytest.raises(TypeError, match='list or array'):
        d2l.get_fashion_mnist_labels(torch.tensor(3))


# Models -----------------------------------------------------------------

def test_lenet_is_the_books_sequential():
    net = d2l.lenet()
    assert isinstance(net, nn.Sequential)
    assert [type(layer) for layer in net] == BOOK_LENET
    conv = net[0]
    assert (conv.in_channels, conv.out_channels, conv.kernel_size,
            conv.padding) == (1, 6, (5, 5), (2, 2))
    assert (net[2].kernel_size, net[2].stride) == (2, 2)
    assert (net[7].in_features, net[7].out_features) == (16 * 5 * 5, 120)
    assert d2l.num_params(net) == 61706


def torch_shapes(net, size=28):
    X, shapes = torch.zeros(1, 1, size, size), []
    for layer in net:
        X = layer(X)
        if not isinstance(layer, (nn.Sigmoid, nn.ReLU, nn.Tanh,
                                  nn.Flatten)):
            shapes.append(tuple(X.shape))
    return shapes


def mxnet_shapes(net, size=28):
    from mxnet import nd
    X, shapes = nd.zeros((1, 1, size, size)), []
    for layer in net:
        X = layer(X)
        shapes.append(X.shape)
    return shapes


@pytest.mark.parametrize('kwargs', [
    {}, {'activation': 'relu', 'pooling': 'max'},
    {'convs': ((32, 3), (64, 3)), 'dense': (120, 84)},
    {'convs': ((6, 5),), 'dense': ()}, {'same_padding': True},
    {'convs': ((8, 5), (16, 3), (32, 3)), 'same_padding': True,
     'num_classes': 2}])
def test_lenet_shapes_and_sizes_match_the_mxnet_side(kwargs):
    import d2l_local.mxnet as mx_d2l
    mx_net = mx_d2l.lenet(**kwargs)
    mx_net.initialize()
    net = d2l.lenet(**kwargs)
    assert torch_shapes(net) == mxnet_shapes(mx_net)
    assert d2l.num_params(net) == mx_d2l.num_params(mx_net)


def test_better_lenet_matches_the_mxnet_side():
    import d2l_local.mxnet as mx_d2l
    mx_net = mx_d2l.better_lenet()
    mx_net.initialize()
    net = d2l.better_lenet()
    assert torch_shapes(net) == mxnet_shapes(mx_net)
    assert d2l.num_params(net) == mx_d2l.num_params(mx_net)
    assert (d2l.BETTER_RECIPE.batch_size, d2l.BETTER_RECIPE.optimizer) == (
        128, 'adam')


def test_lenet_refuses_bad_options_and_wrong_images():
    with pytest.raises(ValueError, match='unknown activation'):
        d2l.lenet(activation='softmax')
    with pytest.raises(ValueError, match='convs lists'):
        d2l.lenet(convs=(6, 5))
    net = d2l.lenet()
    with pytest.raises(ValueError, match=r'X.reshape\(1, 1, 28, 28\)'):
        net(torch.zeros(28, 28))
    with pytest.raises(ValueError, match=r'lenet\(size=32\)'):
        net(torch.zeros(1, 1, 32, 32))
    assert d2l.lenet(size=32)(torch.zeros(2, 1, 32, 32)).shape == (2, 10)


def test_recipe_makes_adam_and_a_cosine_schedule():
    net = d2l.better_lenet()
    optimizer = d2l.BETTER_RECIPE.optimizer_for(net)
    assert isinstance(optimizer, torch.optim.Adam)
    scheduler = d2l.BETTER_RECIPE.scheduler_for(optimizer, num_batches=5)
    for _ in range(8 * 5):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0, abs=1e-12)
    assert d2l.Recipe(256, 0.9, 10).scheduler_for(optimizer, 5) is None


# Devices ----------------------------------------------------------------

@pytest.fixture
def machine(monkeypatch):
    """Simulate a machine with `cuda` CUDA GPUs and perhaps Apple's."""
    def simulate(cuda=0, mps=False):
        monkeypatch.setattr(torch.cuda, 'device_count', lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: mps)
    return simulate


def test_try_gpu_without_a_gpu(machine):
    machine()
    assert d2l.try_gpu() == torch.device('cpu')
    assert d2l.try_gpu(1) == torch.device('cpu')
    assert d2l.try_all_gpus() == [torch.device('cpu')]
    assert d2l.num_gpus() == 0
    assert re.match(r'Training runs on the CPU, \d+ threads? \(no GPU\)',
                    startup.where())


def test_try_gpu_with_one_cuda_gpu(machine, monkeypatch):
    machine(cuda=1)
    monkeypatch.setattr(torch.cuda, 'get_device_name', lambda i=0: 'T4')
    assert d2l.try_gpu() == torch.device('cuda:0')
    assert d2l.try_gpu(1) == torch.device('cpu')
    assert d2l.try_all_gpus() == [torch.device('cuda:0')]
    assert d2l.num_gpus() == 1
    assert startup.where().startswith(
        'Training runs on the GPU (1 CUDA GPU found: T4)')


def test_try_gpu_with_two_cuda_gpus(machine):
    machine(cuda=2, mps=True)  # CUDA first, whatever else there is
    assert d2l.try_gpu(1) == torch.device('cuda:1')
    assert d2l.try_gpu(2) == torch.device('cpu')
    assert d2l.try_all_gpus() == [torch.device('cuda:0'),
                                  torch.device('cuda:1')]


def test_try_gpu_with_apples_gpu(machine):
    machine(mps=True)
    assert d2l.try_gpu() == torch.device('mps')
    assert d2l.try_gpu(1) == torch.device('cpu')
    assert d2l.try_all_gpus() == [torch.device('mps')]
    assert d2l.num_gpus() == 1
    assert startup.where().startswith(
        'Training runs on the Apple GPU (mps)')


def test_a_missing_gpu_is_refused_with_what_to_do(machine):
    machine()
    net = d2l.lenet()
    images, labels = two_classes(20)
    data_iter = d2l.ArrayIter(images, labels, 10)
    for device in ('cuda:0', torch.device('cuda', 1), 'mps'):
        with pytest.raises(ValueError, match=r'd2l.try_gpu\(\)'):
            d2l.evaluate_accuracy_gpu(net, data_iter, device)
        with pytest.raises(ValueError, match='not available'):
            d2l.predict_all(net, data_iter, device)


# Training and evaluation -----------------------------------------------

def test_train_ch6_learns_two_classes(capsys):
    d2l.set_seed(0)
    images, labels = two_classes(240)
    train_iter = d2l.ArrayIter(images[:200], labels[:200], 20, True)
    test_iter = d2l.ArrayIter(images[200:], labels[200:], 20)
    net = d2l.lenet('relu', num_classes=2)
    history = d2l.train_ch6(net, train_iter, test_iter, 4, 0.1,
                            torch.device('cpu'), animate=False)
    out = capsys.readouterr().out
    assert out.startswith('training on cpu\n')
    assert re.search(r'loss \d\.\d{3}, train acc \d\.\d{3}, test acc '
                     r'\d\.\d{3}\n[\d.]+ examples/sec on cpu', out)
    assert [e.epoch for e in history] == [1, 2, 3, 4]
    assert isinstance(history[0], d2l.Epoch)
    assert history[-1].test_acc >= 0.95
    assert history[-1].loss < history[0].loss
    assert history[-1].test_acc == d2l.evaluate_accuracy_gpu(net, test_iter)
    assert all(e.seconds > 0 for e in history)


def test_train_ch6_takes_an_optimizer_and_schedule():
    d2l.set_seed(0)
    images, labels = two_classes(120)
    data_iter = d2l.ArrayIter(images, labels, 20, True)
    net = d2l.lenet('relu', 'max', num_classes=2)
    recipe = d2l.Recipe(20, 0.01, 2, 'adam', cosine=True)
    optimizer = recipe.optimizer_for(net)
    scheduler = recipe.scheduler_for(optimizer, len(data_iter))
    d2l.train_ch6(net, data_iter, data_iter, 2, None, 'cpu', animate=False,
                  optimizer=optimizer, scheduler=scheduler)
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0, abs=1e-12)


def test_train_ch6_initialises_with_xavier():
    d2l.set_seed(0)
    net = d2l.lenet()
    images, labels = two_classes(20)
    data_iter = d2l.ArrayIter(images, labels, 10)
    d2l.train_ch6(net, data_iter, data_iter, 1, 0.0, 'cpu', animate=False)
    # lr 0: the weights are Xavier's, uniform within sqrt(6 / fan sum)
    bound = (6 / (16 * 5 * 5 + 120)) ** 0.5
    weight = net[7].weight
    assert weight.abs().max() <= bound
    assert weight.abs().max() > 0.9 * bound


def test_train_ch6_refuses_bad_arguments():
    net = d2l.lenet()
    images, labels = two_classes(20)
    data_iter = d2l.ArrayIter(images, labels, 10)
    with pytest.raises(ValueError, match='num_epochs'):
        d2l.train_ch6(net, data_iter, data_iter, 0, 0.1, 'cpu')
    with pytest.raises(ValueError, match='yields no mini-batch'):
        d2l.train_ch6(net, [], data_iter, 1, 0.1, 'cpu')
    with pytest.raises(ValueError, match='yields no mini-batch'):
        d2l.evaluate_accuracy_gpu(net, [])


def test_evaluate_and_predict_all_agree_with_the_net():
    d2l.set_seed(1)
    images, labels = two_classes(45)
    data_iter = d2l.ArrayIter(images, labels, 10)
    net = d2l.lenet(num_classes=2)
    y, y_hat = d2l.predict_all(net, data_iter)
    assert (y.dtype, y_hat.dtype) == (np.int64, np.int64)
    assert y.tolist() == labels.tolist()
    with torch.no_grad():
        expected = net(torch.from_numpy(images[:, None] / 255).float())
    assert y_hat.tolist() == expected.argmax(axis=1).tolist()
    assert d2l.evaluate_accuracy_gpu(net, data_iter) == pytest.approx(
        (y == y_hat).mean())
    assert d2l.accuracy(expected, torch.from_numpy(labels)) == (
        y == y_hat).sum()
    cm = d2l.confusion_matrix(y, y_hat, num_classes=2)
    assert cm.sum() == 45 and np.trace(cm) == (y == y_hat).sum()


def test_predict_all_keeps_no_tensor_of_an_earlier_batch():
    """Each small tensor kept through the pass pins the memory freed
    around it (some 300 MB over MNIST's test set): by the time a batch is
    handed out, the labels and outputs of the batch before last are
    gone."""
    import weakref
    images, labels = two_classes(50)
    net = d2l.lenet(num_classes=2)
    seen, outputs = [], []
    net.register_forward_hook(
        lambda module, args, out: outputs.append(weakref.ref(out)))

    def batches():
        for X, y in d2l.ArrayIter(images, labels, 10):
            for ref in seen[:-2] + outputs[:-2]:  # all but the last two
                assert ref() is None, 'predict_all kept a batch tensor'
            held = y.numpy().copy()  # the memory behind the labels
            seen.append(weakref.ref(held))
            yield X, torch.from_numpy(held)
    y, y_hat = d2l.predict_all(net, batches())
    assert len(seen) == 5 and y.tolist() == labels.tolist()


# Set-up and results -----------------------------------------------------

def test_setup_says_versions_seed_and_device(capsys):
    d2l.setup(seed=3)
    lines = capsys.readouterr().out.splitlines()
    version = torch.__version__.split('+')[0]
    assert re.fullmatch(
        rf'Python 3\.\d+\.\d+, PyTorch {re.escape(version)}, NumPy '
        rf'[\d.]+; seed 3', lines[0])
    assert lines[1].startswith('Training runs on ')
    first = torch.rand(3)
    d2l.setup(seed=3)
    assert torch.equal(first, torch.rand(3))


def test_setup_refuses_an_old_pytorch(monkeypatch):
    monkeypatch.setattr(torch, '__version__', '1.13.1+cpu')
    with pytest.raises(RuntimeError, match=r'PyTorch 2.0 or later, not '
                                           r'1.13.1.*\./course lab pytorch'):
        d2l.setup()


def test_read_result_reads_the_pytorch_folder():
    path = d2l.result_path('README.md')
    assert path.parent.name == 'pytorch'
    with pytest.raises(FileNotFoundError,
                       match='d2l_local/results/pytorch/'):
        d2l.read_result('no_such_run.json')
