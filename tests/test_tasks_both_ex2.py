"""The tasks of exercise 2 in both editions: what their checks share
(d2l_local/tasks/neutral/ex2.py, q1 and its saved grid) tested once, on
each edition's tasks; what differs by framework is in test_tasks_ex2.py
and test_tasks_pytorch_ex2.py."""
import csv
import json

from taskcheck import assert_registered, editions, solved


side = editions('ex2')


def grid_rows(side):
    """The rows of the edition's saved grid, as the file holds them."""
    with open(side.results / 'lenet_grid.csv', newline='') as f:
        return list(csv.DictReader(f))


def test_tasks_are_registered_under_the_notebook_name(side):
    assert_registered(side, 'ex2', ['q1', 'q2'])


# q1: the prediction

def test_q1_right_answer_is_the_options_best_grid_row(side):
    ex2, q1 = side.tasks, side.tasks.q1
    accs = {}
    for r in grid_rows(side):
        accs.setdefault(r['variant'], []).append(float(r['test_acc']))
    by_choice = {letter: sum(accs[name]) / len(accs[name])
                 for letter, (name, _) in ex2.CHOICES.items()}
    assert q1.answer == max(by_choice, key=by_choice.get)
    assert solved(q1)['prediction'] == q1.answer


def test_q1_options_are_single_changes_of_five_epochs(side):
    rows = {r['variant']: r for r in grid_rows(side)}
    base = rows['baseline']
    for name, text in side.tasks.CHOICES.values():
        assert rows[name]['epochs'] == base['epochs'] == '5'
        assert '+' not in name  # the grid's combined rows hold a '+'


def test_q1_records_then_reveals(side):
    q1, ____ = side.tasks.q1, side.tasks.____
    assert q1.grade(____).status == 'blank'
    assert 'Not attempted yet' in q1.grade(____).message
    q1.check(q1.answer)
    assert q1.last.status == 'noted'
    q1.reveal(q1.answer)
    assert q1.last.status == 'right'
    assert '(one seed)' in q1.last.message  # one-seed rows say so
    q1.reveal(____)
    assert q1.last.message.startswith('You made no prediction')


def test_q1_refuses_a_letter_that_is_no_option(side):
    result = side.tasks.q1.grade('e')
    assert result.status == 'wrong' and 'not one of the options' in (
        result.message)


def test_q1_options_are_in_the_notebook_text(side):
    nb = json.loads((side.notebooks / 'ex2_better_lenet.ipynb')
                    .read_text())
    text = ' '.join(''.join(c['source']) for c in nb['cells']
                    if c['cell_type'] == 'markdown')
    text = ' '.join(text.split())
    for letter, option in side.tasks.q1.options.items():
        assert f'({letter}) {option}' in text


# q2: build the variant

def test_q2_blank(side):
    result = side.tasks.q2.grade(side.tasks.____)
    assert result.status == 'blank'
    assert result.message.startswith('Not attempted yet')


def test_hints_come_in_levels(side, capsys):
    q1, q2 = side.tasks.q1, side.tasks.q2
    for task in (q1, q2):
        assert 2 <= len(task.hints) <= 3
        task.shown_hints = 0
        task.hint()
        assert capsys.readouterr().out.startswith(
            f'Hint 1 of {len(task.hints)}')
    q2.solution()
    assert "d2l.lenet(activation='relu'" in capsys.readouterr().out
