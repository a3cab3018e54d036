"""Exercise 3's tasks without a framework: q2, the yardstick prediction,
whole; for q1, the check of what ``mnist_accuracy(net)`` returned and the
task that calls it on the check's net.  Each side passes what names its
framework: the net, its evaluation function, how a number is read from
its arrays.
"""
import collections
import contextlib
import math
import numbers

from .. import (WRONG, Prediction, Result, Task, describe_error,
                function_problem, is_blank, kind)

# What the learner's function returned, kept apart from a number passed
# to check() directly (a tuple, so a returned blank still reads as blank).
_Returned = collections.namedtuple('_Returned', 'value net')
SWAPPED = object()  # the function iterated over the net, not the data

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

TODO_Q1 = ('write the body of mnist_accuracy(net): load MNIST with the '
           'course\'s loader and return the accuracy of `net` on its test '
           'images; then run the cell.')
HINT_LOADER = (
    'train_iter, test_iter = d2l.load_data_mnist(batch_size=256); '
    'the test images are the second iterator.')


def insight_q1(layer):
    """What a right q1 earns; `layer` names the side's dense layer."""
    return ('mnist_accuracy works for any net. The check gave it the '
            'nearest-class-mean yardstick of the next section written as '
            f'one {layer} layer: its weights are the ten average training '
            'digits, no gradient descent involved.')


def assess_mnist_accuracy(answer, accuracies, number, evaluate, swapped,
                          tol=1e-6):
    """None if `answer` (what mnist_accuracy returned) is the probe net's
    MNIST test accuracy, the first `accuracies(net)` yields, else what is
    wrong.  `number` reads a number out of the side's arrays, `evaluate`
    names its evaluation function and `swapped` says how to call it."""
    if not isinstance(answer, _Returned):
        return ('pass the function itself, q1.check(mnist_accuracy), not '
                'its result: the check calls it on a net of its own.')
    value = answer.value
    if value is SWAPPED:
        return f'the function tried to iterate over the net: {swapped}'
    value = number(value)  # an array holding one number
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return (f'mnist_accuracy(net) should return a number, the '
                f'accuracy, but returned {kind(value)}.')
    found = float(value)
    if not (math.isfinite(found) and 0 <= found <= 1):
        return (f'mnist_accuracy(net) returned {found}, but an accuracy is '
                f'a fraction from 0 to 1 (the share of images the net gets '
                f'right), as {evaluate} returns it.')
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


class NetFunctionTask(Task):
    """A task whose answer is a function of a net: check() calls it on
    `probe()` and assesses what it returned.  `iterated(error)` tells a
    TypeError from iterating over the net (the arguments swapped); the
    call runs within `kept()`, e.g. a block that puts random state back."""

    def __init__(self, *args, probe, iterated, kept=contextlib.nullcontext,
                 **kwargs):
        super().__init__(*args, call=True, **kwargs)
        self.probe, self.iterated, self.kept = probe, iterated, kept

    def grade(self, answer):
        if is_blank(answer) or not callable(answer):
            return super().grade(answer)
        with self.kept():
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
                if not self.iterated(e):
                    raise
                return _Returned(SWAPPED, net)
        return super().grade(returned)


# q2: the nearest-class-mean yardstick's test accuracy on digits and
# clothes, computed in the notebook on the full arrays (quick mode or not).
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


def make_q2(name):
    """Task 2, the yardstick prediction, registered as `name`."""
    return Prediction(
        name, YARDSTICK_OPTIONS,
        answer='b',  # digits 0.820, clothes 0.677 on the full test sets
        todo='replace ____ with \'a\', \'b\' or \'c\', your prediction, and '
             'run the cell.',
        where='the three options above the prediction cell',
        insight='Ten average images already sort most digits: a digit is '
                'mostly its shape. The clothes lose most on shirts, '
                'pullovers and coats, whose averages are nearly one '
                'silhouette.',
        hints=['Guessing gets 0.1. Picture the average of all the 1s in the '
               'training set: a blurred bar. Is a new 1 closer to it or to '
               'the blurred 8?',
               'Now picture the average shirt, pullover and coat: what '
               'tells them apart at 28x28 pixels?'],
        explain='A class mean is a blurred template; most test digits are '
                'nearest to their own class\'s template, while shirts, '
                'pullovers and coats share one blurred outline.')
