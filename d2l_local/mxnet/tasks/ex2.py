"""Tasks of exercise 2 (§6.6 ex. 2): a better LeNet, one change at a time.

q1 predicts, before the chart of the grid appears, which single change
raised the chapter's 5-epoch accuracy most; its right answer comes from the
saved grid (results/lenet_grid.csv), so it is the same in quick mode.  q2
builds one of the grid's variants: ReLU, max pooling, 16 and 32 channels of
5x5, checked by its layers, activations, shapes on a probe batch and
parameter count.
"""
import functools

from mxnet.gluon import nn  # noqa: F401 - the solution's namespace

from ..models import act_type, lenet
from ...results import read_result
from ...variants import variant_summary
from ...tasks import (Prediction, Task, ____, describe_error, expect_net, kind,
               reference_layers, reference_net, setting_difference,
               settings_problem, first_shape_mismatch)

__all__ = ['____', 'q1', 'q2']


def grid():
    """The saved grid by variant (d2l.variant_summary's entries)."""
    rows = read_result('lenet_grid.csv')
    return {entry['variant']: entry for entry in variant_summary(rows)}


def cite(entry):
    """A variant's accuracy as the text cites it, with its seeds."""
    if len(entry['accs']) == 1:
        return f'{entry["accs"][0]:.3f} (one seed)'
    return (f'{entry["low"]:.3f} to {entry["high"]:.3f} '
            f'({len(entry["accs"])} seeds, mean {entry["mean"]:.3f})')


# q1: which single change helps the 5-epoch baseline most?

CHOICES = {'a': ('relu', 'ReLU instead of sigmoid'),
           'b': ('max pool', 'max pooling instead of average pooling'),
           'c': ('channels 16/32',
                 '16 and 32 output channels instead of 6 and 16'),
           'd': ('dense 120', 'one hidden dense layer (120) instead of two')}


def best_choice(rows):
    """The letter of the choice whose grid rows have the highest mean
    accuracy."""
    return max(CHOICES, key=lambda c: rows[CHOICES[c][0]]['mean'])


def story(rows):
    """What the grid measured for each choice, in one sentence."""
    base = rows['baseline']
    parts = [f'{text}: {cite(rows[name])}'
             for name, text in CHOICES.values()]
    return (f'After 5 epochs the baseline reached {cite(base)}; '
            f'{"; ".join(parts)}. Judge each against the band in the '
            f"chart: the baseline's own spread over seeds.")


_ROWS = grid()
q1 = Prediction(
    'ex2.q1',
    options={letter: text for letter, (_, text) in CHOICES.items()},
    answer=best_choice(_ROWS),
    todo="set prediction to 'a', 'b', 'c' or 'd': the change you expect "
         'to raise the 5-epoch accuracy most.',
    where='the four options in the text above the cell',
    insight=story(_ROWS),
    hints=[
        "The chapter's sigmoid LeNet spends its first epoch or more near "
        'chance (0.1) in most seeds of the seed sweep: in 5 epochs, what '
        'holds it back is how fast it learns, not how big it is.',
        'ReLU is usually the better activation, but this change keeps the '
        "chapter's learning rate of 0.9, tuned for sigmoid: a ReLU's output "
        'is not bounded, so steps that large can go badly wrong.',
    ],
    explain=story(_ROWS))


# q2: build the variant with ReLU, max pooling, 16 and 32 channels of 5x5.

PROBE = (2, 1, 28, 28)  # a batch of two Fashion-MNIST images
LAYERS = ['Conv2D', 'MaxPool2D', 'Conv2D', 'MaxPool2D',
          'Dense', 'Dense', 'Dense']
VARIANT = dict(activation='relu', pooling='max', convs=((16, 5), (32, 5)))


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
    todo='set net to the LeNet with ReLU, max pooling and 16 and 32 '
         "channels of 5x5 (everything else as in the chapter's).",
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
        "d2l.lenet builds LeNets from arguments: activation='relu', "
        "pooling='max' and convs=((16, 5), (32, 5)) (channels, window per "
        'convolution).',
    ],
    explain="d2l.lenet(activation='relu', pooling='max', "
            'convs=((16, 5), (32, 5))) builds the same net in one line.')
