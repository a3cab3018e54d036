"""The tasks of exercise 3's PyTorch twin: the solutions pass, blanks and
typical wrong answers get the message a learner needs.

The fast tests run on tiny made-up digits and clothes (stripes, see
fakedata); the test on the real data sets needs D2L_DATA_DIR and is slow.
What both editions share is tested in test_tasks_both_ex3.py.
"""
import numpy as np
import pytest
import torch
from torch import nn

from d2l_local import datasets
from d2l_local import torch as d2l
from d2l_local.tasks.pytorch import ex3
from d2l_local.tasks.pytorch.ex3 import q1, q2
from taskcheck import assert_wrong, fake_mnist


@pytest.fixture
def fake(monkeypatch):
    return fake_mnist(monkeypatch)


def solution(task):
    """The namespace the task's solution code makes."""
    namespace = {'d2l': d2l}
    exec(task.code, namespace)
    return namespace


def evaluating(load, split):
    """A learner's mnist_accuracy that evaluates on loader `load`'s
    `split` (0: training set, 1: test set)."""
    def mnist_accuracy(net):
        return d2l.evaluate_accuracy_gpu(net, load(batch_size=64)[split])
    return mnist_accuracy


def test_checking_imports_no_mxnet():
    import subprocess
    import sys
    code = ('import sys; from d2l_local.tasks.pytorch import ex3; '
            'ex3.q2.grade("b"); '
            'assert "mxnet" not in sys.modules, "mxnet imported"')
    subprocess.run([sys.executable, '-c', code], check=True)


def test_mean_net_is_the_nearest_class_mean_classifier(fake):
    (X, y), (X_test, _) = fake['mnist']['train'], fake['fashion-mnist'][
        'test']
    net = ex3.mean_net(X, y)
    assert isinstance(net, nn.Module)
    means = np.stack([X[y == c].mean(0).ravel() for c in range(10)]) / 255
    flat = X_test.reshape(len(X_test), -1) / 255
    nearest = ((flat[:, None] - means[None]) ** 2).sum(-1).argmin(1)
    with torch.no_grad():
        scores = net(torch.tensor(X_test[:, None] / 255,
                                  dtype=torch.float32))
    assert scores.shape == (30, 10)
    assert (scores.argmax(axis=1).numpy() == nearest).all()


def test_q1_a_tensor_holding_the_accuracy_is_right(fake):
    def mnist_accuracy(net):
        _, test_iter = d2l.load_data_mnist(256)
        return torch.tensor(d2l.evaluate_accuracy_gpu(net, test_iter))
    assert q1.grade(mnist_accuracy).status == 'right'


def test_q1_arguments_swapped(fake):
    def mnist_accuracy(net):
        train_iter, test_iter = d2l.load_data_mnist(256)
        return d2l.evaluate_accuracy_gpu(test_iter, net)
    assert_wrong(q1, mnist_accuracy, 'the net first, then the data')


def test_q1_another_net_than_the_one_given(fake):
    torch.manual_seed(0)
    other = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

    def mnist_accuracy(net):
        _, test_iter = d2l.load_data_mnist(256)
        return d2l.evaluate_accuracy_gpu(other, test_iter)
    assert_wrong(q1, mnist_accuracy, 'should return 0.8000',
                 'the net it was given')


def test_q1_the_count_instead_of_the_share(fake):
    def mnist_accuracy(net):
        _, test_iter = d2l.load_data_mnist(256)
        return 30 * d2l.evaluate_accuracy_gpu(net, test_iter)
    assert_wrong(q1, mnist_accuracy, 'a fraction from 0 to 1')


def test_q1_a_tensor_instead_of_the_function(fake):
    assert_wrong(q1, torch.tensor(0.8), 'pass the function itself')


def test_q1_a_tensor_of_two_numbers_is_not_a_number(fake):
    assert_wrong(q1, lambda net: torch.tensor([0.8, 0.2]),
                 'should return a number')


def test_q1_an_error_is_reported_not_raised(fake):
    def mnist_accuracy(net):
        return d2l.evaluate_accuracy_gpu(net, d2l.load_data_mnist(0)[1])
    assert_wrong(q1, mnist_accuracy, 'raised ValueError')


def test_q1_the_mxnet_spelling_is_reported_not_raised(fake):
    def mnist_accuracy(net):
        return d2l.evaluate_accuracy(d2l.load_data_mnist(256)[1], net)
    assert_wrong(q1, mnist_accuracy, 'raised AttributeError')


def test_checking_leaves_the_generators_as_they_were(fake):
    """Building the check's net draws from PyTorch's generator and a
    training split is shuffled with NumPy's: neither may move the
    notebook's next draws: the training after Task 1 starts as seeded."""
    def next_draws():
        return torch.rand(3).tolist(), np.random.rand(3).tolist()

    d2l.set_seed(7)
    expected = next_draws()
    for answer in (solution(q1)['mnist_accuracy'],
                   evaluating(d2l.load_data_mnist, 0)):  # shuffles
        d2l.set_seed(7)
        q1.grade(answer)
        assert next_draws() == expected


def test_q1_hints_lead_to_the_solution():
    assert len(q1.hints) == 3
    assert 'load_data_mnist' in q1.hints[1]
    assert 'evaluate_accuracy_gpu(net, test_iter)' in q1.hints[2]
    assert 'evaluate_accuracy_gpu(net, test_iter)' in q1.code


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
        accs[name] = d2l.evaluate_accuracy_gpu(
            net, d2l.ArrayIter(X_test, y_test, 1000))
    assert ex3.yardstick_letter(accs['mnist'], accs['fashion-mnist']) == \
        q2.answer
    assert q1.grade(solution(q1)['mnist_accuracy']).status == 'right'
