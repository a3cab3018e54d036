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


def runs(filled):
    """(start, stop) of each run of True in a 1-D boolean array."""
    edges = np.flatnonzero(np.diff(np.r_[0, filled.astype(int), 0]))
    return list(zip(edges[::2], edges[1::2]))


def cells(image):
    """The tiles of a tiled figure image: a grid (list of rows) of the
    blocks that blank (NaN) rows and columns separate; empty cells
    (all blank) are left out."""
    values = np.ma.filled(image.get_array().astype(float), np.nan)
    rows = runs(~np.isnan(values).all(axis=1))
    cols = runs(~np.isnan(values).all(axis=0))
    grid = [[values[r0:r1, c0:c1] for c0, c1 in cols] for r0, r1 in rows]
    return [[tile for tile in row if not np.isnan(tile).all()]
            for row in grid]


def tiled(fig):
    """The figure's tiled images (one per axes that holds images)."""
    return [ax.images[0] for ax in fig.axes if ax.images]


def colour_bars(fig):
    return [ax for ax in fig.axes if not ax.images and ax.collections]


def texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize('layer, channels', [(1, 6), (2, 16)])
def test_figure_shows_input_and_every_map(nets, layer, channels):
    net = nets['relu']
    X = nd.random.uniform(shape=(3, 1, 28, 28))
    fig = d2l.plot_activations(net, X, layer, titles=['a', 'b', 'c'])
    (image,) = tiled(fig)
    ax = image.axes
    maps = d2l.activation_maps(net, X, layer)
    grid = cells(image)
    assert len(grid) == 3 and {len(row) for row in grid} == {channels}
    for i in range(3):
        for c in range(channels):
            np.testing.assert_array_equal(grid[i][c], maps[i, c])
    inputs = ax.images[1:]
    assert len(inputs) == 3
    for i, shown_input in enumerate(inputs):
        np.testing.assert_array_equal(shown_input.get_array(),
                                      X[i, 0].asnumpy())
        assert shown_input.get_clim() == (0, 1)
        left, right, bottom, top = shown_input.get_extent()
        assert right < 0 + maps.shape[3]  # the first column, before maps
        assert top < bottom  # drawn upright, in row i
    tops = [im.get_extent()[3] for im in inputs]
    assert tops == sorted(tops)
    assert ax.get_xlim()[1] == image.get_array().shape[1] - 0.5
    labels = texts(ax)
    assert {'a', 'b', 'c'} <= set(labels)
    names = [f'map {c}' for c in range(channels)] if channels <= 8 else [
        str(c) for c in range(channels)]
    assert set(names) <= set(labels)
    assert f'{channels} maps' in ax.get_title()


def test_sigmoid_maps_share_the_whole_0_to_1_scale(nets):
    X = nd.random.uniform(shape=(2, 1, 28, 28))
    fig = d2l.plot_activations(nets['sigmoid'], X, 2)
    (image,) = tiled(fig)
    assert sum(len(row) for row in cells(image)) == 2 * 16
    assert image.get_clim() == (0, 1)
    assert image.get_cmap().name.startswith(d2l.activations.MAP_CMAP)
    (bar,) = colour_bars(fig)
    assert bar.get_ylim() == (0, 1)
    assert 'sigmoid output (0 to 1' in bar.get_ylabel()


def test_relu_maps_share_a_scale_from_0_to_their_largest_value(nets):
    X = nd.random.uniform(shape=(3, 1, 28, 28))
    maps = d2l.activation_maps(nets['relu'], X, 1)
    fig = d2l.plot_activations(nets['relu'], X, 1)
    (image,) = tiled(fig)
    assert image.get_clim() == (0, float(maps.max()))
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


def test_kernels_on_a_diverging_scale_centred_at_0(nets):
    fig = d2l.plot_kernels(nets)
    images = tiled(fig)
    assert len(images) == 2 == len(colour_bars(fig))
    for image, (name, net) in zip(images, nets.items()):
        weight = net[0].weight.data().asnumpy()[:, 0]
        bias = net[0].bias.data().asnumpy()
        (row,) = cells(image)
        assert len(row) == 6
        for c in range(6):
            np.testing.assert_array_equal(row[c], weight[c])
        top = np.abs(weight).max()
        assert image.get_clim() == pytest.approx((-top, top))
        assert image.get_cmap().name.startswith(
            d2l.activations.SIGNED_CMAP)
        labels = texts(image.axes)
        assert name in labels
        assert [f'{c}: bias {bias[c]:+.2f}' for c in range(6)] == [
            t for t in labels if ': bias' in t]
    for bar, image in zip(colour_bars(fig), images):
        assert bar.get_ylim() == pytest.approx(image.get_clim())


def test_kernels_only_of_a_layer_that_sees_the_image(nets):
    with pytest.raises(ValueError, match='only a layer that sees the image'):
        d2l.plot_kernels(nets, layer=2)


def test_plot_maps_wraps_the_maps_in_a_grid():
    maps = np.random.default_rng(0).random((16, 10, 10), np.float32)
    image = np.zeros((1, 28, 28))
    fig = d2l.plot_maps(image, maps, (0, 2), title='coat', label='x')
    (shown_maps,) = tiled(fig)
    grid = cells(shown_maps)
    assert [len(row) for row in grid] == [4, 4, 4, 4]
    for c in range(16):
        np.testing.assert_array_equal(grid[c // 4][c % 4], maps[c])
    assert shown_maps.get_clim() == (0, 2)
    ax = shown_maps.axes
    np.testing.assert_array_equal(ax.images[1].get_array(), image[0])
    assert ax.images[1].get_extent()[1] < 10  # top left, in the first cell
    assert 'coat' in texts(ax) and 'map 15' in texts(ax)
    (bar,) = colour_bars(fig)
    assert bar.get_ylabel() == 'x'


def test_plot_maps_keeps_wide_layers_narrow():
    maps = np.ones((64, 5, 5))
    fig = d2l.plot_maps(np.zeros((28, 28)), maps, (0, 1))
    grid = cells(tiled(fig)[0])
    assert max(len(row) for row in grid) == d2l.activations.MAX_PER_ROW
    assert sum(len(row) for row in grid) == 64


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
    (image,) = tiled(explorer.fig)
    maps = [tile for row in cells(image) for tile in row]
    return image.axes.images[1].get_array(), np.stack(maps)


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
    assert 'pullover' in texts(explorer.fig.axes[0])


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
        limits |= {image.get_clim() for image in tiled(explorer.fig)}
    assert limits == {(0, float(every.max()))}
    explorer.model.value = 'sigmoid'
    assert tiled(explorer.fig)[0].get_clim() == (0, 1)


@pytest.mark.parametrize('layer', [1, 2])
def test_explorer_maps_are_large_on_screen(nets, examples, layer):
    """Each map at least 90 pixels wide, the figure narrower than the
    output area of JupyterLab in a 1280-pixel window (so it is not
    shrunk to fit): the maps, not thumbnails."""
    explorer = d2l.ActivationExplorer(nets, examples)
    explorer.layer.value = layer
    fig = explorer.fig
    fig.canvas.draw()
    (image,) = tiled(fig)
    grid = cells(image)
    side = grid[0][0].shape[1]
    pixels = image.axes.get_window_extent().width / image.get_array(
        ).shape[1]  # screen pixels per map pixel
    assert side * pixels >= MIN_MAP_PX
    assert fig.get_tightbbox().width * fig.dpi <= MAX_FIGURE_PX
    assert max(len(row) for row in grid) <= 4  # at most 4 maps a row
    assert sum(len(row) for row in grid) == (6 if layer == 1 else 16)


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
