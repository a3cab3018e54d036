"""The tasks of exercise 2's PyTorch twin: the solutions pass, blanks and
typical wrong answers get the message a learner needs, and checking
imports no MXNet.  What both editions share is tested in
test_tasks_both_ex2.py."""
import csv
import pathlib
import subprocess
import sys

import pytest
import torch
from torch import nn

from d2l_local import torch as d2l
from d2l_local.tasks.pytorch import ex2
from d2l_local.tasks.pytorch.ex2 import q1, q2

ROOT = pathlib.Path(__file__).resolve().parents[1]
GRID = ROOT / 'd2l_local' / 'results' / 'pytorch' / 'lenet_grid.csv'


def grid_rows():
    with open(GRID, newline='') as f:
        return list(csv.DictReader(f))


def solved(task):
    """The namespace the task's solution code makes."""
    namespace = {'d2l': d2l, 'nn': nn, 'torch': torch}
    exec(task.code, namespace)
    return namespace


def variant(kernels=(5, 5), paddings=(2, 0), channels=(16, 32),
            activation=nn.ReLU, pooling=nn.MaxPool2d, last=()):
    """The 16/32 variant as a learner writes it, with one thing changed."""
    layers, inputs = [], 1
    for out, kernel, padding in zip(channels, kernels, paddings):
        layers += [nn.Conv2d(inputs, out, kernel_size=kernel,
                             padding=padding), activation(),
                   pooling(kernel_size=2, stride=2)]
        inputs = out
    layers += [nn.Flatten(), nn.LazyLinear(120), activation(),
               nn.Linear(120, 84), activation(), nn.Linear(84, 10), *last]
    return nn.Sequential(*layers)


# q1: the prediction

def test_q1_reads_the_pytorch_grid_not_the_mxnet_one():
    rows = {r['variant']: r for r in grid_rows() if r['seed'] == '0'}
    assert ex2.grid()['baseline']['accs'][0] == pytest.approx(
        float(rows['baseline']['test_acc']))
    assert 'train_ch6' in rows['baseline']['change']


def test_q1_first_hint_is_the_pytorch_sweeps():
    sweep = d2l.read_result('seed_sweep.json')
    first = [run['history'][0]['test_acc'] for run in sweep['runs']]
    assert d2l.count_near_chance(first) == 5 and len(first) == 8
    assert q1.hints[0].startswith("In 5 of the seed sweep's 8 seeds")


def test_q1_wrong_prediction_gets_the_measurements():
    wrong = next(letter for letter in q1.options if letter != q1.answer)
    q1.reveal(wrong)
    assert q1.last.status == 'wrong'
    assert 'max pooling instead of average pooling: ' in q1.last.message


# q2: build the variant

def test_q2_solution_and_its_one_line_twin_pass():
    assert q2.grade(solved(q2)['net']).status == 'right'
    one_line = d2l.lenet(activation='relu', pooling='max',
                         convs=((16, 5), (32, 5)))
    assert q2.grade(one_line).status == 'right'
    assert q2.grade(variant()).status == 'right'  # a LazyLinear too


def test_q2_nested_blocks_are_followed_in_order():
    flat = solved(q2)['net']
    net = nn.Sequential(nn.Sequential(*flat[:3]), nn.Sequential(*flat[3:6]),
                        *flat[6:])
    assert q2.grade(net).status == 'right'


def test_q2_parameter_count_is_the_grids_record():
    rows = {r['variant']: r for r in grid_rows()}
    params = ex2.reference()[2]
    assert params == int(rows['channels 16/32']['params']) == 120382
    for name, row in rows.items():  # the combined rows of this net
        if name.startswith('relu+max 16/32 '):
            assert params == int(row['params'])


def test_q2_checking_draws_no_random_numbers():
    ex2.reference.cache_clear()
    nets = [solved(q2)['net'], variant()]  # the second has a LazyLinear
    torch.manual_seed(0)
    for net in nets:
        assert q2.grade(net).status == 'right'
    after = torch.rand(1)
    torch.manual_seed(0)
    assert torch.equal(after, torch.rand(1))


@pytest.mark.parametrize('kwargs, words', [
    # sigmoid left in
    (dict(pooling='max', convs=((16, 5), (32, 5))),
     ['Sigmoid', 'nn.ReLU()']),
    # the channels swapped
    (dict(activation='relu', pooling='max', convs=((32, 5), (16, 5))),
     ['after layer 1 (Conv2d)', '(2, 32, 28, 28)', 'out_channels=32',
      'output channels']),
    # padding on the second convolution too
    (dict(activation='relu', pooling='max', convs=((16, 5), (32, 5)),
          same_padding=True),
     ['after layer 4 (Conv2d)', '(2, 32, 14, 14)', 'padding']),
    # average pooling kept
    (dict(activation='relu', convs=((16, 5), (32, 5))),
     ['AvgPool2d', 'nn.MaxPool2d']),
    # the chapter's channels kept
    (dict(activation='relu', pooling='max'),
     ['(2, 6, 28, 28)', 'output channels']),
    # a 3x3 window where 5x5 was asked, padded to the same shapes
    (dict(activation='relu', pooling='max', convs=((16, 3), (32, 5))),
     ['the shapes are right, but layer 1 (Conv2d) has kernel_size=(3, 3)',
      '5x5 window']),
])
def test_q2_typical_wrong_nets(kwargs, words):
    result = q2.grade(d2l.lenet(**kwargs))
    assert result.status == 'wrong'
    for word in words:
        assert word in result.message, result.message
    assert 'q2.hint()' in result.message


def test_q2_same_shapes_fewer_weights():
    """A 3x3 first window padded by 1 keeps every shape: the settings
    tell."""
    result = q2.grade(variant(kernels=(3, 5), paddings=(1, 0)))
    assert result.status == 'wrong'
    assert 'the shapes are right, but layer 1 (Conv2d) has ' \
        'kernel_size=(3, 3)' in result.message


def test_q2_bias_free_layer_is_told():
    net = solved(q2)['net']
    net[7] = nn.Linear(800, 120, bias=False)
    result = q2.grade(net)
    assert result.status == 'wrong'
    assert "layer 8 (Linear) has bias=False, the variant's bias=True" in (
        result.message), result.message


def test_q2_relu_on_the_output_layer():
    result = q2.grade(variant(last=(nn.ReLU(),)))
    assert result.status == 'wrong'
    assert 'nn.Linear(84, 10) should come last' in result.message


def test_q2_missing_flatten_gets_a_tip():
    net = solved(q2)['net']
    del net[6]
    result = q2.grade(net)
    assert 'nn.Flatten()' in result.message


def test_q2_a_first_linear_of_the_chapters_size_fails_in_forward():
    net = solved(q2)['net']
    net[7] = nn.Linear(16 * 5 * 5, 120)  # the chapter's 400 inputs
    result = q2.grade(net)
    assert result.status == 'wrong'
    assert 'at layer 8 (Linear)' in result.message
    assert 'Traceback' not in result.message


@pytest.mark.parametrize('answer, words', [
    (d2l.lenet, 'expected a PyTorch network'),
    (nn.Conv2d(1, 16, 5), 'expected a network built with nn.Sequential'),
    (torch.zeros(2, 10), 'expected a PyTorch network'),
    ([nn.ReLU()], 'expected a PyTorch network'),
    (nn.Sequential(), 'expected the layers'),
])
def test_q2_something_else_than_the_net(answer, words):
    result = q2.grade(answer)
    assert result.status == 'wrong'
    assert words in result.message


def test_q2_a_layer_returning_no_tensor():
    class Nothing(nn.Module):
        def forward(self, x):
            return None

    net = solved(q2)['net']
    net[1] = Nothing()
    net[1].__class__.__name__ = 'ReLU'  # looks right by its name
    result = q2.grade(net)
    assert result.status == 'wrong'
    assert 'returned None, not a tensor' in result.message


def test_q2_mxnet_nets_are_refused_without_importing_mxnet():
    code = ('import sys\n'
            'from d2l_local.tasks.pytorch.ex2 import q2\n'
            'q2.check(object())\n'
            "assert 'mxnet' not in sys.modules\n")
    done = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'Not yet: expected a PyTorch network' in done.stdout


@pytest.mark.parametrize('kwargs, words', [
    (dict(kernels=(3, 5)), 'after layer 1 (Conv2d)'),
    (dict(kernels=(5, 3)), 'after layer 4 (Conv2d)'),
])
def test_q2_a_wrong_kernel_size_is_blamed_on_the_kernel_size(kwargs, words):
    message = q2.grade(variant(**kwargs)).message
    assert words in message and 'kernel_size=(3, 3)' in message, message
    assert 'padding' not in message.split('Look again')[0], message


def test_q2_a_wrong_padding_is_blamed_on_the_padding():
    message = q2.grade(variant(paddings=(0, 0))).message
    assert 'check its padding' in message and 'padding=(0, 0)' in message
    assert 'kernel' not in message.split('Look again')[0]


def test_q2_same_padding_is_padding_2():
    net = solved(q2)['net']
    net[0] = nn.Conv2d(1, 16, kernel_size=5, padding='same')
    assert q2.grade(net).status == 'right'


def test_q2_a_dilated_window_of_the_same_shapes_and_weights_is_told():
    """5x5 weights spread over 9x9 pixels, padded to keep 28x28: the
    same shapes and parameter count, another net."""
    net = solved(q2)['net']
    net[0] = nn.Conv2d(1, 16, kernel_size=5, padding=4, dilation=2)
    result = q2.grade(net)
    assert result.status == 'wrong'
    assert 'the shapes are right, but layer 1 (Conv2d) has ' in (
        result.message), result.message


def test_q2_tanh_gets_the_relu_tip():
    result = q2.grade(d2l.lenet(activation='tanh', pooling='max',
                                convs=((16, 5), (32, 5))))
    assert result.status == 'wrong'
    assert 'nn.ReLU(), not Tanh' in result.message


def test_q2_layers_in_the_wrong_order():
    layers = list(solved(q2)['net'])
    layers[1], layers[2] = layers[2], layers[1]  # pool before activation
    result = q2.grade(nn.Sequential(*layers))
    assert result.status == 'wrong'
    assert 'their order is not' in result.message


def test_q2_grouped_convolution_is_told():
    net = solved(q2)['net']
    net[3] = nn.Conv2d(16, 32, kernel_size=5, groups=2)
    result = q2.grade(net)
    assert result.status == 'wrong'
    assert 'groups=2' in result.message and 'groups=1' in result.message
