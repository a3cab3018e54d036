"""The tasks of exercise 1 in both editions: what their checks share
(d2l_local/tasks/neutral/ex1.py, q2 and its saved runs) tested once, on
each edition's tasks; what differs by framework is in test_tasks_ex1.py
and test_tasks_pytorch_ex1.py."""
import pytest

from d2l_local.tasks.neutral import ex1 as neutral
from taskcheck import assert_registered, editions, solved


side = editions('ex1')


def test_tasks_are_registered_under_the_notebook_name(side):
    assert_registered(side, 'ex1', ['q1', 'q2'])


def test_q1_hints_come_one_level_at_a_time(side, capsys):
    q1 = side.tasks.q1
    assert len(q1.hints) == 3
    q1.shown_hints = 0
    q1.hint()
    q1.hint()
    out = capsys.readouterr().out
    assert 'Hint 1 of 3' in out and 'Hint 2 of 3' in out


@pytest.mark.parametrize('best, letter', [
    ({0: 0.80, 1: 0.79}, 'a'),
    ({0: 0.76, 1: 0.79}, 'b'),
    ({0: 0.70, 1: 0.80}, 'b'),
    ({0: 0.70, 1: 0.73}, 'c'),
])
def test_verdict_places_the_runs_against_the_spread(best, letter):
    avg = {0: 0.75, 1: 0.77, 2: 0.74}
    assert neutral.verdict(avg, best) == letter
    words = {'a': 'above the best', 'b': 'overlapping the range',
             'c': 'below the worst'}[letter]
    assert words in neutral.story(avg, best)


def test_saved_runs_are_the_editions_own(side):
    """saved_runs() (the notebook imports it) reads the edition's files."""
    assert side.tasks.saved_runs() == neutral.saved_runs(
        side.d2l.read_result)
    assert side.tasks.verdict is neutral.verdict


def test_q2_answer_comes_from_the_saved_runs(side):
    ex1, q2 = side.tasks, side.tasks.q2
    avg, best = ex1.saved_runs()
    assert q2.answer == ex1.verdict(avg, best)
    assert q2.code == f'prediction = {q2.answer!r}'
    assert f'{min(best.values()):.3f}' in q2.insight
    assert f'of the {len(avg)} average-pooling runs' in q2.options['a']


def test_q2_solution_is_noted_and_revealed_right(side):
    q2 = side.tasks.q2
    prediction = solved(q2)['prediction']
    q2.check(prediction)
    assert q2.last.status == 'noted'
    q2.reveal(prediction)
    assert q2.last.status == 'right'


def test_q2_blank_and_not_an_option(side):
    q2, ____ = side.tasks.q2, side.tasks.____
    q2.check(____)
    assert q2.last.status == 'blank'
    assert q2.last.message.startswith('Not attempted yet')
    q2.check('d')
    assert q2.last.status == 'wrong'
    assert "'d' is not one of the options" in q2.last.message
    q2.reveal(____)
    assert q2.last.status == 'blank'
    assert 'You made no prediction' in q2.last.message


def test_q2_wrong_prediction_gets_what_the_runs_show(side):
    q2 = side.tasks.q2
    for wrong in (letter for letter in q2.options if letter != q2.answer):
        q2.check(wrong)
        assert q2.last.status == 'noted'
        q2.reveal(wrong)
        assert q2.last.status == 'wrong'
        assert f'the measurement says ({q2.answer})' in q2.last.message
        assert 'Seed by seed' in q2.last.message
