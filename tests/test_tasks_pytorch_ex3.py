"""The tasks of exercise 3's PyTorch twin: the solutions pass, blanks and
typical wrong answers get the message a learner needs.

The fast tests run on tiny made-up digits and clothes (stripes, see
fakedata); the test on the real data sets needs D2L_DATA_DIR and is slow.
"""
import numpy as np
import pytest
import torch
from torch import nn

import fakedata
from d2l_local import data, datasets, settings
from d2l_local import torch as d2l
from d2l_local.tasks.pytorch import ex3
from d2l_local.tasks.pytorch.ex3 import ____, q1, q2
from taskcheck import assert_blank, assert_wrong


def _relabel(images, labels, n):
    """Shift the labels of the first n images by one class."""
    labels = labels.copy()
    labels[:n] = (labels[:n] + 1) % 10
    return images, labels


@pytest.fixture
def fake(monkeypatch):
    """Tiny 'mnist' and 'fashion-mnist' behind the course's loaders.

    The check's net (the class means of the digits' training images) gets
    every training digit right, 24 of 30 test digits (6 relabelled), 18 of
    30 test 'clothes' and 30 of 100 training 'clothes'.
    """
    mnist = {'train': fakedata.make_images(100, 0),
             'test': _relabel(*fakedata.make_images(30, 1), 6)}
    fashion = {'train': _relabel(*fakedata.make_images(100, 2), 70),
               'test': _relabel(*fakedata.make_images(30, 3), 12)}
    arrays = {'mnist': mnist, 'fashion-mnist': fashion}

    def load_arrays(name, root=None, **kwargs):
        return arrays[name]

    monkeypatch.setattr(data, 'load_arrays', load_arrays)
    monkeypatch.delenv('D2L_QUICK', raising=False)
    return arrays


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


def test_the_fake_splits_give_four_different_accuracies(fake):
    accs = {split: acc for split, acc, _ in ex3.accuracies(ex3.probe_net())}
    assert accs == pytest.approx({('mnist', 'test'): 0.8,
                                  ('mnist', 'train'): 1.0,
                                  ('fashion', 'test'): 0.6,
                                  ('fashion', 'train'): 0.3})


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


def test_q1_solution_is_right(fake):
    result = q1.grade(solution(q1)['mnist_accuracy'])
    assert result.status == 'right', result.message
    assert 'Correct' in result.message


def test_q1_solution_is_right_in_quick_mode_too(fake, monkeypatch):
    monkeypatch.setenv('D2L_QUICK', '1')
    monkeypatch.setattr(settings, 'QUICK_TRAIN', 50)
    monkeypatch.setattr(settings, 'QUICK_TEST', 10)  # 6 relabelled
    mnist_accuracy = solution(q1)['mnist_accuracy']
    assert mnist_accuracy(ex3.probe_net()) == pytest.approx(0.4)
    assert q1.grade(mnist_accuracy).status == 'right'


def test_q1_a_tensor_holding_the_accuracy_is_right(fake):
    def mnist_accuracy(net):
        _, test_iter = d2l.load_data_mnist(256)
        return torch.tensor(d2l.evaluate_accuracy_gpu(net, test_iter))
    assert q1.grade(mnist_accuracy).status == 'right'


def test_q1_blank_is_not_attempted(fake):
    def mnist_accuracy(net):
        return ____
    assert_blank(q1, mnist_accuracy, ____)


@pytest.mark.parametrize('load, split, words', [
    (d2l.load_data_mnist, 0, ["MNIST's training images", 'Expected 0.8000']),
    (d2l.load_data_fashion_mnist, 1, ["Fashion-MNIST's test",
                                      'd2l.load_data_mnist']),
    (d2l.load_data_fashion_mnist, 0, ["Fashion-MNIST's training",
                                      'd2l.load_data_mnist']),
])
def test_q1_wrong_data_set_is_named(fake, load, split, words):
    result = q1.grade(evaluating(load, split))
    assert result.status == 'wrong'
    for word in words:
        assert word in result.message
    assert 'q1.hint()' in result.message


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


def test_q1_result_instead_of_function(fake):
    assert_wrong(q1, 0.8, 'pass the function itself')
    assert_wrong(q1, torch.tensor(0.8), 'pass the function itself')


def test_q1_not_a_number(fake):
    assert_wrong(q1, lambda net: 'about 0.8', 'should return a number')
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


def test_q2_solution_is_right_and_others_are_wrong(capsys):
    prediction = solution(q2)['prediction']
    q2.check(prediction)
    assert q2.last.status == 'noted'
    q2.reveal(prediction, (0.82, 0.68))
    assert q2.last.status == 'right'
    for other in set(q2.options) - {prediction}:
        q2.reveal(other)
        assert q2.last.status == 'wrong'
        assert f'the measurement says ({prediction})' in q2.last.message
    assert 'right!' in capsys.readouterr().out


def test_q2_blank_and_non_options():
    assert q2.grade(____).status == 'blank'
    q2.reveal(____)
    assert q2.last.status == 'blank'
    assert 'You made no prediction' in q2.last.message
    assert_wrong(q2, 'd', 'not one of the options')


@pytest.mark.parametrize('digits, clothes, letter', [
    (0.820, 0.677, 'b'), (0.15, 0.12, 'a'), (0.80, 0.75, 'c'),
    (0.70, 0.62, 'c'), (0.60, 0.90, None), (0.80, 0.20, None)])
def test_yardstick_letter(digits, clothes, letter):
    assert ex3.yardstick_letter(digits, clothes) == letter


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
