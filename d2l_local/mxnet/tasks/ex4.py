"""Tasks of exercise 4 (§6.6 ex. 4): what LeNet's layers respond to.

q1  predict what a first-layer map of the sigmoid LeNet shows where the
    image is empty.  The answer follows from the layer's formula for any
    sigmoid LeNet (a window of zeros leaves the bias b, and the map shows
    sigmoid(b), strictly between 0 and 1), so it does not depend on the
    training run nor on quick mode; the notebook measures it on its net.
q2  write ``layer2_maps(net, x)``: the second convolution layer's maps
    for one image, by running the first layers; checked by calling it on
    two nets of the check's own (sigmoid and ReLU, fixed random weights,
    drawn without touching MXNet's random state) and comparing the arrays
    with d2l.activation_maps.

q1, the texts of q2 and its task class use no framework: they are in
tasks/neutral/ex4.py, shared with the PyTorch edition.
"""
import numpy as np

from ...tasks import ____, describe_error, error_text, kind
from ...tasks.neutral import ex4 as _ex4
from ...tasks.neutral.ex4 import (  # noqa: F401 - this module's names
    BACKGROUND_OPTIONS, SHAPE, WHERE_LAYERS, MapsTask, _Answers, _close,
    _Returned)

__all__ = ['____', 'q1', 'q2']

q1 = _ex4.make_q1('ex4.q1', 'the activation', 'the map shows')


def _probe_nets():
    """A sigmoid and a ReLU LeNet with fixed random weights, drawn from
    NumPy's generator so that no check moves MXNet's random state."""
    from mxnet import init, nd

    from .. import lenet
    rng = np.random.default_rng(44)
    nets = {'sigmoid': lenet(), 'ReLU': lenet('relu', 'max')}
    for net in nets.values():
        net.initialize(init.Zero())
        net(nd.zeros((1, 1, 28, 28)))
        params = list(net.collect_params().values())
        values = _ex4.probe_values([p.shape for p in params], rng)
        for param, value in zip(params, values):
            param.set_data(nd.array(value))
    return nets


def probe_image():
    """One image (1, 28, 28) as the notebook's examples hold them: a
    bright, textured block on an empty background."""
    from mxnet import nd
    return nd.array(_ex4.probe_pixels())


_PROBES = {}


def probes():
    """(nets, image), built once on first use."""
    if not _PROBES:
        _PROBES.update(nets=_probe_nets(), image=probe_image())
    return _PROBES['nets'], _PROBES['image']


def wrong_layers(net, x):
    """(array, what it is) for the outputs a slip gives instead."""
    from mxnet import nd
    X, found = x.expand_dims(0), []
    slips = {0: 'the first convolution layer\'s maps (net[0]): go on '
                'through net[1], its pooling, and net[2], the second '
                'convolution',
             1: 'the first layer\'s maps after pooling (net[1]): one '
                'layer more, net[2], gives the second layer\'s maps',
             3: 'the second layer\'s maps after their pooling (net[3]): '
                'stop at net[2], before the pooling'}
    for i, block in enumerate(net):
        if i == 2:  # the second convolution without its activation
            conv = block
            pre = nd.Convolution(X, conv.weight.data(), conv.bias.data(),
                                 **conv._kwargs)
            found.append((pre.asnumpy(), 'the second convolution before '
                          'its activation: the maps are what the layer '
                          'outputs, after its sigmoid (or ReLU)'))
        X = block(X)
        if i in slips:
            found.append((X.asnumpy(), slips[i]))
        if i == 3:
            break
    return found


def _array(value):
    if hasattr(value, 'asnumpy'):
        return value.asnumpy()
    if isinstance(value, np.ndarray):
        return value
    return None


def _error_text(error):
    return error_text(error)


def assess_layer2_maps(answers):
    """None if the function gave the second layer's maps on every probe
    net, else what is wrong."""
    from .. import activation_maps
    if not isinstance(answers, _Answers):
        return ('pass the function itself, q2.check(layer2_maps), not its '
                'result: the check calls it on nets of its own.')
    nets, x = probes()
    for name, (value, error) in answers.items():
        net = nets[name]
        if error is not None:
            text = _error_text(error)
            if '4D' in text or 'ndim' in text:
                return (f'the function raised {type(error).__name__}: '
                        f'{text}. A layer takes a batch: x has shape '
                        f'{x.shape}; x.expand_dims(0) gives the batch of '
                        f'one, shape (1, 1, 28, 28).')
            return f'the function raised {describe_error(error)}.'
        found = _array(value)
        if found is None:
            return (f'layer2_maps should return an array (an NDArray or a '
                    f'NumPy array) of shape {SHAPE}, but returned '
                    f'{kind(value)}.')
        expected = activation_maps(net, x, 2)
        if _close(found, expected):
            continue
        if _close(found, expected[0]):
            return (f'the maps are right but have lost their batch axis: '
                    f'return shape {SHAPE}, one image of 16 maps, as '
                    f'd2l.activation_maps does.')
        for array, slip in wrong_layers(net, x):
            if _close(found, array):
                return f'on the check\'s {name} LeNet that gave {slip}.'
        if found.shape == expected.shape and name != 'sigmoid':
            return (f'right on the check\'s sigmoid LeNet, but not on its '
                    f'{name} LeNet: run the net\'s own layers, which apply '
                    f'their own activation, rather than a sigmoid of yours.')
        if found.shape == expected.shape:
            gap = float(np.abs(found - expected).max())
            return (f'the shape is right, {SHAPE}, but on the check\'s '
                    f'{name} LeNet the values differ from '
                    f'd2l.activation_maps(net, x, 2) by up to {gap:.3g}. '
                    f'Did the function run the net it was given on x, '
                    f'through its own layers?')
        return (f'expected an array of shape {SHAPE}, like '
                f'd2l.activation_maps(net, x, 2); on the check\'s {name} '
                f'LeNet the function returned shape {found.shape}.')
    return None


q2 = MapsTask(
    'ex4.q2', assess_layer2_maps, todo=_ex4.TODO_Q2, where=WHERE_LAYERS,
    insight=_ex4.INSIGHT_Q2, probes=probes,
    code='''
def layer2_maps(net, x):
    X = x.expand_dims(0)  # a batch of one image: (1, 1, 28, 28)
    for block in net[:3]:  # convolution 1, its pooling, convolution 2
        X = block(X)
    return X
''',
    hints=['net is a list of layers: net[0] is the first convolution (its '
           'sigmoid or ReLU inside), net[1] its pooling, net[2] the second '
           'convolution. Run x through them in order.',
           'A layer takes a batch: x has shape (1, 28, 28), and '
           'x.expand_dims(0) makes it a batch of one, (1, 1, 28, 28).',
           'X = x.expand_dims(0), then for block in net[:3]: X = block(X); '
           'return X.'],
    explain='net[:3] are the layers up to the second convolution; each '
            'Conv2D applies its activation itself, so what comes out is '
            'what the figures draw. d2l.activation_maps does the same and '
            'returns a NumPy array.')
