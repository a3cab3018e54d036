"""Tasks of exercise 2 (§6.6 ex. 2): a better LeNet, one change at a time.

q1 predicts, before the chart of the grid appears, which single change
raised the chapter's 5-epoch accuracy most; its right answer comes from the
saved grid (results/lenet_grid.csv), so it is the same in quick mode.  q2
builds one of the grid's variants: ReLU, max pooling, 16 and 32 channels of
5x5, checked by its layers, activations, shapes on a probe batch and
parameter count.  q1 and the texts of q2 that name no layer use no
framework: they are in tasks/neutral/ex2.py, shared with the PyTorch
edition.
"""
import functools

from mxnet.gluon import nn  # noqa: F401 - the solution's namespace

from ..models import act_type, lenet
from ...results import read_result
from ...tasks import (Task, ____, describe_error, expect_net, kind,
               reference_layers, reference_net, setting_difference,
               settings_problem, first_shape_mismatch)
from ...tasks.neutral import ex2 as _ex2
from ...tasks.neutral.ex2 import (  # noqa: F401 - this module's names
    CHOICES, PROBE, VARIANT, best_choice, cite, story)

__all__ = ['____', 'q1', 'q2']


def grid():
    """The saved grid by variant (d2l.variant_summary's entries)."""
    return _ex2.grid(read_result)


_ROWS = grid()
q1 = _ex2.make_q1(
    'ex2.q1', _ROWS,
    "The chapter's sigmoid LeNet spends its first epoch or more near "
    'chance (0.1) in most seeds of the seed sweep: in 5 epochs, what '
    'holds it back is how fast it learns, not how big it is.')


# q2: build the variant with ReLU, max pooling, 16 and 32 channels of 5x5.

LAYERS = ['Conv2D', 'MaxPool2D', 'Conv2D', 'MaxPool2D',
          'Dense', 'Dense', 'Dense']


@functools.cache
def reference():
    """The variant's output shape after each layer on PROBE and its number
    of parameters, from d2l.lenet(**VARIANT)."""
    return reference_net(lambda: lenet(**VARIANT), PROBE, 'ex2_reference_')


def _layer_problem(found):
    """What is wrong with the list of layer types, or None."""
    if found == LAYERS:
        return None
    tip = ''
    if 'AvgPool2D' in found:
        tip = ' Max pooling is nn.MaxPool2D (or pooling=\'max\').'
    elif 'Activation' in found:
        tip = (" Give Conv2D and Dense activation='relu' instead of "
               'separate Activation layers.')
    elif 'Flatten' in found:
        tip = ' Dense flattens its input itself: no Flatten needed.'
    return f'expected the layers {LAYERS}, found {found}.{tip}'


def _activation_problem(net, found):
    for i, layer in enumerate(net):
        act, last = act_type(layer), i == len(found) - 1
        if found[i] in ('Conv2D', 'Dense') and not last and act != 'relu':
            return (f'layer {i + 1} ({found[i]}) has activation {act!r}; '
                    f"this variant uses 'relu' in both convolutions and "
                    f'both hidden Dense layers.')
        if last and act is not None:
            return (f'the output layer Dense(10) has activation {act!r}; it '
                    f'should have none: the loss expects raw scores.')
    return None


# What to look at when a layer's setting differs from the variant's.
SETTING_TIPS = {
    'channels': 'its number of output channels: 16 in the first '
                'convolution, 32 in the second',
    'kernel_size': 'its kernel size: both convolutions use a 5x5 window '
                   '(kernel_size=5)',
    'padding': 'its padding: only the first convolution pads (padding=2 '
               'keeps 28x28); the second has none, so its maps shrink to '
               '10x10',
    'strides': 'its strides: a convolution moves one pixel at a time (the '
               'default), a pooling layer two (strides=2)',
    'pool_size': 'its pool size: both poolings read 2x2 blocks '
                 '(pool_size=2, strides=2)',
}


def _shape_problem(net):
    """Where the output shape on PROBE first differs, and what to look
    at, or None."""
    try:
        found = first_shape_mismatch(net, PROBE, reference()[0], _layers())
        if found:
            i, layer, got, want, ref = found
            differs = setting_difference(layer, ref)
            if differs:
                name, yours, theirs = differs
                tip = (f'{SETTING_TIPS[name]}; yours has {name}='
                       f'{yours}, the variant {name}={theirs}')
            elif got[1] != want[1]:
                tip = SETTING_TIPS['channels']
            else:
                tip = ('the settings of this layer and the one before it '
                       '(kernel size, padding, strides)')
            return (f'after layer {i + 1} ({type(layer).__name__}) the net '
                    f'gives shape {got} on a batch of shape {PROBE}, the '
                    f'variant {want}: check {tip}.')
    except Exception as e:  # noqa: BLE001 - the learner's net failed
        return (f'running your net layer by layer on a batch of shape '
                f'{PROBE} raised {describe_error(e)}.')
    return None


def assess_net(net):
    """None if `net` is the variant, else what is wrong with it (its
    layers, activations, shapes on PROBE, parameters)."""
    if not isinstance(net, (nn.Sequential, nn.HybridSequential)):
        return (f'expected a network built with nn.HybridSequential() and '
                f'net.add(...) (or d2l.lenet(...)), got {kind(net)}.')
    found = [type(layer).__name__ for layer in net]
    problem = _layer_problem(found) or _activation_problem(net, found)
    if problem:
        return problem
    out = (PROBE[0], 10)
    problem = (expect_net(PROBE, out)(net)  # initialises the net if need be
               or _shape_problem(net))
    if problem:
        return problem
    problem = expect_net(PROBE, out, layers=LAYERS,
                         params=reference()[1])(net)
    if problem:
        problem += settings_problem(net, _layers(), 'the variant')
    return problem


def _layers():
    return reference_layers(lambda: lenet(**VARIANT), 'ex2_layers_')


def _insight(rows):
    shapes, params = reference()
    maps, units = shapes[3][1:], shapes[4][1]  # into the first Dense
    dense = maps[0] * maps[1] * maps[2] * units + units
    chapter = rows['baseline']['params']
    trained = rows['relu+max 16/32 adam 10ep']
    return (f'Your net has {params:,} parameters, {params / chapter:.1f} '
            f"times the chapter's {chapter:,}; {dense / params:.0%} of them "
            f'are in the first Dense layer, which sees {maps[0]} maps of '
            f'{maps[1]}x{maps[2]}. The '
            f'grid trained this net with Adam for {trained["epochs"]} '
            f'epochs: {cite(trained)}.')


q2 = Task(
    'ex2.q2', assess_net,
    todo=_ex2.TODO_Q2,
    where="the chapter's model (lenet.ipynb, section \"The model\") and "
          'help(d2l.lenet)',
    insight=_insight(_ROWS),
    code="""
net = nn.HybridSequential()
net.add(nn.Conv2D(channels=16, kernel_size=5, padding=2, activation='relu'),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Conv2D(channels=32, kernel_size=5, activation='relu'),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Dense(120, activation='relu'),
        nn.Dense(84, activation='relu'),
        nn.Dense(10))
""",
    hints=[
        "Start from the chapter's LeNet, seven layers: two blocks of Conv2D "
        'then pooling, then three Dense layers. Three things change: the '
        'activation, the pooling and the channels.',
        "activation='relu' in both Conv2D and the two hidden Dense layers "
        '(the last Dense(10) has none); nn.MaxPool2D(pool_size=2, '
        'strides=2) for both poolings; 16 channels in the first Conv2D, 32 '
        'in the second, both with kernel_size=5. Only the first pads '
        '(padding=2).',
        _ex2.HINT_LENET,
    ],
    explain=_ex2.EXPLAIN_Q2)
