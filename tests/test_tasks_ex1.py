"""Tasks of exercise 1: the solution passes, the blank is not attempted,
typical wrong answers get the message that helps."""
import pytest
from mxnet import nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local.tasks import REGISTRY
from d2l_local.mxnet.tasks import ex1
from d2l_local.mxnet.tasks.ex1 import ____, q1, q2


def lenet_like(pool=nn.MaxPool2D, act='sigmoid', padding=2, out_act=None,
               order=None):
    """The chapter's LeNet with one thing changed."""
    layers = [nn.Conv2D(channels=6, kernel_size=5, padding=padding,
                        activation=act),
              pool(pool_size=2, strides=2),
              nn.Conv2D(channels=16, kernel_size=5, activation=act),
              pool(pool_size=2, strides=2),
              nn.Dense(120, activation=act), nn.Dense(84, activation=act),
              nn.Dense(10, activation=out_act)]
    net = nn.HybridSequential()
    net.add(*[layers[i] for i in (order or range(len(layers)))])
    return net


def solved(task):
    """Run the task's solution code; return the namespace it made."""
    namespace = {'nn': nn, 'd2l': d2l}
    exec(task.code, namespace)
    return namespace


def test_tasks_are_registered_under_the_notebook_name():
    assert REGISTRY['ex1.q1'] is q1 and REGISTRY['ex1.q2'] is q2
    assert ex1.__all__ == ['____', 'q1', 'q2']


def test_q1_solution_and_the_package_net_pass():
    assert q1.grade(solved(q1)['net']).status == 'right'
    assert q1.grade(d2l.lenet(pooling='max')).status == 'right'
    assert q1.grade(lenet_like()).status == 'right'


def test_q1_parameter_count_is_the_chapter_nets():
    net = d2l.lenet()  # average pooling: pooling has no weights
    net.initialize()
    net(nd.zeros(ex1.PROBE))
    assert ex1.reference()[1] == d2l.num_params(net)
    assert f'{d2l.num_params(net):,} parameters' in q1.insight


def test_q1_blank_is_not_attempted():
    result = q1.grade(____)
    assert result.status == 'blank'
    assert result.message.startswith('Not attempted yet')


def test_q1_average_pooling_left_in():
    result = q1.grade(lenet_like(pool=nn.AvgPool2D))
    assert result.status == 'wrong'
    assert 'still has average pooling' in result.message
    assert 'nn.MaxPool2D' in result.message
    assert q1.grade(d2l.lenet()).status == 'wrong'


@pytest.mark.parametrize('act', [None, 'relu'])
def test_q1_sigmoid_dropped(act):
    result = q1.grade(lenet_like(act=act))
    assert result.status == 'wrong'
    assert f'layer 1 (Conv2D) has activation {act!r}' in result.message
    assert "'sigmoid'" in result.message


def test_q1_pooling_after_the_dense_layers():
    result = q1.grade(lenet_like(order=[0, 2, 4, 5, 6, 1, 3]))
    assert result.status == 'wrong'
    assert 'order' in result.message
    assert 'Dense layers come last' in result.message


def test_q1_first_convolution_without_padding():
    result = q1.grade(lenet_like(padding=0))
    assert result.status == 'wrong'
    assert f'expected {ex1.reference()[1]:,} parameters' in result.message
    assert 'After layer 1 (Conv2D)' in result.message
    assert '(2, 6, 28, 28)' in result.message


def test_q1_activation_on_the_output_layer():
    result = q1.grade(lenet_like(out_act='sigmoid'))
    assert result.status == 'wrong'
    assert 'output layer' in result.message


def test_q1_not_a_network():
    result = q1.grade([nn.Conv2D(6, 5)])
    assert result.status == 'wrong'
    assert 'nn.HybridSequential()' in result.message
    assert 'got a list' in result.message


def test_q1_hints_come_one_level_at_a_time(capsys):
    assert len(q1.hints) == 3
    q1.shown_hints = 0
    q1.hint()
    q1.hint()
    out = capsys.readouterr().out
    assert 'Hint 1 of 3' in out and 'Hint 2 of 3' in out
    q1.solution()
    assert 'nn.MaxPool2D(pool_size=2, strides=2)' in capsys.readouterr().out


def test_saved_runs_pair_each_seed():
    avg, best = ex1.saved_runs()
    assert len(avg) == len(d2l.read_result('seed_sweep.json')['runs'])
    baseline = {int(r['seed']): float(r['test_acc'])
                for r in d2l.read_result('lenet_grid.csv')
                if r['variant'] == 'baseline'}
    # the grid's average-pooling runs are the sweep's, seed for seed
    assert baseline and all(avg[s] == acc for s, acc in baseline.items())
    assert set(best) <= set(avg)


@pytest.mark.parametrize('best, letter', [
    ({0: 0.80, 1: 0.79}, 'a'),
    ({0: 0.76, 1: 0.79}, 'b'),
    ({0: 0.70, 1: 0.80}, 'b'),
    ({0: 0.70, 1: 0.73}, 'c'),
])
def test_verdict_places_the_runs_against_the_spread(best, letter):
    avg = {0: 0.75, 1: 0.77, 2: 0.74}
    assert ex1.verdict(avg, best) == letter
    words = {'a': 'above the best', 'b': 'overlapping the range',
             'c': 'below the worst'}[letter]
    assert words in ex1.story(avg, best)


def test_q2_answer_comes_from_the_saved_runs():
    avg, best = ex1.saved_runs()
    assert q2.answer == ex1.verdict(avg, best)
    assert q2.code == f'prediction = {q2.answer!r}'
    assert f'{min(best.values()):.3f}' in q2.insight
    assert f'of the {len(avg)} average-pooling runs' in q2.options['a']


def test_q2_solution_is_noted_and_revealed_right():
    prediction = solved(q2)['prediction']
    q2.check(prediction)
    assert q2.last.status == 'noted'
    q2.reveal(prediction)
    assert q2.last.status == 'right'


def test_q2_blank_and_not_an_option():
    q2.check(____)
    assert q2.last.status == 'blank'
    assert q2.last.message.startswith('Not attempted yet')
    q2.check('d')
    assert q2.last.status == 'wrong'
    assert "'d' is not one of the options" in q2.last.message
    q2.reveal(____)
    assert q2.last.status == 'blank'
    assert 'You made no prediction' in q2.last.message


def test_q2_wrong_prediction_gets_what_the_runs_show():
    wrong = next(letter for letter in q2.options if letter != q2.answer)
    q2.check(wrong)
    assert q2.last.status == 'noted'
    q2.reveal(wrong)
    assert q2.last.status == 'wrong'
    assert f'the measurement says ({q2.answer})' in q2.last.message
    assert 'Seed by seed' in q2.last.message
