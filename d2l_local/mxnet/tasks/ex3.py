"""Tasks of exercise 3 (§6.6 ex. 3): the better LeNet on the original MNIST.

q1  write ``mnist_accuracy(net)``: load MNIST with the course's loader and
    return a net's accuracy on its test images; checked by calling it on a
    net of the check's own and comparing with the same computation done
    here (in quick mode too: both go through the same loader).
q2  predict how well the nearest-class-mean yardstick separates digits and
    clothes; the notebook computes it on the full arrays (quick mode or
    not), so the right answer does not depend on the mode.

What uses no framework (q2, the messages, the checking) is in
tasks/neutral/ex3.py, shared with the PyTorch edition.
"""
from ...tasks import ____
from ...tasks.neutral import ex3 as _ex3
from ...tasks.neutral.ex3 import (  # noqa: F401 - this module's names
    SLIPS, SWAPPED, YARDSTICK_OPTIONS, NetFunctionTask, _Returned,
    yardstick_letter)

__all__ = ['____', 'q1', 'q2']

WHERE_EVAL = ('the chapter (lenet.ipynb), where load_data_fashion_mnist '
              'gives (train_iter, test_iter) and train_ch5 calls '
              'evaluate_accuracy(test_iter, net, ctx)')


def mean_net(images, labels, num_classes=10):
    """Return the nearest-class-mean classifier as one Dense layer.

    The nearest mean m_c to x minimises |x - m_c|^2, that is maximises
    x.m_c - |m_c|^2 / 2: a linear score with weights m_c (the average
    training image of class c, pixels in [0, 1]) and bias -|m_c|^2 / 2.
    """
    import numpy as np
    from mxnet import nd
    from mxnet.gluon import nn
    means = np.stack([images[labels == c].mean(0).ravel()
                      for c in range(num_classes)]) / 255
    net = nn.Dense(num_classes, in_units=means.shape[1])
    net.initialize()
    net.weight.set_data(nd.array(means))
    net.bias.set_data(nd.array(-(means ** 2).sum(1) / 2))
    return net


def probe_net():
    """The net the check hands to the learner's function: MNIST's
    nearest-class-mean classifier (from the loader's training images)."""
    from .. import load_data_mnist
    train_iter, _ = load_data_mnist(256)
    return mean_net(train_iter.images, train_iter.labels)


def accuracies(net):
    """Yield (split, accuracy, iterator) for each split a learner might
    evaluate `net` on, MNIST's test set first: a right answer costs one
    pass over it, a wrong one is told which split it matches."""
    from .. import evaluate_accuracy, load_data_fashion_mnist, \
        load_data_mnist
    loaders = {'mnist': load_data_mnist, 'fashion': load_data_fashion_mnist}
    for data, load in loaders.items():
        train_iter, test_iter = load(256)
        yield (data, 'test'), evaluate_accuracy(test_iter, net), test_iter
        yield (data, 'train'), evaluate_accuracy(train_iter, net), train_iter


def _number(value):
    """`value` as a Python number if it is an NDArray holding one number,
    else `value` itself."""
    if hasattr(value, 'asscalar') and getattr(value, 'size', 0) == 1:
        return value.asscalar()
    return value


def assess_mnist_accuracy(answer, tol=1e-6):
    """None if `answer` (what mnist_accuracy returned) is the probe net's
    MNIST test accuracy, else what is wrong."""
    return _ex3.assess_mnist_accuracy(
        answer, accuracies, _number, 'd2l.evaluate_accuracy',
        'd2l.evaluate_accuracy takes the data first, then the net, '
        'evaluate_accuracy(test_iter, net).', tol)


def _iterated_the_net(error):
    """True if TypeError `error` came from iterating over a net, as
    evaluate_accuracy(net, test_iter) does."""
    return 'not iterable' in str(error)


q1 = NetFunctionTask(
    'ex3.q1', assess_mnist_accuracy,
    todo=_ex3.TODO_Q1,
    where=WHERE_EVAL,
    insight=_ex3.insight_q1('dense'),
    code='''
def mnist_accuracy(net):
    """Return the accuracy of `net` on the MNIST test images."""
    train_iter, test_iter = d2l.load_data_mnist(batch_size=256)
    return d2l.evaluate_accuracy(test_iter, net)
''',
    hints=['Two steps: the course\'s loader for the digits returns two '
           'iterators, and d2l.evaluate_accuracy counts the right answers '
           'of a net on one of them.',
           _ex3.HINT_LOADER,
           'd2l.evaluate_accuracy takes the data first, then the net: '
           'return d2l.evaluate_accuracy(test_iter, net).'],
    explain='The loader hands out mini-batches of the images held in '
            'memory; evaluate_accuracy runs the net on each batch and '
            'counts how often the largest output is the true class. The '
            'batch size changes the speed, not the accuracy. '
            'evaluate_accuracy computes on the CPU unless given a ctx: for '
            'a net trained on a GPU, pass the ctx it lives on, '
            'd2l.evaluate_accuracy(test_iter, net, ctx).',
    probe=probe_net, iterated=_iterated_the_net)

q2 = _ex3.make_q2('ex3.q2')
