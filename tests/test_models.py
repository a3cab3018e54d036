"""lenet(): the book's model by default, its variants, its input checks."""
import re

import pytest
from mxnet import nd

import d2l_local as d2l

BOOK_LENET = [
    'Conv2D(1 -> 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), '
    'Activation(sigmoid))',
    'AvgPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), '
    'ceil_mode=False, global_pool=False, pool_type=avg, layout=NCHW)',
    'Conv2D(6 -> 16, kernel_size=(5, 5), stride=(1, 1), '
    'Activation(sigmoid))',
    'AvgPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), '
    'ceil_mode=False, global_pool=False, pool_type=avg, layout=NCHW)',
    'Dense(400 -> 120, Activation(sigmoid))',
    'Dense(120 -> 84, Activation(sigmoid))',
    'Dense(84 -> 10, linear)',
]
# The shapes the book prints for one 28x28 image, layer by layer.
BOOK_SHAPES = [(1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10),
               (1, 16, 5, 5), (1, 120), (1, 84), (1, 10)]


def initialized(net, size=28):
    net.initialize()
    net(nd.zeros((1, 1, size, size)))
    return net


def test_the_default_is_the_books_lenet():
    net = initialized(d2l.lenet())
    assert [repr(layer) for layer in net] == BOOK_LENET
    assert d2l.num_params(net) == 61706


def test_output_shape_of_every_layer():
    net = initialized(d2l.lenet())
    X = nd.random.uniform(shape=(1, 1, 28, 28))
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append(X.shape)
    assert shapes == BOOK_SHAPES
    assert net(nd.zeros((5, 1, 28, 28))).shape == (5, 10)


@pytest.mark.parametrize('activation, pooling', [
    ('relu', 'max'), ('tanh', 'avg'), ('sigmoid', 'max')])
def test_variants_change_only_activation_and_pooling(activation, pooling):
    net = initialized(d2l.lenet(activation, pooling))
    pool = {'avg': 'AvgPool2D', 'max': 'MaxPool2D'}[pooling]
    expected = [line.replace('sigmoid', activation)
                .replace('AvgPool2D', pool).replace('avg', pooling)
                for line in BOOK_LENET]
    assert [repr(layer) for layer in net] == expected
    assert d2l.num_params(net) == 61706


def test_other_shapes_of_lenet():
    net = initialized(d2l.lenet(convs=((8, 3), (16, 3), (32, 3)),
                                dense=(64,), num_classes=3,
                                same_padding=True), size=32)
    assert net(nd.zeros((2, 1, 32, 32))).shape == (2, 3)
    assert [type(layer).__name__ for layer in net] == (
        ['Conv2D', 'AvgPool2D'] * 3 + ['Dense'] * 2)


def test_hybridized_net_gives_the_same_output():
    d2l.set_seed(0)
    net = initialized(d2l.lenet())
    X = nd.random.uniform(shape=(4, 1, 28, 28))
    y = net(X).asnumpy()
    net.hybridize()
    assert abs(net(X).asnumpy() - y).max() < 1e-5


@pytest.mark.parametrize('kwargs, says', [
    (dict(convs=(16, 32)), 'one (channels, kernel size) pair per'),
    (dict(convs=((16, 5, 1),)), 'is not a pair'),
    (dict(convs='65'), 'convs=((6, 5), (16, 5))'),
    (dict(convs=()), 'at least one convolution'),
    (dict(convs=((16, 5.0),)), 'kernel size in convs is a whole number'),
    (dict(convs=((0, 5),)), 'channels in convs is a whole number'),
    (dict(dense=120), 'dense=() for none'),
    (dict(dense=(120, '84')), 'width in dense is a whole number'),
    (dict(num_classes=True), 'num_classes is a whole number'),
    (dict(num_classes=0), 'num_classes is a whole number'),
    (dict(same_padding='yes'), 'True or False'),
    (dict(activation=['relu']), 'unknown activation'),
    (dict(pooling={}), 'unknown pooling'),
])
def test_a_malformed_argument_says_what_form_it_takes(kwargs, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        d2l.lenet(**kwargs)


def test_lists_do_as_well_as_tuples():
    net = initialized(d2l.lenet(convs=[[6, 5], [16, 5]], dense=[120, 84]))
    assert [repr(layer) for layer in net] == BOOK_LENET


@pytest.mark.parametrize('num_classes', [2.5, 0, None, '10'])
def test_better_lenet_checks_its_number_of_classes(num_classes):
    with pytest.raises(ValueError, match='num_classes is a whole number'):
        d2l.better_lenet(num_classes)
