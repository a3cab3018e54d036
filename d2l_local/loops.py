"""What every framework's training loop shares: the Epoch record and the
checks on the loop's arguments (whole epochs, iterators that hold data)."""
import collections
import functools
import inspect
import numbers
import time


class Epoch(collections.namedtuple('Epoch',
                                   'epoch loss train_acc test_acc seconds')):
    """One epoch of a training run's history, in plain Python numbers.

    (§6.6)  Frameworks hand sums back as NumPy scalars or tensors, which
    NumPy 2 prints as ``np.float32(0.75)`` and json cannot write: each
    field is made a plain int or float here, so a record prints and saves
    alike on every NumPy and framework.
    """
    __slots__ = ()

    def __new__(cls, epoch, loss, train_acc, test_acc, seconds):
        return super().__new__(cls, int(epoch), float(loss),
                               float(train_acc), float(test_acc),
                               float(seconds))


def whole_epochs(train):
    """Refuse a num_epochs that is not a positive whole number before the
    book's loop (which stays as the chapter shows it) prints anything."""
    signature = inspect.signature(train)

    @functools.wraps(train)
    def wrapper(*args, **kwargs):
        num_epochs = signature.bind(*args, **kwargs).arguments.get(
            'num_epochs')
        if (isinstance(num_epochs, bool)
                or not isinstance(num_epochs, numbers.Integral)
                or num_epochs <= 0):
            raise ValueError(f'num_epochs must be a positive whole number, '
                             f'got {num_epochs!r}')
        return train(*args, **kwargs)
    return wrapper


class NonEmpty:
    """Iterate over `data`, raising ValueError when a pass yields nothing."""

    def __init__(self, data, name, caller):
        self.data, self.name, self.caller = data, name, caller
        self.passes = 0

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        self.passes += 1
        batches = 0
        for batch in self.data:
            batches += 1
            yield batch
        if not batches:
            one_shot = iter(self.data) is self.data
            raise self.error(used_up=one_shot and self.passes > 1)

    def error(self, used_up=False):
        if used_up:
            return ValueError(
                f'{self.caller}: {self.name} yielded no mini-batch this time: '
                f'it is a one-shot iterator, used up by an earlier pass. '
                f'Pass one that can be read again, such as the ArrayIter of '
                f'd2l.load_data_fashion_mnist(batch_size) or a list.')
        return ValueError(
            f'{self.caller}: {self.name} yields no mini-batch, so there is '
            f'nothing to average over. Pass an iterator that holds data, '
            f'such as those of d2l.load_data_fashion_mnist(batch_size).')


def _is_empty(data):
    try:
        return len(data) == 0
    except TypeError:  # no len(): find out while iterating
        return False


def non_empty(bound, iterables, caller):
    """Wrap the named iterators of `bound` (inspect's BoundArguments) in
    NonEmpty, raising at once for one whose len() is 0."""
    for name in iterables:
        data = NonEmpty(bound.arguments[name], name, caller)
        if _is_empty(data.data):
            raise data.error()
        bound.arguments[name] = data


def checked_iterables(*iterables):
    """Decorate a loop: the named data iterators must yield a mini-batch."""
    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            non_empty(bound, iterables, function.__name__)
            return function(*bound.args, **bound.kwargs)
        return wrapper
    return decorate


class Accumulator:
    """For accumulating sums over `n` variables.  (§3.6)"""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


class Timer:
    """Record multiple running times.  (§3.1)"""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start the timer."""
        self.tik = time.time()

    def stop(self):
        """Stop the timer and record the time in a list."""
        self.times.append(time.time() - self.tik)
        return self.times[-1]

    def avg(self):
        """Return the average time."""
        return sum(self.times) / len(self.times)

    def sum(self):
        """Return the sum of time."""
        return sum(self.times)
