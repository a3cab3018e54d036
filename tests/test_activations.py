"""Activation maps, their figure and the explorer of exercise 4."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import init, nd

import d2l_local as d2l
from d2l_local import ArrayIter


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


@pytest.fixture(scope='module')
def nets():
    """The chapter's LeNet and a ReLU one, with fixed random weights."""
    d2l.set_seed(1)
    sigmoid, relu = d2l.lenet(), d2l.lenet('relu', 'max')
    for net in (sigmoid, relu):
        net.initialize(init.Xavier())
        net(nd.zeros((1, 1, 28, 28)))
    return {'sigmoid': sigmoid, 'relu': relu}


@pytest.fixture(scope='module')
def examples():
    """Three images each of classes 2 and 4, each image different."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (12, 28, 28), dtype=np.uint8)
    labels = np.array([2, 4] * 6)
    return d2l.pick_examples(ArrayIter(images, labels, 5), [2, 4], 3)


def by_hand(net, x, upto):
    """The output of net's first `upto` layers for image batch x."""
    for layer in list(net)[:upto]:
        x = layer(x)
    return x.asnumpy()


def test_maps_are_the_conv_layer_outputs(nets):
    net = nets['sigmoid']
    X = nd.random.uniform(shape=(2, 1, 28, 28))
    first = d2l.activation_maps(net, X, 1)
    second = d2l.activation_maps(net, X, 2)
    assert first.shape == (2, 6, 28, 28)
    assert second.shape == (2, 16, 10, 10)
    np.testing.assert_allclose(first, by_hand(net, X, 1), rtol=1e-6)
    np.testing.assert_allclose(second, by_hand(net, X, 3), rtol=1e-6)
    assert [type(c).__name__ for c in d2l.conv_layers(net)] == ['Conv2D'] * 2


def test_one_image_may_come_without_batch_axis(nets):
    x = np.random.default_rng(1).random((28, 28), dtype=np.float32)
    np.testing.assert_allclose(
        d2l.activation_maps(nets['relu'], x, 1),
        d2l.activation_maps(nets['relu'], nd.array(x[None, None]), 1))


def test_a_layer_that_is_not_there_is_refused(nets):
    with pytest.raises(ValueError, match='between 1 and 2'):
        d2l.activation_maps(nets['relu'], nd.zeros((1, 1, 28, 28)), 3)


@pytest.mark.parametrize('layer, channels', [(1, 6), (2, 16)])
def test_figure_shows_input_and_every_map(nets, layer, channels):
    net = nets['relu']
    X = nd.random.uniform(shape=(3, 1, 28, 28))
    fig = d2l.plot_activations(net, X, layer, titles=['a', 'b', 'c'])
    axes = np.array(fig.axes).reshape(3, channels + 1)
    maps = d2l.activation_maps(net, X, layer)
    for i in range(3):
        assert axes[i, 0].get_title() == 'abc'[i]
        np.testing.assert_array_equal(axes[i, 0].images[0].get_array(),
                                      X[i, 0].asnumpy())
        for c in range(channels):
            np.testing.assert_array_equal(
                axes[i, c + 1].images[0].get_array(), maps[i, c])
    assert f'{channels} maps' in fig._suptitle.get_text()


def test_pick_examples_keeps_classes_and_order():
    images = np.arange(8 * 4, dtype=np.uint8).reshape(8, 2, 2) * 7
    labels = np.array([0, 1, 2, 1, 0, 1, 2, 0])
    picked = d2l.pick_examples(ArrayIter(images, labels, 3), [1, 0], 2,
                               names=['zero', 'one', 'two'])
    assert list(picked) == ['one', 'zero']
    assert picked['one'].shape == (2, 1, 2, 2)
    np.testing.assert_allclose(picked['one'][:, 0].asnumpy(),
                               images[[1, 3]] / 255, rtol=1e-6)
    np.testing.assert_allclose(picked['zero'][:, 0].asnumpy(),
                               images[[0, 4]] / 255, rtol=1e-6)


def test_pick_examples_says_when_a_class_is_short():
    images = np.zeros((4, 2, 2), dtype=np.uint8)
    labels = np.array([0, 0, 0, 1])
    with pytest.raises(ValueError, match="fewer than 2 images of .'trou"):
        d2l.pick_examples(ArrayIter(images, labels, 4), [0, 1], 2)


def shown(explorer):
    """The input image and the maps the explorer's figure shows."""
    axes = explorer.fig.axes
    return (axes[0].images[0].get_array(),
            np.stack([ax.images[0].get_array() for ax in axes[1:]]))


def test_explorer_starts_on_the_first_choice(nets, examples):
    explorer = d2l.ActivationExplorer(nets, examples)
    assert explorer.model.value == 'sigmoid'
    assert explorer.label.value == 'pullover'
    assert (explorer.sample.value, explorer.sample.max) == (0, 2)
    assert explorer.layer.value == 1
    image, maps = shown(explorer)
    x = examples['pullover'][:1]
    np.testing.assert_array_equal(image, x[0, 0].asnumpy())
    np.testing.assert_array_equal(
        maps, d2l.activation_maps(nets['sigmoid'], x, 1)[0])
    assert explorer.fig.axes[0].get_title() == 'pullover'


@pytest.mark.parametrize('control, value, model, label, sample, layer', [
    ('label', 'coat', 'sigmoid', 'coat', 0, 1),
    ('sample', 2, 'sigmoid', 'pullover', 2, 1),
    ('layer', 2, 'sigmoid', 'pullover', 0, 2),
    ('model', 'relu', 'relu', 'pullover', 0, 1),
])
def test_changing_a_control_redraws_its_choice(nets, examples, control,
                                               value, model, label, sample,
                                               layer):
    explorer = d2l.ActivationExplorer(nets, examples)
    before = shown(explorer)[1]
    getattr(explorer, control).value = value
    image, maps = shown(explorer)
    x = examples[label][sample:sample + 1]
    np.testing.assert_array_equal(image, x[0, 0].asnumpy())
    np.testing.assert_array_equal(
        maps, d2l.activation_maps(nets[model], x, layer)[0])
    assert maps.shape != before.shape or not np.array_equal(maps, before)
    assert not plt.get_fignums()  # shown in the widget, not left open
    (shown_output,) = explorer.output.outputs  # the new figure only
    assert 'Figure' in shown_output['data']['text/plain']


def test_explorer_displays_its_widgets(nets, examples, monkeypatch):
    import IPython.display
    shown_objects = []
    monkeypatch.setattr(IPython.display, 'display', shown_objects.append)
    explorer = d2l.ActivationExplorer(nets, examples)
    explorer._ipython_display_()
    assert shown_objects[-1] is explorer.box
    assert explorer.output in explorer.box.children
