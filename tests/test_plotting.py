"""Figures (on matplotlib's Agg backend, set in conftest.py)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import nd

import d2l_local as d2l
from d2l_local import Epoch


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


def history(losses, test_accs):
    return [Epoch(i + 1, loss, 1 - loss, acc, 1.0)
            for i, (loss, acc) in enumerate(zip(losses, test_accs))]


def test_show_images_grid_with_titles():
    imgs = nd.random.uniform(shape=(6, 1, 28, 28))
    axes = d2l.show_images(imgs, 2, 3, titles=list('abcdef'))
    assert len(axes) == 6
    assert [ax.get_title() for ax in axes] == list('abcdef')
    np.testing.assert_allclose(axes[4].images[0].get_array(),
                               imgs[4, 0].asnumpy())
    assert not axes[0].get_xaxis().get_visible()


def test_show_images_leaves_extra_cells_empty():
    imgs = np.zeros((5, 28, 28))
    axes = d2l.show_images(imgs, 2, 4)
    assert len(axes) == 8
    assert [len(ax.images) for ax in axes] == [1] * 5 + [0] * 3
    assert axes[0].get_title() == ''


def test_plot_history_of_one_run():
    fig = d2l.plot_history(history([2.0, 1.0, 0.5], [0.5, 0.7, 0.8]))
    ax_loss, ax_acc = fig.axes
    assert len(ax_loss.lines) == 1 and len(ax_acc.lines) == 2
    assert list(ax_loss.lines[0].get_ydata()) == [2.0, 1.0, 0.5]
    assert list(ax_acc.lines[0].get_ydata()) == [0.5, 0.7, 0.8]
    assert ax_loss.get_legend() is None  # no labels, no legend


def test_plot_history_compares_labelled_runs():
    runs = [history([2.0, 1.0], [0.5, 0.7]), history([1.5, 0.9], [0.6, 0.8])]
    fig = d2l.plot_history(runs, labels=['sigmoid', 'relu'])
    ax_loss, ax_acc = fig.axes
    assert len(ax_loss.lines) == 2 and len(ax_acc.lines) == 4
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == [
        'sigmoid', 'relu']
    assert 'relu test' in [t.get_text()
                           for t in ax_acc.get_legend().get_texts()]


def test_animator_redraws_one_figure(monkeypatch):
    import IPython.display
    calls = []

    class Handle:
        def update(self, fig):
            calls.append('update')

    def display(fig, display_id=False):
        calls.append('display')
        return Handle()
    monkeypatch.setattr(IPython.display, 'display', display)
    animator = d2l.Animator(xlabel='epoch', xlim=[1, 3],
                            legend=['loss', 'acc'])
    animator.add(1, (1.0, 0.5))
    animator.add(2, (0.8, None))  # None: no point for that curve
    animator.add(3, (0.6, 0.7))
    assert calls == ['display', 'update', 'update']
    lines = animator.ax.lines
    assert len(lines) == 2
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    assert list(lines[1].get_xdata()) == [1, 3]
    assert animator.ax.get_xlabel() == 'epoch'
    assert animator.ax.get_xlim() == (1, 3)
    number = animator.fig.number
    animator.close()
    assert not plt.fignum_exists(number)


def test_set_axes():
    _, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    d2l.set_axes(ax, 'x', 'y', [0, 2], [0, 3], ['line'])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ('x', 'y')
    assert ax.get_xlim() == (0, 2) and ax.get_ylim() == (0, 3)
    assert ax.get_legend().get_texts()[0].get_text() == 'line'
