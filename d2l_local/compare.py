"""Variants run under several seeds, compared seed by seed in a figure."""
import matplotlib.pyplot as plt

SPREAD = 0.3  # width of a column's dots, in units of the gap between columns
CHANCE = 0.1  # accuracy of guessing among Fashion-MNIST's ten classes


def near_chance(accuracy, chance=CHANCE):
    """True for an accuracy below twice chance (0.2 on ten classes): the
    one rule by which the notebooks count runs "near chance".  (§6.6)"""
    return accuracy < 2 * chance


def count_near_chance(accuracies, chance=CHANCE):
    """How many of `accuracies` are near chance (`near_chance`)."""
    return sum(near_chance(a, chance) for a in accuracies)


def plot_seeds(runs, band=None, ylabel='test accuracy', chance=None,
               full_scale=True, figsize=(7.5, 3.2)):
    """Plot one dot per seed, one column per variant.  (§6.6 ex. 1)

    `runs` maps a variant's label to {seed: result}.  A seed sits at the
    same place within every column and a thin line joins its dots in
    neighbouring columns (same seed: same start, same batches).  The range
    of variant `band` over its seeds is shaded across the plot; `chance`
    draws a dotted line.  With `full_scale` a first panel shows the dots on
    the whole scale from 0 to 1, beside the zoomed one.  Returns the figure.
    """
    if not runs or not all(runs.values()):
        raise ValueError('plot_seeds needs at least one variant, each with '
                         'at least one seed: {label: {seed: result}}')
    if band is not None and band not in runs:
        raise ValueError(f'band={band!r} is not one of the variants '
                         f'{list(runs)}')
    if full_scale:
        fig, (ax_full, ax) = plt.subplots(
            1, 2, figsize=figsize, gridspec_kw={'width_ratios': [1, 2.5]})
        _draw(ax_full, runs, band, chance, labels=False)
        ax_full.set(ylim=(0, 1), ylabel=ylabel, title='whole scale')
        ax.set_title('zoomed in')
    else:
        fig, ax = plt.subplots(figsize=figsize)
        ax.set_ylabel(ylabel)
    _draw(ax, runs, band, None, labels=True)
    ax.set_xlabel('one dot per seed, its number beside it',
                  fontsize='small')
    values = [v for seeds in runs.values() for v in seeds.values()]
    low, high = min(values), max(values)
    pad = 0.15 * (high - low) or 0.01
    ax.set_ylim(low - pad, high + pad)
    if band is not None:
        ax.legend(loc='best', fontsize='small')
    fig.tight_layout()
    return fig


def _draw(ax, runs, band, chance, labels):
    """Draw the dots, the lines joining seeds and the band on `ax`."""
    seeds = sorted({s for results in runs.values() for s in results})
    step = SPREAD / max(len(seeds) - 1, 1)
    offset = {s: -SPREAD / 2 + i * step for i, s in enumerate(seeds)}
    if band is not None:
        low, high = min(runs[band].values()), max(runs[band].values())
        ax.axhspan(low, high, color='0.85', zorder=0,
                   label=f'{band}: range of {len(runs[band])} seeds')
    if chance is not None:
        ax.axhline(chance, color='0.5', linestyle=':', linewidth=1)
        ax.annotate('chance', (0, chance), xycoords=('axes fraction',
                    'data'), xytext=(2, 2), textcoords='offset points',
                    fontsize=7, color='0.4')
    columns = list(runs.items())
    for i, ((_, left), (_, right)) in enumerate(zip(columns, columns[1:])):
        for s in sorted(set(left) & set(right)):
            ax.plot([i + offset[s], i + 1 + offset[s]], [left[s], right[s]],
                    color='0.6', linewidth=0.8, zorder=1)
    for i, (label, results) in enumerate(columns):
        xs = [i + offset[s] for s in results]
        ax.scatter(xs, list(results.values()), s=30, color=f'C{i}',
                   zorder=2)
        if labels:
            for x, (s, v) in zip(xs, results.items()):
                ax.annotate(str(s), (x, v), xytext=(4, 0),
                            textcoords='offset points', va='center',
                            fontsize=7, color='0.3')
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels(list(runs), fontsize='small')
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.grid(axis='y', alpha=0.4)
