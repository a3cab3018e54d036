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
import inspect
import numbers
import os
import re
import sys
import traceback
import types

__all__ = ['____', 'Task', 'FunctionTask', 'Prediction', 'REGISTRY',
           'expect_number', 'expect_count', 'expect_shape', 'expect_net',
           'reference_net', 'reference_layers', 'trace_shapes', 'kind',
           'show', 'error_text', 'describe_error', 'function_problem',
           'run_net', 'read_shape', 'layer_settings', 'settings_problem']

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


# Words for what a learner handed in, and for what went wrong with it.

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARIES = tuple(os.path.abspath(p) for p in {
    sys.prefix, sys.base_prefix, os.path.dirname(os.__file__)})
LIBRARY_MODULES = ('d2l_local', 'mxnet', 'torch', 'numpy')
MISSING = object()  # check() or reveal() called with nothing in brackets


def show(value, limit=60):
    """A short, one-line repr of `value` (never raises)."""
    try:
        text = ' '.join(repr(value).split())
    except Exception:  # noqa: BLE001 - a repr of the learner's that fails
        text = f'<{type(value).__name__}>'
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _framework_kinds():
    """(class, name) of the arrays and networks of each framework already
    imported: a value of a framework never imported cannot be one of its
    objects, so checking never loads a framework."""
    found = []
    nd = sys.modules.get('mxnet.ndarray')
    gluon = sys.modules.get('mxnet.gluon')
    if nd is not None and gluon is not None:
        found += [(nd.NDArray, 'an NDArray'), (gluon.Block, 'a network')]
    torch = sys.modules.get('torch')
    if torch is not None and hasattr(torch, 'nn'):
        found += [(torch.Tensor, 'a tensor'), (torch.nn.Module, 'a network')]
    return found


def is_network(value):
    """True if `value` is a network: a Gluon Block or a torch nn.Module."""
    return any(isinstance(value, cls) for cls, name in _framework_kinds()
               if name == 'a network')


def kind(value):
    """What `value` is, in a learner's words: 'a list', 'None', ..."""
    if value is None or isinstance(value, bool):
        return f'{value} (a bool)' if value is not None else 'None'
    if isinstance(value, str):
        return f'the string {show(value)}'
    named = [(dict, 'a dict'), (list, 'a list'), (tuple, 'a tuple'),
             ((set, frozenset), 'a set'), (types.GeneratorType,
                                           'a generator'),
             *_framework_kinds()]
    for types_, name in named:
        if isinstance(value, types_):
            return (f'{name} ({type(value).__name__})' if name ==
                    'a network' else name)
    if type(value).__module__ == 'numpy':
        return ('a NumPy array' if hasattr(value, 'shape') and
                getattr(value, 'ndim', 0) else f'the number {show(value)}')
    if isinstance(value, type):
        return f'the class {value.__name__}'
    if callable(value):
        return 'a function'
    if isinstance(value, numbers.Number):
        return f'the number {show(value)}'
    name = type(value).__name__
    return f'{"an" if name[:1].lower() in "aeiou" else "a"} {name}'


def error_text(error, limit=200):
    """The one line of `error`'s message that says what went wrong: no
    traceback, no file names, no line numbers of the libraries."""
    lines = [line.strip() for line in str(error).splitlines()
             if line.strip()]
    lines = [line for line in lines if not line.startswith(
        ('File "', 'Traceback', '[bt]', 'Stack trace', '[', '>>>'))]
    failed = [line for line in lines if 'Check failed' in line]
    text = (failed or lines or [''])[0]
    text = re.sub(r'\S+\.(py|cc|h|cpp|so)[:(]\S*\s*', '', text)
    text = re.sub(r'^(\w+Error: )+', '', text).strip()
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _in_learner_code(filename):
    if filename.startswith('<frozen'):
        return False
    path = os.path.abspath(filename)
    return not (path.startswith(PACKAGE + os.sep) or 'site-packages' in path
                or any(path.startswith(lib + os.sep) for lib in LIBRARIES))


def _learner_frames(error):
    """The frames of `error`'s traceback that are the learner's own code:
    not the course package's, not a library's (MXNet's generated
    operators included)."""
    tbs, tb = [], error.__traceback__
    while tb is not None:
        tbs.append(tb)
        tb = tb.tb_next
    return [frame for tb, frame in
            zip(tbs, traceback.extract_tb(error.__traceback__))
            if (tb.tb_frame.f_globals.get('__name__') or '').split('.')[0]
            not in LIBRARY_MODULES and _in_learner_code(frame.filename)]


def describe_error(error):
    """'ValueError: what it says (line 3 of f)': the error, and the line
    of the learner's own code it came from, if it came from theirs."""
    frames = _learner_frames(error)
    text = error_text(error)
    where = (f' (line {frames[-1].lineno} of {frames[-1].name})'
             if frames else '')
    return f'{type(error).__name__}{": " + text if text else ""}{where}'


def _learner_raised(error):
    """True if some frame of `error`'s traceback is the learner's code."""
    return bool(_learner_frames(error))


def function_problem(answer, call, nargs):
    """None if `answer` is a function that takes `nargs` arguments, else
    what it is instead; `call` shows the call, e.g. 'try_gpu()'."""
    if is_network(answer) or not callable(answer):
        return (f'expected the function itself, as in the task cell '
                f'(no brackets after its name), got {kind(answer)}.')
    if isinstance(answer, type):
        return (f'expected a function (def ...), got {kind(answer)}.')
    try:
        signature = inspect.signature(answer)
    except (TypeError, ValueError):  # a built-in: let the call tell
        return None
    try:
        signature.bind(*range(nargs))
    except TypeError:
        takes = [p for p in signature.parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        needs = sum(p.default is p.empty for p in takes)
        got = (f'needs {needs}' if needs > nargs else f'takes {len(takes)}')
        return (f'the check calls {call}, with {nargs or "no"} '
                f'argument{"" if nargs == 1 else "s"}, but your function '
                f'{got}: check the brackets of its def line.')
    return None


def run_net(net, X):
    """(output, None) of `net` on `X`, or (None, what went wrong)."""
    try:
        return net(X), None
    except Exception as e:  # noqa: BLE001 - the learner's net failed
        return None, (f'running your net on a batch of shape {X.shape} '
                      f'raised {describe_error(e)}.')


def layer_settings(layer):
    """What a layer's output shape depends on, by the names of its
    arguments: channels, kernel_size, padding, strides (a Conv2D's),
    pool_size, strides, padding (a pooling layer's)."""
    def pair(value):
        return tuple(value) if isinstance(value, (tuple, list)) else \
            (value, value)
    kw = getattr(layer, '_kwargs', None) or {}
    if 'num_filter' in kw:
        return {'channels': kw['num_filter'],
                'kernel_size': pair(kw.get('kernel')),
                'padding': pair(kw.get('pad')),
                'strides': pair(kw.get('stride'))}
    if 'pool_type' in kw:
        return {'pool_size': pair(kw.get('kernel')),
                'strides': pair(kw.get('stride')),
                'padding': pair(kw.get('pad'))}
    if hasattr(layer, '_units'):
        return {'units': layer._units}
    return {}


def setting_difference(layer, reference):
    """(name, yours, the reference's) of the first argument in which
    `layer` differs from `reference` (layer_settings), or None."""
    mine, theirs = layer_settings(layer), layer_settings(reference)
    for name, value in theirs.items():
        if mine.get(name) != value:
            return name, mine.get(name), value
    return None


def settings_problem(net, references, whose):
    """' Layer 1 (Conv2D) has kernel_size=(3, 3), `whose` (5, 5).' for
    the first layer of `net` whose settings differ, or ''."""
    for i, (layer, ref) in enumerate(zip(net, references)):
        differs = setting_difference(layer, ref)
        if differs:
            name, yours, theirs = differs
            return (f' Layer {i + 1} ({type(layer).__name__}) has {name}='
                    f'{yours}, {whose} {name}={theirs}.')
    return ''


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
        if answer is MISSING:
            return Result(BLANK, f'Not attempted yet: {self._short}.check() '
                                 f'needs your answer in its brackets, as in '
                                 f'the task cell: {self.todo}')
        try:
            if self.call and callable(answer) and not is_blank(answer):
                answer = answer()  # a function the learner wrote
            if is_blank(answer):
                return Result(BLANK, f'Not attempted yet: {self.todo}')
            problem = self.assess(answer)
        except Exception as e:  # noqa: BLE001 - the learner's code failed
            if _learner_raised(e):
                problem = f'your code raised {describe_error(e)}.'
            else:
                problem = (f'the check could not use your answer, '
                           f'{kind(answer)}: {describe_error(e)}.')
        if problem is None:
            return Result(RIGHT, f'Correct! {self.insight}')
        return self.wrong(problem)

    def wrong(self, problem):
        """The Result 'wrong', with `problem` and where to look."""
        return Result(WRONG, f'Not yet: {problem} Look again at '
                             f'{self.where}. Stuck? {self._short}.hint()')

    def check(self, answer=MISSING):
        """Check `answer`; print what the check found."""
        self.last = self.grade(answer)
        print(self.last.message)

    def hint(self, level=None, *args, **kwargs):
        """Print the next hint (or hint number `level`)."""
        total, short = len(self.hints), self._short
        if not total:
            print(f'No hint for this one: {short}.solution() shows '
                  f'the answer.')
            return
        note = ''
        if level is not None and (
                isinstance(level, bool)
                or not isinstance(level, numbers.Integral)
                or not 1 <= level <= total) or args or kwargs:
            note = (f'({short}.hint() gives the next hint, {short}.hint(2) '
                    f'hint 2; there {"is" if total == 1 else "are"} '
                    f'{total}.) ')
            level = None
        if level is None:
            if self.shown_hints >= total:
                print(f'{note}No more hints: you have seen all {total}. '
                      f'The last one: {self.hints[-1]} '
                      f'{short}.solution() shows the answer.')
                return
            level = self.shown_hints + 1
        level = int(level)
        self.shown_hints = max(self.shown_hints, level)
        more = (f' ({short}.hint() again for the next)'
                if level < total else
                f' (that was the last hint: {short}.solution() shows the '
                f'answer)')
        print(f'{note}Hint {level} of {total}: '
              f'{self.hints[level - 1]}{more}')

    def solution(self, *args, **kwargs):
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
        if answer is not MISSING and callable(answer) \
                and not is_blank(answer):
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

    def _letter(self, answer):
        """(letter, None) if `answer` names an option ('b', 'B', '(b)'),
        else (None, what is wrong with it)."""
        letters = ", ".join(map(repr, self.options))
        example = next(iter(self.options))
        if isinstance(answer, str):
            text = answer.strip().rstrip('.').strip().strip('()').strip()
            for letter in self.options:
                if text.lower() == letter.lower():
                    return letter, None
            return None, (f'{show(answer)} is not one of the options '
                          f'{letters}.')
        return None, (f'your prediction is {kind(answer)}; give one letter '
                      f'in quotes, such as {example!r} (the options are '
                      f'{letters}).')

    def _valid(self, answer):
        return self._letter(answer)[1]

    def _right(self, measured=None):
        return (self.answer(measured) if callable(self.answer)
                else self.answer)

    def check(self, prediction=MISSING):
        """Record `prediction` (checked only for being an option)."""
        result = self.grade(prediction)
        if result.status == RIGHT:
            self.prediction = letter = self._letter(prediction)[0]
            result = Result(NOTED, f'Noted: you predict ({letter}) '
                                   f'{self.options[letter]}. Run on: '
                                   f'the measurement will tell.')
        self.last = result
        print(result.message)

    def reveal(self, prediction=MISSING, measured=None):
        """Grade `prediction` against the measurement; print the verdict."""
        try:
            right = self._right(measured)
            truth = f'({right}) {self.options[right]}'
        except Exception as e:  # noqa: BLE001 - e.g. no saved run yet
            self.last = Result(WRONG, f'The measurement is not in yet '
                                      f'({describe_error(e)}): run the '
                                      f'cells above this one first.')
            print(self.last.message)
            return
        letter, problem = (None, None) if prediction is MISSING or \
            is_blank(prediction) else self._letter(prediction)
        if prediction is MISSING:
            self.last = Result(BLANK, f'{self._short}.reveal() needs your '
                                      f'prediction in its brackets: '
                                      f'{self._short}.reveal(prediction). '
                                      f'The measurement says {truth}.')
        elif letter is None and problem is None:
            self.last = Result(BLANK, f'You made no prediction. The '
                                      f'measurement says {truth}.')
        elif problem:
            self.last = Result(
                WRONG, f'Your prediction cannot be graded: {problem} Set '
                       f'prediction to one of them in the prediction cell '
                       f'and run it and this cell again. The measurement '
                       f'says {truth}.')
        elif letter == right:
            self.last = Result(RIGHT, f'You predicted {truth}: right! '
                                      f'{self.insight}')
        else:
            self.last = Result(
                WRONG, f'You predicted ({letter}) '
                       f'{self.options[letter]}; the measurement says '
                       f'{truth}. {self.explain}'.rstrip())
        print(self.last.message)


# Ready-made assess functions for the common kinds of answer.

def _not_a_number(answer, example):
    """What is wrong with an answer that should be a number, or None."""
    if isinstance(answer, bool):
        return (f'the answer should be a number (or an expression such as '
                f'{example}), got {kind(answer)}.')
    if isinstance(answer, str):
        return (f'the answer should be a number (or an expression such as '
                f'{example}), got {kind(answer)}: write it without '
                f'quotes.')
    if not isinstance(answer, numbers.Real):
        return (f'the answer should be a number (or an expression such as '
                f'{example}), got {kind(answer)}.')
    return None


def expect_number(expected, tol=0, unit='', why=''):
    """An answer that must be a number within `tol` of `expected`."""
    def assess(answer):
        problem = _not_a_number(answer, expected)
        if problem:
            return problem
        if abs(answer - expected) <= tol:  # False for NaN
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
        problem = _not_a_number(answer, example)
        if problem:
            return problem
        if not isinstance(answer, numbers.Integral):
            return (f'found {show(answer)}, not a whole number: a count is '
                    f'an int. Use whole numbers only (// rather than / '
                    f'if you divide), as in {example}.')
        if answer == expected:
            return None
        return f'found {answer:,}: ' + (slips.get(int(answer)) or otherwise)
    return assess


def read_shape(answer, example):
    """(shape, None) if `answer` is a tuple of whole numbers, else (None,
    what is wrong); `example` shows the form of a shape."""
    if isinstance(answer, list):
        return None, (f'your answer is a list; a shape is a tuple, in '
                      f'round brackets, such as {example}.')
    if not isinstance(answer, tuple):
        return None, (f'the answer should be a shape such as {example}, '
                      f'got {kind(answer)}.')
    for value in answer:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return None, (f'a shape holds whole numbers, such as {example}; '
                          f'yours holds {kind(value)}.')
        if not isinstance(value, numbers.Integral):
            return None, (f'a shape holds whole numbers, such as {example}; '
                          f'yours holds {show(value)}. Use // rather than '
                          f'/ if you divide.')
    return tuple(int(v) for v in answer), None


def expect_shape(expected, why=''):
    """An answer that must be a shape: a tuple of whole numbers."""
    expected = tuple(expected)

    def assess(answer):
        found, problem = read_shape(answer, expected)
        if problem:
            return problem
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


def first_shape_mismatch(net, probe_shape, want_shapes, ref_layers):
    """The first layer whose output shape on a batch of zeros of
    `probe_shape` differs from `want_shapes`, as (index, layer, its shape,
    the wanted shape, the reference's layer), or None.  What the learner's
    net raises is the caller's to word."""
    for i, (want, (layer, got), ref) in enumerate(zip(
            want_shapes, trace_shapes(net, probe_shape), ref_layers)):
        if got != want:
            return i, layer, got, want, ref
    return None


def reference_net(make_net, probe_shape, prefix):
    """The output shape after each layer of the net `make_net()` builds, on
    a batch of zeros of `probe_shape`, and the net's number of parameters.

    The net is built under the name prefix `prefix` and initialised with
    zeros, so building it draws no random numbers."""
    import mxnet as mx
    from mxnet import init
    with mx.name.Prefix(prefix):
        net = make_net()
    net.initialize(init.Zero())
    return [shape for _, shape in trace_shapes(net, probe_shape)], \
        sum(p.data().size for p in net.collect_params().values())


_LAYERS = {}  # reference layers by name prefix, built once


def reference_layers(make_net, prefix):
    """The layers of the net `make_net()` builds (under the name prefix
    `prefix`, once), to compare a learner's layers with."""
    if prefix not in _LAYERS:
        import mxnet as mx
        with mx.name.Prefix(prefix):
            _LAYERS[prefix] = list(make_net())
    return _LAYERS[prefix]


def expect_net(probe_shape, out_shape, layers=None, params=None):
    """A net the learner built, checked by what it does: its layer types
    (class names, in order), its output shape on a probe batch of zeros
    and its number of parameters."""
    def assess(net):
        from mxnet import nd
        from mxnet.gluon import Block
        if not isinstance(net, Block):
            return (f'expected a Gluon network (a Block), got '
                    f'{kind(net)}.')
        if layers is not None:
            try:
                found = [type(layer).__name__ for layer in net]
            except TypeError:
                found = [type(net).__name__]
            if found != list(layers):
                return (f'expected the layers {list(layers)}, found '
                        f'{found}.')
        try:
            if not all(p._data is not None or p._deferred_init
                       for p in net.collect_params().values()):
                net.initialize()
        except Exception as e:  # noqa: BLE001 - the learner's net
            return f'initialising your net raised {describe_error(e)}.'
        out, problem = run_net(net, nd.zeros(probe_shape))
        if problem:
            return problem
        shape = getattr(out, 'shape', None)
        if shape is None or tuple(shape) != tuple(out_shape):
            return (f'on a batch of shape {tuple(probe_shape)} the net '
                    f'should give {tuple(out_shape)}, gave '
                    f'{shape if shape is not None else kind(out)}.')
        if params is not None:
            found = sum(p.data().size
                        for p in net.collect_params().values())
            if found != params:
                return f'expected {params:,} parameters, found {found:,}.'
        return None
    return assess
