"""The tasks of exercise 3: the solutions pass, blanks and typical wrong
answers get the message a learner needs.

The fast tests run on tiny made-up digits and clothes (stripes, see
fakedata); the test on the real data sets needs D2L_DATA_DIR and is slow.
What both editions share is tested in test_tasks_both_ex3.py.
"""
import numpy as np
import pytest
from mxnet import nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local import datasets
from d2l_local.mxnet.tasks import ex3
from d2l_local.mxnet.tasks.ex3 import q1, q2
from taskcheck import assert_wrong, fake_mnist


@pytest.fixture
def fake(monkeypatch):
    return fake_mnist(monkeypatch)


def solution(task):
    """The namespace the task's solution code makes."""
    namespace = {'d2l': d2l}
    exec(task.code, namespace)
    return namespace


def test_mean_net_is_the_nearest_class_mean_classifier(fake):
    (X, y), (X_test, _) = fake['mnist']['train'], fake['fashion-mnist'][
        'test']
    net = ex3.mean_net(X, y)
    means = np.stack([X[y == c].mean(0).ravel() for c in range(10)]) / 255
    flat = X_test.reshape(len(X_test), -1) / 255
    nearest = ((flat[:, None] - means[None]) ** 2).sum(-1).argmin(1)
    scores = net(nd.array(X_test[:, None] / 255))
    assert scores.shape == (30, 10)
    assert (scores.argmax(axis=1).asnumpy() == nearest).all()


def test_q1_arguments_swapped(fake):
    def mnist_accuracy(net):
        train_iter, test_iter = d2l.load_data_mnist(256)
        return d2l.evaluate_accuracy(net, test_iter)
    assert_wrong(q1, mnist_accuracy, 'the data first, then the net')


def test_q1_another_net_than_the_one_given(fake):
    other = nn.Dense(10, in_units=784)
    other.initialize()

    def mnist_accuracy(net):
        _, test_iter = d2l.load_data_mnist(256)
        return d2l.evaluate_accuracy(test_iter, other)
    assert_wrong(q1, mnist_accuracy, 'should return 0.8000',
                 'the net it was given')


def test_q1_an_error_is_reported_not_raised(fake):
    def mnist_accuracy(net):
        return d2l.evaluate_accuracy(d2l.load_data_mnist(0)[1], net)
    assert_wrong(q1, mnist_accuracy, 'raised ValueError')


def test_q1_hints_lead_to_the_solution():
    assert len(q1.hints) == 3
    assert 'load_data_mnist' in q1.hints[1]
    assert 'evaluate_accuracy(test_iter, net)' in q1.hints[2]


@pytest.mark.slow
def test_on_the_real_data(real_data_dir, monkeypatch):
    """The prediction's answer is what the full test sets give, and the
    solution of q1 passes on the real digits."""
    monkeypatch.delenv('D2L_QUICK', raising=False)
    monkeypatch.setenv('D2L_DATA_DIR', str(real_data_dir))
    accs = {}
    for name in ('mnist', 'fashion-mnist'):
        arrays = datasets.load_arrays(name)
        net = ex3.mean_net(*arrays['train'])
        X_test, y_test = arrays['test']
        accs[name] = d2l.evaluate_accuracy(
            d2l.ArrayIter(X_test, y_test, 1000), net)
    assert ex3.yardstick_letter(accs['mnist'], accs['fashion-mnist']) == \
        q2.answer
    assert q1.grade(solution(q1)['mnist_accuracy']).status == 'right'
