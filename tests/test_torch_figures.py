"""The PyTorch edition's figures and activation maps: drawn by the same
neutral code as the MXNet edition's, from a forward pass of a torch net."""
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch

torch = pytest.importorskip('torch')
from torch import nn  # noqa: E402

from d2l_local import torch as d2l  # noqa: E402
from test_activations import cells, tiled  # noqa: E402
from test_figures import assert_to_scale, fronts, texts  # noqa: E402

FOLDED = ['5x5 conv\npad 2\nsigmoid', '2x2 avg\npool\nstride 2',
          '5x5 conv\nsigmoid', '2x2 avg\npool\nstride 2',
          'flatten\nlinear\nsigmoid', 'linear\nsigmoid', 'linear',
          'softmax']


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


def quietly(draw, *args, **kwargs):
    """Call draw and fail on any warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        fig = draw(*args, **kwargs)
        fig.canvas.draw()
    assert not caught, [str(w.message) for w in caught]
    return fig


def trace(net, size=28):
    """The book's shape trace: names and shapes, the input first."""
    X = torch.rand(size=(1, 1, size, size), dtype=torch.float32)
    names, shapes = ['input'], [tuple(X.shape)]
    for layer in net:
        X = layer(X)
        names.append(layer.__class__.__name__)
        shapes.append(tuple(X.shape))
    return names, shapes


def test_layer_ops_say_each_layer_of_the_trace():
    net = d2l.lenet()
    ops = d2l.layer_ops(net)
    assert len(ops) == len(net) == 12
    assert ops == ['5x5 conv\npad 2', 'sigmoid', '2x2 avg\npool\nstride 2',
                   '5x5 conv', 'sigmoid', '2x2 avg\npool\nstride 2',
                   'flatten', 'linear', 'sigmoid', 'linear', 'sigmoid',
                   'linear']


def test_layer_flow_of_the_books_trace_is_to_scale():
    net = d2l.lenet()
    names, shapes = trace(net)
    assert names[1:4] == ['Conv2d', 'Sigmoid', 'AvgPool2d']
    fig = quietly(d2l.plot_layer_flow, names, shapes,
                  ops=d2l.layer_ops(net))
    ax = fig.axes[0]
    assert_to_scale(ax, [s[1:] for s in shapes])
    shown = texts(ax)
    assert [n for n in shown if n in set(names)] == names
    assert '400' in shown and 'flatten' in shown
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(net)


def test_layer_flow_guesses_pytorchs_layer_kinds():
    names, shapes = trace(d2l.lenet())
    ax = quietly(d2l.plot_layer_flow, names, shapes).axes[0]
    shown = texts(ax)
    assert 'conv\n6 kernels' in shown and 'sigmoid' in shown
    assert 'flatten\ndense' not in shown  # Flatten is a layer of its own
    # an activation keeps the fill of the layer it follows
    fills = [p.get_facecolor() for p in fronts(ax)]
    assert fills[1] == fills[2] and fills[3] != fills[2]


def test_lenet_flow_folds_activations_and_flatten():
    net = d2l.lenet()
    fig = quietly(d2l.plot_lenet_flow, net=net)
    ax = fig.axes[0]
    assert [t for t in texts(ax) if t in FOLDED] == FOLDED
    shapes = [(1, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10),
              (16, 5, 5), (120,), (84,), (10,)]
    assert_to_scale(ax, shapes)
    names = ['Conv2d 0', 'AvgPool2d 2', 'Conv2d 3', 'AvgPool2d 5',
             'Linear 7', 'Linear 9', 'Linear 11']
    assert [t for t in texts(ax) if t in names] == names


def test_lenet_flow_draws_a_tensor_image_and_probabilities():
    net = d2l.lenet()
    X = torch.rand(1, 1, 28, 28)
    probs = torch.softmax(net(X), dim=1)[0].detach()
    labels = d2l.get_fashion_mnist_labels(range(10))
    fig = quietly(d2l.plot_lenet_flow, X[0], probs, labels, net=net)
    ax, panel = fig.axes
    np.testing.assert_allclose(ax.images[0].get_array(), X[0, 0].numpy(),
                               rtol=1e-6)
    assert [p.get_width() for p in panel.patches] == pytest.approx(
        probs.numpy())


def test_the_flow_is_the_mxnet_editions_but_for_names():
    import d2l_local.mxnet as mx_d2l
    mx_net = mx_d2l.lenet()
    mx_net.initialize()
    mx_ax = quietly(mx_d2l.plot_lenet_flow, net=mx_net).axes[0]
    ax = quietly(d2l.plot_lenet_flow, net=d2l.lenet()).axes[0]
    def sizes(ax):
        return [side for p in fronts(ax)
                for side in (p.get_width(), p.get_height())]
    assert sizes(ax) == pytest.approx(sizes(mx_ax))
    mx_ops = [t.replace('dense', 'linear') for t in texts(mx_ax)]
    assert [t for t in mx_ops if t in FOLDED] == FOLDED


def test_compressed_notation_uses_pytorchs_names():
    fig = quietly(d2l.plot_lenet_compressed)
    shown = texts(fig.axes[0])
    assert shown[::2] == [
        'image (28x28)', '5x5 Conv2d (6), pad 2, sigmoid',
        '2x2 AvgPool2d, stride 2', '5x5 Conv2d (16), sigmoid',
        '2x2 AvgPool2d, stride 2', 'Linear (120), sigmoid',
        'Linear (84), sigmoid', 'Linear (10)']
    assert shown[1::2] == ['1@28x28', '6@28x28', '6@14x14', '16@10x10',
                           '16@5x5', '120', '84', '10']


def test_figures_leave_the_net_as_it_was():
    net = d2l.lenet()
    net.train()
    d2l.plot_lenet_flow(net=net)
    d2l.activation_maps(net, torch.zeros(1, 1, 28, 28), 1)
    assert net.training
    assert all(p.grad is None for p in net.parameters())


# Activation maps -------------------------------------------------------

@pytest.fixture(scope='module')
def nets():
    d2l.set_seed(1)
    return {'sigmoid': d2l.lenet(), 'relu': d2l.lenet('relu', 'max')}


@pytest.fixture(scope='module')
def examples():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (12, 28, 28), dtype=np.uint8)
    labels = np.array([2, 4] * 6)
    return d2l.pick_examples(d2l.ArrayIter(images, labels, 5), [2, 4], 3)


def test_maps_are_the_outputs_after_each_activation(nets):
    net = nets['sigmoid']
    X = torch.rand(2, 1, 28, 28)
    first = d2l.activation_maps(net, X, 1)
    second = d2l.activation_maps(net, X, 2)
    with torch.no_grad():
        assert np.allclose(first, net[:2](X).numpy())
        assert np.allclose(second, net[:5](X).numpy())
    assert first.shape == (2, 6, 28, 28) and second.shape == (2, 16, 10, 10)
    assert 0 <= first.min() and first.max() <= 1  # after the sigmoid
    assert d2l.activation_of(net, 1) == 'sigmoid'
    assert d2l.activation_of(nets['relu'], 2) == 'relu'
    assert [type(c) for c in d2l.conv_layers(net)] == [nn.Conv2d] * 2
    with pytest.raises(ValueError, match='between 1 and 2'):
        d2l.activation_maps(net, X, 3)


def test_one_numpy_image_may_come_without_batch_axis(nets):
    x = np.random.default_rng(1).random((28, 28), dtype=np.float32)
    np.testing.assert_allclose(
        d2l.activation_maps(nets['relu'], x, 1),
        d2l.activation_maps(nets['relu'], torch.from_numpy(x[None, None]),
                            1))


def test_plot_activations_shows_every_map(nets):
    X = torch.rand(3, 1, 28, 28)
    fig = d2l.plot_activations(nets['relu'], X, 1, titles=['a', 'b', 'c'])
    (image,) = tiled(fig)
    maps = d2l.activation_maps(nets['relu'], X, 1)
    grid = cells(image)
    assert len(grid) == 3 and {len(row) for row in grid} == {6}
    np.testing.assert_array_equal(grid[2][5], maps[2, 5])
    np.testing.assert_array_equal(image.axes.images[1].get_array(),
                                  X[0, 0].numpy())


def test_plot_kernels_draws_each_nets_first_layer(nets):
    fig = d2l.plot_kernels(nets)
    images = tiled(fig)
    assert len(images) == 2
    weight = nets['relu'][0].weight.detach().numpy()
    np.testing.assert_array_equal(cells(images[1])[0][3], weight[3, 0])


def test_pick_examples_stacks_tensors(examples):
    assert set(examples) == {'pullover', 'coat'}
    assert examples['coat'].shape == (3, 1, 28, 28)
    assert isinstance(examples['coat'], torch.Tensor)


def test_explorer_redraws_a_torch_net(nets, examples):
    pytest.importorskip('ipywidgets')
    explorer = d2l.ActivationExplorer(nets, examples)
    assert explorer.layer.options == (1, 2)
    explorer.model.value, explorer.layer.value = 'relu', 2
    (image,) = tiled(explorer.fig)
    maps = np.stack([t for row in cells(image) for t in row])
    x = examples['pullover'][:1]
    np.testing.assert_array_equal(
        maps, d2l.activation_maps(nets['relu'], x, 2)[0])


def test_show_images_takes_tensors():
    X = torch.rand(2, 1, 28, 28, requires_grad=True)
    axes = d2l.show_images(X, 1, 2, titles=['a', 'b'])
    np.testing.assert_array_equal(axes[1].images[0].get_array(),
                                  X[1, 0].detach().numpy())
