"""The chapter's tasks in both editions: what their checks share
(d2l_local/tasks/neutral/lenet.py: q1's shape check, q2's count check,
q3) tested once, on each edition's tasks; the messages that name a layer,
the nets and try_gpu are in test_tasks_lenet.py and
test_tasks_pytorch_lenet.py."""
import pytest

from taskcheck import (assert_blank, assert_registered, assert_wrong,
                       editions)


side = editions('lenet')


def test_tasks_are_registered_under_the_notebook_name(side):
    assert_registered(side, 'lenet', ['q1', 'q2', 'q3', 'q4'])


# q1: the second convolution's output shape (conv1, net[3])

def test_q1_blank(side):
    ____ = side.tasks.____
    assert_blank(side.tasks.q1, ____, (____, 10, 10))


@pytest.mark.parametrize('answer, words', [
    ((16, 24, 24), 'halves the side'),
    ((16, 14, 14), 'has no padding'),
    ((16, 9, 9), 'ends with + 1'),
    ((6, 10, 10), 'has 16 kernels'),
    ((16, 12, 12), 'layer by layer'),
    ('16x10x10', 'should be a shape'),
    ((16, 10), 'three numbers'),
    ([16, 10, 10], 'a shape is a tuple'),
    ((16.0, 10.0, 10.0), 'whole numbers'),
])
def test_q1_typical_wrong_answers(side, answer, words):
    message = assert_wrong(side.tasks.q1, answer, words, 'q1.hint()')
    assert '10' not in message.split('Look again')[0] or '10' in str(answer)


# q2: its parameters

def test_q2_blank(side):
    ____ = side.tasks.____
    assert_blank(side.tasks.q2, ____, ____ * 5 + 1)  # half-filled


@pytest.mark.parametrize('answer, words', [
    (2400, 'weights only'),
    (416, 'all 6 input channels'),
    (400, 'and the 16 biases'),
    (2572, 'both convolution layers'),
    (2406, '16 of them, not 6'),
    (1234, 'one bias per kernel'),
    ('2416', 'should be a number'),
    ('2416', 'without quotes'),
    (2416.0, 'not a whole number'),
    (True, 'a bool'),
])
def test_q2_typical_wrong_answers(side, answer, words):
    assert_wrong(side.tasks.q2, answer, words)


# q3: the prediction, decided by the layer shapes

def test_q3_records_then_reveals(side, capsys):
    q3, ____ = side.tasks.q3, side.tasks.____
    q3.check(____)
    assert q3.last.status == 'blank'
    assert 'Not attempted yet' in q3.last.message
    q3.check('d')
    assert q3.last.status == 'wrong' and "'d' is not one of" in \
        q3.last.message
    q3.check('a')
    assert q3.last.status == 'noted'
    q3.reveal('a', 4.0)
    assert q3.last.status == 'wrong'
    assert 'reuses each weight' in q3.last.message
    q3.reveal('c', 4.0)
    assert q3.last.status == 'right'
    q3.reveal(____, 4.0)
    assert 'You made no prediction' in q3.last.message


def test_every_task_has_hints_and_a_solution(side):
    for q in ('q1', 'q2', 'q3', 'q4'):
        task = getattr(side.tasks, q)
        assert len(task.hints) >= 2 and task.code.strip()
        assert task.name == f'{side.prefix}lenet.{q}'
