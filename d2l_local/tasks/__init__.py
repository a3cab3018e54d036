"""Tasks a learner attempts in a notebook, and the checks that answer them.

The pattern of Kaggle's learntools, in plain Python (no server, no
JupyterLab extension).  Each notebook imports its tasks::

    from d2l_local.tasks.lenet import *   # q1, q2, ... and the blank ____

A task cell starts blank and ends with its check::

    conv1_side = ____   # your answer
    q1.check(conv1_side)

``q1.check(...)`` answers in one of three ways: not attempted yet (and
what to do), wrong (what was expected, what was found, where in the lesson
to look) or right (with a sentence that adds something).  ``q1.hint()``
gives the next hint, ``q1.solution()`` shows the solution: the very code
that tests/test_tasks_solved.py puts in place of the blank part of the cell
to prove every check passes.

A prediction is committed before the notebook measures the answer
(``q2.check(prediction)`` only records it) and graded when the
measurement is in (``q2.reveal(prediction)``).
"""
import numbers
import traceback

__all__ = ['____', 'Task', 'FunctionTask', 'Prediction', 'REGISTRY',
           'expect_number', 'expect_count', 'expect_shape', 'expect_net',
           'reference_net', 'trace_shapes']

BLANK, WRONG, RIGHT, NOTED = 'blank', 'wrong', 'right', 'noted'
REGISTRY = {}  # every task made, by name ('lenet.q1'): tests read it


class _Blank:
    """The blank ``____`` a task starts with.  Arithmetic, calls and
    indexing on it give the blank again, so a half-filled line still runs
    and the check can say it is not finished."""

    def __repr__(self):
        return '____'

    def _same(self, *args, **kwargs):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _same
    __pow__ = __rpow__ = __neg__ = __call__ = __getitem__ = _same


____ = _Blank()


def is_blank(answer):
    """True if `answer` is the blank or holds it (in a tuple, a list)."""
    if isinstance(answer, _Blank):
        return True
    if isinstance(answer, (tuple, list)):
        return any(is_blank(a) for a in answer)
    return False


class Result:
    """What a check found: a status (blank, wrong, right, noted), a text."""

    def __init__(self, status, message):
        self.status, self.message = status, message

    def __repr__(self):
        return f'Result({self.status!r}, {self.message!r})'


class Task:
    """One task: check(answer), hint(), solution().

    `assess(answer)` returns None when the answer is right, or a sentence
    saying what is wrong (what was expected, what was found).  `todo` says
    what to do when the task is still blank, `where` where in the lesson to
    look, `insight` the sentence a right answer earns, `code` the solution
    (the code that replaces the blank part of the task cell), `explain` a
    sentence or two shown after it.
    """

    def __init__(self, name, assess, todo, where, insight, code,
                 hints=(), explain='', call=False):
        self.name, self.assess, self.todo = name, assess, todo
        self.where, self.insight = where, insight
        self.code, self.explain = code.strip('\n'), explain
        self.hints, self.call = list(hints), call
        self.shown_hints, self.last = 0, None
        REGISTRY[name] = self

    def grade(self, answer):
        """Return the Result for `answer` without printing it."""
        try:
            if self.call and callable(answer) and not is_blank(answer):
                answer = answer()  # a function the learner wrote
            if is_blank(answer):
                return Result(BLANK, f'Not attempted yet: {self.todo}')
            problem = self.assess(answer)
        except Exception as e:  # noqa: BLE001 - the learner's code failed
            where = traceback.extract_tb(e.__traceback__)[-1]
            problem = (f'your answer raised {type(e).__name__}: {e} '
                       f'(line {where.lineno} of {where.name})')
        if problem is None:
            return Result(RIGHT, f'Correct! {self.insight}')
        return Result(WRONG, f'Not yet: {problem} Look again at '
                             f'{self.where}. Stuck? {self._short}.hint()')

    def check(self, answer):
        """Check `answer`; print what the check found."""
        self.last = self.grade(answer)
        print(self.last.message)

    def hint(self, level=None):
        """Print the next hint (or hint number `level`)."""
        if not self.hints:
            print(f'No hint for this one: {self._short}.solution() shows '
                  f'the answer.')
            return
        if level is None:
            level = min(self.shown_hints + 1, len(self.hints))
        level = max(1, min(int(level), len(self.hints)))
        self.shown_hints = max(self.shown_hints, level)
        more = (f' ({self._short}.hint() again for the next)'
                if level < len(self.hints) else '')
        print(f'Hint {level} of {len(self.hints)}: '
              f'{self.hints[level - 1]}{more}')

    def solution(self):
        """Print the solution: the code for the task cell, and why."""
        print(f'Solution:\n\n{self.code}\n')
        if self.explain:
            print(self.explain)

    @property
    def _short(self):
        return self.name.rsplit('.', 1)[-1]

    def __repr__(self):
        return f'<task {self.name}: {self.todo}>'


class FunctionTask(Task):
    """A task whose answer is a function the learner writes: still blank
    while `trial(answer)` (a call of it on a probe) returns the blank
    ____; `assess` then judges the function itself."""

    def __init__(self, name, assess, trial, **kwargs):
        super().__init__(name, assess, **kwargs)
        self.trial = trial

    def grade(self, answer):
        if callable(answer) and not is_blank(answer):
            try:
                returned = self.trial(answer)
            except Exception:  # noqa: BLE001 - assess reports it
                returned = None
            if is_blank(returned):
                return Result(BLANK, f'Not attempted yet: {self.todo}')
        return super().grade(answer)


class Prediction(Task):
    """A prediction: recorded by check(), graded by reveal() once the
    notebook has measured the answer.

    `options` maps a letter to a statement; `answer` is the right letter,
    or a function of the measurement that returns it.
    """

    def __init__(self, name, options, answer, todo, where, insight,
                 hints=(), explain=''):
        self.options, self.answer = dict(options), answer
        super().__init__(name, self._valid, todo, where, insight,
                         code=f'prediction = {self._right()!r}'
                         if not callable(answer) else '',
                         hints=hints, explain=explain)
        self.prediction = None

    def _valid(self, answer):
        if answer not in self.options:
            return (f'{answer!r} is not one of the options '
                    f'{", ".join(map(repr, self.options))}.')
        return None

    def _right(self, measured=None):
        return (self.answer(measured) if callable(self.answer)
                else self.answer)

    def check(self, prediction):
        """Record `prediction` (checked only for being an option)."""
        result = self.grade(prediction)
        if result.status == RIGHT:
            self.prediction = prediction
            result = Result(NOTED, f'Noted: you predict ({prediction}) '
                                   f'{self.options[prediction]}. Run on: '
                                   f'the measurement will tell.')
        self.last = result
        print(result.message)

    def reveal(self, prediction, measured=None):
        """Grade `prediction` against the measurement; print the verdict."""
        right = self._right(measured)
        truth = f'({right}) {self.options[right]}'
        if is_blank(prediction) or prediction not in self.options:
            self.last = Result(BLANK, f'You made no prediction. The '
                                      f'measurement says {truth}.')
        elif prediction == right:
            self.last = Result(RIGHT, f'You predicted {truth}: right! '
                                      f'{self.insight}')
        else:
            self.last = Result(
                WRONG, f'You predicted ({prediction}) '
                       f'{self.options[prediction]}; the measurement says '
                       f'{truth}. {self.explain}'.rstrip())
        print(self.last.message)


# Ready-made assess functions for the common kinds of answer.

def expect_number(expected, tol=0, unit='', why=''):
    """An answer that must be a number within `tol` of `expected`."""
    def assess(answer):
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return (f'the answer should be a number, got '
                    f'{type(answer).__name__} {answer!r}.')
        if abs(answer - expected) <= tol:
            return None
        about = f' (within {tol})' if tol else ''
        return (f'expected {expected}{unit}{about}, found {answer}{unit}.'
                f'{" " + why if why else ""}')
    return assess


def expect_count(expected, slips, otherwise, example):
    """An answer that must be the whole number `expected`; `slips` maps
    typical wrong counts to what each one counted, `otherwise` says how to
    count, and `example` shows the form of an answer."""
    def assess(answer):
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return (f'the answer should be a number (or an expression such '
                    f'as {example}), got {type(answer).__name__} '
                    f'{answer!r}.')
        if answer == expected:
            return None
        return f'found {answer:,}: ' + (slips.get(answer) or otherwise)
    return assess


def expect_shape(expected, why=''):
    """An answer that must be a shape: a tuple of whole numbers."""
    expected = tuple(expected)

    def assess(answer):
        try:
            found = tuple(int(v) for v in answer)
        except (TypeError, ValueError):
            return (f'the answer should be a shape such as {expected}, got '
                    f'{answer!r}.')
        if found == expected:
            return None
        return (f'expected shape {expected}, found {found}.'
                f'{" " + why if why else ""}')
    return assess


def trace_shapes(net, probe_shape):
    """Yield (layer, its output shape) for each layer of `net` in turn, on
    a batch of zeros of `probe_shape`: lazily, so a caller that stops at
    the first surprise runs no layer after it."""
    from mxnet import nd
    X = nd.zeros(probe_shape)
    for layer in net:
        X = layer(X)
        yield layer, X.shape


def reference_net(make_net, probe_shape, prefix):
    """The output shape after each layer of the net `make_net()` builds, on
    a batch of zeros of `probe_shape`, and the net's number of parameters.

    The net is built under the name prefix `prefix` and initialised with
    zeros, so building it draws no random numbers."""
    import mxnet as mx
    from mxnet import init
    from ..models import num_params
    with mx.name.Prefix(prefix):
        net = make_net()
    net.initialize(init.Zero())
    return [shape for _, shape in trace_shapes(net, probe_shape)], \
        num_params(net)


def expect_net(probe_shape, out_shape, layers=None, params=None):
    """A net the learner built, checked by what it does: its layer types
    (class names, in order), its output shape on a probe batch of zeros
    and its number of parameters."""
    def assess(net):
        from mxnet import nd
        if not hasattr(net, 'collect_params'):
            return (f'expected a Gluon network (a Block), got '
                    f'{type(net).__name__}.')
        if layers is not None:
            found = [type(layer).__name__ for layer in net]
            if found != list(layers):
                return (f'expected the layers {list(layers)}, found '
                        f'{found}.')
        if not all(p._data is not None or p._deferred_init
                   for p in net.collect_params().values()):
            net.initialize()
        out = net(nd.zeros(probe_shape))
        if tuple(out.shape) != tuple(out_shape):
            return (f'on a batch of shape {tuple(probe_shape)} the net '
                    f'should give {tuple(out_shape)}, gave {out.shape}.')
        if params is not None:
            found = sum(p.data().size
                        for p in net.collect_params().values())
            if found != params:
                return f'expected {params:,} parameters, found {found:,}.'
        return None
    return assess
