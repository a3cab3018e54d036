"""What a trained net gets wrong, from label arrays: confusions, mistakes.

Each framework's side has predict_all, which makes the arrays."""
import matplotlib.pyplot as plt
import numpy as np

from .arrays import to_numpy


def _classes(values, what):
    values = to_numpy(values).ravel()
    if values.size and not np.all(values == np.round(values)):
        raise ValueError(f'{what} must hold class numbers (0, 1, ...), '
                         f'not scores: take argmax(axis=1) of the output')
    return values.astype(np.int64)


def confusion_matrix(y, y_hat, num_classes=10):
    """Count each (true, predicted) pair: row = true, column = predicted.

    (§6.6)  Entry [i, j] is how many images of class i the net called j;
    the diagonal holds the right answers.
    """
    y, y_hat = _classes(y, 'y'), _classes(y_hat, 'y_hat')
    if y.shape != y_hat.shape:
        raise ValueError(f'y has {y.size} labels but y_hat {y_hat.size}: '
                         f'predict the same images you take labels from')
    for values, what in ((y, 'y'), (y_hat, 'y_hat')):
        if values.size and (values.min() < 0
                            or values.max() >= num_classes):
            raise ValueError(f'{what} holds classes outside 0..'
                             f'{num_classes - 1}: check num_classes')
    counts = np.bincount(num_classes * y + y_hat,
                         minlength=num_classes ** 2)
    return counts.reshape(num_classes, num_classes)


def plot_confusion_matrix(cm, labels, normalize=True, figsize=(6.4, 5.2)):
    """Draw a confusion matrix with its numbers and a colour bar.  (§6.6)

    With `normalize` (the default) each row shows the percent of that true
    class given each predicted label, on a fixed 0-100 scale, so rows of
    different sizes compare; otherwise the raw counts, from 0.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f'cm must be a square matrix, got shape '
                         f'{cm.shape}: make it with d2l.confusion_matrix')
    if len(labels) != len(cm):
        raise ValueError(f'{len(labels)} labels for {len(cm)} classes')
    if normalize:
        totals = cm.sum(axis=1, keepdims=True)
        values = 100 * cm / np.maximum(totals, 1)
        vmax, what, fmt = 100, '% of the true class', '{:.0f}'
        title = 'Confusion matrix (each row: % of a true class)'
    else:
        values = cm
        vmax, what, fmt = max(int(cm.max()), 1), 'number of images', '{:d}'
        title = 'Confusion matrix (number of images)'
    fig, ax = plt.subplots(figsize=figsize)
    image = ax.imshow(values, cmap='Blues', vmin=0, vmax=vmax)
    fig.colorbar(image, ax=ax, label=what)
    for i in range(len(cm)):
        for j in range(len(cm)):
            v = values[i, j]
            ax.text(j, i, fmt.format(v if normalize else int(v)),
                    ha='center', va='center', fontsize=7,
                    color='white' if v > 0.6 * vmax else 'black')
    ticks = np.arange(len(cm))
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, rotation=45, ha='right')
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels)
    ax.set(xlabel='predicted', ylabel='true', title=title)
    fig.tight_layout()
    return fig


def show_mistakes(images, y, y_hat, labels, n=18, num_cols=6, scale=1.5):
    """Show the first `n` misclassified images, titled true/predicted.

    (§6.6)  `images` are the images that `y` and `y_hat` describe, in the
    same order (e.g. test_iter.images).  Returns the axes.
    """
    y, y_hat = _classes(y, 'y'), _classes(y_hat, 'y_hat')
    images = to_numpy(images)
    if not len(images) == len(y) == len(y_hat):
        raise ValueError(f'{len(images)} images, {len(y)} labels and '
                         f'{len(y_hat)} predictions: they must describe '
                         f'the same images, in the same order')
    wrong = np.flatnonzero(y != y_hat)
    if not wrong.size:
        print('No misclassified images: nothing to show.')
        return np.array([])
    shown = wrong[:n]
    num_rows = -(-len(shown) // num_cols)
    fig, axes = plt.subplots(num_rows, num_cols,
                             figsize=(num_cols * scale, num_rows * scale),
                             squeeze=False)
    axes = axes.flatten()
    for ax in axes:
        ax.axis('off')
    for ax, i in zip(axes, shown):
        ax.imshow(np.asarray(images[i]).squeeze(), cmap='gray')
        ax.set_title(f'true: {labels[y[i]]}\npred: {labels[y_hat[i]]}',
                     fontsize=8)
    fig.suptitle(f'The first {len(shown)} of {wrong.size} misclassified '
                 f'images (of {len(y)})', fontsize=10)
    fig.tight_layout()
    return axes
