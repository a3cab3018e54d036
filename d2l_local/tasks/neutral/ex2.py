"""Exercise 2's tasks without a framework: q1, the prediction of which
single change helps most, read from an edition's saved grid (each side
passes its own read_result), and the texts of q2 that do not name a layer.
"""
from .. import Prediction
from ...variants import variant_summary


def grid(read_result):
    """The saved grid `read_result` reads, by variant (variant_summary's
    entries)."""
    rows = read_result('lenet_grid.csv')
    return {entry['variant']: entry for entry in variant_summary(rows)}


def cite(entry):
    """A variant's accuracy as the text cites it, with its seeds."""
    if len(entry['accs']) == 1:
        return f'{entry["accs"][0]:.3f} (one seed)'
    return (f'{entry["low"]:.3f} to {entry["high"]:.3f} '
            f'({len(entry["accs"])} seeds, mean {entry["mean"]:.3f})')


# q1: which single change helps the 5-epoch baseline most?

CHOICES = {'a': ('relu', 'ReLU instead of sigmoid'),
           'b': ('max pool', 'max pooling instead of average pooling'),
           'c': ('channels 16/32',
                 '16 and 32 output channels instead of 6 and 16'),
           'd': ('dense 120', 'one hidden dense layer (120) instead of two')}


def best_choice(rows):
    """The letter of the choice whose grid rows have the highest mean
    accuracy."""
    return max(CHOICES, key=lambda c: rows[CHOICES[c][0]]['mean'])


def story(rows):
    """What the grid measured for each choice, in one sentence."""
    base = rows['baseline']
    parts = [f'{text}: {cite(rows[name])}'
             for name, text in CHOICES.values()]
    return (f'After 5 epochs the baseline reached {cite(base)}; '
            f'{"; ".join(parts)}. Judge each against the band in the '
            f"chart: the baseline's own spread over seeds.")


# The second hint of q1, the same in both editions.
HINT_LEARNING_RATE = (
    'ReLU is usually the better activation, but this change keeps the '
    "chapter's learning rate of 0.9, tuned for sigmoid: a ReLU's output "
    'is not bounded, so steps that large can go badly wrong.')


def make_q1(name, rows, first_hint):
    """Task 1, the prediction, registered as `name`: graded by the grid
    `rows` (grid's); `first_hint` is the side's."""
    return Prediction(
        name,
        options={letter: text for letter, (_, text) in CHOICES.items()},
        answer=best_choice(rows),
        todo="set prediction to 'a', 'b', 'c' or 'd': the change you expect "
             'to raise the 5-epoch accuracy most.',
        where='the four options in the text above the cell',
        insight=story(rows),
        hints=[first_hint, HINT_LEARNING_RATE],
        explain=story(rows))


# q2: build the variant with ReLU, max pooling, 16 and 32 channels of 5x5.

PROBE = (2, 1, 28, 28)  # a batch of two Fashion-MNIST images
VARIANT = dict(activation='relu', pooling='max', convs=((16, 5), (32, 5)))
TODO_Q2 = ('set net to the LeNet with ReLU, max pooling and 16 and 32 '
           "channels of 5x5 (everything else as in the chapter's).")
HINT_LENET = ("d2l.lenet builds LeNets from arguments: activation='relu', "
              "pooling='max' and convs=((16, 5), (32, 5)) (channels, window "
              'per convolution).')
EXPLAIN_Q2 = ("d2l.lenet(activation='relu', pooling='max', "
              'convs=((16, 5), (32, 5))) builds the same net in one line.')
