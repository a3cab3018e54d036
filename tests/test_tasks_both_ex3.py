"""The tasks of exercise 3 in both editions: what their checks share
(d2l_local/tasks/neutral/ex3.py) tested once, on each edition's tasks.

The fast tests run on tiny made-up digits and clothes (stripes, see
fakedata); what differs by framework is in test_tasks_ex3.py and
test_tasks_pytorch_ex3.py.
"""
import pytest

from d2l_local import settings
from d2l_local.tasks.neutral import ex3 as neutral
from taskcheck import (assert_blank, assert_wrong, editions, fake_mnist,
                       solved)


side = editions('ex3')


@pytest.fixture
def fake(monkeypatch):
    return fake_mnist(monkeypatch)


def solution(side, task):
    """The namespace the task's solution code makes."""
    return solved(task, d2l=side.d2l)


def evaluating(side, loader, split):
    """A learner's mnist_accuracy that evaluates on d2l's loader `loader`
    (its `split`: 0 the training set, 1 the test set), with the edition's
    own evaluation function."""
    d2l, load = side.d2l, getattr(side.d2l, loader)
    if side.name == 'pytorch':
        def mnist_accuracy(net):
            return d2l.evaluate_accuracy_gpu(net, load(batch_size=64)[split])
    else:
        def mnist_accuracy(net):
            return d2l.evaluate_accuracy(load(batch_size=64)[split], net)
    return mnist_accuracy


def test_the_fake_splits_give_four_different_accuracies(side, fake):
    ex3 = side.tasks
    accs = {split: acc for split, acc, _ in ex3.accuracies(ex3.probe_net())}
    assert accs == pytest.approx({('mnist', 'test'): 0.8,
                                  ('mnist', 'train'): 1.0,
                                  ('fashion', 'test'): 0.6,
                                  ('fashion', 'train'): 0.3})


def test_q1_solution_is_right(side, fake):
    q1 = side.tasks.q1
    result = q1.grade(solution(side, q1)['mnist_accuracy'])
    assert result.status == 'right', result.message
    assert 'Correct' in result.message


def test_q1_solution_is_right_in_quick_mode_too(side, fake, monkeypatch):
    monkeypatch.setenv('D2L_QUICK', '1')
    monkeypatch.setattr(settings, 'QUICK_TRAIN', 50)
    monkeypatch.setattr(settings, 'QUICK_TEST', 10)  # 6 relabelled
    ex3 = side.tasks
    mnist_accuracy = solution(side, ex3.q1)['mnist_accuracy']
    assert mnist_accuracy(ex3.probe_net()) == pytest.approx(0.4)
    assert ex3.q1.grade(mnist_accuracy).status == 'right'


def test_q1_blank_is_not_attempted(side, fake):
    ____ = side.tasks.____

    def mnist_accuracy(net):
        return ____
    assert_blank(side.tasks.q1, mnist_accuracy, ____)


@pytest.mark.parametrize('loader, split, words', [
    ('load_data_mnist', 0, ["MNIST's training images", 'Expected 0.8000']),
    ('load_data_fashion_mnist', 1, ["Fashion-MNIST's test",
                                    'd2l.load_data_mnist']),
    ('load_data_fashion_mnist', 0, ["Fashion-MNIST's training",
                                    'd2l.load_data_mnist']),
])
def test_q1_wrong_data_set_is_named(side, fake, loader, split, words):
    result = side.tasks.q1.grade(evaluating(side, loader, split))
    assert result.status == 'wrong'
    for word in words:
        assert word in result.message
    assert 'q1.hint()' in result.message


def test_q1_result_instead_of_function(side, fake):
    assert_wrong(side.tasks.q1, 0.8, 'pass the function itself')


def test_q1_not_a_number(side, fake):
    assert_wrong(side.tasks.q1, lambda net: 'about 0.8',
                 'should return a number')


def test_q2_solution_is_right_and_others_are_wrong(side, capsys):
    q2 = side.tasks.q2
    prediction = solution(side, q2)['prediction']
    q2.check(prediction)
    assert q2.last.status == 'noted'
    q2.reveal(prediction, (0.82, 0.68))
    assert q2.last.status == 'right'
    for other in set(q2.options) - {prediction}:
        q2.reveal(other)
        assert q2.last.status == 'wrong'
        assert f'the measurement says ({prediction})' in q2.last.message
    assert 'right!' in capsys.readouterr().out


def test_q2_blank_and_non_options(side):
    q2, ____ = side.tasks.q2, side.tasks.____
    assert q2.grade(____).status == 'blank'
    q2.reveal(____)
    assert q2.last.status == 'blank'
    assert 'You made no prediction' in q2.last.message
    assert_wrong(q2, 'd', 'not one of the options')


def test_the_notebook_reads_the_shared_yardstick(side):
    """The notebooks import yardstick_letter from their task module."""
    assert side.tasks.yardstick_letter is neutral.yardstick_letter
    assert side.tasks.q2.answer == 'b'


@pytest.mark.parametrize('digits, clothes, letter', [
    (0.820, 0.677, 'b'), (0.15, 0.12, 'a'), (0.80, 0.75, 'c'),
    (0.70, 0.62, 'c'), (0.60, 0.90, None), (0.80, 0.20, None)])
def test_yardstick_letter(digits, clothes, letter):
    assert neutral.yardstick_letter(digits, clothes) == letter
