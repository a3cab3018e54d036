"""Activation maps, their figure and the explorer of exercise 4."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import init, nd

import d2l_local as d2l
from d2l_local import ArrayIter


# On screen the explorer's maps are at least this wide (pixels of the PNG,
# which JupyterLab shows at its size when it fits the output area, about
# 1000 pixels wide in a window 1280 pixels wide).
MIN_MAP_PX, MAX_FIGURE_PX = 90, 900


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


def images_of(ax):
    return [im.get_array() for im in ax.images]


@pytest.mark.parametrize('layer, channels', [(1, 6), (2, 16)])
def test_figure_shows_input_and_every_map(nets, layer, channels):
    net = nets['relu']
    X = nd.random.uniform(shape=(3, 1, 28, 28))
    fig = d2l.plot_activations(net, X, layer, titles=['a', 'b', 'c'])
    panels = [ax for ax in fig.axes if ax.images]
    axes = np.array(panels).reshape(3, channels + 1)
    maps = d2l.activation_maps(net, X, layer)
    for i in range(3):
        assert axes[i, 0].get_title() == 'abc'[i]
        np.testing.assert_array_equal(axes[i, 0].images[0].get_array(),
                                      X[i, 0].asnumpy())
        assert axes[i, 0].images[0].get_clim() == (0, 1)
        for c in range(channels):
            np.testing.assert_array_equal(
                axes[i, c + 1].images[0].get_array(), maps[i, c])
    assert [ax.get_title() for ax in axes[0, 1:]] == [
        f'map {c}' for c in range(channels)]
    assert f'{channels} maps' in fig._suptitle.get_text()


def map_images(fig):
    """The images of a figure's maps (all panels but the inputs)."""
    return [ax.images[0] for ax in fig.axes
            if ax.images and ax.get_subplotspec().colspan.start > 0]


def colour_bars(fig):
    return [ax for ax in fig.axes if not ax.images and ax.collections]


def test_sigmoid_maps_share_the_whole_0_to_1_scale(nets):
    X = nd.random.uniform(shape=(2, 1, 28, 28))
    fig = d2l.plot_activations(nets['sigmoid'], X, 2)
    images = map_images(fig)
    assert len(images) == 2 * 16
    assert {im.get_clim() for im in images} == {(0, 1)}
    assert {im.get_cmap().name for im in images} == {d2l.activations.MAP_CMAP}
    (bar,) = colour_bars(fig)
    assert bar.get_ylim() == (0, 1)
    assert 'sigmoid output (0 to 1' in bar.get_ylabel()


def test_relu_maps_share_a_scale_from_0_to_their_largest_value(nets):
    X = nd.random.uniform(shape=(3, 1, 28, 28))
    maps = d2l.activation_maps(nets['relu'], X, 1)
    fig = d2l.plot_activations(nets['relu'], X, 1)
    limits = {im.get_clim() for im in map_images(fig)}
    assert limits == {(0, float(maps.max()))}
    (bar,) = colour_bars(fig)
    assert 'ReLU output' in bar.get_ylabel()
    assert bar.get_ylim() == pytest.approx((0, maps.max()))


@pytest.mark.parametrize('activation, maps, limits', [
    ('sigmoid', [0.2, 0.3], (0, 1)),
    ('tanh', [0.2, -0.3], (-1, 1)),
    ('relu', [0, 2.5, 1], (0, 2.5)),
    ('relu', [0, 0], (0, 1)),  # all zero: still a scale from 0
    (None, [-0.5, 2], (-2, 2)),  # no activation: symmetric about 0
])
def test_map_limits(activation, maps, limits):
    assert d2l.map_limits(activation, np.array(maps)) == limits


def test_activation_of_reads_each_conv_layer(nets):
    assert d2l.activation_of(nets['sigmoid'], 1) == 'sigmoid'
    assert d2l.activation_of(nets['relu'], 2) == 'relu'


def test_kernels_on_one_diverging_scale_centred_at_0(nets):
    fig = d2l.plot_kernels(nets)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2 * 6
    weights = [net[0].weight.data().asnumpy()[:, 0] for net in
               nets.values()]
    top = max(np.abs(w).max() for w in weights)
    for k, ax in enumerate(panels):
        net, c = list(nets.values())[k // 6], k % 6
        image = ax.images[0]
        np.testing.assert_array_equal(image.get_array(), weights[k // 6][c])
        assert image.get_clim() == pytest.approx((-top, top))
        assert image.get_cmap().name == d2l.activations.SIGNED_CMAP
        bias = net[0].bias.data().asnumpy()[c]
        assert ax.get_title() == f'{c}: bias {bias:+.2f}'
    assert [panels[0].get_ylabel(), panels[6].get_ylabel()] == list(nets)
    (bar,) = colour_bars(fig)
    assert bar.get_ylim() == pytest.approx((-top, top))


def test_kernels_only_of_a_layer_that_sees_the_image(nets):
    with pytest.raises(ValueError, match='only a layer that sees the image'):
        d2l.plot_kernels(nets, layer=2)


def test_plot_maps_wraps_the_maps_in_a_grid():
    maps = np.random.default_rng(0).random((16, 10, 10))
    image = np.zeros((1, 28, 28))
    fig = d2l.plot_maps(image, maps, (0, 2), title='coat', label='x')
    panels = [ax for ax in fig.axes if ax.images]
    assert panels[0].get_title() == 'coat'
    shown = panels[1:]
    assert len(shown) == 16
    spans = [(ax.get_subplotspec().rowspan.start,
              ax.get_subplotspec().colspan.start) for ax in shown]
    assert spans[:5] == [(0, 1), (0, 2), (0, 3), (0, 4), (1, 1)]
    assert {ax.images[0].get_clim() for ax in shown} == {(0, 2)}
    (bar,) = colour_bars(fig)
    assert bar.get_ylabel() == 'x'


def test_plot_maps_keeps_wide_layers_narrow():
    maps = np.zeros((64, 5, 5))
    fig = d2l.plot_maps(np.zeros((28, 28)), maps, (0, 1))
    columns = {ax.get_subplotspec().colspan.start for ax in fig.axes
               if ax.images}
    assert columns == set(range(d2l.activations.MAX_PER_ROW + 1))


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
    panels = [ax for ax in explorer.fig.axes if ax.images]
    return (panels[0].images[0].get_array(),
            np.stack([ax.images[0].get_array() for ax in panels[1:]]))


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


def test_explorer_keeps_one_scale_over_all_examples(nets, examples):
    explorer = d2l.ActivationExplorer(nets, examples)
    explorer.model.value, explorer.layer.value = 'relu', 2
    every = np.concatenate([d2l.activation_maps(nets['relu'], images, 2)
                            for images in examples.values()])
    limits = set()
    for label, sample in [('pullover', 0), ('coat', 2)]:
        explorer.label.value, explorer.sample.value = label, sample
        limits |= {ax.images[0].get_clim()
                   for ax in explorer.fig.axes[1:] if ax.images}
    assert limits == {(0, float(every.max()))}
    explorer.model.value = 'sigmoid'
    assert {ax.images[0].get_clim() for ax in explorer.fig.axes[1:]
            if ax.images} == {(0, 1)}


@pytest.mark.parametrize('layer', [1, 2])
def test_explorer_maps_are_large_on_screen(nets, examples, layer):
    """Each map at least 90 pixels wide, the figure narrower than the
    output area of JupyterLab in a 1280-pixel window (so it is not
    shrunk to fit): the maps, not thumbnails."""
    explorer = d2l.ActivationExplorer(nets, examples)
    explorer.layer.value = layer
    fig = explorer.fig
    fig.canvas.draw()
    sizes = [ax.get_window_extent() for ax in fig.axes if ax.images]
    assert len(sizes) == 1 + (6 if layer == 1 else 16)
    assert min(min(box.width, box.height) for box in sizes) >= MIN_MAP_PX
    width = fig.get_tightbbox().width * fig.dpi
    assert width <= MAX_FIGURE_PX
    per_row = {round(box.y0) for box in sizes[1:]}
    assert len(sizes[1:]) / len(per_row) <= 4  # at most 4 maps a row


def test_explorer_displays_its_widgets(nets, examples, monkeypatch):
    import IPython.display
    shown_objects = []
    monkeypatch.setattr(IPython.display, 'display', shown_objects.append)
    explorer = d2l.ActivationExplorer(nets, examples)
    explorer._ipython_display_()
    assert shown_objects[-1] is explorer.box
    assert explorer.output in explorer.box.children
    descriptions = [explorer.label.description, explorer.sample.description,
                    explorer.layer.description]
    assert descriptions == ['class', 'sample', 'layer']  # the browser test
