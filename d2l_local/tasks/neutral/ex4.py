"""Exercise 4's tasks without a framework: q1, the prediction of a
sigmoid map's background, and for q2 the texts, the numbers the check's
nets and image are made of, the comparison of arrays and the task that
calls ``layer2_maps(net, x)`` on the check's nets.  The nets themselves,
what a slip returns and the messages that name a layer are each side's.
"""
import collections

import numpy as np

from .. import BLANK, Prediction, Result, Task, function_problem, is_blank

BACKGROUND_OPTIONS = {
    'a': '0 (black): where the image is empty, no map responds',
    'b': 'sigmoid(b), b the map\'s bias: a value between 0 and 1, never 0',
    'c': 'below 0 for maps whose kernel is mostly negative',
}


def make_q1(name, before, shows):
    """Task 1, the background prediction, registered as `name`; `before`
    names the activation in the side's words, `shows` what outputs
    sigmoid(b)."""
    return Prediction(
        name, BACKGROUND_OPTIONS, answer='b',
        todo='replace ____ with \'a\', \'b\' or \'c\', your prediction, and '
             'run the cell.',
        where='the three options above the prediction cell',
        insight='A sigmoid unit is never off: with nothing to see it still '
                'outputs sigmoid(b), about 0.5 when b is near 0. Only a ReLU '
                'map can be exactly 0 (max(0, b) = 0 when b < 0), which is '
                'why the figures put ReLU maps on a scale from 0.',
        hints=['Take a pixel of the map whose 5x5 window (padding included) '
               'sees only zeros. The convolution adds 25 products w * 0: '
               f'what is left before {before}?',
               'Only the bias b is left, and the map shows sigmoid(b). '
               'Which values can 1 / (1 + exp(-b)) take?'],
        explain='Where the 5x5 window sees only zeros the convolution gives '
                f'just the bias b, and {shows} sigmoid(b): always between '
                '0 and 1, never 0 and never negative. On the 0-to-1 scale '
                'the background of a sigmoid map is a middle colour, not '
                'black.')


# q2: layer2_maps(net, x), the second convolution layer's maps.

WHERE_LAYERS = ('the section "Two layers, one image": the list of net\'s '
                'first layers and what d2l.activation_maps returns')
SHAPE = (1, 16, 10, 10)
TODO_Q2 = ('write the body of layer2_maps(net, x): return the second '
           'convolution layer\'s maps for the image x, shape (1, 16, 10, '
           '10), by running the first layers of net; then run the cell.')
INSIGHT_Q2 = ('Your function and d2l.activation_maps agree: a layer\'s maps '
              'are just the output of the net cut after that convolution '
              'and its activation. On the check\'s two nets (one sigmoid, '
              'one ReLU, random weights) the arrays were equal to 1e-4.')


def probe_values(shapes, rng):
    """Values for the check's nets' parameters of `shapes`, in order,
    drawn from NumPy's generator `rng` (so no framework's random state
    moves): weights of spread 1/sqrt(fan-in), biases uniform in [-0.5,
    0.5), some negative, some not."""
    for shape in shapes:
        fan_in = np.prod(shape[1:]) if len(shape) > 1 else 1
        value = rng.normal(0, 1 / np.sqrt(fan_in), shape)
        if len(shape) == 1:  # biases: some negative, some not
            value = rng.uniform(-0.5, 0.5, shape)
        yield value


def probe_pixels():
    """One image (1, 28, 28) as the notebook's examples hold them, a
    NumPy array: a bright, textured block on an empty background."""
    rng = np.random.default_rng(4)
    image = np.zeros((1, 28, 28), dtype=np.float32)
    image[0, 4:25, 7:21] = rng.uniform(0.3, 1, (21, 14))
    return image


# What the learner's function returned on a probe net (a tuple, so a
# returned blank still reads as blank), or the error it raised; _Answers
# holds one per probe net, so that no dict of the learner's passes for it.
_Returned = collections.namedtuple('_Returned', 'value error')


class _Answers(dict):
    """{probe net's name: _Returned}, made by MapsTask.grade alone."""


def _close(a, b):
    """True if NumPy arrays `a` and `b` have one shape and close values."""
    try:
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-4,
                                                  atol=1e-5)
    except (TypeError, ValueError):  # an array of strings, of objects
        return False


def _as_given(net, x):
    return net, x


class MapsTask(Task):
    """A task answered by a function f(net, x): check() calls it on each
    of the nets `probes()` gives, with its image (on what `given(net, x)`
    makes of them), and assesses what it returned."""

    def __init__(self, *args, probes, given=_as_given, **kwargs):
        super().__init__(*args, **kwargs)
        self.probes, self.given = probes, given

    def grade(self, answer):
        if not callable(answer) or is_blank(answer):
            return super().grade(answer)
        problem = function_problem(answer, 'layer2_maps(net, x)', 2)
        if problem:
            return self.wrong(problem)
        nets, x = self.probes()
        answers = _Answers()
        for name, net in nets.items():
            try:
                answers[name] = _Returned(answer(*self.given(net, x)), None)
            except Exception as e:  # noqa: BLE001 - the learner's code
                answers[name] = _Returned(None, e)
            if is_blank(answers[name].value):
                return Result(BLANK, f'Not attempted yet: {self.todo}')
        return super().grade(answers)
