"""Tasks of the chapter's PyTorch twin (§6.6): shapes, parameters,
arithmetic, try_gpu.

q1 works out the output shape of the second convolution, net[3], with the
rule n - k + 2p + 1 before the shape trace prints it; q2 counts its
parameters by hand; q3 predicts whether LeNet needs more or less
arithmetic per image than the MLP (decided by the layer shapes); q4 writes
the book's try_gpu (d2l-en v0.17.6): cuda:i when PyTorch counts a GPU i,
else the CPU.  q4 runs the learner's function on simulated machines (no
GPU, one, two, one that PyTorch counts but refuses, an Apple GPU): there
tensors sent to a working simulated GPU are made on the CPU, so nothing
ever runs on a real GPU.  Nothing here imports MXNet.
"""
import contextlib

import torch
from torch.overrides import TorchFunctionMode

from .. import FunctionTask, Task, ____, function_problem, kind
from ..neutral import lenet as _lenet

__all__ = ['____', 'q1', 'q2', 'q3', 'q4']

# q1: the shape of the second convolution's output for one 28x28 image.

CONV2_SHAPE = _lenet.CONV_SHAPE  # net[0] 28 -> 28, net[2] -> 14, net[3] -> 10
SIDE_SLIPS = {
    8: "that is the side without the first convolution's padding "
       '(28 - 5 + 1 = 24, pooled to 12, then 12 - 5 + 1 = 8); net[0] pads '
       'by 2 on each side.',
    14: 'the second convolution has no padding, so its 5x5 window shrinks '
        'the 14x14 maps it reads.',
    24: 'the first pooling, net[2], halves the side before the second '
        'convolution sees it: net[3] reads 14x14 maps, not 28x28.',
    9: 'the rule ends with + 1: a 5-wide window fits at 14 - 5 + 1 '
       'positions.',
    5: 'that is the side after the second pooling, net[5]; the task asks '
       'for the convolution before it.',
    28: "that is the first convolution's output side; the second comes "
        'after the first pooling.',
}


_conv2_shape = _lenet.shape_check(
    SIDE_SLIPS,
    'nn.Conv2d(6, 16, ...) has 16 kernels (6 is the first '
    "convolution's count)",
    'go layer by layer: the first convolution (padding 2), the pooling '
    '(halves), then the second convolution (no padding)')


q1 = Task(
    'pytorch.lenet.q1', _conv2_shape,
    todo="set conv2_shape to (channels, height, width) of the second "
         "convolution's output (net[3]) for one 28x28 image, e.g. "
         'conv2_shape = (6, 28, 28).',
    where=_lenet.WHERE_Q1,
    insight='net[3] turns 6 maps of 14x14 into 16 maps of 10x10: the grid '
            'shrinks while the channels grow. The trace below prints it.',
    code='conv2_shape = (16, 14 - 5 + 0 + 1, 14 - 5 + 0 + 1)',
    hints=[
        'Follow one image: the first convolution (28 - 5 + 2*2 + 1), then '
        'the pooling halves the side. What side does the second '
        'convolution receive?',
        'nn.Conv2d(6, 16, kernel_size=5) reads 14x14 maps with a 5x5 '
        'kernel and no padding, and it has 16 output channels.',
    ],
    explain='net[0] keeps 28 (28 - 5 + 4 + 1), net[2] halves it to 14, '
            'net[3] gives 14 - 5 + 0 + 1 = 10 with one channel per kernel.')

# q2: the second convolution's parameters, counted by hand.

CONV2_PARAMS = _lenet.CONV_PARAMS
COUNT_SLIPS = {
    **_lenet.KERNEL_SLIPS,
    6 * 5 * 5 + 6: "that is the first convolution's count (6 kernels of "
                   '1x5x5 plus 6 biases); the task asks for the second.',
    6 * 5 * 5 + 6 + CONV2_PARAMS: 'that counts both convolution layers; '
                                  'the task asks for the second alone.',
}


_conv2_params = _lenet.count_check(COUNT_SLIPS)


q2 = Task(
    'pytorch.lenet.q2', _conv2_params,
    todo='set conv2_params to the number of parameters of the second '
         'convolution (net[3]), a number or an expression such as '
         '3 * 3 + 1.',
    where='the model definition (nn.Conv2d(6, 16, kernel_size=5))',
    insight='2,400 weights and 16 biases: tiny next to the first '
            'nn.Linear, which holds 48,120. The table below counts every '
            'layer.',
    code='conv2_params = 16 * 6 * 5 * 5 + 16',
    hints=[
        'A kernel of the second convolution reads all 6 channels that the '
        'first one makes: what shape is one kernel?',
        _lenet.HINT_KERNELS,
    ],
    explain=_lenet.EXPLAIN_Q2 + ' PyTorch stores them as net[3].weight, of '
            'shape (16, 6, 5, 5), and net[3].bias, of shape (16,).')

# q3: arithmetic per image, LeNet against the MLP.

q3 = _lenet.make_q3(
    'pytorch.lenet.q3',
    insight='Each weight of a convolution is used at every position of its '
            "output map: the second convolution's 2,400 weights work at "
            '10 x 10 positions, 240,000 multiply-adds, more than the whole '
            'MLP needs.',
    hints=[
        'A weight of an nn.Linear is used once per image. How many times '
        'is a convolution weight used?',
        "The first convolution's 150 weights are applied at each of "
        '28 x 28 positions.',
    ])

# q4: the book's try_gpu, checked on simulated machines.

MACHINES = {  # name: (CUDA GPUs PyTorch counts, usable?, Apple's mps?)
    'none': (0, True, False), 'one': (1, True, False),
    'two': (2, True, False), 'refused': (1, False, False),
    'apple': (0, True, True),
}
SITUATION = {
    'none': 'there is no GPU at all',
    'one': 'there is one working GPU',
    'two': 'there are two working GPUs',
    'refused': 'PyTorch counts a GPU but refuses to use it',
    'apple': "there is no CUDA GPU but Apple's GPU (mps)",
}


class SimulatedMachine(TorchFunctionMode):
    """While active, every tensor sent to a GPU of the simulated machine is
    made on the CPU if that GPU works, and raises RuntimeError, as PyTorch
    does, if it does not.  No operator ever runs on a real GPU."""

    def __init__(self, cuda, works, mps):
        super().__init__()
        self.cuda, self.works, self.mps = cuda, works, mps

    def _usable(self, device):
        """Raise RuntimeError, as PyTorch would, unless `device` works on
        this machine."""
        if device.type == 'cuda':
            index = 0 if device.index is None else device.index
            if self.cuda == 0:
                raise RuntimeError('(simulated) Found no NVIDIA driver on '
                                   'your system')
            if not self.works:
                raise RuntimeError('(simulated) CUDA error: all '
                                   'CUDA-capable devices are busy or '
                                   'unavailable')
            if index >= self.cuda:
                raise RuntimeError('(simulated) CUDA error: invalid device '
                                   'ordinal')
        elif device.type == 'mps' and not self.mps:
            raise RuntimeError('(simulated) The MPS backend is not '
                               'available on this machine')

    def _swap(self, value, index_is_device=False):
        """`value` with a device of this machine replaced by the CPU."""
        device = None
        if isinstance(value, torch.device):
            device = value
        elif isinstance(value, str):
            try:
                device = torch.device(value)
            except RuntimeError:  # not a device name: leave it
                return value
        elif (index_is_device and isinstance(value, int)
              and not isinstance(value, bool)):
            device = torch.device('cuda', value)
        if device is None or device.type not in ('cuda', 'mps'):
            return value
        self._usable(device)
        return torch.device('cpu')

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is torch.device:  # naming a device never fails
            return func(*args, **kwargs)
        name = getattr(func, '__name__', '')
        if name == 'cuda' and args and isinstance(args[0], torch.Tensor):
            device = kwargs.pop('device', args[1] if len(args) > 1 else None)
            self._usable(torch.device('cuda', device or 0)
                         if not isinstance(device, (str, torch.device))
                         else torch.device(device))
            return args[0].clone()
        to = name == 'to'
        args = tuple(self._swap(a, index_is_device=to) for a in args)
        if 'device' in kwargs:
            kwargs['device'] = self._swap(kwargs['device'],
                                          index_is_device=True)
        return func(*args, **kwargs)


def _patches(cuda, works, mps):
    """(object, attribute, simulated value) for what a try_gpu may ask."""
    current = (torch.device('cuda') if cuda else
               torch.device('mps') if mps else None)

    def current_device():
        if not cuda:
            raise RuntimeError('(simulated) Found no NVIDIA driver on your '
                               'system')
        return 0
    patches = [
        (torch.cuda, 'device_count', lambda: cuda),
        (torch.cuda, 'is_available', lambda: cuda > 0),
        (torch.cuda, 'current_device', current_device),
        (torch.backends.mps, 'is_available', lambda: mps),
        (torch.backends.mps, 'is_built', lambda: mps),
    ]
    accelerator = getattr(torch, 'accelerator', None)  # torch >= 2.6
    if accelerator is not None:
        patches += [
            (accelerator, 'is_available', lambda: current is not None),
            (accelerator, 'device_count',
             lambda: cuda if cuda else int(mps)),
            (accelerator, 'current_accelerator', lambda *a, **k: current),
        ]
    return [(obj, attr, value) for obj, attr, value in patches
            if hasattr(obj, attr)]


@contextlib.contextmanager
def simulated_machine(name):
    """Within the block, PyTorch sees the machine MACHINES[name]: its CUDA
    GPUs counted, usable or refused, and Apple's mps or not.  Everything
    is put back afterwards."""
    cuda, works, mps = MACHINES[name]
    patches = _patches(cuda, works, mps)
    saved = [(obj, attr, getattr(obj, attr)) for obj, attr, _ in patches]
    for obj, attr, value in patches:
        setattr(obj, attr, value)
    try:
        with SimulatedMachine(cuda, works, mps):
            yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


def _name(device):
    """How a learner's returned device reads in a message."""
    if isinstance(device, torch.device):
        return repr(device)
    return kind(device)


def _on(machine, try_gpu, *args):
    """What try_gpu(*args) returns on the simulated `machine`; a
    RuntimeError it lets escape is returned in place of a device."""
    with simulated_machine(machine):
        try:
            return try_gpu(*args)
        except RuntimeError as e:
            return e


def _gpu(device, index):
    """True if `device` names CUDA GPU `index` (torch.device('cuda'), the
    current GPU, counts as GPU 0)."""
    return (isinstance(device, torch.device) and device.type == 'cuda'
            and (device.index if device.index is not None else 0) == index)


def _cpu(device):
    return isinstance(device, torch.device) and device.type == 'cpu'


def _device_problem(device, call):
    if isinstance(device, RuntimeError):
        return None  # the caller words it
    if isinstance(device, str):
        return (f'{call} should return a torch.device such as '
                f"torch.device('cpu'), returned {kind(device)}: wrap it in "
                f'torch.device(...).')
    if not isinstance(device, torch.device):
        return (f'{call} should return a torch.device such as '
                f"torch.device('cpu'), returned {kind(device)}.")
    return None


def _escaped(error, machine):
    return (f'when {SITUATION[machine]}, your try_gpu raised RuntimeError '
            f'({error}): ask torch.cuda.device_count() how many GPUs there '
            f'are before you name one, or catch the error.')


def _takes_index(try_gpu):
    """True if try_gpu can be called as try_gpu(i), as the book's can."""
    return function_problem(try_gpu, 'try_gpu(1)', 1) is None


def _this_machine(try_gpu):
    """What is wrong with try_gpu's answer on this very machine, or None:
    it may return the CPU where the book's would name a GPU only if that
    GPU refuses a tensor."""
    device = try_gpu()
    problem = _device_problem(device, 'try_gpu()')
    if problem:
        return problem
    if torch.cuda.device_count() >= 1:
        if _gpu(device, 0):
            return None
        if _cpu(device):
            try:
                torch.zeros(1, device='cuda:0')
            except RuntimeError:
                return None  # the GPU refuses: the CPU is a fair answer
        return (f'on this machine try_gpu() returned {_name(device)}, but '
                f"PyTorch counts a GPU here: torch.device('cuda:0').")
    if not _cpu(device):
        return (f'on this machine try_gpu() returned {_name(device)}, but '
                f"PyTorch counts no CUDA GPU here: torch.device('cpu').")
    return None


def _try_gpu(try_gpu):
    problem = function_problem(try_gpu, 'try_gpu()', 0)
    if problem:
        return problem
    for machine in ('none', 'apple', 'refused'):
        device = _on(machine, try_gpu)
        if isinstance(device, RuntimeError):
            return _escaped(device, machine)
        problem = _device_problem(device, 'try_gpu()')
        if problem:
            return problem
        if machine == 'apple' and device.type == 'mps':
            return ("on a machine with Apple's GPU and no CUDA GPU, your "
                    "try_gpu returned device(type='mps'): the book's "
                    'try_gpu looks for CUDA GPUs only and returns the CPU '
                    "there (the course's d2l.try_gpu() takes mps; this task "
                    "asks for the book's).")
        if machine == 'refused':
            if not (_gpu(device, 0) or _cpu(device)):
                return (f'when {SITUATION[machine]}, your try_gpu returned '
                        f"{_name(device)}: torch.device('cuda:0'), as the "
                        f"book's does, or the CPU if you tried a tensor "
                        f'there.')
        elif not _cpu(device):
            return (f'when {SITUATION[machine]}, your try_gpu returned '
                    f"{_name(device)}; it should return torch.device('cpu')"
                    f' there: ask torch.cuda.device_count() first.')
    for machine in ('one', 'two'):
        device = _on(machine, try_gpu)
        if isinstance(device, RuntimeError):
            return _escaped(device, machine)
        problem = _device_problem(device, 'try_gpu()')
        if problem:
            return problem
        if not _gpu(device, 0):
            return (f'when {SITUATION[machine]}, your try_gpu returned '
                    f"{_name(device)}; it should return torch.device("
                    f"'cuda:0'), the first GPU, there.")
    if _takes_index(try_gpu):  # try_gpu(i), as the book's: cuda:i if there
        for machine, i in [('two', 1), ('one', 1), ('two', 0), ('none', 1)]:
            device = _on(machine, try_gpu, i)
            want = f'cuda:{i}' if i < MACHINES[machine][0] else 'cpu'
            if isinstance(device, RuntimeError):
                found = f'RuntimeError ({device})'
            else:
                problem = _device_problem(device, f'try_gpu({i})')
                if problem:
                    return problem
                found = _name(device)
            right = (_gpu(device, i) if want != 'cpu' else _cpu(device))
            if not right:
                return (f'when {SITUATION[machine]}, try_gpu({i}) gave '
                        f"{found}; it should give torch.device('{want}'): "
                        f'the GPUs are numbered from 0, so GPU {i} is there '
                        f'only if torch.cuda.device_count() >= {i} + 1.')
    return _this_machine(try_gpu)


def _on_no_gpu(try_gpu):
    with simulated_machine('none'):
        return try_gpu()


q4 = FunctionTask(
    'pytorch.lenet.q4', _try_gpu, _on_no_gpu,
    todo="replace the line device = ____ in try_gpu with code that sets "
         "device to torch.device(f'cuda:{i}') when PyTorch counts a GPU "
         "number i and to torch.device('cpu') otherwise.",
    where="the paragraph above the task (what the book's listing does)",
    insight='Without an NVIDIA GPU it returns the CPU; with one, and '
            "PyTorch's CUDA build, the same code returns cuda:0, and "
            'everything after it runs there.',
    code='''def try_gpu(i=0):
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')''',
    hints=[
        'torch.cuda.device_count() says how many CUDA GPUs PyTorch can '
        'see (0 without one). GPU i is there when the count is at least '
        'i + 1.',
        "If it is, return torch.device(f'cuda:{i}'); otherwise return "
        "torch.device('cpu'). No try: is needed: naming a device never "
        'fails by itself.',
    ],
    explain="This is the book's try_gpu, as its v0.17.6 listing has it. "
            "The course's d2l.try_gpu() also takes Apple's GPU (mps) "
            'where there is no CUDA GPU.')
