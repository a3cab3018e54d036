"""The tasks of exercise 4 in both editions: what their checks share
(d2l_local/tasks/neutral/ex4.py: q1, the background prediction, and the
comparison of q2's arrays) tested once, on each edition's tasks; what
differs by framework is in test_tasks_ex4.py and test_tasks_pytorch_ex4.py.
"""
import numpy as np

from d2l_local.tasks.neutral import ex4 as neutral
from taskcheck import assert_registered, editions


side = editions('ex4')


def test_tasks_are_registered_under_the_notebook_name(side):
    assert_registered(side, 'ex4', ['q1', 'q2'])


# --- q1: what a sigmoid map shows on the empty background ------------------

def test_q1_blank_and_reveal(side, capsys):
    q1, ____ = side.tasks.q1, side.tasks.____
    assert q1.grade(____).status == 'blank'
    assert 'Not attempted yet' in q1.grade(____).message
    q1.reveal(____)
    assert q1.last.status == 'blank'
    assert 'You made no prediction' in q1.last.message
    q1.reveal('b')
    assert q1.last.status == 'right'


def test_q1_black_background_is_told_why_not(side, capsys):
    q1 = side.tasks.q1
    q1.check('a')
    assert q1.last.status == 'noted'
    q1.reveal('a')
    assert q1.last.status == 'wrong'
    assert 'never 0' in q1.last.message
    assert 'just the bias' in q1.last.message
    q1.reveal('c')
    assert q1.last.status == 'wrong'
    assert q1.grade('d').status == 'wrong'
    assert 'not one of the options' in q1.grade('d').message


def test_q1_hints_lead_to_the_bias(side):
    q1 = side.tasks.q1
    assert len(q1.hints) == 2
    assert 'bias' in q1.hints[1]


# --- q2: the arrays compared ------------------------------------------------

def test_close_is_within_the_insight_s_tolerance_and_never_raises():
    a = np.linspace(0, 1, 1600, dtype=np.float32).reshape(neutral.SHAPE)
    assert neutral._close(a, a + 5e-6)
    assert not neutral._close(a, a + 1e-3)
    assert not neutral._close(a, a[0])  # the same values, another shape
    assert not neutral._close(np.array(['a'] * 1600).reshape(
        neutral.SHAPE), a)
    assert '1e-4' in neutral.INSIGHT_Q2
