"""The tasks of exercise 4's PyTorch twin: the solutions pass, blanks and
typical wrong answers get the message a learner needs, the check leaves
PyTorch's random state alone, and checking imports no MXNet.  What both
editions share is tested in test_tasks_both_ex4.py."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from d2l_local import torch as d2l
from d2l_local.tasks.pytorch import ex4
from d2l_local.tasks.pytorch.ex4 import ____, q1, q2
from taskcheck import assert_blank, assert_wrong


def solution(task):
    """The namespace the task's solution code makes."""
    namespace = {'d2l': d2l, 'torch': torch}
    exec(task.code, namespace)
    return namespace


# --- q1: what a sigmoid map shows on the empty background ------------------

def test_q1_solution_is_the_answer_the_formula_gives():
    """A window of zeros leaves the bias: the map shows sigmoid(b), in
    (0, 1), on any sigmoid LeNet (here one with large random weights and
    biases far from 0)."""
    net = d2l.lenet()
    bias = np.array([-3, -1, -0.2, 0.2, 1, 3], dtype=np.float32)
    with torch.no_grad():
        net[0].weight.normal_(0, 1)
        net[0].bias.copy_(torch.from_numpy(bias))
    image = torch.zeros(1, 28, 28)
    image[0, 8:20, 8:20] = 1
    maps = d2l.activation_maps(net, image, 1)[0]
    np.testing.assert_allclose(maps[:, 0, 0], 1 / (1 + np.exp(-bias)),
                               rtol=1e-6)
    assert (maps > 0).all() and (maps < 1).all()
    right = {'b'}  # the option that says sigmoid(b), in (0, 1)
    assert {k for k, v in q1.options.items() if 'sigmoid(b)' in v} == right
    assert solution(q1)['prediction'] == 'b'


def test_q1_first_hint_names_the_sigmoid_layer():
    assert 'nn.Sigmoid()' in q1.hints[0]


# --- q2: layer2_maps(net, x) ----------------------------------------------

def layer2(upto, batch=True, after=None):
    """A learner's layer2_maps that runs net[:upto] (on x without its
    batch axis if not batch) and applies `after` to the result."""
    def layer2_maps(net, x):
        X = x.unsqueeze(0) if batch else x
        for layer in net[:upto]:
            X = layer(X)
        return after(X) if after else X
    return layer2_maps


def test_q2_solution_is_right_and_equals_activation_maps():
    layer2_maps = solution(q2)['layer2_maps']
    assert q2.grade(layer2_maps).status == 'right'
    net = d2l.lenet('relu', 'max')
    x = torch.rand(1, 28, 28)
    np.testing.assert_allclose(layer2_maps(net, x).detach().numpy(),
                               d2l.activation_maps(net, x, 2), rtol=1e-6)


@pytest.mark.parametrize('after', [
    lambda X: X.detach().numpy(),  # a NumPy array
    lambda X: X.detach(),  # a tensor without gradients
    lambda X: X.double(),  # float64
    lambda X: X.reshape(1, 16, 10, 10).contiguous(),
])
def test_q2_other_forms_of_the_right_maps_count(after):
    assert q2.grade(layer2(5, after=after)).status == 'right'


def test_q2_a_net_called_as_a_whole_slice_counts():
    assert q2.grade(lambda net, x: net[:5](x.unsqueeze(0))).status == \
        'right'
    assert q2.grade(lambda net, x: net[:5](x[None])).status == 'right'


def test_q2_blank_is_not_attempted():
    def layer2_maps(net, x):
        return ____

    def half(net, x):
        return net[:5](x.unsqueeze(0)) * ____
    assert_blank(q2, ____, layer2_maps, half)


@pytest.mark.parametrize('upto, words', [
    (0, ['shape (1, 16, 10, 10)', '(1, 1, 28, 28)']),
    (1, ['first convolution before its activation', 'net[4]']),
    (2, ["first layer's maps", 'net[2]', 'net[4]']),
    (3, ['after pooling', 'net[3]']),
    (4, ['second convolution before its activation', 'layer of its own',
         'net[4]']),
    (6, ['after their pooling', 'stop at net[4]']),
    (7, ['shape (1, 16, 10, 10)']),
])
def test_q2_wrong_layers_are_named(upto, words, capsys):
    message = assert_wrong(q2, layer2(upto), *words)
    assert 'q2.hint()' in message


def test_q2_the_lost_batch_axis_is_named():
    assert_wrong(q2, layer2(5, after=lambda X: X[0]), 'no batch axis',
                 '(1, 16, 10, 10)', 'x.unsqueeze(0)')


def test_q2_forgetting_the_batch_axis_says_how_to_add_it():
    # the course's LeNet (and its slices) refuse an image without a batch
    # axis; its layers one by one take it and return maps without one
    assert_wrong(q2, lambda net, x: net[:5](x), 'A layer takes a batch',
                 'x.unsqueeze(0)')
    assert_wrong(q2, layer2(5, batch=False), 'no batch axis',
                 'x.unsqueeze(0)')


def test_q2_a_sigmoid_of_ones_own_fails_on_the_relu_net():
    def by_hand(net, x):
        return torch.sigmoid(net[:4](x.unsqueeze(0)))
    assert_wrong(q2, by_hand, "right on the check's sigmoid LeNet", 'ReLU')


def test_q2_other_values_of_the_right_shape_are_measured():
    assert_wrong(q2, layer2(5, after=lambda X: X * 0.5),
                 'differ from d2l.activation_maps(net, x, 2) by up to')
    assert_wrong(q2, lambda net, x: torch.zeros(1, 16, 10, 10),
                 'by up to')


@pytest.mark.parametrize('returned, words', [
    (None, 'returned None'),
    ([[0.5]], 'returned a list'),
    ('maps', 'returned the string'),
    (np.array(['a'] * 1600).reshape(1, 16, 10, 10), 'as numbers'),
    (np.array([None] * 1600).reshape(1, 16, 10, 10), 'as numbers'),
    (torch.zeros(1, 16, 10, 10, dtype=torch.complex64), 'as numbers'),
    (torch.zeros(1, 16, 10, 10, dtype=torch.bool), 'by up to'),
    (torch.zeros(2, 3), 'returned shape (2, 3)'),
])
def test_q2_odd_returns_are_told_what_they_are(returned, words):
    result = q2.grade(lambda net, x: returned)
    assert result.status == 'wrong', result
    assert words in result.message, result.message


def test_q2_wants_the_function_not_its_result():
    nets, x = ex4.probes()
    assert_wrong(q2, layer2(5)(nets['sigmoid'], x),
                 'pass the function itself')
    assert_wrong(q2, nets['sigmoid'], 'the function itself')


def test_q2_a_function_of_the_wrong_arguments_is_told_so():
    assert_wrong(q2, lambda net: net, 'with 2 arguments')
    assert_wrong(q2, lambda net, x, layer: net, 'with 2 arguments')


def test_q2_an_error_in_the_learners_code_is_reported():
    def layer2_maps(net, x):
        raise KeyError('oops')
    assert_wrong(q2, layer2_maps, 'KeyError', 'line')


def test_q2_a_function_that_changes_the_net_changes_no_later_check():
    def spoils(net, x):
        with torch.no_grad():
            for param in net.parameters():
                param.zero_()
        return net[:5](x.unsqueeze(0))
    assert q2.grade(spoils).status == 'wrong'
    assert q2.grade(solution(q2)['layer2_maps']).status == 'right'


def test_the_check_leaves_torchs_random_state_alone():
    ex4._PROBES.clear()  # the probes are drawn on the first check
    torch.manual_seed(5)
    expected = torch.rand(4)
    torch.manual_seed(5)
    q2.grade(solution(q2)['layer2_maps'])
    assert torch.equal(torch.rand(4), expected)


def test_q2_hints_go_from_layers_to_the_code():
    assert len(q2.hints) == 3
    assert 'net[4]' in q2.hints[0] and 'layer of its own' in q2.hints[0]
    assert 'unsqueeze' in q2.hints[1]
    assert 'net[:5]' in q2.hints[2]


def test_checking_imports_no_mxnet():
    code = ('import sys\n'
            'from d2l_local.tasks.pytorch.ex4 import q1, q2\n'
            'ns = {}\n'
            'exec(q2.code, ns)\n'
            'assert q2.grade(ns["layer2_maps"]).status == "right"\n'
            'q1.reveal("b")\n'
            'assert "mxnet" not in sys.modules, "mxnet was imported"\n')
    subprocess.run([sys.executable, '-c', code], check=True)
