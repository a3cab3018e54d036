"""Tasks of exercise 3's PyTorch twin (§6.6 ex. 3): the better LeNet on
the original MNIST.

q1  write ``mnist_accuracy(net)``: load MNIST with the course's loader and
    return a net's accuracy on its test images; checked by calling it on a
    net of the check's own and comparing with the same computation done
    here (in quick mode too: both go through the same loader).
q2  predict how well the nearest-class-mean yardstick separates digits and
    clothes; the notebook computes it on the full arrays (quick mode or
    not), so the right answer does not depend on the mode.  The yardstick
    uses no framework: the options and the answer are the MXNet edition's.

Checking puts back the state of PyTorch's and NumPy's generators: building
the check's net and shuffling a training set draw numbers, and a checked
Task 1 must leave the training that follows as it was.  Nothing here
imports MXNet.
"""
import collections
import contextlib
import math
import numbers

from .. import (WRONG, Prediction, Result, Task, ____, describe_error,
                function_problem, is_blank, kind)

__all__ = ['____', 'q1', 'q2']

WHERE_EVAL = ('the chapter (lenet.ipynb): in section 6 '
              'd2l.load_data_fashion_mnist gives (train_iter, test_iter), '
              'and in section 8 train_ch6 calls '
              'evaluate_accuracy_gpu(net, test_iter)')

# What the learner's function returned, kept apart from a number passed
# to check() directly (a tuple, so a returned blank still reads as blank).
_Returned = collections.namedtuple('_Returned', 'value net')
SWAPPED = object()  # the function iterated over the net, not the data


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


SLIPS = {
    ('mnist', 'train'): 'that is the accuracy on MNIST\'s training images. '
                        'load_data_mnist returns (train_iter, test_iter): '
                        'evaluate on the second, the images the net never '
                        'trained on.',
    ('fashion', 'test'): 'that is the accuracy on Fashion-MNIST\'s test '
                         'images (clothes), not on the digits: load them '
                         'with d2l.load_data_mnist.',
    ('fashion', 'train'): 'that is the accuracy on Fashion-MNIST\'s '
                          'training images: load the digits with '
                          'd2l.load_data_mnist and evaluate on its test '
                          'iterator, the second it returns.',
}


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
    if not isinstance(answer, _Returned):
        return ('pass the function itself, q1.check(mnist_accuracy), not '
                'its result: the check calls it on a net of its own.')
    value = answer.value
    if value is SWAPPED:
        return ('the function tried to iterate over the net: '
                'd2l.evaluate_accuracy_gpu takes the net first, then the '
                'data, evaluate_accuracy_gpu(net, test_iter).')
    value = _number(value)  # a tensor holding one number
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return (f'mnist_accuracy(net) should return a number, the '
                f'accuracy, but returned {kind(value)}.')
    found = float(value)
    if not (math.isfinite(found) and 0 <= found <= 1):
        return (f'mnist_accuracy(net) returned {found}, but an accuracy is '
                f'a fraction from 0 to 1 (the share of images the net gets '
                f'right), as d2l.evaluate_accuracy_gpu returns it.')
    expected = None
    for split, acc, data_iter in accuracies(answer.net):
        if expected is None:
            expected, n = acc, len(data_iter.images)
            if abs(found - expected) <= tol:
                return None
        elif abs(found - acc) <= tol:
            return (f'mnist_accuracy returned {found:.4f}: {SLIPS[split]} '
                    f'Expected {expected:.4f}.')
    return (f'on the check\'s net, mnist_accuracy should return '
            f'{expected:.4f} (its accuracy on the {n:,} MNIST test '
            f'images), but returned {found:.4f}. Did the function '
            f'evaluate the net it was given?')


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


class NetFunctionTask(Task):
    """A task whose answer is a function of a net: check() calls it on
    `probe()` and assesses what it returned."""

    def __init__(self, *args, probe, **kwargs):
        super().__init__(*args, call=True, **kwargs)
        self.probe = probe

    def grade(self, answer):
        if is_blank(answer) or not callable(answer):
            return super().grade(answer)
        with generators_kept():
            return self._grade_function(answer)

    def _grade_function(self, answer):
        """Grade the function `answer`: call it on the probe net."""
        problem = function_problem(answer, 'mnist_accuracy(net)', 1)
        if problem:
            return self.wrong(problem)
        try:
            function, net = answer, self.probe()
        except Exception as e:  # noqa: BLE001 - no data: not the learner's
            return Result(WRONG, f'The check could not load MNIST to try '
                                 f'your function on: {describe_error(e)}')

        def returned():
            try:
                return _Returned(function(net), net)
            except TypeError as e:
                if not _iterated_the_net(e):
                    raise
                return _Returned(SWAPPED, net)
        return super().grade(returned)


q1 = NetFunctionTask(
    'pytorch.ex3.q1', assess_mnist_accuracy,
    todo='write the body of mnist_accuracy(net): load MNIST with the '
         'course\'s loader and return the accuracy of `net` on its test '
         'images; then run the cell.',
    where=WHERE_EVAL,
    insight='mnist_accuracy works for any net. The check gave it the '
            'nearest-class-mean yardstick of the next section written as '
            'one nn.Linear layer: its weights are the ten average training '
            'digits, no gradient descent involved.',
    code='''
def mnist_accuracy(net):
    """Return the accuracy of `net` on the MNIST test images."""
    train_iter, test_iter = d2l.load_data_mnist(batch_size=256)
    return d2l.evaluate_accuracy_gpu(net, test_iter)
''',
    hints=['Two steps: the course\'s loader for the digits returns two '
           'iterators, and d2l.evaluate_accuracy_gpu counts the right '
           'answers of a net on one of them.',
           'train_iter, test_iter = d2l.load_data_mnist(batch_size=256); '
           'the test images are the second iterator.',
           'd2l.evaluate_accuracy_gpu takes the net first, then the data: '
           'return d2l.evaluate_accuracy_gpu(net, test_iter).'],
    explain='The loader hands out mini-batches of the images held in '
            'memory; evaluate_accuracy_gpu runs the net on each batch and '
            'counts how often the largest output is the true class. The '
            'batch size changes the speed, not the accuracy. Without a '
            'device, evaluate_accuracy_gpu computes where the net\'s '
            'parameters live, so the same function serves a net trained '
            'on a GPU.',
    probe=probe_net)

# The nearest-class-mean yardstick's test accuracy on digits and clothes,
# computed in the notebook on the full arrays (quick mode or not).
YARDSTICK_OPTIONS = {
    'a': 'close to guessing on both (below 0.3; guessing gets 0.1)',
    'b': 'well above guessing on both, and at least 0.1 better on the '
         'digits than on the clothes',
    'c': 'well above guessing on both, and about as good on the clothes '
         'as on the digits (within 0.1)',
}


def yardstick_letter(digits_acc, clothes_acc):
    """The option that the yardstick's two accuracies make true (or None
    if none does, e.g. clothes far ahead of digits)."""
    if max(digits_acc, clothes_acc) < 0.3:
        return 'a'
    if min(digits_acc, clothes_acc) < 0.3:
        return None
    if digits_acc - clothes_acc >= 0.1:
        return 'b'
    if abs(digits_acc - clothes_acc) < 0.1:
        return 'c'
    return None


q2 = Prediction(
    'pytorch.ex3.q2', YARDSTICK_OPTIONS,
    answer='b',  # digits 0.820, clothes 0.677 on the full test sets
    todo='replace ____ with \'a\', \'b\' or \'c\', your prediction, and '
         'run the cell.',
    where='the three options above the prediction cell',
    insight='Ten average images already sort most digits: a digit is '
            'mostly its shape. The clothes lose most on shirts, pullovers '
            'and coats, whose averages are nearly one silhouette.',
    hints=['Guessing gets 0.1. Picture the average of all the 1s in the '
           'training set: a blurred bar. Is a new 1 closer to it or to '
           'the blurred 8?',
           'Now picture the average shirt, pullover and coat: what tells '
           'them apart at 28x28 pixels?'],
    explain='A class mean is a blurred template; most test digits are '
            'nearest to their own class\'s template, while shirts, '
            'pullovers and coats share one blurred outline.')
