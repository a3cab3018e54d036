"""The chapter's tasks without a framework: the checks of q1 (a
convolution's output shape) and q2 (its parameters, counted by hand) and
q3, the prediction of LeNet's arithmetic against the MLP's.  Both editions
ask about the same layer, 16 kernels of 6x5x5 on 14x14 maps; each side
names it in its own words (conv1, net[3]) and keeps q4, try_gpu.
"""
from .. import Prediction, expect_count, kind, read_shape

# q1: the shape of the second convolution's output for one 28x28 image.

CONV_SHAPE = (16, 10, 10)  # first conv 28 -> 28, pooling -> 14, 2nd -> 10
WHERE_Q1 = ('the rule above the task and the model definition (padding, '
            'kernel size, channels of each layer)')


def shape_check(side_slips, kernels, layer_by_layer):
    """The assess function of q1: `side_slips` maps a wrong side to what
    it came from, `kernels` says how many the layer has and
    `layer_by_layer` how to follow an image through the layers, each in
    the side's names of the layers."""
    def assess(answer):
        if isinstance(answer, (str, bytes)) or not isinstance(answer,
                                                              (tuple, list)):
            return (f'the answer should be a shape (channels, height, width) '
                    f'such as (6, 28, 28), got {kind(answer)}.')
        found, problem = read_shape(answer, (6, 28, 28))
        if problem:
            return problem
        if len(found) == 4 and found[0] == 1:
            found = found[1:]  # (1, c, h, w): the batch axis is fine
        if len(found) != 3:
            return (f'expected three numbers (channels, height, width), '
                    f'found {found}.')
        c, h, w = found
        problems = []
        if c != CONV_SHAPE[0]:
            problems.append(
                f'{c} channels: a convolution makes one channel per kernel, '
                f'and {kernels}')
        if (h, w) != CONV_SHAPE[1:]:
            slip = side_slips.get(h) if h == w else None
            problems.append(f'height and width {h}x{w}: '
                            + (slip or layer_by_layer).rstrip('.'))
        return f'found {"; ".join(problems)}.' if problems else None
    return assess


# q2: the convolution's parameters, counted by hand.

CONV_PARAMS = 16 * 6 * 5 * 5 + 16
# What a wrong count counted, in words that name no layer.
KERNEL_SLIPS = {
    16 * 6 * 5 * 5: 'that counts the weights only: each of the 16 kernels '
                    'also has a bias.',
    16 * 5 * 5 + 16: "that is a 5x5 kernel per output channel, but each "
                     "kernel spans all 6 input channels (it is 6x5x5).",
    16 * 5 * 5: 'that forgets both the 6 input channels each kernel spans '
                'and the 16 biases.',
    16 * 6 * 5 * 5 + 6 * 16: 'there is one bias per output channel (16), '
                             'not one per pair of channels.',
    16 * 6 * 5 * 5 + 6: 'the biases belong to the output channels: 16 of '
                        'them, not 6.',
}
HINT_KERNELS = ('Each of the 16 kernels is 6 x 5 x 5 weights, and each has '
                'one bias.')
EXPLAIN_Q2 = ('16 kernels of 6 x 5 x 5 weights make 2,400 weights; one bias '
              'per kernel adds 16.')


def count_check(slips):
    """The assess function of q2: `slips` maps a wrong count to what it
    counted (KERNEL_SLIPS and the side's own)."""
    return expect_count(
        CONV_PARAMS, slips, 'count the shape of one kernel (input '
        'channels x height x width), times the number of kernels, plus one '
        'bias per kernel.', '3 * 3 + 1')


# q3: arithmetic per image, LeNet against the MLP.

def make_q3(name, insight, hints):
    """Task 3, the prediction, registered as `name`; `insight` and
    `hints` name the side's layers."""
    return Prediction(
        name,
        options={'a': 'LeNet needs fewer multiply-adds per image than the '
                      'MLP',
                 'b': 'about as many (within 20%)',
                 'c': 'LeNet needs more multiply-adds per image than the '
                      'MLP'},
        answer='c',  # fixed by the layer shapes: 416,520 against 105,000
        todo="set prediction to 'a', 'b' or 'c'.",
        where='the three options above the cell',
        insight=insight,
        hints=hints,
        explain='Fewer weights do not mean less arithmetic: a convolution '
                'reuses each weight at every position of its output map.')
