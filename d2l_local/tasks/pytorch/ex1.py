"""Tasks of exercise 1's PyTorch twin (§6.6 ex. 1): max pooling instead of
average pooling.

q1 builds the max-pooling LeNet as an nn.Module: the book's v0.17.6
nn.Sequential with each nn.AvgPool2d replaced by nn.MaxPool2d.  q2
predicts, before the training runs, where max pooling's runs land against
the spread of average pooling's.  q2's right answer comes from the saved
full-data PyTorch runs (results/pytorch/: the chapter's seed sweep and the
LeNet grid's 'max pool' rows), never from the notebook's own run, so it is
the same in quick mode.  q2 and the texts of q1 that name no layer use
no framework: they are in tasks/neutral/ex1.py, shared with the MXNet
edition.  Nothing here imports MXNet.
"""
import functools

import torch
from torch import nn

from .. import Task, ____, describe_error, kind, run_net, show
from ..neutral import ex1 as _ex1
from ..neutral.ex1 import PROBE, story, verdict  # noqa: F401
from .layers import is_lazy, leaves, probe_batch, reference_of, settings
from ...torch.models import lenet
from ...torch.results import read_result

__all__ = ['____', 'q1', 'q2']

LAYERS = ['Conv2d', 'Sigmoid', 'MaxPool2d', 'Conv2d', 'Sigmoid',
          'MaxPool2d', 'Flatten', 'Linear', 'Sigmoid', 'Linear', 'Sigmoid',
          'Linear']
OTHER_ACTIVATIONS = ('ReLU', 'Tanh', 'LeakyReLU', 'ELU', 'GELU', 'SiLU',
                     'Softmax', 'LogSoftmax', 'Hardsigmoid', 'Softplus')


@functools.cache
def reference():
    """The layers of d2l.lenet(pooling='max'), their output shapes on
    PROBE and the net's number of parameters (drawing no number from the
    notebook's generators)."""
    return reference_of(lambda: lenet(pooling='max'), PROBE)


def settings_problem(layers):
    """' Layer 8 (Linear) has in_features=7, the chapter's in_features=400.'
    for the first layer whose settings differ from the reference's, or ''."""
    for i, (layer, ref) in enumerate(zip(layers, reference()[0])):
        mine, theirs = settings(layer), settings(ref)
        for name, value in theirs.items():
            if mine.get(name) != value:
                return (f' Layer {i + 1} ({type(layer).__name__}) has '
                        f'{name}={show(mine.get(name))}, the chapter\'s '
                        f'{name}={value}.')
    return ''


def first_difference(layers, X):
    """After which layer the output shape on X first differs from the
    reference's, or what running the layers raised, or ''."""
    try:
        with torch.no_grad():
            for i, (layer, want) in enumerate(zip(layers, reference()[1])):
                X = layer(X)
                got = tuple(getattr(X, 'shape', ()))
                if got != want:
                    return (f' After layer {i + 1} ({type(layer).__name__})'
                            f' your net gives shape {got}, the chapter\'s '
                            f'LeNet gives {want}.')
    except Exception as e:  # noqa: BLE001 - the learner's net failed
        return f' Running it layer by layer raised {describe_error(e)}.'
    return ''


def _probe(net):
    """A batch of zeros of shape PROBE on the device of net's weights."""
    return probe_batch(PROBE, [net])


def _materialize(net):
    """Run net once if it has lazy layers (nn.LazyConv2d, nn.LazyLinear),
    so they learn their input sizes; what that raises, or None."""
    if is_lazy(net):
        _, problem = run_net(net, _probe(net))
        return problem
    return None


def layer_problem(found):
    """What is wrong with the layer names `found`, or None."""
    if 'AvgPool2d' in found:
        return (f'your net still has average pooling (its layers: {found}).'
                f' Replace each nn.AvgPool2d by nn.MaxPool2d(kernel_size=2,'
                f' stride=2).')
    if found == LAYERS:
        return None
    if sorted(found) == sorted(LAYERS):
        return (f'the layers are right but their order is not: found '
                f'{found}. Each convolution is followed by its sigmoid '
                f'and then its pooling; nn.Flatten() and the three '
                f'nn.Linear layers come last.')
    others = [name for name in found if name in OTHER_ACTIVATIONS]
    if others:
        return (f'your net has {others[0]} where the chapter\'s LeNet has '
                f'nn.Sigmoid() (its layers: {found}). Keep the sigmoid after '
                f'both convolutions and both hidden nn.Linear layers: only '
                f'the pooling changes here.')
    if found[-1:] == ['Sigmoid'] and found[:-1] == LAYERS:
        return ('the output layer nn.Linear(84, 10) has a sigmoid after it;'
                ' it should have none: the loss expects raw scores.')
    extra = ''
    if 'Flatten' not in found:
        extra = (' nn.Linear reads one vector per image: put nn.Flatten() '
                 'between the last pooling and the first nn.Linear.')
    elif found.count('Sigmoid') != LAYERS.count('Sigmoid'):
        extra = (f' The chapter\'s LeNet has {LAYERS.count("Sigmoid")} '
                 f'nn.Sigmoid() layers, yours {found.count("Sigmoid")}: one '
                 f'after each convolution and each hidden nn.Linear.')
    return f'expected the layers {LAYERS}, found {found}.{extra}'


def assess_net(net):
    """None if `net` is the chapter's LeNet with max pooling, else what is
    wrong with it (the layers, their settings, shapes, parameters)."""
    if not isinstance(net, nn.Module):
        return (f'expected a PyTorch network built with nn.Sequential(...),'
                f' as the chapter\'s, got {kind(net)}.')
    if not isinstance(net, nn.Sequential):
        return (f'expected a network built with nn.Sequential(...), as the '
                f'chapter\'s, got {kind(net)}: the check reads its layers '
                f'in order.')
    problem = _materialize(net)
    if problem:
        return problem
    layers = leaves(net)
    problem = layer_problem([type(layer).__name__ for layer in layers])
    if problem:
        return problem
    X = _probe(net)
    why = settings_problem(layers)
    shapes = first_difference(layers, X)
    if why or shapes:
        return f'your net is not the chapter\'s LeNet.{shapes}{why}'
    with torch.no_grad():
        out, problem = run_net(net, X)
    if problem:
        return problem
    shape = tuple(getattr(out, 'shape', ()))
    if not isinstance(out, torch.Tensor) or shape != (PROBE[0], 10):
        return (f'on a batch of shape {PROBE} the net should give '
                f'{(PROBE[0], 10)}, gave '
                f'{shape if isinstance(out, torch.Tensor) else kind(out)}.')
    params, want = sum(p.numel() for p in net.parameters()), reference()[2]
    if params != want:
        return f'expected {want:,} parameters, found {params:,}.'
    return None


SOLUTION = """
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.Sigmoid(),
    nn.Linear(84, 10))
"""

q1 = Task(
    'pytorch.ex1.q1', assess_net,
    todo="set net to the chapter's LeNet with each nn.AvgPool2d replaced "
         'by nn.MaxPool2d.',
    where="the chapter's model (lenet.ipynb, section \"3. The model\")",
    insight=_ex1.insight_q1(reference()[2]),
    code=SOLUTION,
    hints=[
        "Start from the chapter's nn.Sequential: two blocks of nn.Conv2d, "
        'nn.Sigmoid() and pooling, then nn.Flatten() and three nn.Linear '
        'layers. Only the two pooling layers change.',
        'Each nn.AvgPool2d(kernel_size=2, stride=2) becomes '
        'nn.MaxPool2d(kernel_size=2, stride=2). Keep nn.Sigmoid() after '
        'both convolutions and the two hidden nn.Linear layers, and '
        'padding=2 in the first nn.Conv2d.',
        'In order: nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), '
        'nn.MaxPool2d, nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), '
        'nn.MaxPool2d, nn.Flatten(), nn.Linear(16 * 5 * 5, 120), '
        'nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10).',
    ],
    explain=_ex1.EXPLAIN_Q1)


# q2: where do max pooling's runs land against average pooling's spread?

def saved_runs():
    """Test accuracy after 5 epochs, {seed: accuracy}, of the saved
    full-data PyTorch runs: average pooling (the chapter's seed sweep) and
    max pooling (the LeNet grid's 'max pool' rows)."""
    return _ex1.saved_runs(read_result)


_AVG, _MAX = saved_runs()
q2 = _ex1.make_q2(
    'pytorch.ex1.q2', _AVG, _MAX,
    'Look at how far apart the 8 average-pooling runs already are: '
    'to land beyond that spread, a change must lift every seed by more '
    'than the seeds differ among themselves.')
