"""The PyTorch chapter's tasks: the solutions pass, blanks and typical wrong
answers get the message a learner needs, try_gpu is only ever run on
simulated machines (and this one), and checking imports no MXNet.  What
both editions share is tested in test_tasks_both_lenet.py."""
import subprocess
import sys

import pytest
import torch
from torch import nn

from d2l_local.tasks.pytorch import lenet as tasks
from d2l_local.tasks.pytorch.lenet import ____, q1, q2, q3, q4
from taskcheck import assert_blank, assert_wrong


def solved(task):
    """The namespace the task's solution code makes."""
    namespace = {'torch': torch, 'nn': nn}
    exec(task.code, namespace)
    return namespace


def book_net():
    """The book's PyTorch LeNet (d2l-en v0.17.6, §6.6)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


# q1: the second convolution's output shape

def test_q1_answer_is_what_the_net_gives():
    X = torch.zeros(1, 1, 28, 28)
    for layer in book_net()[:4]:  # conv, sigmoid, pool, conv
        X = layer(X)
    assert tasks.CONV2_SHAPE == tuple(X.shape[1:])
    assert q1.grade(solved(q1)['conv2_shape']).status == 'right'
    assert q1.grade(X.shape).status == 'right'  # torch.Size, batch axis


@pytest.mark.parametrize('answer, words', [
    ((16, 8, 8), "without the first convolution's padding"),
    ((16, 24, 24), 'the first pooling, net[2], halves the side'),
    ((16, 14, 14), 'the second convolution has no padding'),
    ((16, 5, 5), 'after the second pooling'),
    ((6, 10, 10), 'nn.Conv2d(6, 16, ...) has 16 kernels'),
    (torch.zeros(16, 10, 10), 'got a tensor'),
])
def test_q1_typical_wrong_answers(answer, words):
    message = assert_wrong(q1, answer, words, 'q1.hint()')
    assert '10' not in message.split('Look again')[0] or '10' in str(answer)


# q2: the second convolution's parameters

def test_q2_answer_is_what_the_net_holds():
    conv = book_net()[3]
    assert tasks.CONV2_PARAMS == sum(p.numel() for p in conv.parameters())
    assert q2.grade(solved(q2)['conv2_params']).status == 'right'


@pytest.mark.parametrize('answer, words', [
    (156, "first convolution's count"),
    (torch.tensor(2416), 'got a tensor'),
])
def test_q2_typical_wrong_answers(answer, words):
    assert_wrong(q2, answer, words)


# q3: the prediction, decided by the layer shapes

def multiply_adds(net, X):
    total = 0
    for layer in net:
        X = layer(X)
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            positions = X.shape[2] * X.shape[3] if X.dim() == 4 else 1
            total += layer.weight.numel() * positions
    return total


def test_q3_answer_follows_from_the_shapes():
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 120), nn.Sigmoid(),
                        nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
    lenet_ops = multiply_adds(book_net(), torch.zeros(1, 1, 28, 28))
    mlp_ops = multiply_adds(mlp, torch.zeros(1, 1, 28, 28))
    assert (lenet_ops, mlp_ops) == (416520, 105000)
    assert q3.answer == 'c' and solved(q3)['prediction'] == 'c'


# q4: the book's try_gpu

def book_try_gpu(i=0):
    """d2l-en v0.17.6's try_gpu, as d2l/torch.py has it."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')


def test_q4_solution_is_the_books_and_passes():
    try_gpu = solved(q4)['try_gpu']
    assert q4.grade(try_gpu).status == 'right'
    assert q4.grade(book_try_gpu).status == 'right'
    for machine, i, want in [('none', 0, 'cpu'), ('one', 0, 'cuda:0'),
                             ('two', 1, 'cuda:1'), ('one', 1, 'cpu'),
                             ('apple', 0, 'cpu'), ('refused', 0, 'cuda:0')]:
        with tasks.simulated_machine(machine):
            assert try_gpu(i) == book_try_gpu(i) == torch.device(want)


def test_q4_blank_template():
    def try_gpu(i=0):
        device = ____  # replace this line
        return device
    assert_blank(q4, try_gpu, ____)


def test_q4_the_common_idiom_and_a_probe_pass():
    assert q4.grade(lambda: torch.device(
        'cuda' if torch.cuda.is_available() else 'cpu')).status == 'right'

    def probe(i=0):  # tries a tensor there, falls back on refusal
        try:
            torch.zeros(1, device=f'cuda:{i}')
            return torch.device(f'cuda:{i}')
        except RuntimeError:
            return torch.device('cpu')
    assert q4.grade(probe).status == 'right'
    with tasks.simulated_machine('refused'):
        assert probe() == torch.device('cpu')


def test_q4_always_the_cpu_is_wrong():
    assert_wrong(q4, lambda: torch.device('cpu'),
                 'when there is one working GPU', "torch.device('cuda:0')")


def test_q4_always_cuda_is_wrong():
    assert_wrong(q4, lambda: torch.device('cuda:0'),
                 'when there is no GPU at all', 'device_count()')


def test_q4_a_tensor_sent_to_a_missing_gpu_escapes():
    def try_gpu():
        torch.zeros(1, device='cuda')
        return torch.device('cuda:0')
    assert_wrong(q4, try_gpu, 'your try_gpu raised RuntimeError',
                 'Found no NVIDIA driver')


def test_q4_apples_gpu_is_not_the_books_answer():
    def try_gpu():
        if torch.cuda.device_count():
            return torch.device('cuda:0')
        if torch.backends.mps.is_available():
            return torch.device('mps')
        return torch.device('cpu')
    assert_wrong(q4, try_gpu, "Apple's GPU", "the book's")


def test_q4_off_by_one_and_ignored_index():
    def at_least_i(i=0):
        if torch.cuda.device_count() >= i:
            return torch.device(f'cuda:{i}')
        return torch.device('cpu')
    assert_wrong(q4, at_least_i, 'no GPU at all')

    def more_than_i(i=0):  # right: count > i is count >= i + 1
        if torch.cuda.device_count() > i:
            return torch.device(f'cuda:{i}')
        return torch.device('cpu')
    assert q4.grade(more_than_i).status == 'right'

    def first_only(i=0):
        return book_try_gpu(0)
    assert_wrong(q4, first_only, "try_gpu(1) gave device(type='cuda', "
                 "index=0); it should give torch.device('cuda:1')")

    def always_one(i=0):
        if torch.cuda.device_count() >= 1:
            return torch.device(f'cuda:{i}')
        return torch.device('cpu')
    assert_wrong(q4, always_one, "one working GPU, try_gpu(1) gave "
                 "device(type='cuda', index=1); it should give "
                 "torch.device('cpu')")


@pytest.mark.parametrize('answer, words', [
    (torch.device('cpu'), 'the function itself'),
    (book_net(), 'the function itself'),
    (lambda: 'cpu', 'returned the string'),
    (lambda: None, 'returned None'),
    (lambda i, j: torch.device('cpu'), 'needs 2'),
])
def test_q4_not_a_function_or_not_a_device(answer, words):
    assert_wrong(q4, answer, words)


def test_q4_an_error_in_the_learners_code_names_their_line():
    def try_gpu():
        return {}['gpu']  # a slip of the learner's
    line = try_gpu.__code__.co_firstlineno + 1
    assert_wrong(q4, try_gpu, f"your code raised KeyError: 'gpu' (line "
                              f'{line} of try_gpu)')


def test_simulated_machines_count_refuse_and_put_everything_back():
    before = (torch.cuda.device_count, torch.cuda.is_available,
              torch.backends.mps.is_available)
    with tasks.simulated_machine('two'):
        assert torch.cuda.device_count() == 2 and torch.cuda.is_available()
        X = torch.ones(2, device='cuda:1') + 1  # made on the CPU
        assert X.device.type == 'cpu'
        assert nn.Linear(2, 2).to('cuda:0').weight.device.type == 'cpu'
        assert torch.ones(2).cuda(1).device.type == 'cpu'
        with pytest.raises(RuntimeError, match='invalid device ordinal'):
            torch.zeros(1, device=torch.device('cuda', 2))
    with tasks.simulated_machine('refused'):
        assert torch.cuda.device_count() == 1
        for send in (lambda: torch.zeros(1, device='cuda'),
                     lambda: torch.ones(1).to('cuda:0'),
                     lambda: torch.ones(1).cuda(),
                     lambda: nn.Linear(1, 1).to(torch.device('cuda'))):
            with pytest.raises(RuntimeError, match='simulated'):
                send()
    with tasks.simulated_machine('apple'):
        assert not torch.cuda.is_available()
        assert torch.backends.mps.is_available()
        assert torch.ones(1, device='mps').device.type == 'cpu'
        with pytest.raises(RuntimeError, match='simulated'):
            torch.ones(1, device='cuda')
    assert (torch.cuda.device_count, torch.cuda.is_available,
            torch.backends.mps.is_available) == before
    assert torch.ones(1).device.type == 'cpu'  # no mode left behind


def test_a_simulation_is_undone_when_the_learners_code_raises():
    before = torch.cuda.device_count
    with pytest.raises(ZeroDivisionError):
        with tasks.simulated_machine('one'):
            1 / 0
    assert torch.cuda.device_count is before


def test_checking_imports_no_mxnet():
    code = '\n'.join([
        'import sys, torch',
        'from d2l_local.tasks.pytorch.lenet import q1, q2, q3, q4',
        'q1.grade((16, 10, 10)); q1.grade(torch.zeros(3)); q2.grade("x")',
        'q3.check("c"); q3.reveal("c")',
        'def try_gpu(i=0):',
        '    if torch.cuda.device_count() >= i + 1:',
        "        return torch.device(f'cuda:{i}')",
        "    return torch.device('cpu')",
        'assert q4.grade(try_gpu).status == "right"',
        'assert q4.grade(torch.nn.Linear(1, 1)).status == "wrong"',
        'print(sorted(m for m in sys.modules if m.startswith("mxnet")))'])
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == '[]', out
