"""Issue 7: bad arguments end in a ValueError or TypeError that says what
was expected, before any data is fetched or any epoch is run."""
import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, nd

import d2l_local as d2l
from d2l_local.mxnet.data import ArrayIter
from fakedata import make_images

pytestmark = pytest.mark.usefixtures('isolated')


@pytest.fixture
def mirror(tiny, serve):
    """The tiny data set, only on a mirror that logs what is asked."""
    server = serve()
    tiny.dataset.mirrors.append(server.add('m', tiny.files))
    return server


@pytest.mark.parametrize('batch_size, error, words', [
    (0, ValueError, 'batch_size must be at least 1, got 0'),
    (-256, ValueError, 'batch_size must be at least 1, got -256'),
    (2.5, TypeError, 'batch_size must be a whole number, got 2.5'),
    ('256', TypeError, "batch_size must be a whole number, got '256'"),
    (True, TypeError, 'batch_size must be a whole number, got True'),
    (None, TypeError, 'batch_size must be a whole number, got None'),
])
def test_bad_batch_size_is_refused_before_any_download(
        batch_size, error, words, tiny, mirror):
    with pytest.raises(error, match=words):
        d2l.load_data('tiny', batch_size)
    assert mirror.requests == []  # nothing fetched for a doomed call
    assert not tiny.cache.exists()


@pytest.mark.parametrize('resize, error, words', [
    (0, ValueError, 'resize must be at least 1, got 0'),
    (-28, ValueError, 'resize must be at least 1, got -28'),
    (28.0, TypeError, 'resize must be a whole number, got 28.0'),
])
def test_bad_resize_is_refused_before_any_download(
        resize, error, words, tiny, mirror):
    with pytest.raises(error, match=words):
        d2l.load_data('tiny', 10, resize=resize)
    assert mirror.requests == []


def test_numpy_integers_are_whole_numbers(tiny, mirror):
    train_iter, _ = d2l.load_data('tiny', np.int64(25), resize=np.int32(14))
    X, _ = next(iter(train_iter))
    assert X.shape == (25, 1, 14, 14)


def test_bad_batch_size_for_the_real_loaders_fetches_nothing(monkeypatch):
    def fetch(*args, **kwargs):
        raise AssertionError('the loader looked for data')
    monkeypatch.setattr(d2l.datasets, 'fetch_file', fetch)
    with pytest.raises(ValueError, match='batch_size'):
        d2l.load_data_fashion_mnist(0)
    with pytest.raises(TypeError, match='resize'):
        d2l.load_data_mnist(256, resize='28')


def test_unknown_data_set_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown data set 'fashion_mnist'"
                       r".*'fashion-mnist'"):
        d2l.load_data('fashion_mnist', 256)


@pytest.mark.parametrize('kwargs, words', [
    ({'activation': 'Sigmoid'}, "unknown activation 'Sigmoid'; choose one "
                                "of ('sigmoid', 'relu', 'tanh')"),
    ({'activation': 'softmax'}, "unknown activation 'softmax'"),
    ({'pooling': 'average'}, "unknown pooling 'average'; choose one of "
                             "('avg', 'max')"),
    ({'convs': ()}, 'at least one convolution layer'),
])
def test_bad_lenet_options(kwargs, words):
    with pytest.raises(ValueError) as error:
        d2l.lenet(**kwargs)
    assert words in str(error.value)


def small_training(num_epochs):
    images, labels = make_images(20, seed=0, side=12)
    data_iter = ArrayIter(images, labels, 10)
    net = d2l.lenet()
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.1})
    return d2l.train_ch5(net, data_iter, data_iter, 10, trainer, mx.cpu(),
                         num_epochs, animate=False)


@pytest.mark.parametrize('num_epochs', [0, -1, 2.5, '3', True, None])
def test_bad_num_epochs_is_refused_before_training(num_epochs, capsys):
    with pytest.raises(ValueError,
                       match='num_epochs must be a positive whole number'):
        small_training(num_epochs)
    assert capsys.readouterr().out == ''  # not even "training on"


@pytest.mark.parametrize('shape', [
    (2, 28, 28),      # the channel axis forgotten
    (28, 28),         # one image, not a batch
    (784,),           # a flattened image
    (2, 3, 28, 28),   # colour images
    (2, 1, 11, 11),   # too small to survive two convolutions and poolings
])
def test_lenet_names_the_shape_it_expects(shape):
    net = d2l.lenet()
    net.initialize()
    with pytest.raises(ValueError) as error:
        net(nd.zeros(shape))
    message = str(error.value)
    assert '(batch, 1, height, width)' in message
    assert f'got {shape}' in message
    assert 'at least 12' in message


def test_a_net_sized_for_28x28_refuses_other_sizes_clearly():
    net = d2l.lenet()
    net.initialize()
    net(nd.zeros((2, 1, 28, 28)))
    with pytest.raises(ValueError) as error:
        net(nd.zeros((2, 1, 32, 32)))
    assert 'first run on 28x28 images' in str(error.value)
    assert 'net = lenet(); net.initialize()' in str(error.value)
    # Sizes that pool down to the same grid are fine, as in MXNet.
    assert net(nd.zeros((3, 1, 29, 29))).shape == (3, 10)
    net.hybridize()
    with pytest.raises(ValueError, match='first run on 28x28'):
        net(nd.zeros((2, 1, 64, 64)))


def test_lenet_refuses_a_numpy_array():
    net = d2l.lenet()
    net.initialize()
    with pytest.raises(ValueError, match='NDArray'):
        net(np.zeros((1, 1, 28, 28), np.float32))
