"""Tasks of exercise 4's PyTorch twin (§6.6 ex. 4): what LeNet's layers
respond to.

q1  predict what a first-layer map of the sigmoid LeNet shows where the
    image is empty.  The answer follows from the layer's formula for any
    sigmoid LeNet (a window of zeros leaves the bias b, and the map shows
    sigmoid(b), strictly between 0 and 1), so it does not depend on the
    training run nor on quick mode; the notebook measures it on its net.
q2  write ``layer2_maps(net, x)``: the second convolution layer's maps
    for one image, by running the first layers (in PyTorch the activation
    is a layer of its own, so net[:5]); checked by calling it on two nets
    of the check's own (sigmoid and ReLU, fixed random weights, drawn
    without touching PyTorch's random state) and comparing the arrays with
    d2l.activation_maps.  Nothing here imports MXNet.

q1, the texts of q2 and its task class use no framework: they are in
tasks/neutral/ex4.py, shared with the MXNet edition.
"""
import copy

import numpy as np
import torch

from .. import ____, describe_error, error_text, kind
from ..neutral import ex4 as _ex4
from ..neutral.ex4 import (  # noqa: F401 - this module's names
    BACKGROUND_OPTIONS, SHAPE, WHERE_LAYERS, MapsTask, _Answers, _close,
    _Returned)

__all__ = ['____', 'q1', 'q2']

q1 = _ex4.make_q1('pytorch.ex4.q1', 'the nn.Sigmoid() layer',
                  'the nn.Sigmoid() after it outputs')


def _probe_nets():
    """A sigmoid and a ReLU LeNet with fixed random weights, drawn from
    NumPy's generator; building the layers draws PyTorch's default weights
    too, so that is done on a forked random state: no check moves the
    notebook's torch.manual_seed sequence."""
    from ...torch import lenet
    rng = np.random.default_rng(44)
    with torch.random.fork_rng(devices=[]):
        nets = {'sigmoid': lenet(), 'ReLU': lenet('relu', 'max')}
    for net in nets.values():
        net.eval()
        params = list(net.parameters())
        values = _ex4.probe_values([tuple(p.shape) for p in params], rng)
        with torch.no_grad():
            for param, value in zip(params, values):
                param.copy_(torch.as_tensor(value, dtype=torch.float32))
    return nets


def probe_image():
    """One image (1, 28, 28) as the notebook's examples hold them: a
    bright, textured block on an empty background."""
    return torch.from_numpy(_ex4.probe_pixels())


_PROBES = {}


def probes():
    """(nets, image), built once on first use."""
    if not _PROBES:
        _PROBES.update(nets=_probe_nets(), image=probe_image())
    return _PROBES['nets'], _PROBES['image']


def wrong_layers(net, x):
    """(array, what it is) for the outputs a slip gives instead."""
    slips = {1: 'the first layer\'s maps (net[0], the first '
                'convolution, and net[1], its activation): go on through '
                'net[2], the pooling, net[3], the second convolution, and '
                'net[4], its activation',
             0: 'the first convolution before its activation (net[0]): '
                'the maps asked for are the second convolution\'s, after '
                'its activation, net[4]',
             2: 'the first layer\'s maps after pooling (net[2]): go on '
                'through net[3], the second convolution, and net[4], its '
                'activation',
             3: 'the second convolution before its activation (net[3]): '
                'in PyTorch the sigmoid (or ReLU) is a layer of its own, '
                'net[4], and the maps are what comes out of it',
             5: 'the second layer\'s maps after their pooling (net[5]): '
                'stop at net[4], before the pooling'}
    found = []
    with torch.no_grad():
        X = x.unsqueeze(0)
        for i, block in enumerate(net):
            X = block(X)
            if i in slips:
                found.append((X.numpy(), slips[i]))
            if i == 5:
                break
    return found


def _array(value):
    """`value` as a NumPy array if it is a tensor or an array, else None."""
    if isinstance(value, torch.Tensor):
        try:
            return value.detach().cpu().numpy()
        except (TypeError, RuntimeError):  # a dtype NumPy lacks
            return value.detach().cpu().float().numpy()
    if isinstance(value, np.ndarray):
        return value
    return None


def _no_batch(text):
    """True if an error's text says a layer got no batch axis."""
    return any(words in text for words in (
        'batch of gray images', '3D (unbatched)', '4D (batched)',
        'Expected 3D', 'Expected 4D'))


def assess_layer2_maps(answers):
    """None if the function gave the second layer's maps on every probe
    net, else what is wrong."""
    from ...torch import activation_maps
    if not isinstance(answers, _Answers):
        return ('pass the function itself, q2.check(layer2_maps), not its '
                'result: the check calls it on nets of its own.')
    nets, x = probes()
    for name, (value, error) in answers.items():
        net = nets[name]
        if error is not None:
            text = error_text(error)
            if _no_batch(text):
                return (f'the function raised {type(error).__name__}: '
                        f'{text} A layer takes a batch: x has shape '
                        f'{tuple(x.shape)}; x.unsqueeze(0) gives the batch '
                        f'of one, shape (1, 1, 28, 28).')
            return f'the function raised {describe_error(error)}.'
        found = _array(value)
        if found is None:
            return (f'layer2_maps should return a tensor (or a NumPy '
                    f'array) of shape {SHAPE}, but returned {kind(value)}.')
        if found.dtype.kind not in 'biuf':
            return (f'layer2_maps should return the maps as numbers, a '
                    f'tensor of shape {SHAPE}, but returned an array of '
                    f'{found.dtype}.')
        expected = activation_maps(net, x, 2)
        if _close(found, expected):
            continue
        if _close(found, expected[0]):
            return (f'the maps are right but have no batch axis: return '
                    f'shape {SHAPE}, one image of 16 maps, as '
                    f'd2l.activation_maps does. (A PyTorch layer also '
                    f'takes one image without its batch axis, and then '
                    f'returns maps without one; x.unsqueeze(0) makes x a '
                    f'batch of one.)')
        for array, slip in wrong_layers(net, x):
            if _close(found, array) or _close(found, array[0]):
                return f'on the check\'s {name} LeNet that gave {slip}.'
        if found.shape == expected.shape and name != 'sigmoid':
            return (f'right on the check\'s sigmoid LeNet, but not on its '
                    f'{name} LeNet: run the net\'s own layers, which include '
                    f'its own activation, rather than a sigmoid of yours.')
        if found.shape == expected.shape:
            gap = float(np.abs(found.astype(np.float64) - expected).max())
            return (f'the shape is right, {SHAPE}, but on the check\'s '
                    f'{name} LeNet the values differ from '
                    f'd2l.activation_maps(net, x, 2) by up to {gap:.3g}. '
                    f'Did the function run the net it was given on x, '
                    f'through its own layers?')
        return (f'expected an array of shape {SHAPE}, like '
                f'd2l.activation_maps(net, x, 2); on the check\'s {name} '
                f'LeNet the function returned shape {found.shape}.')
    return None


def _copies(net, x):
    """A copy of the probe net and of the image: a function that changes
    the net changes no later check."""
    return copy.deepcopy(net), x.clone()


q2 = MapsTask(
    'pytorch.ex4.q2', assess_layer2_maps, todo=_ex4.TODO_Q2,
    where=WHERE_LAYERS, insight=_ex4.INSIGHT_Q2, probes=probes,
    given=_copies,
    code='''
def layer2_maps(net, x):
    X = x.unsqueeze(0)  # a batch of one image: (1, 1, 28, 28)
    for layer in net[:5]:  # conv 1, its activation, pooling, conv 2, its activation
        X = layer(X)
    return X
''',
    hints=['net is a list of layers, and in PyTorch an activation is a '
           'layer of its own: net[0] is the first convolution, net[1] its '
           'sigmoid (or ReLU), net[2] the pooling, net[3] the second '
           'convolution and net[4] its activation. Run x through them in '
           'order.',
           'A layer takes a batch: x has shape (1, 28, 28), and '
           'x.unsqueeze(0) makes it a batch of one, (1, 1, 28, 28).',
           'X = x.unsqueeze(0), then for layer in net[:5]: X = layer(X); '
           'return X.'],
    explain='net[:5] are the layers up to the second convolution\'s '
            'activation, so what comes out is what the figures draw. '
            'd2l.activation_maps does the same (without recording '
            'gradients) and returns a NumPy array.')
