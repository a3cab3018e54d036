"""The tasks of exercise 4: the solutions pass, blanks and typical wrong
answers get the message a learner needs.  What both editions share is
tested in test_tasks_both_ex4.py."""
import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import d2l_local as d2l
from d2l_local.mxnet.tasks import ex4
from d2l_local.mxnet.tasks.ex4 import ____, q1, q2
from taskcheck import assert_blank, assert_wrong


def solution(task):
    """The namespace the task's solution code makes."""
    namespace = {'d2l': d2l}
    exec(task.code, namespace)
    return namespace


# --- q1: what a sigmoid map shows on the empty background ------------------

def test_q1_solution_is_the_answer_the_formula_gives():
    """A window of zeros leaves the bias: the map shows sigmoid(b), in
    (0, 1), on any sigmoid LeNet (here one with random weights and biases
    far from 0)."""
    net = d2l.lenet()
    net.initialize(mx.init.Normal(1))
    net(nd.zeros((1, 1, 28, 28)))
    bias = np.array([-3, -1, -0.2, 0.2, 1, 3], dtype=np.float32)
    net[0].bias.set_data(nd.array(bias))
    image = np.zeros((1, 28, 28), dtype=np.float32)
    image[0, 8:20, 8:20] = 1
    maps = d2l.activation_maps(net, image, 1)[0]
    np.testing.assert_allclose(maps[:, 0, 0], 1 / (1 + np.exp(-bias)),
                               rtol=1e-6)
    assert (maps > 0).all() and (maps < 1).all()
    right = {'b'}  # the option that says sigmoid(b), in (0, 1)
    assert {k for k, v in q1.options.items() if 'sigmoid(b)' in v} == right
    assert solution(q1)['prediction'] == 'b'


# --- q2: layer2_maps(net, x) ----------------------------------------------

def layer2(upto, batch=True, after=None):
    """A learner's layer2_maps that runs net[:upto] (on x without its
    batch axis if not batch) and applies `after` to the result."""
    def layer2_maps(net, x):
        X = x.expand_dims(0) if batch else x
        for block in net[:upto]:
            X = block(X)
        return after(X) if after else X
    return layer2_maps


def test_q2_solution_is_right_and_equals_activation_maps():
    layer2_maps = solution(q2)['layer2_maps']
    assert q2.grade(layer2_maps).status == 'right'
    net = d2l.lenet('relu', 'max')
    net.initialize(mx.init.Xavier())
    x = nd.random.uniform(shape=(1, 28, 28))
    np.testing.assert_allclose(layer2_maps(net, x).asnumpy(),
                               d2l.activation_maps(net, x, 2), rtol=1e-6)


def test_q2_numpy_answers_count_too():
    assert q2.grade(layer2(3, after=lambda X: X.asnumpy())).status == \
        'right'


def test_q2_blank_is_not_attempted():
    def layer2_maps(net, x):
        return ____
    assert_blank(q2, ____, layer2_maps)


@pytest.mark.parametrize('answer, words', [
    (layer2(1), ['first convolution layer', 'net[1]', 'net[2]']),
    (layer2(2), ['after pooling', 'net[2]']),
    (layer2(4), ['after their pooling', 'stop at net[2]']),
    (layer2(3, after=lambda X: X[0]), ['lost their batch axis',
                                       '(1, 16, 10, 10)']),
    (layer2(5), ['shape (1, 16, 10, 10)']),
])
def test_q2_wrong_layers_and_shapes(answer, words):
    result = q2.grade(answer)
    assert result.status == 'wrong'
    for word in words:
        assert word in result.message
    assert 'q2.hint()' in result.message


def test_q2_forgetting_the_batch_axis_says_how_to_add_it():
    message = assert_wrong(q2, layer2(3, batch=False),
                           'A layer takes a batch', 'x.expand_dims(0)')
    assert 'MXNetError: MXNetError' not in message


def by_hand(activation):
    """A learner's layer2_maps that computes the second convolution from
    its weights, then applies `activation` (None: none)."""
    def layer2_maps(net, x):
        X = net[:2](x.expand_dims(0))
        conv = net[2]
        Z = nd.Convolution(X, conv.weight.data(), conv.bias.data(),
                           kernel=(5, 5), num_filter=16)
        return activation(Z) if activation else Z
    return layer2_maps


def test_q2_the_pre_activation_is_named():
    assert_wrong(q2, by_hand(None), 'before its activation')


def test_q2_a_sigmoid_of_ones_own_fails_on_the_relu_net():
    assert_wrong(q2, by_hand(nd.sigmoid),
                 "right on the check's sigmoid LeNet", 'ReLU')


def test_q2_other_values_of_the_right_shape_are_measured():
    result = q2.grade(layer2(3, after=lambda X: X * 0.5))
    assert result.status == 'wrong'
    assert 'differ from d2l.activation_maps(net, x, 2) by up to' in \
        result.message


def test_q2_wants_the_function_not_its_result():
    nets, x = ex4.probes()
    result = q2.grade(layer2(3)(nets['sigmoid'], x))
    assert result.status == 'wrong'
    assert 'pass the function itself' in result.message
    assert q2.grade(lambda net, x: [0]).status == 'wrong'


def test_q2_an_error_in_the_learners_code_is_reported():
    def layer2_maps(net, x):
        raise KeyError('oops')
    assert_wrong(q2, layer2_maps, 'KeyError')


def test_the_check_leaves_mxnets_random_state_alone():
    ex4._PROBES.clear()  # the probes are drawn on the first check
    mx.random.seed(5)
    expected = nd.random.uniform(shape=4).asnumpy()
    mx.random.seed(5)
    q2.grade(solution(q2)['layer2_maps'])
    np.testing.assert_array_equal(nd.random.uniform(shape=4).asnumpy(),
                                  expected)


def test_q2_hints_go_from_layers_to_the_code():
    assert len(q2.hints) == 3
    assert 'net[2]' in q2.hints[0]
    assert 'expand_dims' in q2.hints[1]
    assert 'net[:3]' in q2.hints[2]
