"""Figures: image grids, live training curves, finished histories."""
import matplotlib.pyplot as plt
import numpy as np

from .arrays import to_numpy


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Plot a grid of images with optional titles.  (§3.5)"""
    figsize = (num_cols * scale, num_rows * scale)
    fig, axes = plt.subplots(num_rows, num_cols, figsize=figsize,
                             squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        ax.imshow(to_numpy(img).squeeze(), cmap='gray')
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes


def set_axes(ax, xlabel, ylabel, xlim, ylim, legend):
    """Label, limit and decorate a matplotlib axis.  (§2.4)"""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if xlim:
        ax.set_xlim(xlim)
    if ylim:
        ax.set_ylim(ylim)
    if legend:
        ax.legend(legend)
    ax.grid()


class Animator:
    """Plot data in animation: the live curves of training.  (§3.6)

    The figure is shown once and then redrawn in place through its display
    handle, so lines printed beside it are not wiped.  With show=False (the
    default outside a notebook) it only records the points.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None,
                 ylim=None, figsize=(3.5, 2.5), show=None):
        # show=None: draw only in a notebook, where a figure can be seen
        self.show = in_notebook() if show is None else bool(show)
        self.fig, self.ax = (plt.subplots(figsize=figsize) if self.show
                             else (None, None))
        self.config = (xlabel, ylabel, xlim, ylim, legend or [])
        self.X, self.Y = None, None
        self.handle = None

    def add(self, x, ys):
        """Add one point per curve (None skips a curve) and redraw."""
        if not hasattr(ys, '__len__'):
            ys = [ys]
        if self.X is None:
            self.X = [[] for _ in ys]
            self.Y = [[] for _ in ys]
        for i, y in enumerate(ys):
            if y is not None:
                self.X[i].append(x)
                self.Y[i].append(y)
        if not self.show:
            return
        self.ax.cla()
        for xs, ys_, fmt in zip(self.X, self.Y, ('-', 'm--', 'g-.', 'r:')):
            self.ax.plot(xs, ys_, fmt)
        set_axes(self.ax, *self.config)
        self._show()

    def _show(self):
        from IPython.display import display
        if self.handle is None:
            self.handle = display(self.fig, display_id=True)
        else:
            self.handle.update(self.fig)

    def close(self):
        """Stop drawing; the last frame stays in the output."""
        if self.fig is not None:
            plt.close(self.fig)


def in_notebook():
    """Return True when running in a Jupyter kernel."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        return False
    return shell is not None and 'IPKernelApp' in shell.config


def plot_history(histories, labels=None, figsize=(7, 2.8)):
    """Plot train loss and test accuracy of one or more training runs
    (the histories train_ch5 and train_ch6 return)."""
    if histories and not isinstance(histories[0], list):
        histories = [histories]
    labels = labels or [None] * len(histories)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=figsize)
    for history, label in zip(histories, labels):
        epochs = [e.epoch for e in history]
        ax_loss.plot(epochs, [e.loss for e in history], label=label)
        prefix = f'{label} ' if label else ''
        ax_acc.plot(epochs, [e.test_acc for e in history], '--',
                    label=f'{prefix}test')
        ax_acc.plot(epochs, [e.train_acc for e in history], '-',
                    label=f'{prefix}train')
    ax_loss.set(xlabel='epoch', ylabel='train loss')
    ax_acc.set(xlabel='epoch', ylabel='accuracy')
    ax_acc.legend(fontsize='small')
    for ax in (ax_loss, ax_acc):
        ax.grid()
    if any(labels):
        ax_loss.legend(fontsize='small')
    fig.tight_layout()
    return fig


def plot_layer_flow(names, shapes, figsize=(9, 2.6), ops=None):
    """Draw each layer's output to scale, each arrow its operation.  (§6.6)

    `names` and `shapes` come from a shape trace such as the chapter's:
    the input first, then one entry per layer.  Feature maps (c, h, w) are
    drawn as stacks of sheets, one per channel, whose side is the map's
    side at one scale for the whole figure (a scale bar says it); vectors
    (n,) as bars, n units per pixel length at a scale the figure says.
    `ops` labels the arrows, one per layer (d2l.layer_ops(net) says what
    each layer does); without it they are guessed from the names.
    """
    from .figures import _plot_trace
    return _plot_trace(names, shapes, ops, figsize)


def plot_seed_curves(sweep, history=None, figsize=(7, 3.4)):
    """Plot the test accuracy per epoch of every seed in a sweep.  (§6.6)

    `sweep` is d2l.read_result('seed_sweep.json'): one curve per seed, the
    chance level of ten classes dashed, accuracy on its full 0-1 scale.
    A training run's `history` (of train_ch5 or train_ch6) is drawn over
    them in black.
    """
    runs = sweep['runs']
    if not runs:
        raise ValueError('the sweep holds no runs: run tools/seed_sweep.py')
    fig, ax = plt.subplots(figsize=figsize)
    colors = plt.get_cmap('viridis')(np.linspace(0, 0.9, len(runs)))
    for run, color in zip(runs, colors):
        epochs = [e['epoch'] for e in run['history']]
        ax.plot(epochs, [e['test_acc'] for e in run['history']], 'o-',
                color=color, ms=3, lw=1.2, alpha=0.85,
                label=f"seed {run['seed']}")
    if history is not None:
        ax.plot([e.epoch for e in history], [e.test_acc for e in history],
                'k-', lw=2.2, label='this notebook')
    last = max(len(run['history']) for run in runs)
    ax.axhline(0.1, color='0.35', ls='--', lw=1)
    ax.text(last, 0.12, 'chance: 1 in 10', ha='right', va='bottom',
            fontsize=8, color='0.35')
    ax.set(xlabel='epoch', ylabel='test accuracy', ylim=(0, 1),
           xticks=range(1, last + 1),
           title=f'Test accuracy per epoch, {len(runs)} seeds')
    ax.grid(alpha=0.3)
    ax.legend(fontsize='small', loc='center left', bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig
