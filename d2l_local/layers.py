"""LeNet's options, checked once for every framework: the layers a
lenet(...) call asks for and the recipe that trains a net."""
import collections.abc
import dataclasses
import numbers

ACTIVATIONS = ('sigmoid', 'relu', 'tanh')
POOLINGS = ('avg', 'max')

# The improved LeNet of exercise 2, chosen with tools/lenet_grid.py.
BETTER_LENET = dict(activation='relu', pooling='max',
                    convs=((32, 3), (64, 3)), dense=(120, 84))


def check_lenet(activation, pooling, convs, dense, num_classes,
                same_padding):
    """The arguments of lenet(...) checked: (convs, dense, num_classes) as
    tuples and an int, or a ValueError that says what each takes."""
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f'unknown activation {activation!r}; choose one of '
                         f'{ACTIVATIONS}')
    if not isinstance(pooling, str) or pooling not in POOLINGS:
        raise ValueError(f'unknown pooling {pooling!r}; choose one of '
                         f'{POOLINGS}')
    convs, dense = _check_layers(convs, dense)
    num_classes = _whole(num_classes, 'num_classes', 'lenet(num_classes=10)')
    if not isinstance(same_padding, bool):
        raise ValueError(f'same_padding is True or False, got '
                         f'{same_padding!r}')
    return convs, dense, num_classes


def _whole(value, name, example):
    """`value` if it is a whole number of at least 1, else a ValueError
    that says what `name` takes."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < 1:
        raise ValueError(f'{name} is a whole number of at least 1, as in '
                         f'{example}; got {value!r}')
    return int(value)


def _check_layers(convs, dense):
    """`convs` and `dense` as tuples, or a ValueError that says what form
    each takes."""
    form = ('convs lists one (channels, kernel size) pair per '
            'convolution, as in convs=((6, 5), (16, 5))')
    if isinstance(convs, (str, bytes, dict)) or not isinstance(
            convs, collections.abc.Iterable):
        raise ValueError(f'{form}; got {convs!r}')
    convs = tuple(convs)
    if not convs:
        raise ValueError(f'LeNet needs at least one convolution layer: '
                         f'{form}')
    for pair in convs:
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise ValueError(f'{form}; got {convs!r}, whose entry '
                             f'{pair!r} is not a pair')
        for value, name in zip(pair, ('channels', 'kernel size')):
            _whole(value, f'each {name} in convs', 'convs=((6, 5), (16, 5))')
    if isinstance(dense, (str, bytes, dict)) or not isinstance(
            dense, collections.abc.Iterable):
        raise ValueError(f'dense lists the widths of the hidden dense '
                         f'layers, as in dense=(120, 84) or dense=() for '
                         f'none; got {dense!r}')
    dense = tuple(dense)
    for units in dense:
        _whole(units, 'each width in dense', 'dense=(120, 84)')
    return tuple(tuple(int(v) for v in pair) for pair in convs), dense


def _min_input(convs, same_padding):
    """Smallest image side for which every layer has an output."""
    size = 1
    for i, (_, kernel) in reversed(list(enumerate(convs))):
        size *= 2  # undo the 2x2 pooling
        if not (i == 0 or same_padding):
            size += kernel - 1
    return size


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a net is trained: batches, optimiser, learning rate, epochs."""
    batch_size: int
    lr: float
    num_epochs: int
    optimizer: str = 'sgd'
    cosine: bool = False  # the learning rate falls to 0 along a cosine
