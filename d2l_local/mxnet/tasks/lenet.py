"""Tasks of the chapter (§6.6): shapes, parameters, arithmetic, try_gpu.

q1 works out conv1's output shape with the rule n - k + 2p + 1 before the
shape trace prints it; q2 counts conv1's parameters by hand before the
parameter table; q3 predicts whether LeNet needs more or less arithmetic
per image than the MLP (decided by the layer shapes, so the same in quick
mode); q4 writes a working try_gpu, the book's function with its missing
`try:`.  q4 runs the learner's function only against simulated GPUs (one
that MXNet refuses, one that works): on MXNet's CPU build an operator sent
to a real GPU can abort the kernel.
"""
import contextlib

import mxnet as mx

from ...tasks import FunctionTask, Task, ____, function_problem, kind
from ...tasks.neutral import lenet as _lenet

__all__ = ['____', 'q1', 'q2', 'q3', 'q4']

# q1: the shape of conv1's output for one 28x28 image.

CONV1_SHAPE = _lenet.CONV_SHAPE  # conv0 28 -> 28, pool0 -> 14, conv1 -> 10
SIDE_SLIPS = {
    8: "that is the side without conv0's padding (28 - 5 + 1 = 24, "
       'pooled to 12, then 12 - 5 + 1 = 8); conv0 pads by 2 on each side.',
    14: 'conv1 has no padding, so its 5x5 window shrinks the 14x14 input '
        'of pool0.',
    24: 'pool0 halves the side before conv1 sees it: conv1 reads 14x14 '
        'maps, not 28x28.',
    9: 'the rule ends with + 1: a 5-wide window fits at 14 - 5 + 1 '
       'positions.',
    5: 'that is the side after pool1; the task asks for conv1, before it.',
    28: "that is conv0's output side; conv1 comes after pool0.",
}


_conv1_shape = _lenet.shape_check(
    SIDE_SLIPS,
    "conv1 has 16 kernels (6 is conv0's count)",
    'go layer by layer: conv0 (padding 2), pool0 (halves), then conv1 (no '
    'padding)')


q1 = Task(
    'lenet.q1', _conv1_shape,
    todo="set conv1_shape to (channels, height, width) of conv1's "
         'output for one 28x28 image, e.g. conv1_shape = (6, 28, 28).',
    where=_lenet.WHERE_Q1,
    insight='conv1 turns 6 maps of 14x14 into 16 maps of 10x10: the grid '
            'shrinks while the channels grow. The trace below prints it.',
    code='conv1_shape = (16, 14 - 5 + 0 + 1, 14 - 5 + 0 + 1)',
    hints=[
        'Follow one image: conv0 first (28 - 5 + 2*2 + 1), then pool0 '
        'halves the side. What side does conv1 receive?',
        'conv1 reads 14x14 maps with a 5x5 kernel and no padding, and it '
        'has channels=16.',
    ],
    explain='conv0 keeps 28 (28 - 5 + 4 + 1), pool0 halves it to 14, '
            'conv1 gives 14 - 5 + 0 + 1 = 10 with one channel per kernel.')

# q2: conv1's parameters, counted by hand.

CONV1_PARAMS = _lenet.CONV_PARAMS
COUNT_SLIPS = {
    **_lenet.KERNEL_SLIPS,
    6 * 5 * 5 + 6: "that is conv0's count (6 kernels of 1x5x5 plus 6 "
                   'biases); the task asks for conv1.',
    6 * 5 * 5 + 6 + CONV1_PARAMS: 'that counts both convolution layers; '
                                  'the task asks for conv1 alone.',
}


_conv1_params = _lenet.count_check(COUNT_SLIPS)


q2 = Task(
    'lenet.q2', _conv1_params,
    todo='set conv1_params to the number of parameters of conv1, a number '
         'or an expression such as 3 * 3 + 1.',
    where='the model definition (conv1: channels=16, kernel_size=5, after '
          'conv0 with 6 channels)',
    insight='2,400 weights and 16 biases: tiny next to dense0, which holds '
            '48,120. The table below counts every layer.',
    code='conv1_params = 16 * 6 * 5 * 5 + 16',
    hints=[
        'A kernel of conv1 reads all 6 channels that conv0 makes: what '
        'shape is one kernel?',
        _lenet.HINT_KERNELS,
    ],
    explain=_lenet.EXPLAIN_Q2)

# q3: arithmetic per image, LeNet against the MLP.

q3 = _lenet.make_q3(
    'lenet.q3',
    insight='Each weight of a convolution is used at every position of its '
            "output map: conv1's 2,400 weights work at 10 x 10 positions, "
            '240,000 multiply-adds, more than the whole MLP needs.',
    hints=[
        'A dense weight is used once per image. How many times is a '
        'convolution weight used?',
        "conv0's 150 weights are applied at each of 28 x 28 positions.",
    ])

# q4: a try_gpu that falls back to the CPU.


class SimulatedGPU(mx.Context):
    """gpu(i) as the check presents it, made without MXNet touching a GPU.

    If it `works`, its arrays are really made on the CPU; if not, making
    its first array raises MXNetError, as MXNet does for a GPU it cannot
    use.  Either way no operator ever runs on a GPU.
    """

    def __init__(self, works, device_id=0):
        # Set by hand: Context.__init__ may be guarded against GPUs.
        self.works, self._typeid = works, 1  # 1: MXNet's code for the CPU
        self.device_id, self._old_ctx = device_id, None

    @property
    def device_typeid(self):
        if not self.works:
            raise mx.base.MXNetError('(simulated) no usable GPU')
        return self._typeid

    @device_typeid.setter
    def device_typeid(self, value):
        self._typeid = value

    @property
    def device_type(self):
        return 'gpu'

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def __str__(self):  # what MXNet's operators are given
        if not self.works:
            raise mx.base.MXNetError('(simulated) no usable GPU')
        return 'cpu(0)'

    def __repr__(self):
        return f'gpu({self.device_id})'


@contextlib.contextmanager
def simulated_gpu(works, count=1):
    """Within the block, mx.gpu(i) is a SimulatedGPU and MXNet counts
    `count` GPUs: gpu(i) works if `works` and i < count.  Everything is
    put back afterwards.  Yields gpu(0)."""
    fakes = {}
    saved = mx.gpu, mx.context.gpu, mx.context.num_gpus

    def gpu(device_id=0):
        if device_id not in fakes:
            fakes[device_id] = SimulatedGPU(
                works and 0 <= device_id < count, device_id)
        return fakes[device_id]
    mx.gpu = mx.context.gpu = gpu
    mx.context.num_gpus = lambda: count
    try:
        yield gpu(0)
    finally:
        mx.gpu, mx.context.gpu, mx.context.num_gpus = saved


def _real_gpu_is_safe():
    """True when calling mx.gpu() here cannot reach a GPU operator: d2l's
    guard refuses a missing GPU at once, or a GPU is really there."""
    from ..devices import num_gpus
    return (getattr(mx.Context.__init__, 'd2l_guard', False)
            or num_gpus() > 0)


def _name(ctx):
    return repr(ctx) if isinstance(ctx, mx.Context) else kind(ctx)


def _context_problem(ctx, call):
    if not isinstance(ctx, mx.Context):
        return (f'{call} should return a context such as mx.cpu(), '
                f'returned {kind(ctx)}.')
    return None


def _on_simulated(try_gpu, works, count, *args):
    """(what try_gpu(*args) returned, gpu(0)) on simulated GPUs; an
    MXNetError it lets escape is returned in place of a context."""
    with simulated_gpu(works, count) as fake:
        try:
            return try_gpu(*args), fake
        except mx.base.MXNetError as e:
            return e, fake


def _takes_index(try_gpu):
    """True if try_gpu can be called as try_gpu(i), as d2l's can."""
    return function_problem(try_gpu, 'try_gpu(1)', 1) is None


def _try_gpu(try_gpu):
    problem = function_problem(try_gpu, 'try_gpu()', 0)
    if problem:
        return problem
    for count, situation in [(1, 'MXNet counts a GPU but refuses it (its '
                                 'first array fails)'),
                             (0, 'there is no GPU at all')]:
        ctx, fake = _on_simulated(try_gpu, False, count)
        if isinstance(ctx, mx.base.MXNetError):
            return ('when MXNet refuses the GPU, the MXNetError escaped '
                    'your try_gpu: catch it (except mx.base.MXNetError:) '
                    'and use mx.cpu() instead.')
        problem = _context_problem(ctx, 'try_gpu()')
        if problem:
            return problem
        if ctx.device_type != 'cpu':
            return (f'when {situation}, your try_gpu still returned '
                    f'{_name(ctx)}: MXNet may say no only when an array '
                    f'is made there, so make one inside try:.')
        if ctx.device_id != 0:
            return (f'when {situation}, your try_gpu returned '
                    f'{_name(ctx)}; the fallback is mx.cpu(), cpu(0).')
    for count in (1, 2):
        ctx, fake = _on_simulated(try_gpu, True, count)
        if isinstance(ctx, mx.base.MXNetError):
            return ('on a machine whose gpu(0) works, your try_gpu raised '
                    f'MXNetError ({ctx}): it asked for a GPU that is not '
                    'there. Ask for mx.gpu(), the first one, gpu(0).')
        problem = _context_problem(ctx, 'try_gpu()')
        if problem:
            return problem
        if ctx is not fake:
            gpus = 'one GPU' if count == 1 else f'{count} GPUs'
            return (f'on a machine whose gpu(0) works ({gpus}), your '
                    f'try_gpu returned {_name(ctx)}; it should return '
                    f'mx.gpu(), that is gpu(0), there.')
    if _takes_index(try_gpu):  # try_gpu(i), as d2l's: gpu(i) if it works
        for count, i in [(2, 1), (1, 1), (2, 0)]:
            ctx, fake = _on_simulated(try_gpu, True, count, i)
            want = f'gpu({i})' if i < count else 'cpu(0)'
            found = (_name(ctx) if not isinstance(ctx, mx.base.MXNetError)
                     else 'the MXNetError it raised')
            if found != want or (i < count and ctx.device_type != 'gpu'):
                return (f'with {count} working GPU{"s" * (count > 1)}, '
                        f'try_gpu({i}) gave {found}; it should give '
                        f'{want}: ask for mx.gpu(i), and fall back to '
                        f'mx.cpu() if MXNet refuses it.')
    if _real_gpu_is_safe():
        from ..devices import try_gpu as ours
        try:
            ctx, expected = try_gpu(), ours()
        except mx.base.MXNetError:
            return ('on this machine even ctx = mx.gpu() raises MXNetError '
                    '(the course refuses a missing GPU at once): put that '
                    'line inside the try: as well.')
        if ctx != expected:
            return (f'on this machine try_gpu() returned {_name(ctx)}, but '
                    f'{expected!r} is what works here.')
    return None


def _on_refused_gpu(try_gpu):
    with simulated_gpu(works=False):
        return try_gpu()


q4 = FunctionTask(
    'lenet.q4', _try_gpu, _on_refused_gpu,
    todo='replace the line ctx = ____ in try_gpu with a try: ... except '
         '...: that sets ctx to mx.gpu() when MXNet can use it and to '
         'mx.cpu() otherwise.',
    where="the paragraph above the task (what the book's listing does)",
    insight='On this CPU build it returns cpu(0); on a machine with a GPU '
            "and MXNet's CUDA build the same code returns gpu(0), and "
            'everything after it runs there.',
    code='''def try_gpu():
    try:
        ctx = mx.gpu()
        _ = nd.zeros((1,), ctx=ctx)
    except mx.base.MXNetError:
        ctx = mx.cpu()
    return ctx''',
    hints=[
        'Naming the device, ctx = mx.gpu(), need not fail by itself: '
        'MXNet may refuse only when an array is made there, e.g. '
        'nd.zeros((1,), ctx=ctx). Both lines belong inside try:.',
        'Put those two lines under try:, and under except '
        'mx.base.MXNetError: set ctx = mx.cpu(). Return ctx at the end.',
    ],
    explain="This is the book's try_gpu, as its release 0.6 listing has it. "
            'd2l.try_gpu() does the same, but asks MXNet first how many '
            'GPUs it sees.')
