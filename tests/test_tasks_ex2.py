"""The tasks of exercise 2: the solutions pass, blanks and typical wrong
answers get the message a learner needs.  What both editions share is
tested in test_tasks_both_ex2.py."""
import csv
import pathlib

import pytest
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local.mxnet.tasks import ex2
from d2l_local.mxnet.tasks.ex2 import ____, q1, q2

ROOT = pathlib.Path(__file__).resolve().parents[1]
GRID = ROOT / 'd2l_local' / 'results' / 'lenet_grid.csv'


def grid_rows():
    with open(GRID, newline='') as f:
        return list(csv.DictReader(f))


def solved(task):
    """The namespace the task's solution code makes."""
    namespace = {'d2l': d2l, 'nn': nn}
    exec(task.code, namespace)
    return namespace


# q1: the prediction

def test_q1_wrong_prediction_gets_the_measurements():
    q1.reveal('a')  # ReLU: the common guess
    assert q1.last.status == 'wrong'
    assert 'ReLU instead of sigmoid: 0.100 (one seed)' in q1.last.message
    q1.reveal(____)
    assert q1.last.message.startswith('You made no prediction')


# q2: build the variant

def test_q2_solution_and_its_one_line_twin_pass():
    assert q2.grade(solved(q2)['net']).status == 'right'
    one_line = d2l.lenet(activation='relu', pooling='max',
                         convs=((16, 5), (32, 5)))
    assert q2.grade(one_line).status == 'right'


def test_q2_parameter_count_is_the_grids_record():
    rows = {r['variant']: r for r in grid_rows()}
    assert ex2.reference()[1] == int(rows['channels 16/32']['params'])
    assert ex2.reference()[1] == int(rows['relu+max 16/32 adam 10ep'][
        'params'])


@pytest.mark.parametrize('kwargs, words', [
    # sigmoid left in
    (dict(pooling='max', convs=((16, 5), (32, 5))),
     ["layer 1 (Conv2D) has activation 'sigmoid'", "'relu'"]),
    # the channels swapped
    (dict(activation='relu', pooling='max', convs=((32, 5), (16, 5))),
     ['after layer 1 (Conv2D)', '(2, 32, 28, 28)', 'output channels']),
    # padding on the second convolution too
    (dict(activation='relu', pooling='max', convs=((16, 5), (32, 5)),
          same_padding=True),
     ['after layer 3 (Conv2D)', '(2, 32, 14, 14)', 'padding']),
    # average pooling kept
    (dict(activation='relu', convs=((16, 5), (32, 5))),
     ['AvgPool2D', 'nn.MaxPool2D']),
    # the chapter's channels kept
    (dict(activation='relu', pooling='max'),
     ['(2, 6, 28, 28)', 'output channels']),
    # a 3x3 window where 5x5 was asked: same shapes, fewer weights
    (dict(activation='relu', pooling='max', convs=((16, 3), (32, 5))),
     ['expected 120,382 parameters, found 120,126']),
])
def test_q2_typical_wrong_nets(kwargs, words):
    result = q2.grade(d2l.lenet(**kwargs))
    assert result.status == 'wrong'
    for word in words:
        assert word in result.message
    assert 'q2.hint()' in result.message


def test_q2_relu_on_the_output_layer():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(16, 5, padding=2, activation='relu'), nn.MaxPool2D(),
            nn.Conv2D(32, 5, activation='relu'), nn.MaxPool2D(),
            nn.Dense(120, activation='relu'),
            nn.Dense(84, activation='relu'),
            nn.Dense(10, activation='relu'))
    result = q2.grade(net)
    assert result.status == 'wrong'
    assert "output layer Dense(10) has activation 'relu'" in result.message


def test_q2_separate_activation_layers_get_a_tip():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(16, 5, padding=2), nn.Activation('relu'))
    result = q2.grade(net)
    assert result.status == 'wrong'
    assert "activation='relu' instead of separate" in result.message


def test_q2_something_else_than_a_net():
    result = q2.grade(d2l.lenet)  # the function, not a net
    assert result.status == 'wrong'
    assert 'expected a network' in result.message


def variant(kernels=(5, 5), paddings=(2, 0)):
    net = nn.HybridSequential()
    for channels, kernel, padding in zip((16, 32), kernels, paddings):
        net.add(nn.Conv2D(channels, kernel, padding=padding,
                          activation='relu'), nn.MaxPool2D(2, 2))
    net.add(nn.Dense(120, activation='relu'),
            nn.Dense(84, activation='relu'), nn.Dense(10))
    return net


@pytest.mark.parametrize('kwargs, words', [
    (dict(kernels=(3, 5)), 'after layer 1 (Conv2D)'),
    (dict(kernels=(5, 3)), 'after layer 3 (Conv2D)'),
    (dict(kernels=(3, 5), paddings=(1, 0)), 'Layer 1 (Conv2D) has'),
])
def test_q2_a_wrong_kernel_size_is_blamed_on_the_kernel_size(kwargs, words):
    message = q2.grade(variant(**kwargs)).message
    assert words in message and 'kernel_size=(3, 3)' in message, message
    assert 'padding' not in message.split('Look again')[0], message


def test_q2_a_wrong_padding_is_blamed_on_the_padding():
    message = q2.grade(variant(paddings=(0, 0))).message
    assert 'check its padding' in message and 'padding=(0, 0)' in message
    assert 'kernel' not in message.split('Look again')[0]
