"""Tasks of exercise 1: the solution passes, the blank is not attempted,
typical wrong answers get the message that helps.  What both editions
share (q2, the saved runs) is tested in test_tasks_both_ex1.py."""
import pytest
from mxnet import nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local.mxnet.tasks import ex1
from d2l_local.mxnet.tasks.ex1 import ____, q1


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


def test_q1_solution_shows_max_pooling(capsys):
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
