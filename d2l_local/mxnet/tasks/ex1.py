"""Tasks of exercise 1 (§6.6 ex. 1): max pooling instead of average.

q1 builds the max-pooling LeNet; q2 predicts, before the training runs,
where max pooling's runs land against the spread of average pooling's.
q2's right answer comes from the saved full-data runs (the chapter's seed
sweep and the LeNet grid), never from the notebook's own run, so it is the
same in quick mode.  q2 and the texts of q1 that name no layer use no
framework: they are in tasks/neutral/ex1.py, shared with the PyTorch
edition.
"""
import functools

from mxnet.gluon import nn

from ..models import act_type, lenet
from ...results import read_result
from ...tasks import (Task, ____, describe_error, expect_net, kind,
               reference_layers, reference_net, setting_difference,
               settings_problem, first_shape_mismatch)
from ...tasks.neutral import ex1 as _ex1
from ...tasks.neutral.ex1 import PROBE, story, verdict  # noqa: F401

__all__ = ['____', 'q1', 'q2']

LAYERS = ['Conv2D', 'MaxPool2D', 'Conv2D', 'MaxPool2D',
          'Dense', 'Dense', 'Dense']


@functools.cache
def reference():
    """The reference net's output shape after each layer on PROBE and its
    number of parameters (the net: d2l.lenet(pooling='max'))."""
    return reference_net(lambda: lenet(pooling='max'), PROBE,
                         'ex1_reference_')


def first_difference(net):
    """Say after which layer `net`'s output shape on PROBE first differs
    from the reference's, and in which setting, or return ''."""
    try:
        found = first_shape_mismatch(net, PROBE, reference()[0], _layers())
        if found:
            i, layer, got, want, ref = found
            differs = setting_difference(layer, ref)
            why = (f' Its {differs[0]} is {differs[1]}, the chapter\'s '
                   f'{differs[2]}.' if differs else '')
            return (f' After layer {i + 1} ({type(layer).__name__}) '
                    f'your net gives shape {got}, the chapter\'s LeNet '
                    f'gives {want}.{why}')
    except Exception as e:  # noqa: BLE001 - the learner's net failed
        return (f' Running it layer by layer raised '
                f'{describe_error(e)}.')
    return ''


def assess_net(net):
    """None if `net` is the chapter's LeNet with max pooling, else what is
    wrong with it (the layers, their activations, shapes, parameters)."""
    if not isinstance(net, (nn.Sequential, nn.HybridSequential)):
        return (f'expected a network built with nn.HybridSequential() and '
                f'net.add(...), got {kind(net)}.')
    found = [type(layer).__name__ for layer in net]
    if 'AvgPool2D' in found:
        return (f'your net still has average pooling (its layers: {found}). '
                f'Replace each nn.AvgPool2D by nn.MaxPool2D(pool_size=2, '
                f'strides=2).')
    if sorted(found) == sorted(LAYERS) and found != LAYERS:
        return (f'the layers are right but their order is not: found '
                f'{found}. Each pooling layer follows its convolution; the '
                f'three Dense layers come last.')
    if found != LAYERS:
        extra = ''
        if 'Flatten' in found:
            extra = ' Dense flattens its input itself: no Flatten needed.'
        elif 'Activation' in found:
            extra = (" Give Conv2D and Dense activation='sigmoid' instead "
                     "of separate Activation layers.")
        return f'expected the layers {LAYERS}, found {found}.{extra}'
    for i, layer in enumerate(net):
        act, last = act_type(layer), i == len(LAYERS) - 1
        if found[i] in ('Conv2D', 'Dense') and not last and act != 'sigmoid':
            return (f'layer {i + 1} ({found[i]}) has activation {act!r}; '
                    f"the chapter's LeNet uses 'sigmoid' in both "
                    f'convolutions and both hidden Dense layers, and only '
                    f'the pooling changes here.')
        if last and act is not None:
            return (f'the output layer Dense(10) has activation {act!r}; it '
                    f'should have none: the loss expects raw scores.')
    _, params = reference()
    problem = expect_net(PROBE, (PROBE[0], 10), layers=LAYERS,
                         params=params)(net)
    if problem is not None:
        problem += first_difference(net) or settings_problem(
            net, _layers(), "the chapter's LeNet")
    return problem


def _layers():
    return reference_layers(lambda: lenet(pooling='max'), 'ex1_layers_')


def _solution():
    return """
net = nn.HybridSequential()
net.add(nn.Conv2D(channels=6, kernel_size=5, padding=2, activation='sigmoid'),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Conv2D(channels=16, kernel_size=5, activation='sigmoid'),
        nn.MaxPool2D(pool_size=2, strides=2),
        nn.Dense(120, activation='sigmoid'),
        nn.Dense(84, activation='sigmoid'),
        nn.Dense(10))
"""


q1 = Task(
    'ex1.q1', assess_net,
    todo="set net to the chapter's LeNet with each nn.AvgPool2D replaced "
         'by nn.MaxPool2D.',
    where="the chapter's model (lenet.ipynb, section \"The model\")",
    insight=_ex1.insight_q1(reference()[1]),
    code=_solution(),
    hints=[
        "Start from the chapter's LeNet: nn.HybridSequential() with two "
        'blocks of Conv2D then pooling, then three Dense layers. Only the '
        'two pooling layers change.',
        "Each nn.AvgPool2D(pool_size=2, strides=2) becomes "
        'nn.MaxPool2D(pool_size=2, strides=2). Keep activation=\'sigmoid\' '
        'in both Conv2D and the two hidden Dense layers, and padding=2 in '
        'the first Conv2D.',
        'In order: Conv2D(channels=6, kernel_size=5, padding=2), '
        'MaxPool2D, Conv2D(channels=16, kernel_size=5), MaxPool2D, '
        'Dense(120), Dense(84), Dense(10), the last without activation.',
    ],
    explain=_ex1.EXPLAIN_Q1)


# q2: where do max pooling's runs land against average pooling's spread?

def saved_runs():
    """Test accuracy after 5 epochs, {seed: accuracy}, of the saved
    full-data runs: average pooling (the chapter's seed sweep) and max
    pooling (the LeNet grid's 'max pool' rows)."""
    return _ex1.saved_runs(read_result)


_AVG, _MAX = saved_runs()
q2 = _ex1.make_q2(
    'ex1.q2', _AVG, _MAX,
    'A change that helps at every step of training, not only at the '
    'start, lifts every seed\'s run by about the same amount.')
