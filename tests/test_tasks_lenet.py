"""The chapter's tasks: the solutions pass, blanks and typical wrong answers
get the message a learner needs, and try_gpu is only ever run against
simulated GPUs.  What both editions share is tested in
test_tasks_both_lenet.py."""
import mxnet as mx
import pytest
from mxnet import init, nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local.mxnet.tasks import lenet as tasks
from d2l_local.mxnet.tasks.lenet import ____, q1, q2, q3, q4


def solved(task):
    """The namespace the task's solution code makes."""
    namespace = {'d2l': d2l, 'mx': mx, 'nd': nd, 'nn': nn}
    exec(task.code, namespace)
    return namespace


def book_net():
    with mx.name.Prefix('tasks_'):
        net = d2l.lenet()
    net.initialize(init.Zero())
    return net


# q1: conv1's output shape

def test_q1_answer_is_what_the_net_gives():
    net, X = book_net(), nd.zeros((1, 1, 28, 28))
    for layer in net[:3]:  # conv0, pool0, conv1
        X = layer(X)
    assert tasks.CONV1_SHAPE == X.shape[1:]
    assert q1.grade(solved(q1)['conv1_shape']).status == 'right'
    assert q1.grade((1,) + X.shape[1:]).status == 'right'  # batch axis ok


@pytest.mark.parametrize('answer, words', [
    ((16, 8, 8), "without conv0's padding"),
    ((16, 24, 24), 'pool0 halves the side'),
    ((16, 14, 14), 'conv1 has no padding'),
    ((6, 10, 10), 'conv1 has 16 kernels'),
])
def test_q1_typical_wrong_answers(answer, words):
    result = q1.grade(answer)
    assert result.status == 'wrong'
    assert words in result.message
    assert 'q1.hint()' in result.message


def test_q1_wrong_answer_does_not_give_the_side_away():
    assert '10' not in q1.grade((16, 8, 8)).message.split('Look again')[0]


# q2: conv1's parameters

def test_q2_answer_is_what_the_net_holds():
    net = book_net()
    net(nd.zeros((1, 1, 28, 28)))
    assert tasks.CONV1_PARAMS == d2l.num_params(net[2])
    assert q2.grade(solved(q2)['conv1_params']).status == 'right'


@pytest.mark.parametrize('answer, words', [
    (156, "conv0's count"),
])
def test_q2_typical_wrong_answers(answer, words):
    result = q2.grade(answer)
    assert result.status == 'wrong'
    assert words in result.message


# q3: the prediction, decided by the layer shapes

def multiply_adds(net, X):
    total = 0
    for layer in net:
        X = layer(X)
        if isinstance(layer, (nn.Conv2D, nn.Dense)):
            positions = X.shape[2] * X.shape[3] if X.ndim == 4 else 1
            total += layer.weight.data().size * positions
    return total


def test_q3_answer_follows_from_the_shapes():
    with mx.name.Prefix('tasks_mlp_'):
        mlp = nn.Sequential()
        mlp.add(nn.Dense(120), nn.Dense(84), nn.Dense(10))
    mlp.initialize(init.Zero())
    ratio = (multiply_adds(book_net(), nd.zeros((1, 1, 28, 28)))
             / multiply_adds(mlp, nd.zeros((1, 784))))
    assert ratio > 1.2 and q3.answer == 'c'
    assert solved(q3)['prediction'] == 'c'


# q4: try_gpu

def test_q4_solution_passes():
    try_gpu = solved(q4)['try_gpu']
    assert q4.grade(try_gpu).status == 'right'
    assert try_gpu() == mx.cpu()  # this CPU build


def test_q4_blank_template():
    def try_gpu():
        ctx = ____
        return ctx
    result = q4.grade(try_gpu)
    assert result.status == 'blank'
    assert result.message.startswith('Not attempted yet')
    assert q4.grade(____).status == 'blank'


def test_q4_catching_any_exception_and_d2l_try_gpu_pass():
    def try_gpu():
        try:
            ctx = mx.gpu()
            nd.zeros((1,), ctx=ctx).wait_to_read()
        except Exception:  # broader than needed, still right
            ctx = mx.cpu()
        return ctx
    assert q4.grade(try_gpu).status == 'right'
    assert q4.grade(lambda: d2l.try_gpu()).status == 'right'


def test_q4_without_try_the_error_escapes():
    def try_gpu():
        ctx = mx.gpu()
        nd.zeros((1,), ctx=ctx)
        return ctx
    result = q4.grade(try_gpu)
    assert result.status == 'wrong'
    assert 'escaped your try_gpu' in result.message


def test_q4_counting_gpus_is_not_enough():
    result = q4.grade(lambda: mx.gpu() if mx.context.num_gpus()
                      else mx.cpu())
    assert result.status == 'wrong'
    assert 'still returned gpu(0)' in result.message


def test_q4_always_the_cpu_is_wrong():
    result = q4.grade(lambda: mx.cpu())
    assert result.status == 'wrong'
    assert 'whose gpu(0) works' in result.message


def test_q4_naming_the_gpu_outside_try_fails_here():
    def try_gpu():
        ctx = mx.gpu()
        try:
            nd.zeros((1,), ctx=ctx)
        except mx.base.MXNetError:
            ctx = mx.cpu()
        return ctx
    result = q4.grade(try_gpu)
    assert result.status == 'wrong'
    assert 'inside the try:' in result.message


@pytest.mark.parametrize('answer, words', [
    (mx.cpu(), 'the function itself'),
    (lambda: 'cpu', 'should return a context'),
])
def test_q4_not_a_function_or_not_a_context(answer, words):
    result = q4.grade(answer)
    assert result.status == 'wrong' and words in result.message


def test_q4_simulation_is_undone_and_never_reaches_a_gpu():
    gpu, num_gpus = mx.gpu, mx.context.num_gpus
    with tasks.simulated_gpu(works=False) as fake:
        assert mx.gpu() is fake and mx.context.num_gpus() == 1
        with pytest.raises(mx.base.MXNetError, match='simulated'):
            nd.zeros((1,), ctx=fake)
        with pytest.raises(mx.base.MXNetError, match='simulated'):
            nd.array([1.0], ctx=fake)
        with pytest.raises(mx.base.MXNetError, match='simulated'):
            nd.ones((1,)).as_in_context(fake)
    with tasks.simulated_gpu(works=True) as fake:
        X = nd.ones((2,), ctx=fake) + 1  # made on the CPU
        assert X.context == mx.cpu() and repr(fake) == 'gpu(0)'
    assert (mx.gpu, mx.context.num_gpus) == (gpu, num_gpus)


@pytest.mark.parametrize('answer, words', [
    (28.0, 'got the number 28.0'),
    ('28', "got the string '28'"),
    (27.6, 'got the number 27.6'),
    ((16.0, 10.0, 10.0), 'whole numbers'),
    ((16, 10.4, 10), 'whole numbers'),
    (('16', '10', '10'), "the string '16'"),
    ((True, 10, 10), 'True (a bool)'),
    ([16, 10, 10], 'a shape is a tuple'),
    ((v for v in (16, 10, 10)), 'got a generator'),
])
def test_q1_refuses_what_only_rounds_or_parses_to_the_shape(answer, words):
    result = q1.grade(answer)
    assert result.status == 'wrong'
    assert words in result.message, result.message


@pytest.mark.parametrize('answer', [2416.0, '2416', True, [2416]])
def test_q2_refuses_what_only_equals_the_count(answer):
    assert q2.grade(answer).status == 'wrong'


def gpu_asker(i, fallback=True):
    """A try_gpu that asks for gpu(i) inside try: (or, without
    `fallback`, returns it unchecked)."""
    def try_gpu():
        if not fallback:
            return mx.gpu(i)
        try:
            ctx = mx.gpu(i)
            nd.zeros((1,), ctx=ctx)
        except mx.base.MXNetError:
            ctx = mx.cpu()
        return ctx
    return try_gpu


@pytest.mark.parametrize('try_gpu, words', [
    (gpu_asker(1), "whose gpu(0) works (one GPU), your try_gpu returned "
                   'cpu(0)'),
    (gpu_asker(1, fallback=False), 'still returned gpu(1)'),
    (lambda: mx.cpu(1), 'the fallback is mx.cpu(), cpu(0)'),
    (lambda i: mx.cpu(), 'needs 1'),
])
def test_q4_a_try_gpu_that_asks_for_the_wrong_device(try_gpu, words):
    result = q4.grade(try_gpu)
    assert result.status == 'wrong'
    assert words in result.message, result.message


def test_q4_a_try_gpu_of_i_must_use_i():
    def ignores_i(i=0):
        return gpu_asker(0)()
    message = q4.grade(ignores_i).message
    assert 'try_gpu(1) gave gpu(0); it should give gpu(1)' in message

    def gpu_i(i=0):
        return gpu_asker(i)()
    assert q4.grade(gpu_i).status == 'right'
    assert q4.grade(d2l.try_gpu).status == 'right'


def test_q4_simulated_machines_count_their_gpus():
    with tasks.simulated_gpu(works=True, count=2) as fake:
        assert mx.context.num_gpus() == 2 and mx.gpu(0) is fake
        assert repr(mx.gpu(1)) == 'gpu(1)' and mx.gpu(1) is mx.gpu(1)
        nd.zeros((1,), ctx=mx.gpu(1))  # works: made on the CPU
        with pytest.raises(mx.base.MXNetError, match='simulated'):
            nd.zeros((1,), ctx=mx.gpu(2))


def test_an_error_in_the_learners_code_names_their_line_only():
    def try_gpu():
        return {}['gpu']  # a slip of the learner's
    message = q4.grade(try_gpu).message
    line = try_gpu.__code__.co_firstlineno + 1
    assert f"your code raised KeyError: 'gpu' (line {line} of try_gpu)" \
        in message, message
