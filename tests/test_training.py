"""set_seed, evaluate_accuracy and train_ch5 on small problems."""
import re

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local.mxnet.data import ArrayIter
from fakedata import make_images, write_files

pytestmark = pytest.mark.usefixtures('isolated')

EPOCH_LINE = re.compile(r'epoch (\d+), loss (\d+\.\d{4}), train acc '
                        r'(\d\.\d{3}), test acc (\d\.\d{3}), time \d+\.\d sec')


def params(net):
    return [p.data().asnumpy() for p in net.collect_params().values()]


def two_class_problem(n, seed):
    """8x8 images: class 0 is bright on the left, class 1 on the right."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n).astype(np.uint8)
    images = rng.integers(0, 100, (n, 8, 8)).astype(np.uint8)
    for i, k in enumerate(labels):
        images[i, :, 4 * k:4 * k + 4] += 150
    return images, labels


def small_net():
    net = nn.Sequential()
    net.add(nn.Dense(2))
    net.initialize(init.Normal(0.01))
    return net


def train_small(num_epochs, capsys=None, **kwargs):
    d2l.set_seed(0)
    train_iter = ArrayIter(*two_class_problem(64, 0), 16, shuffle=True)
    test_iter = ArrayIter(*two_class_problem(32, 1), 16)
    net = small_net()
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.5})
    return net, d2l.train_ch5(net, train_iter, test_iter, 16, trainer,
                              mx.cpu(), num_epochs, **kwargs)


def test_same_seed_same_initial_weights():
    weights = []
    for seed in (1, 1, 2):
        d2l.set_seed(seed)
        net = d2l.lenet()
        net.initialize()
        net(nd.zeros((1, 1, 28, 28)))
        weights.append(params(net))
    assert all((a == b).all() for a, b in zip(weights[0], weights[1]))
    assert not all((a == b).all() for a, b in zip(weights[0], weights[2]))


def test_same_seed_same_shuffles():
    images, labels = make_images(50, seed=0)
    data_iter = ArrayIter(images, labels, 10, shuffle=True)

    def order():
        return [y.asnumpy().tolist() for _, y in data_iter]
    d2l.set_seed(7)
    first = order(), order()
    d2l.set_seed(7)
    assert (order(), order()) == first
    d2l.set_seed(8)
    assert order() != first[0]


def test_evaluate_accuracy_on_a_known_answer():
    # The "net" returns its input as scores, so the prediction is the
    # column of the largest entry: right 1 + 2 times out of 2 + 3.
    batches = [(nd.array([[0.9, 0.1], [0.2, 0.8]]), nd.array([0, 0])),
               (nd.array([[0.3, 0.7], [0.6, 0.4], [0.1, 0.9]]),
                nd.array([1, 0, 0]))]
    assert d2l.evaluate_accuracy(batches, lambda X: X) == pytest.approx(0.6)
    assert d2l.evaluate_accuracy(batches[:1], lambda X: X) == 0.5
    # Integer labels count the same as the float ones of the loaders.
    int_batches = [(X, y.astype('int32')) for X, y in batches]
    assert d2l.evaluate_accuracy(int_batches,
                                 lambda X: X) == pytest.approx(0.6)


def test_train_ch5_prints_the_books_lines(capsys):
    _, history = train_small(3, animate=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'training on cpu(0)'
    assert len(lines) == 4
    for line, record in zip(lines[1:], history):
        match = EPOCH_LINE.fullmatch(line)
        assert match, line
        assert match.groups() == (str(record.epoch), f'{record.loss:.4f}',
                                  f'{record.train_acc:.3f}',
                                  f'{record.test_acc:.3f}')


def test_train_ch5_returns_a_history_and_learns():
    net, history = train_small(4, animate=False)
    assert [type(r) for r in history] == [d2l.Epoch] * 4
    assert [r.epoch for r in history] == [1, 2, 3, 4]
    losses = [r.loss for r in history]
    assert losses == sorted(losses, reverse=True)  # falls every epoch
    assert history[-1].train_acc > 0.9 and history[-1].test_acc > 0.9
    assert all(r.seconds >= 0 for r in history)
    test_iter = ArrayIter(*two_class_problem(32, 1), 16)
    assert d2l.evaluate_accuracy(test_iter, net) == history[-1].test_acc


def test_train_ch5_accepts_a_numpy_integer_for_num_epochs():
    _, history = train_small(np.int64(2), animate=False)
    assert len(history) == 2


def test_lenet_trains_on_the_tiny_data_set(tiny, tmp_path, capsys):
    d2l.set_seed(0)
    folder = write_files(tmp_path / 'data', tiny.files)
    train_iter, test_iter = d2l.load_data('tiny', 20, root=folder)
    net = d2l.lenet('relu', 'max')
    net.initialize(init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.3})
    history = d2l.train_ch5(net, train_iter, test_iter, 20, trainer,
                            d2l.try_gpu(), 2, animate=False)
    assert len(history) == 2
    assert history[1].loss < history[0].loss
    assert len(capsys.readouterr().out.splitlines()) == 3


class FakeHandle:
    """Stands for IPython's display handle: counts what is shown."""

    def __init__(self, shown):
        self.shown = shown

    def update(self, fig):
        self.shown.append(('update', fig))


@pytest.fixture
def shown(monkeypatch):
    """Record Animator's displays instead of printing figure reprs."""
    import IPython.display
    shown = []

    def display(fig, display_id=False):
        shown.append(('display', fig))
        return FakeHandle(shown)
    monkeypatch.setattr(IPython.display, 'display', display)
    return shown


def test_train_ch5_draws_live_curves_only_when_asked(shown):
    train_small(2, animate=False)
    train_small(2)  # outside a notebook: no figure either
    assert shown == []
    train_small(3, animate=True)
    assert [kind for kind, _ in shown] == ['display', 'update', 'update']
    ax = shown[-1][1].axes[0]
    assert len(ax.lines) == 3  # train loss, train acc, test acc
    assert all(len(line.get_xdata()) == 3 for line in ax.lines)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        'train loss', 'train acc', 'test acc']
