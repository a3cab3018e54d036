"""Tasks of exercise 2's PyTorch twin (§6.6 ex. 2): a better LeNet, one
change at a time.

q1 predicts, before the chart of the grid appears, which single change
raised the chapter's 5-epoch accuracy most; its right answer comes from the
PyTorch edition's saved grid (results/pytorch/lenet_grid.csv), so it is
the same in quick mode.  q2 builds one of the grid's variants as an
nn.Module: ReLU, max pooling, 16 and 32 channels of 5x5, checked by its
layers, their settings, the shapes on a probe batch and its parameter
count.  q1 and the texts of q2 that name no layer use no framework: they
are in tasks/neutral/ex2.py, shared with the MXNet edition.  Nothing here
imports MXNet.
"""
import functools

import torch
from torch import nn

from .. import Task, ____, describe_error, kind, show
from ..neutral import ex2 as _ex2
from ..neutral.ex2 import (  # noqa: F401 - this module's names
    CHOICES, PROBE, VARIANT, best_choice, cite, story)
from .layers import leaves, probe_batch, reference_of, settings
from ...torch.models import lenet
from ...torch.results import read_result

__all__ = ['____', 'q1', 'q2']


def grid():
    """The PyTorch edition's saved grid by variant (variant_summary's
    entries)."""
    return _ex2.grid(read_result)


_ROWS = grid()
q1 = _ex2.make_q1(
    'pytorch.ex2.q1', _ROWS,
    "In 5 of the seed sweep's 8 seeds the chapter's sigmoid LeNet is "
    'still near chance (test accuracy below 0.2) after its first epoch: '
    'in 5 epochs, what holds it back is how fast it learns, not how big '
    'it is.')


# q2: build the variant with ReLU, max pooling, 16 and 32 channels of 5x5.

LAYERS = ['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d',
          'Flatten', 'Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']
# A lazy layer becomes its eager class on its first batch
LAZY = {'LazyConv2d': 'Conv2d', 'LazyLinear': 'Linear'}
OTHER_ACTIVATIONS = ('Sigmoid', 'Tanh', 'LeakyReLU', 'ELU', 'GELU', 'SiLU',
                     'Softmax', 'LogSoftmax', 'Hardsigmoid', 'Softplus')


@functools.cache
def reference():
    """The variant's layers (d2l.lenet(**VARIANT)), its output shape after
    each layer on PROBE and its number of parameters (drawing no number
    from the notebook's generators)."""
    return reference_of(lambda: lenet(**VARIANT), PROBE)


# What to look at when a layer's setting differs from the variant's.
SETTING_TIPS = {
    'in_channels': 'its number of input channels: the first convolution '
                   'reads the 1 channel of the image, the second the 16 '
                   'channels of the first',
    'out_channels': 'its number of output channels: 16 in the first '
                    'convolution, 32 in the second',
    'kernel_size': 'its kernel size: both convolutions use a 5x5 window '
                   '(kernel_size=5), both poolings 2x2 (kernel_size=2)',
    'padding': 'its padding: only the first convolution pads (padding=2 '
               'keeps 28x28); the second has none, so its maps shrink to '
               '10x10',
    'stride': 'its stride: a convolution moves one pixel at a time (the '
              'default), a pooling layer two (stride=2)',
    'dilation': "its dilation: the chapter's convolutions read 5x5 "
                'neighbouring pixels (the default, dilation=1)',
    'groups': 'its groups: every output channel reads all input channels '
              '(the default, groups=1)',
    'bias': 'its bias: every convolution and nn.Linear has one (the '
            'default, bias=True)',
    'in_features': 'its number of inputs: the first nn.Linear reads the 32 '
                   'maps of 5x5 of the last pooling, 32 * 5 * 5 = 800 '
                   'numbers',
    'out_features': 'its number of outputs: 120, 84 and 10 as in the '
                    "chapter's dense layers",
}


def _layer_problem(found):
    """What is wrong with the list of layer types, or None."""
    if found == LAYERS:
        return None
    tip = ''
    others = [name for name in found if name in OTHER_ACTIVATIONS]
    if 'AvgPool2d' in found:
        tip = ' Max pooling is nn.MaxPool2d (or pooling=\'max\').'
    elif others:
        tip = (f' Every activation of this variant is nn.ReLU(), not '
               f'{others[0]}.')
    elif found == LAYERS + ['ReLU']:
        tip = (' The output layer nn.Linear(84, 10) should come last, with '
               'no activation: the loss expects raw scores.')
    elif sorted(found) == sorted(LAYERS):
        tip = (' The layers are right but their order is not: each '
               'convolution is followed by its nn.ReLU() and then its '
               'pooling; nn.Flatten() and the three nn.Linear layers come '
               'last.')
    elif 'Flatten' not in found:
        tip = (' nn.Linear takes a flat vector per image: put nn.Flatten() '
               'between the last pooling and the first nn.Linear.')
    elif found.count('ReLU') != LAYERS.count('ReLU'):
        tip = (' nn.ReLU() follows both convolutions and both hidden '
               'nn.Linear layers, none after the last.')
    return f'expected the layers {LAYERS}, found {found}.{tip}'


def _settings_problem(layers, ref_layers):
    """' Layer 1 (Conv2d) has kernel_size=(3, 3), the variant's
    kernel_size=(5, 5): check ...' for the first layer whose settings
    differ, or ''."""
    for i, (layer, ref) in enumerate(zip(layers, ref_layers)):
        mine, theirs = settings(layer), settings(ref)
        for name, value in theirs.items():
            if name in mine and mine[name] != value:
                return (f' Layer {i + 1} ({type(layer).__name__}) has '
                        f'{name}={show(mine[name])}, the variant\'s '
                        f'{name}={value}: check {SETTING_TIPS[name]}.')
    return ''


def _probe(layers):
    """A batch of zeros of shape PROBE on the device of the layers'
    weights."""
    return probe_batch(PROBE, layers)


def _run(layers):
    """The output shape after each layer on a batch of zeros of PROBE,
    stopping at the first that fails: (shapes, what went wrong or
    None)."""
    shapes = []
    try:
        X = _probe(layers)
        with torch.no_grad():
            for layer in layers:
                X = layer(X)
                if not isinstance(X, torch.Tensor):
                    return shapes, (f'layer {len(shapes) + 1} '
                                    f'({type(layer).__name__}) returned '
                                    f'{kind(X)}, not a tensor.')
                shapes.append(tuple(X.shape))
    except Exception as e:  # noqa: BLE001 - the learner's net failed
        i = len(shapes)
        return shapes, (f'running your net layer by layer on a batch of '
                        f'shape {PROBE} raised {describe_error(e)} at '
                        f'layer {i + 1} ({type(layers[i]).__name__}).')
    return shapes, None


def assess_net(net):
    """None if `net` is the variant, else what is wrong with it (its
    layers, their settings, shapes on PROBE, parameters)."""
    if not isinstance(net, nn.Module):
        return (f'expected a PyTorch network built with nn.Sequential(...) '
                f'(or d2l.lenet(...)), got {kind(net)}.')
    if not isinstance(net, nn.Sequential):
        return (f'expected a network built with nn.Sequential(...), as the '
                f"chapter's LeNet (or d2l.lenet(...)), got {kind(net)}: the "
                f'check reads its layers in order.')
    layers = leaves(net)
    found = [LAZY.get(type(layer).__name__, type(layer).__name__)
             for layer in layers]
    problem = _layer_problem(found)
    if problem:
        return problem
    ref_layers, ref_shapes, ref_params = reference()
    with torch.random.fork_rng(devices=[]):  # a lazy layer draws weights
        shapes, failed = _run(layers)
    for i, (got, want) in enumerate(zip(shapes, ref_shapes)):
        if got != want:
            tip = _settings_problem(layers[:i + 1], ref_layers)
            return (f'after layer {i + 1} ({type(layers[i]).__name__}) the '
                    f'net gives shape {got} on a batch of shape {PROBE}, '
                    f"the variant's {want}."
                    + (tip or ' Check the settings of this layer and the '
                               'ones before it.'))
    if failed:
        return failed + _settings_problem(layers[:len(shapes) + 1],
                                          ref_layers)
    problem = _settings_problem(layers, ref_layers)
    if problem:
        problem = problem.strip()
        return f'the shapes are right, but {problem[0].lower()}{problem[1:]}'
    params = sum(p.numel() for p in net.parameters())
    if params != ref_params:
        return (f'expected {ref_params:,} parameters, found {params:,}: '
                f'does the net hold parameters outside its layers?')
    return None


def _insight(rows):
    _, shapes, params = reference()
    maps, units = shapes[5][1:], shapes[7][1]  # into the first Linear
    dense = maps[0] * maps[1] * maps[2] * units + units
    chapter = rows['baseline']['params']
    trained = [e for name, e in rows.items()  # Adam, 10 epochs
               if name.startswith('relu+max 16/32 ')]
    said = (f' The grid trained this net with Adam for '
            f'{trained[0]["epochs"]} epochs: {cite(trained[0])}.'
            if trained else '')
    return (f'Your net has {params:,} parameters, {params / chapter:.1f} '
            f"times the chapter's {chapter:,}; {dense / params:.0%} of them "
            f'are in the first nn.Linear, which reads {maps[0]} maps of '
            f'{maps[1]}x{maps[2]}.{said}')


q2 = Task(
    'pytorch.ex2.q2', assess_net,
    todo=_ex2.TODO_Q2,
    where="the chapter's model (lenet.ipynb, section \"3. The model\") and "
          'help(d2l.lenet)',
    insight=_insight(_ROWS),
    code="""
net = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=5, padding=2), nn.ReLU(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(16, 32, kernel_size=5), nn.ReLU(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(32 * 5 * 5, 120), nn.ReLU(),
    nn.Linear(120, 84), nn.ReLU(),
    nn.Linear(84, 10))
""",
    hints=[
        "Start from the chapter's nn.Sequential: two blocks of nn.Conv2d, "
        'activation and pooling, then nn.Flatten() and three nn.Linear '
        'layers. Three things change: the activation, the pooling and the '
        'channels.',
        'nn.ReLU() after both convolutions and the two hidden nn.Linear '
        'layers (none after the last); nn.MaxPool2d(kernel_size=2, '
        'stride=2) for both poolings; nn.Conv2d(1, 16, kernel_size=5, '
        'padding=2), then nn.Conv2d(16, 32, kernel_size=5). The first '
        'nn.Linear now reads 32 maps of 5x5.',
        _ex2.HINT_LENET,
    ],
    explain=_ex2.EXPLAIN_Q2)
