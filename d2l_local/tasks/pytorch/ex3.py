"""Tasks of exercise 3's PyTorch twin (§6.6 ex. 3): the better LeNet on
the original MNIST.

q1  write ``mnist_accuracy(net)``: load MNIST with the course's loader and
    return a net's accuracy on its test images; checked by calling it on a
    net of the check's own and comparing with the same computation done
    here (in quick mode too: both go through the same loader).
q2  predict how well the nearest-class-mean yardstick separates digits and
    clothes; the notebook computes it on the full arrays (quick mode or
    not), so the right answer does not depend on the mode.  The yardstick
    uses no framework: q2 is the MXNet edition's (tasks/neutral/ex3.py).

Checking puts back the state of PyTorch's and NumPy's generators: building
the check's net and shuffling a training set draw numbers, and a checked
Task 1 must leave the training that follows as it was.  Nothing here
imports MXNet.
"""
import contextlib
import math

from .. import ____
from ..neutral import ex3 as _ex3
from ..neutral.ex3 import (  # noqa: F401 - this module's names
    SLIPS, SWAPPED, YARDSTICK_OPTIONS, NetFunctionTask, _Returned,
    yardstick_letter)

__all__ = ['____', 'q1', 'q2']

WHERE_EVAL = ('the chapter (lenet.ipynb): in section 6 '
              'd2l.load_data_fashion_mnist gives (train_iter, test_iter), '
              'and in section 8 train_ch6 calls '
              'evaluate_accuracy_gpu(net, test_iter)')


def mean_net(images, labels, num_classes=10):
    """Return the nearest-class-mean classifier as nn.Flatten and one
    nn.Linear layer.

    The nearest mean m_c to x minimises |x - m_c|^2, that is maximises
    x.m_c - |m_c|^2 / 2: a linear score with weights m_c (the average
    training image of class c, pixels in [0, 1]) and bias -|m_c|^2 / 2.
    """
    import numpy as np
    import torch
    from torch import nn
    means = np.stack([images[labels == c].mean(0).ravel()
                      for c in range(num_classes)]) / 255
    linear = nn.Linear(means.shape[1], num_classes)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(means, dtype=torch.float32))
        linear.bias.copy_(torch.tensor(-(means ** 2).sum(1) / 2,
                                       dtype=torch.float32))
    return nn.Sequential(nn.Flatten(), linear)


def probe_net():
    """The net the check hands to the learner's function: MNIST's
    nearest-class-mean classifier (from the loader's training images)."""
    from ...torch.data import load_data_mnist
    train_iter, _ = load_data_mnist(256)
    return mean_net(train_iter.images, train_iter.labels)


def accuracies(net):
    """Yield (split, accuracy, iterator) for each split a learner might
    evaluate `net` on, MNIST's test set first: a right answer costs one
    pass over it, a wrong one is told which split it matches."""
    from ...torch.data import load_data_fashion_mnist, load_data_mnist
    from ...torch.training import evaluate_accuracy_gpu
    loaders = {'mnist': load_data_mnist, 'fashion': load_data_fashion_mnist}
    for data, load in loaders.items():
        train_iter, test_iter = load(256)
        yield ((data, 'test'), evaluate_accuracy_gpu(net, test_iter),
               test_iter)
        yield ((data, 'train'), evaluate_accuracy_gpu(net, train_iter),
               train_iter)


def _number(value):
    """`value` as a Python number if it is a tensor or array holding one
    number, else `value` itself."""
    if (hasattr(value, 'item') and hasattr(value, 'shape')
            and getattr(value, 'ndim', None) is not None
            and math.prod(value.shape) == 1):
        try:
            return value.item()
        except (TypeError, ValueError, RuntimeError):
            return value
    return value


def assess_mnist_accuracy(answer, tol=1e-6):
    """None if `answer` (what mnist_accuracy returned) is the probe net's
    MNIST test accuracy, else what is wrong."""
    return _ex3.assess_mnist_accuracy(
        answer, accuracies, _number, 'd2l.evaluate_accuracy_gpu',
        'd2l.evaluate_accuracy_gpu takes the net first, then the data, '
        'evaluate_accuracy_gpu(net, test_iter).', tol)


@contextlib.contextmanager
def generators_kept():
    """Put back the state of PyTorch's and NumPy's generators on leaving:
    what the check draws does not change the notebook's next draws."""
    import numpy as np
    import torch
    state = np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            yield
    finally:
        np.random.set_state(state)


def _iterated_the_net(error):
    """True if TypeError `error` came from iterating over a net, as
    evaluate_accuracy_gpu(test_iter, net) does."""
    text = str(error)
    return 'cannot unpack non-iterable' in text or 'not iterable' in text


q1 = NetFunctionTask(
    'pytorch.ex3.q1', assess_mnist_accuracy,
    todo=_ex3.TODO_Q1,
    where=WHERE_EVAL,
    insight=_ex3.insight_q1('nn.Linear'),
    code='''
def mnist_accuracy(net):
    """Return the accuracy of `net` on the MNIST test images."""
    train_iter, test_iter = d2l.load_data_mnist(batch_size=256)
    return d2l.evaluate_accuracy_gpu(net, test_iter)
''',
    hints=['Two steps: the course\'s loader for the digits returns two '
           'iterators, and d2l.evaluate_accuracy_gpu counts the right '
           'answers of a net on one of them.',
           _ex3.HINT_LOADER,
           'd2l.evaluate_accuracy_gpu takes the net first, then the data: '
           'return d2l.evaluate_accuracy_gpu(net, test_iter).'],
    explain='The loader hands out mini-batches of the images held in '
            'memory; evaluate_accuracy_gpu runs the net on each batch and '
            'counts how often the largest output is the true class. The '
            'batch size changes the speed, not the accuracy. Without a '
            'device, evaluate_accuracy_gpu computes where the net\'s '
            'parameters live, so the same function serves a net trained '
            'on a GPU.',
    probe=probe_net, iterated=_iterated_the_net,
    kept=generators_kept)

q2 = _ex3.make_q2('pytorch.ex3.q2')
