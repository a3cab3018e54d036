"""Tasks of exercise 1's PyTorch twin: the solution passes, the blank is
not attempted, typical wrong and odd nets get the message that helps, the
prediction's answer comes from the saved PyTorch runs, and checking
imports no MXNet.  What both editions share is tested in
test_tasks_both_ex1.py."""
import subprocess
import sys

import pytest
import torch
from torch import nn

from d2l_local import torch as d2l
from d2l_local.tasks.pytorch import ex1
from d2l_local.tasks.pytorch.ex1 import ____, q1
from taskcheck import assert_blank, assert_wrong


def lenet_like(pool=nn.MaxPool2d, act=nn.Sigmoid, padding=2, out_act=False,
               order=None, flatten=True, first_in=16 * 5 * 5):
    """The book's PyTorch LeNet (v0.17.6) with one thing changed."""
    layers = [nn.Conv2d(1, 6, kernel_size=5, padding=padding), act(),
              pool(kernel_size=2, stride=2),
              nn.Conv2d(6, 16, kernel_size=5), act(),
              pool(kernel_size=2, stride=2),
              nn.Flatten(),
              nn.Linear(first_in, 120), act(),
              nn.Linear(120, 84), act(),
              nn.Linear(84, 10)]
    if not flatten:
        layers.remove(layers[6])
    if out_act:
        layers.append(nn.Sigmoid())
    return nn.Sequential(*[layers[i] for i in (order or range(len(layers)))])


def solved(task):
    """The namespace the task's solution code makes."""
    namespace = {'nn': nn, 'torch': torch, 'd2l': d2l}
    exec(task.code, namespace)
    return namespace


def test_q1_solution_and_the_package_net_pass():
    assert q1.grade(solved(q1)['net']).status == 'right'
    assert q1.grade(d2l.lenet(pooling='max')).status == 'right'
    assert q1.grade(lenet_like()).status == 'right'


@pytest.mark.parametrize('make', [
    lambda: nn.Sequential(*lenet_like()[:6], nn.Sequential(
        *lenet_like()[6:])),  # blocks grouped in nn.Sequential
    lambda: lenet_like(pool=lambda **kw: nn.MaxPool2d(2)),  # stride default
    lambda: nn.Sequential(  # lazy layers, as the book's later releases
        nn.LazyConv2d(6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.MaxPool2d(2, 2), nn.LazyConv2d(16, kernel_size=5), nn.Sigmoid(),
        nn.MaxPool2d(2, 2), nn.Flatten(), nn.LazyLinear(120), nn.Sigmoid(),
        nn.LazyLinear(84), nn.Sigmoid(), nn.LazyLinear(10)),
])
def test_q1_other_spellings_of_the_same_net_pass(make):
    assert q1.grade(make()).status == 'right', q1.grade(make())


def test_q1_counts_the_chapters_parameters_and_draws_no_number():
    assert ex1.reference()[2] == d2l.num_params(d2l.lenet()) == 61706
    assert '61,706 parameters' in q1.insight
    ex1.reference.cache_clear()
    state = torch.get_rng_state()
    ex1.reference()
    assert torch.equal(state, torch.get_rng_state())


def test_q1_blank_is_not_attempted():
    assert_blank(q1, ____)


def test_q1_average_pooling_left_in():
    assert_wrong(q1, lenet_like(pool=nn.AvgPool2d),
                 'still has average pooling', 'nn.MaxPool2d')
    assert q1.grade(d2l.lenet()).status == 'wrong'


@pytest.mark.parametrize('act, name', [(nn.ReLU, 'ReLU'), (nn.Tanh, 'Tanh')])
def test_q1_sigmoid_replaced(act, name):
    assert_wrong(q1, lenet_like(act=act), f'your net has {name}',
                 'nn.Sigmoid()', 'only the pooling changes')


def test_q1_pooling_after_the_dense_layers():
    assert_wrong(q1, lenet_like(order=[0, 1, 3, 4, 6, 7, 8, 9, 10, 11, 2,
                                       5]),
                 'order', 'come last')


def test_q1_first_convolution_without_padding():
    assert_wrong(q1, lenet_like(padding=0, first_in=16 * 4 * 4),
                 'After layer 1 (Conv2d)', '(2, 6, 28, 28)',
                 'Layer 1 (Conv2d) has padding=(0, 0)',
                 "the chapter's padding=(2, 2)")


def test_q1_first_linear_of_the_wrong_size_says_why_it_fails():
    message = assert_wrong(q1, lenet_like(first_in=7),
                           'Layer 8 (Linear) has in_features=7',
                           'Running it layer by layer raised RuntimeError')
    assert 'File "' not in message


def test_q1_sigmoid_on_the_output_layer():
    assert_wrong(q1, lenet_like(out_act=True), 'output layer',
                 'raw scores')


def test_q1_no_flatten():
    assert_wrong(q1, lenet_like(flatten=False), 'nn.Flatten()')


def test_q1_missing_sigmoid():
    net = lenet_like()
    del net[8]
    assert_wrong(q1, net, '4 nn.Sigmoid() layers, yours 3')


def test_q1_linear_without_bias():
    net = lenet_like()
    net[11] = nn.Linear(84, 10, bias=False)
    assert_wrong(q1, net, 'Layer 12 (Linear) has bias=False')


def test_q1_pool_of_another_size():
    assert_wrong(q1, lenet_like(pool=lambda **kw: nn.MaxPool2d(3, 1)),
                 'After layer 3 (MaxPool2d)',
                 'Layer 3 (MaxPool2d) has kernel_size=(3, 3)')


def test_q1_not_a_network():
    assert_wrong(q1, [nn.Conv2d(1, 6, 5)], 'nn.Sequential(...)',
                 'got a list')
    assert_wrong(q1, nn.Sequential, 'the class Sequential')


def test_q1_a_module_of_its_own_is_asked_for_as_nn_sequential():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = lenet_like()

        def forward(self, X):
            return self.body(X)
    assert_wrong(q1, Net(), 'nn.Sequential(...)', 'a network (Net)')


def test_q1_solution_shows_max_pooling(capsys):
    q1.solution()
    assert 'nn.MaxPool2d(kernel_size=2, stride=2)' in capsys.readouterr().out


def test_saved_runs_are_the_pytorch_editions():
    avg, best = ex1.saved_runs()
    sweep = d2l.read_result('seed_sweep.json')
    assert avg == {r['seed']: r['final_test_acc'] for r in sweep['runs']}
    rows = [r for r in d2l.read_result('lenet_grid.csv')
            if r['variant'] == 'max pool']
    assert sorted(best) == sorted(int(r['seed']) for r in rows) == [0, 1, 2]
    assert set(best) <= set(avg)
    assert all(int(r['params']) == 61706 for r in rows)


def test_checking_imports_no_mxnet():
    found = subprocess.run(
        [sys.executable, '-c',
         'import sys\n'
         'from d2l_local.tasks.pytorch.ex1 import q1, q2\n'
         'from d2l_local import torch as d2l\n'
         "q1.check(d2l.lenet(pooling='max'))\n"
         "q2.check('a')\n"
         'print(sorted(m for m in sys.modules if m.startswith("mxnet")))'],
        capture_output=True, text=True, check=True).stdout
    assert found.strip().splitlines()[-1] == '[]', found
