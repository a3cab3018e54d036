"""Architecture figures (d2l_local/figures.py): drawn from a forward pass,
maps to scale, each arrow labelled (Agg backend, set in conftest.py)."""
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch
from mxnet import nd

import d2l_local as d2l
from d2l_local.mxnet.lenet5 import lenet5

# The 1998 paper's sizes (section II.B): 32x32 input, C1 ... output.
PAPER_SHAPES = [(1, 1, 32, 32), (1, 6, 28, 28), (1, 6, 14, 14),
                (1, 16, 10, 10), (1, 16, 5, 5), (1, 120, 1, 1), (1, 84),
                (1, 10)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


def forward_shapes(net, size=28):
    """The input's and each layer's output shape, without the batch."""
    X = nd.zeros((1, 1, size, size))
    shapes = [X.shape[1:]]
    for layer in net:
        X = layer(X)
        shapes.append(X.shape[1:])
    return shapes


def book_net(**kwargs):
    net = d2l.lenet(**kwargs)
    net.initialize()
    return net


def quietly(draw, *args, **kwargs):
    """Call draw and fail on any warning but MXNet's upstream one."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        fig = draw(*args, **kwargs)
        fig.canvas.draw()  # layout and text too
    caught = [w for w in caught if 'csr_matrix' not in str(w.message)]
    assert not caught, [str(w.message) for w in caught]
    return fig


def fronts(ax):
    return [p for p in ax.patches if p.get_gid() == 'front']


def texts(ax):
    return [t.get_text() for t in ax.texts]


def scale_of(ax):
    """Inches per pixel and units per pixel, as the figure states them."""
    (bar,) = [line for line in ax.lines if line.get_gid() == 'scale bar']
    xs = bar.get_xdata()
    (note,) = [t for t in texts(ax) if t.startswith('to scale')]
    units = int(re.search(r'(\d+) units', note).group(1))
    return (xs[1] - xs[0]) / 10, units / 10


def assert_to_scale(ax, shapes):
    """Each map's front side is its side times the stated scale; each
    vector's bar is its units times the stated scale."""
    scale, per_unit = scale_of(ax)
    drawn = fronts(ax)
    assert len(drawn) == len(shapes)
    for patch, shape in zip(drawn, shapes):
        if len(shape) == 3 and shape[1] * shape[2] > 1:
            assert patch.get_width() == pytest.approx(shape[2] * scale)
            assert patch.get_height() == pytest.approx(shape[1] * scale)
        else:
            units = int(np.prod(shape))
            assert patch.get_height() == pytest.approx(
                units * scale / per_unit)


def test_lenet_flow_is_the_forward_pass_to_scale():
    fig = quietly(d2l.plot_lenet_flow)
    ax = fig.axes[0]
    shapes = forward_shapes(book_net())
    assert shapes[1:] == [(6, 28, 28), (6, 14, 14), (16, 10, 10),
                          (16, 5, 5), (120,), (84,), (10,)]
    assert_to_scale(ax, shapes)
    widths = [p.get_width() for p in fronts(ax)[:5]]
    # no offset: 28 : 14 : 10 : 5 exactly, not 0.25 + something
    assert widths[1] / widths[2] == pytest.approx(2)
    assert widths[2] / widths[4] == pytest.approx(14 / 5)
    for label in ('1@28x28', '6@28x28', '6@14x14', '16@10x10', '16@5x5',
                  '120', '84', '10'):
        assert label in texts(ax)


def test_lenet_flow_labels_every_operation():
    ax = quietly(d2l.plot_lenet_flow).axes[0]
    ops = ['5x5 conv\npad 2\nsigmoid', '2x2 avg\npool\nstride 2',
           '5x5 conv\nsigmoid', '2x2 avg\npool\nstride 2',
           'flatten\ndense\nsigmoid', 'dense\nsigmoid', 'dense', 'softmax']
    shown = texts(ax)
    assert [t for t in shown if t in ops] == ops  # in order, once each
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(ops)


def test_lenet_flow_draws_the_image_and_the_probabilities():
    image = np.random.default_rng(0).uniform(size=(28, 28))
    probs = np.linspace(1, 10, 10) / 55
    labels = d2l.get_fashion_mnist_labels(range(10))
    fig = quietly(d2l.plot_lenet_flow, nd.array(image), probs, labels)
    ax, panel = fig.axes
    np.testing.assert_allclose(ax.images[0].get_array(), image, rtol=1e-6)
    front = fronts(ax)[0]
    assert ax.images[0].get_extent() == pytest.approx(
        [front.get_x(), front.get_x() + front.get_width(), front.get_y(),
         front.get_y() + front.get_height()])
    assert [p.get_width() for p in panel.patches] == pytest.approx(probs)
    assert [t.get_text() for t in panel.get_yticklabels()] == labels
    assert 'placeholder' not in panel.get_title()
    assert 'no image\ngiven' not in texts(ax)


def test_lenet_flow_without_data_says_so():
    fig = quietly(d2l.plot_lenet_flow)
    ax, panel = fig.axes
    assert not ax.images and 'no image\ngiven' in texts(ax)
    assert 'placeholder' in panel.get_title()
    assert [p.get_width() for p in panel.patches] == pytest.approx(
        [0.1] * 10)


def test_lenet_flow_follows_the_net_it_is_given():
    net = book_net(convs=((6, 3), (16, 5)), dense=(50,))
    ax = quietly(d2l.plot_lenet_flow, net=net).axes[0]
    shapes = forward_shapes(net)
    assert shapes[-2:] == [(50,), (10,)]
    assert_to_scale(ax, shapes)
    assert '3x3 conv\npad 1\nsigmoid' in texts(ax)
    assert '120' not in texts(ax) and '50' in texts(ax)


def test_every_figure_fits_its_canvas():
    figs = [d2l.plot_lenet_flow(np.zeros((28, 28)), np.full(10, 0.1),
                                d2l.get_fashion_mnist_labels(range(10))),
            d2l.plot_lenet5_flow(), d2l.plot_lenet_compressed()]
    for fig in figs:
        fig.canvas.draw()
        box = fig.bbox
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            for text in ax.texts:
                extent = text.get_window_extent(renderer)
                assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, \
                    text.get_text()
                assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1, \
                    text.get_text()


def test_arrow_labels_do_not_overlap():
    for fig in (d2l.plot_lenet_flow(), d2l.plot_lenet5_flow()):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), 'two labels overlap'


def test_compressed_notation_reads_up_the_forward_pass():
    fig = quietly(d2l.plot_lenet_compressed)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if p.get_gid() == 'box']
    ys = [p.get_y() for p in boxes]
    assert ys == sorted(ys)  # the input at the bottom, as in the book
    shown = texts(ax)
    assert shown[::2] == [
        'image (28x28)', '5x5 Conv (6), pad 2, sigmoid',
        '2x2 AvgPool, stride 2', '5x5 Conv (16), sigmoid',
        '2x2 AvgPool, stride 2', 'Dense (120), sigmoid',
        'Dense (84), sigmoid', 'Dense (10)']
    shapes = forward_shapes(book_net())
    assert shown[1::2] == [
        f'{s[0]}@{s[1]}x{s[2]}' if len(s) == 3 else str(s[0])
        for s in shapes]


def test_compressed_notation_of_lenet5():
    net = lenet5()
    net.initialize()
    shown = texts(quietly(d2l.plot_lenet_compressed, net).axes[0])
    assert 'Euclidean RBF (10), fixed' in shown
    assert '5x5 Conv (16), Table I (3 to 6 of 6 maps), squash' in shown
    assert shown[-1] == '10'


def test_lenet5_shapes_are_the_forward_pass_and_the_paper():
    net = lenet5()
    net.initialize()
    rows = d2l.lenet5_shapes(net)
    assert [name for name, _, _ in rows] == [
        'digit', 'input', 'C1', 'S2', 'C3', 'S4', 'C5', 'F6', 'output']
    assert [shape for _, _, shape in rows] == [
        (1,) + s for s in forward_shapes(net)]
    assert [shape for _, _, shape in rows][1:] == PAPER_SHAPES
    ops = dict((name, op) for name, op, _ in rows)
    assert 'Table I' in ops['C3'] and 'Table I' not in ops['C5']
    assert 'subsampling' in ops['S2'] and 'RBF' in ops['output']


def test_lenet5_shapes_of_a_book_variant():
    net = lenet5(pooling='avg', output='dense', c3_table=False)
    net.initialize()
    ops = {name: op for name, op, _ in d2l.lenet5_shapes(net)}
    assert ops['S2'] == '2x2 AvgPool, stride 2'
    assert 'Table I' not in ops['C3'] and ops['output'] == 'Dense (10)'


def test_lenet5_flow_to_scale_with_the_paper_operations():
    image = np.zeros((28, 28))
    image[4:24, 12:16] = 1
    fig = quietly(d2l.plot_lenet5_flow, image)
    ax = fig.axes[0]
    assert_to_scale(ax, [s[1:] for s in PAPER_SHAPES])
    front = fronts(ax)[0]
    (digit,) = [p for p in ax.patches if p.get_gid() == 'digit']
    assert digit.get_width() / front.get_width() == pytest.approx(28 / 32)
    assert ax.images[0].get_array().shape == (32, 32)
    shown = texts(ax)
    for name in ('C1', 'S2', 'C3', 'S4', 'C5', 'F6', 'output'):
        assert name in shown
    for op in ('5x5 conv\nsquash', '2x2 sum\nx coef\n+ bias\nsquash',
               '5x5 conv\nTable I:\n3-6 maps\nsquash', 'full\nsquash',
               'Euclidean\nRBF'):
        assert op in shown, op
    assert '120@1x1' in shown


def test_layer_ops_say_what_each_layer_does():
    assert d2l.layer_ops(book_net()) == [
        '5x5 conv\npad 2\nsigmoid', '2x2 avg\npool\nstride 2',
        '5x5 conv\nsigmoid', '2x2 avg\npool\nstride 2',
        'flatten\ndense\nsigmoid', 'dense\nsigmoid', 'dense']
    assert d2l.layer_ops(book_net(pooling='max', activation='relu'))[:2] \
        == ['5x5 conv\npad 2\nrelu', '2x2 max\npool\nstride 2']


def chapter_trace():
    """The chapter's shape trace (notebooks/lenet.ipynb, section 4)."""
    net = book_net()
    X = nd.random.uniform(shape=(1, 1, 28, 28))
    names, shapes = ['input'], [X.shape]
    for layer in net:
        X = layer(X)
        names.append(layer.name)
        shapes.append(X.shape)
    return net, names, shapes


def test_layer_flow_to_scale_with_the_operations_given():
    net, names, shapes = chapter_trace()
    ops = d2l.layer_ops(net)
    ax = quietly(d2l.plot_layer_flow, names, shapes, ops=ops).axes[0]
    assert_to_scale(ax, [s[1:] for s in shapes])
    shown = texts(ax)
    assert [t for t in shown if t in ops] == ops
    assert names == [t for t in shown if t in names]


def test_layer_flow_guesses_operations_from_the_names():
    names = ['input', 'conv0', 'pool0', 'dense0']
    shapes = [(1, 1, 28, 28), (1, 6, 28, 28), (1, 6, 14, 14), (1, 120)]
    ax = quietly(d2l.plot_layer_flow, names, shapes).axes[0]
    assert_to_scale(ax, [s[1:] for s in shapes])
    shown = texts(ax)
    assert 'conv\n6 kernels' in shown and 'pool\n/2' in shown
    assert 'flatten\ndense' in shown


def test_layer_flow_wants_one_operation_per_layer():
    names = ['input', 'conv0']
    shapes = [(1, 1, 28, 28), (1, 6, 28, 28)]
    with pytest.raises(ValueError, match='one label per layer'):
        d2l.plot_layer_flow(names, shapes, ops=['a', 'b'])
