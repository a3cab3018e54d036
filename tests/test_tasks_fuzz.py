"""Every task of every notebook against odd and wrong answers.

For each task in REGISTRY: about thirty wrong answers of different kinds
(numbers, NaN, infinities, None, bools, strings, containers, NumPy arrays,
NDArrays, generators, functions that raise, take the wrong arguments or
return garbage, nets of the wrong shape or that fail in forward).  None of
them may be graded right, no exception may escape check(), reveal() or
hint(), and no message may show the checker's insides: no traceback, no
file name, no line number but the learner's own.  Each task's solution,
the code q.solution() shows, still passes (run here directly, not by
replaying the notebook).
"""
import importlib
import inspect
import json
import pathlib
import re

import mxnet as mx
import numpy as np
import pytest
import torch
from mxnet import nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local import torch as d2l_torch
import fakedata
from d2l_local import data
from d2l_local.tasks import REGISTRY, Prediction

MODULES = ('lenet', 'ex1', 'ex2', 'ex3', 'ex4', 'lenet5', 'pytorch.lenet',
           'pytorch.ex1', 'pytorch.ex2', 'pytorch.ex3', 'pytorch.ex4')
for module in MODULES:
    importlib.import_module(f'd2l_local.tasks.{module}')
TASKS = sorted(name for name in REGISTRY
               if name.rsplit('.', 1)[0] in MODULES)
NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / 'notebooks'


@pytest.fixture(autouse=True)
def fake_data(monkeypatch):
    """Tiny made-up digits and clothes behind the loaders (ex3 loads)."""
    arrays = {name: {'train': fakedata.make_images(100, seed),
                     'test': fakedata.make_images(30, seed + 1)}
              for name, seed in (('mnist', 0), ('fashion-mnist', 2))}
    monkeypatch.setattr(data, 'load_arrays',
                        lambda name, root=None, **kwargs: arrays[name])
    monkeypatch.delenv('D2L_QUICK', raising=False)


# The learner's code the answers hold: a message may name its lines.

def raises(*args, **kwargs):
    raise ValueError('boom')


def takes_five(a, b, c, d, e):
    return a


class Boom(nn.HybridBlock):
    """A layer whose forward fails."""

    def hybrid_forward(self, F, x):
        raise RuntimeError('boom in forward')


def failing_net():
    net = nn.HybridSequential()
    net.add(Boom())
    return net


def fixed_net():
    """The chapter's layers with max pooling, but a first Dense layer
    fixed to 7 inputs: its forward fails on any image."""
    net = nn.HybridSequential()
    net.add(nn.Conv2D(6, 5, padding=2, activation='sigmoid'),
            nn.MaxPool2D(2, 2), nn.Conv2D(16, 5, activation='sigmoid'),
            nn.MaxPool2D(2, 2), nn.Dense(120, activation='sigmoid',
                                         in_units=7),
            nn.Dense(84, activation='sigmoid'), nn.Dense(10))
    return net


def small_net():
    """A LeNet of the wrong shape: one convolution, 3 channels."""
    with mx.name.Prefix('fuzz_'):
        return d2l.lenet(convs=((3, 3),), dense=(7,))


class TorchBoom(torch.nn.Module):
    """A PyTorch layer whose forward fails."""

    def forward(self, x):
        raise RuntimeError('boom in forward')


def torch_small_net():
    """A PyTorch LeNet of the wrong shape: one convolution, 3 channels."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, kernel_size=3), torch.nn.Sigmoid(),
        torch.nn.Flatten(), torch.nn.Linear(3 * 26 * 26, 7))


OURS = {f.__name__: f for f in (raises, takes_five, Boom.hybrid_forward,
                                TorchBoom.forward)}

# (id, a function making the answer afresh: a generator is used up once)
WRONG = [
    ('minus one', lambda: -1), ('zero', lambda: 0),
    ('huge', lambda: 10 ** 12), ('a float', lambda: 2.5),
    ('nan', lambda: float('nan')), ('inf', lambda: float('inf')),
    ('-inf', lambda: float('-inf')), ('None', lambda: None),
    ('True', lambda: True), ('False', lambda: False),
    ('empty string', lambda: ''), ('a word', lambda: 'hello'),
    ('a number in quotes', lambda: '28'), ('a letter too far', lambda: 'z'),
    ('empty list', lambda: []), ('a list of a letter', lambda: ['c']),
    ('a list of numbers', lambda: [16, 10, 10]),
    ('empty dict', lambda: {}), ('a dict', lambda: {'c': 1}),
    ('a set', lambda: {1}), ('empty tuple', lambda: ()),
    ('tuple of two', lambda: (16, 10)),
    ('tuple of five', lambda: (1, 2, 3, 4, 5)),
    ('tuple of floats', lambda: (16.0, 10.0, 10.0)),
    ('numpy array', lambda: np.array([16, 10, 10])),
    ('numpy nan', lambda: np.float64('nan')),
    ('an NDArray', lambda: nd.zeros((1, 16, 10, 10))),
    ('a generator', lambda: (v for v in (16, 10, 10))),
    ('a function that raises', lambda: raises),
    ('a function of five arguments', lambda: takes_five),
    ('a lambda returning garbage', lambda: lambda *args: 'garbage'),
    ('a lambda returning None', lambda: lambda *args: None),
    ('a lambda returning nan', lambda: lambda *args: float('nan')),
    ('a lambda returning a numpy array',
     lambda: lambda *args: np.zeros((1, 16, 10, 10))),
    ('a class', lambda: nn.Dense), ('an object', lambda: object()),
    ('a net of the wrong shape', small_net),
    ('a net that raises in forward', failing_net),
    ('a net whose forward fails in MXNet', fixed_net),
    ('a tensor', lambda: torch.zeros(1, 16, 10, 10)),
    ('a tensor of one number', lambda: torch.tensor(2416)),
    ('a torch.Size', lambda: torch.Size([16, 10])),
    ('a torch device', lambda: torch.device('cpu')),
    ('a PyTorch net of the wrong shape', torch_small_net),
    ('a PyTorch net that raises in forward',
     lambda: torch.nn.Sequential(TorchBoom())),
    ('a lambda returning a CUDA device',
     lambda: lambda *args: torch.device('cuda:0')),
    ('a lambda returning a device name',
     lambda: lambda *args: 'cuda:0'),
    ('a lambda returning a tensor',
     lambda: lambda *args: torch.zeros(1, 10)),
]


def assert_clean(message):
    """No traceback, file name or checker line in `message`; a line
    number only of a function of this file, inside that function."""
    assert message.strip(), 'an empty message'
    for text in ('Traceback', 'File "', '^^^', 'd2l_local/', '.py:'):
        assert text not in message, (text, message)
    assert not re.search(r'\.py\b', message), message
    for match in re.finditer(r'\bline (\d+)', message):
        named = re.match(r' of (\w+)', message[match.end():])
        assert named and named[1] in OURS, message
        lines, start = inspect.getsourcelines(OURS[named[1]])
        assert start <= int(match[1]) < start + len(lines), message


def cases():
    return [pytest.param(task, make, id=f'{task}-{label}')
            for task in TASKS for label, make in WRONG]


@pytest.mark.parametrize('name, make', cases())
def test_a_wrong_answer_is_not_right_and_says_why_cleanly(name, make,
                                                          capsys):
    task = REGISTRY[name]
    result = task.grade(make())
    assert result.status != 'right', result
    assert_clean(result.message)
    task.check(make())
    assert task.last.status not in ('right', 'noted'), task.last
    assert_clean(capsys.readouterr().out)
    if isinstance(task, Prediction):
        task.reveal(make())
        assert task.last.status != 'right', task.last
        assert_clean(capsys.readouterr().out)


@pytest.mark.parametrize('name', TASKS)
def test_an_error_in_the_learners_function_names_its_line(name):
    task = REGISTRY[name]
    if isinstance(task, Prediction) or not inspect.isfunction(
            solution_of(name)):
        pytest.skip('the answer is not a function')
    message = task.grade(raises).message
    assert 'ValueError: boom' in message, message
    assert re.search(r'line \d+ of raises', message), message
    assert 'needs 5' in task.grade(takes_five).message


@pytest.mark.parametrize('name', TASKS)
@pytest.mark.parametrize('args', [('x',), (0,), (-1,), (99,), (2.0,),
                                  (None,), ([1],), (True,), (1, 2)])
def test_hint_takes_any_argument(name, args, capsys):
    task = REGISTRY[name]
    task.shown_hints = 0
    task.hint(*args)
    out = capsys.readouterr().out
    assert 'hint' in out.lower(), out
    assert_clean(out)


@pytest.mark.parametrize('name', TASKS)
def test_hint_says_when_the_hints_are_used_up(name, capsys):
    task = REGISTRY[name]
    task.shown_hints = 0
    for level in range(1, len(task.hints) + 1):
        task.hint()
        out = capsys.readouterr().out
        assert f'Hint {level} of {len(task.hints)}' in out
    assert 'that was the last hint' in out and 'solution()' in out
    task.hint()
    out = capsys.readouterr().out
    assert 'No more hints' in out and f'{task._short}.solution()' in out


@pytest.mark.parametrize('name', TASKS)
def test_check_and_reveal_without_an_answer_say_what_to_pass(name,
                                                             capsys):
    task = REGISTRY[name]
    task.check()
    assert task.last.status == 'blank'
    assert f'{task._short}.check() needs your answer' in task.last.message
    if isinstance(task, Prediction):
        task.reveal()
        assert task.last.status == 'blank'
        assert f'{task._short}.reveal(prediction)' in task.last.message


# A prediction: a letter in any case, in brackets, is read; others not.

PREDICTIONS = [name for name in TASKS
               if isinstance(REGISTRY[name], Prediction)]


@pytest.mark.parametrize('name', PREDICTIONS)
def test_a_prediction_is_read_in_either_case(name, capsys):
    task = REGISTRY[name]
    right = task._right()
    for spelling in (right.upper(), f' {right} ', f'({right})'):
        task.check(spelling)
        assert task.last.status == 'noted', (spelling, task.last)
        assert f'({right})' in task.last.message
        task.reveal(spelling)
        assert task.last.status == 'right', (spelling, task.last)


@pytest.mark.parametrize('name', PREDICTIONS)
@pytest.mark.parametrize('answer, says', [
    (['b'], 'is a list; give one letter'),
    ({'b': 1}, 'is a dict; give one letter'),
    (('b',), 'is a tuple; give one letter'),
    (2, 'is the number 2; give one letter'),
    ('bb', "'bb' is not one of the options"),
])
def test_a_prediction_of_another_form_says_what_form(name, answer, says):
    task = REGISTRY[name]
    assert says in task.grade(answer).message
    task.reveal(answer)
    assert task.last.status == 'wrong'
    assert says in task.last.message
    assert 'The measurement says' in task.last.message


# The solutions still pass (what q.solution() shows, run directly).

def check_lines():
    """{task name: the expression its notebook cell checks}."""
    found = {}
    for path in [*NOTEBOOKS.glob('*.ipynb'),
                 *NOTEBOOKS.glob('pytorch/*.ipynb')]:
        cells = json.loads(path.read_text())['cells']
        code = '\n'.join(''.join(c['source']) for c in cells
                         if c['cell_type'] == 'code')
        module = re.search(r'from d2l_local\.tasks\.([\w.]+) import \*',
                           code)
        for q, arg in re.findall(r'^(q\d+)\.check\((.*)\)\s*$', code,
                                 re.M):
            found[f'{module[1]}.{q}'] = arg
    return found


CHECKED = check_lines()


def solution_of(name):
    """What the task's solution code puts in its cell's checked name."""
    namespace = {'d2l': d2l, 'mx': mx, 'nd': nd, 'nn': nn, 'np': np,
                 'torch': torch}
    if name.startswith('pytorch.'):  # a twin imports the PyTorch edition
        namespace.update(d2l=d2l_torch, nn=torch.nn)
    exec(REGISTRY[name].code, namespace)
    return eval(CHECKED[name], namespace)


@pytest.mark.parametrize('name', TASKS)
def test_the_solution_still_passes(name, capsys):
    task = REGISTRY[name]
    answer = solution_of(name)
    if isinstance(task, Prediction):
        task.check(answer)
        assert task.last.status == 'noted', task.last
        task.reveal(answer)
    else:
        task.check(answer)
    assert task.last.status == 'right', task.last


def test_a_net_that_fails_in_forward_is_told_so():
    message = REGISTRY['ex1.q1'].grade(fixed_net()).message
    assert 'running your net on a batch of shape (2, 1, 28, 28) raised ' \
        'MXNetError: Shape inconsistent' in message, message
    assert_clean(message)
