"""The LeNet variants of exercise 2 as a chart: each against the baseline.

The grid (tools/lenet_grid.py, saved as results/lenet_grid.csv) trained
each variant from one seed, some from several.  The chart puts every seed's
test accuracy on one row per variant, beside a band: how far the baseline
itself moves over the seeds of the chapter's seed sweep (seed_sweep.json).
A variant is only measurably better or worse when it leaves that band.
"""
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

# Verdicts against the baseline's band, and their colours.
COLOURS = {'baseline': 'tab:blue', 'above': 'tab:green',
           'inside': '0.45', 'below': 'tab:red'}


def variant_summary(rows):
    """Return the grid's rows grouped by variant, in the grid's order.
    (§6.6 ex. 2)

    `rows` are the CSV's rows (d2l.read_result('lenet_grid.csv')); each
    variant becomes a dict with its change, epochs, params, seeds and
    test accuracies (one per seed, in the order of the seeds) and their
    mean, low and high.
    """
    variants = {}
    for row in rows:
        name = row['variant']
        entry = variants.setdefault(name, dict(
            variant=name, change=row['change'], epochs=int(row['epochs']),
            params=int(row['params']), seeds=[], accs=[]))
        entry['seeds'].append(int(row['seed']))
        entry['accs'].append(float(row['test_acc']))
    for entry in variants.values():
        order = sorted(range(len(entry['seeds'])),
                       key=entry['seeds'].__getitem__)
        entry['seeds'] = [entry['seeds'][i] for i in order]
        accs = entry['accs'] = [entry['accs'][i] for i in order]
        entry.update(mean=sum(accs) / len(accs), low=min(accs),
                     high=max(accs))
    return list(variants.values())


def sweep_band(sweep):
    """Return (low, high, number of seeds) of the final test accuracies in
    a seed sweep (d2l.read_result('seed_sweep.json'))."""
    accs = [run['history'][-1]['test_acc'] for run in sweep['runs']]
    return min(accs), max(accs), len(accs)


def verdict(entry, band):
    """'above', 'below' or 'inside': where a variant's seeds lie against
    the band (low, high): every seed beyond it, or not."""
    low, high = band[:2]
    if entry['low'] > high:
        return 'above'
    if entry['high'] < low:
        return 'below'
    return 'inside'


def plot_variants(rows, sweep=None, baseline='baseline', chance=0.1,
                  zoom=(0.70, 0.95), figsize=(10, 7), data='Fashion-MNIST'):
    """Chart the grid's variants against the baseline.  (§6.6 ex. 2)

    One row per variant (top to bottom in the grid's order), one dot per
    seed (hollow when the variant has only one) and a line across the
    seeds' range where several were run; the legend and the title mention
    hollow dots and lines only when the chart has some.  The
    shaded band is the baseline's range over the sweep's seeds (or over the
    grid's baseline seeds without a sweep).  The left panel shows the whole
    scale from 0 to 1 with chance marked; the right one zooms into `zoom`,
    where rows off its scale get an arrow and their value.  Rows whose name
    holds '+' combine changes (tools/lenet_grid.py's names) and sit below a
    rule.  Artists carry gids ('band', 'chance', 'seeds:NAME',
    'spread:NAME', 'off:NAME') so tests can find them.  `data` names the
    test set in the title.
    """
    entries = variant_summary(rows)
    by_name = {e['variant']: e for e in entries}
    if baseline not in by_name:
        raise ValueError(f'the grid has no {baseline!r} row to compare '
                         f'with; its rows: {", ".join(by_name)}')
    if sweep is not None:
        low, high, n = sweep_band(sweep)
    else:
        low, high = by_name[baseline]['low'], by_name[baseline]['high']
        n = len(by_name[baseline]['accs'])
    band = (low, high)
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=figsize,
                             gridspec_kw=dict(width_ratios=(2, 3)))
    for ax, (x0, x1) in zip(axes, ((0, 1), zoom)):
        ax.axvspan(low, high, color=COLOURS['baseline'], alpha=0.15, lw=0,
                   gid='band')
        if x0 <= chance <= x1:
            ax.axvline(chance, color='k', ls=':', lw=1, gid='chance')
        ax.set_xlim(x0, x1)
        ax.grid(axis='x', alpha=0.4)
    axes[0].set_xlabel('test accuracy')
    axes[1].set_xlabel(f'test accuracy, zoomed to {zoom[0]:g}-{zoom[1]:g}')
    for y, e in enumerate(entries):
        name = e['variant']
        colour = COLOURS['baseline' if name == baseline
                         else verdict(e, band)]
        for ax in axes:
            if len(e['accs']) > 1:
                ax.plot([e['low'], e['high']], [y, y], '-', color=colour,
                        lw=2.5, alpha=0.6, gid=f'spread:{name}')
            ax.plot(e['accs'], [y] * len(e['accs']), 'o', color=colour,
                    mfc=colour if len(e['accs']) > 1 else 'white', mew=1.5,
                    ms=6, gid=f'seeds:{name}')
        _label(axes[1], y, e, zoom, colour)
    first_combined = next((y for y, e in enumerate(entries)
                           if '+' in e['variant']), None)
    if first_combined:
        for ax in axes:
            ax.axhline(first_combined - 0.5, color='k', lw=0.8,
                       gid='separator')
        axes[0].text(0.02, first_combined - 0.3, 'combined changes',
                     va='top', fontsize=8, style='italic')
    axes[0].set_yticks(range(len(entries)))
    axes[0].set_yticklabels([e['variant'] for e in entries])
    axes[0].set_ylim(len(entries) - 0.5, -0.5)  # the grid's order, top down
    handles = [
        Patch(color=COLOURS['baseline'], alpha=0.15,
              label=f'baseline over {n} seeds: {low:.3f} to {high:.3f}'),
        Line2D([], [], color='k', ls=':', label=f'chance ({chance:g})'),
        Line2D([], [], marker='o', ls='-', color=COLOURS['above'],
               label="every seed above the baseline's band"),
        Line2D([], [], marker='o', ls='', color=COLOURS['inside'],
               label='inside the band (no measurable change)'),
        Line2D([], [], marker='o', ls='', color=COLOURS['below'],
               label='every seed below the band'),
        Line2D([], [], marker='o', ls='', color=COLOURS['baseline'],
               label='baseline (grid seeds)'),
    ]
    single = any(len(e['accs']) == 1 for e in entries)
    several = any(len(e['accs']) > 1 for e in entries)
    if single:  # hollow dots are drawn only for one-seed rows
        handles.append(Line2D([], [], marker='o', ls='', color='k',
                              mfc='white', mew=1.5,
                              label='hollow: one seed only'))
    fig.legend(handles=handles, loc='lower center', ncol=4, fontsize=8,
               frameon=False)
    title = f'Test accuracy on {data}: one dot per seed'
    if several:
        title += (', a line across the seeds where several were run'
                  if single else ", a line across each row's seeds")
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def _label(ax, y, entry, zoom, colour):
    """Write a row's accuracy beside it; point left at rows off the
    zoomed scale."""
    accs = entry['accs']
    text = (f'{entry["low"]:.3f} to {entry["high"]:.3f}' if len(accs) > 1
            else f'{accs[0]:.3f}')
    if entry['high'] < zoom[0]:
        ax.plot([zoom[0]], [y], '<', color=colour, ms=7, clip_on=False,
                gid=f'off:{entry["variant"]}')
        ax.text(zoom[0] + 0.004, y, f'{text} (off scale)', va='center',
                fontsize=8, color=colour)
    else:
        ax.text(entry['high'] + 0.004, y, text, va='center', fontsize=8,
                color=colour)
