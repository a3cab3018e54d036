"""Assertions and fixtures the tests of the notebooks' tasks share."""
import importlib
import pathlib
import types

import pytest

import fakedata
from d2l_local import data
from d2l_local.tasks import REGISTRY

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Each edition: its d2l, the package of its tasks, what its task names
# start with, its folder of saved results and its folder of notebooks.
EDITIONS = {
    'mxnet': ('d2l_local.mxnet', 'd2l_local.mxnet.tasks', '',
              ROOT / 'd2l_local' / 'results', ROOT / 'notebooks'),
    'pytorch': ('d2l_local.torch', 'd2l_local.tasks.pytorch', 'pytorch.',
                ROOT / 'd2l_local' / 'results' / 'pytorch',
                ROOT / 'notebooks' / 'pytorch'),
}


def edition(name, notebook):
    """Edition `name` as a test of `notebook`'s tasks sees it: its name,
    d2l, task module (`tasks`), task-name prefix, results and notebooks
    folders.  Where its framework is not installed, importing the task
    module fails and conftest.py skips the test, with the reason."""
    d2l, tasks, prefix, results, notebooks = EDITIONS[name]
    return types.SimpleNamespace(
        name=name, d2l=importlib.import_module(d2l),
        tasks=importlib.import_module(f'{tasks}.{notebook}'),
        prefix=prefix, results=results, notebooks=notebooks)


def editions(notebook):
    """A fixture, `side`, that gives each edition in turn as a test of
    `notebook`'s tasks sees it (edition())."""
    @pytest.fixture(params=sorted(EDITIONS))
    def side(request):
        return edition(request.param, notebook)
    return side


def assert_registered(side, notebook, names):
    """The side's tasks `names` are in REGISTRY under the notebook's name
    (the edition's prefix first) and are what `import *` gives."""
    for name in names:
        assert REGISTRY[f'{side.prefix}{notebook}.{name}'] is getattr(
            side.tasks, name)
    assert side.tasks.__all__ == ['____', *names]


def solved(task, **names):
    """Run the task's solution code among `names`; return the namespace
    it made."""
    exec(task.code, names)
    return names


def _relabel(images, labels, n):
    """Shift the labels of the first n images by one class."""
    labels = labels.copy()
    labels[:n] = (labels[:n] + 1) % 10
    return images, labels


def fake_mnist(monkeypatch):
    """Tiny 'mnist' and 'fashion-mnist' behind the course's loaders.

    The check's net of exercise 3 (the class means of the digits'
    training images) gets every training digit right, 24 of 30 test
    digits (6 relabelled), 18 of 30 test 'clothes' and 30 of 100 training
    'clothes'.
    """
    mnist = {'train': fakedata.make_images(100, 0),
             'test': _relabel(*fakedata.make_images(30, 1), 6)}
    fashion = {'train': _relabel(*fakedata.make_images(100, 2), 70),
               'test': _relabel(*fakedata.make_images(30, 3), 12)}
    arrays = {'mnist': mnist, 'fashion-mnist': fashion}

    def load_arrays(name, root=None, **kwargs):
        return arrays[name]

    monkeypatch.setattr(data, 'load_arrays', load_arrays)
    monkeypatch.delenv('D2L_QUICK', raising=False)
    return arrays


def assert_blank(task, *answers):
    """Each answer is graded 'not attempted yet', with what to do."""
    for answer in answers:
        result = task.grade(answer)
        assert result.status == 'blank', (answer, result)
        assert result.message.startswith('Not attempted yet'), result.message


def assert_wrong(task, answer, *words):
    """`answer` is graded wrong, and the message holds each of `words`."""
    result = task.grade(answer)
    assert result.status == 'wrong', result
    for word in words:
        assert word in result.message, (word, result.message)
    return result.message
