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
                            legend=['loss', 'acc'], show=True)
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


def test_animator_outside_a_notebook_only_records(monkeypatch):
    import IPython.display
    monkeypatch.setattr(IPython.display, 'display', None)  # never called
    figures = plt.get_fignums()
    animator = d2l.Animator(legend=['loss'])  # show=None: not a notebook
    animator.add(1, 0.5)
    animator.add(2, 0.4)
    assert animator.fig is None and plt.get_fignums() == figures
    assert animator.Y == [[0.5, 0.4]]
    animator.close()


def sweep_of(curves):
    return {'runs': [{'seed': seed, 'history': [
        {'epoch': i + 1, 'test_acc': acc} for i, acc in enumerate(accs)]}
        for seed, accs in enumerate(curves)]}


def test_plot_seed_curves_one_curve_per_seed_and_chance():
    curves = [[0.1, 0.1, 0.6], [0.4, 0.7, 0.75], [0.1, 0.5, 0.7]]
    fig = d2l.plot_seed_curves(sweep_of(curves))
    (ax,) = fig.axes
    seeds = [line for line in ax.lines if line.get_label().startswith('seed')]
    assert [line.get_label() for line in seeds] == ['seed 0', 'seed 1',
                                                    'seed 2']
    for line, accs in zip(seeds, curves):
        assert list(line.get_xdata()) == [1, 2, 3]
        assert list(line.get_ydata()) == accs
    chance = [line for line in ax.lines if line not in seeds]
    assert len(chance) == 1 and list(chance[0].get_ydata()) == [0.1, 0.1]
    assert ax.get_ylim() == (0, 1)
    assert 'chance' in ' '.join(t.get_text() for t in ax.texts)
    assert '3 seeds' in ax.get_title()
    assert ax.get_ylabel() == 'test accuracy'


def test_plot_seed_curves_draws_a_history_over_the_sweep():
    fig = d2l.plot_seed_curves(sweep_of([[0.1, 0.6]]),
                               history=history([2.0, 1.0], [0.3, 0.7]))
    (ax,) = fig.axes
    mine = [line for line in ax.lines if line.get_label() == 'this notebook']
    assert len(mine) == 1 and list(mine[0].get_ydata()) == [0.3, 0.7]


def test_plot_seed_curves_refuses_an_empty_sweep():
    with pytest.raises(ValueError, match='no runs'):
        d2l.plot_seed_curves({'runs': []})


def test_plot_seed_curves_on_the_saved_sweep():
    sweep = d2l.read_result('seed_sweep.json')
    (ax,) = d2l.plot_seed_curves(sweep).axes
    seeds = [line for line in ax.lines if line.get_label().startswith('seed')]
    assert len(seeds) == len(sweep['runs']) >= 2
    firsts = [line.get_ydata()[0] for line in seeds]
    assert min(firsts) < 0.2 < max(firsts)  # the plateau and the escape
