"""The chart of exercise 2's variants (on matplotlib's Agg backend)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

import d2l_local as d2l
from d2l_local import variants


def corners(patch):
    """A patch's corners in data coordinates: a Polygon (matplotlib 3.7's
    axhspan) or a Rectangle (3.10's) alike."""
    return patch.get_patch_transform().transform(patch.get_path().vertices)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


def row(name, seed, acc, change='', epochs=5, params=100):
    return dict(variant=name, change=change or name, seed=str(seed),
                epochs=str(epochs), test_acc=f'{acc:.4f}',
                params=str(params))


ROWS = [row('baseline', 1, 0.76), row('baseline', 0, 0.75),
        row('wide', 0, 0.80, params=300), row('stuck', 0, 0.10),
        row('close', 2, 0.77), row('close', 0, 0.74), row('close', 1, 0.75),
        row('a+b', 0, 0.90, epochs=10)]
SWEEP = {'runs': [{'history': [{'test_acc': 0.2}, {'test_acc': acc}]}
                  for acc in (0.745, 0.73, 0.765, 0.75)]}


def by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.get_children()
            if a.get_gid() == gid]


def test_summary_groups_rows_by_variant_in_the_grids_order():
    summary = variants.variant_summary(ROWS)
    assert [e['variant'] for e in summary] == [
        'baseline', 'wide', 'stuck', 'close', 'a+b']
    close = summary[3]
    assert close['seeds'] == [0, 1, 2]  # sorted, accuracies with them
    assert close['accs'] == [0.74, 0.75, 0.77]
    assert (close['low'], close['high']) == (0.74, 0.77)
    assert close['mean'] == pytest.approx((0.74 + 0.75 + 0.77) / 3)
    assert summary[1]['params'] == 300 and summary[4]['epochs'] == 10


def test_band_is_the_range_of_the_sweeps_last_epochs():
    assert variants.sweep_band(SWEEP) == (0.73, 0.765, 4)


def test_verdict_needs_every_seed_beyond_the_band():
    summary = {e['variant']: e for e in variants.variant_summary(ROWS)}
    band = (0.73, 0.765)
    assert variants.verdict(summary['wide'], band) == 'above'
    assert variants.verdict(summary['stuck'], band) == 'below'
    assert variants.verdict(summary['close'], band) == 'inside'  # 0.77 out


def test_chart_has_two_panels_one_row_per_variant():
    fig = d2l.plot_variants(ROWS, SWEEP)
    full, zoom = fig.axes
    names = [t.get_text() for t in full.get_yticklabels()]
    assert names == ['baseline', 'wide', 'stuck', 'close', 'a+b']
    assert full.get_xlim() == (0, 1)  # the whole scale, from 0
    assert zoom.get_xlim() == (0.70, 0.95)
    assert full.get_ylim()[0] > full.get_ylim()[1]  # first row on top
    assert zoom.get_shared_y_axes().joined(full, zoom)


def test_each_seed_is_a_dot_on_its_row_and_several_get_a_spread():
    fig = d2l.plot_variants(ROWS, SWEEP)
    dots = by_gid(fig, 'seeds:close')
    assert len(dots) == 2  # one per panel
    assert list(dots[0].get_xdata()) == [0.74, 0.75, 0.77]
    assert list(dots[0].get_ydata()) == [3, 3, 3]
    spread = by_gid(fig, 'spread:close')
    assert [list(s.get_xdata()) for s in spread] == [[0.74, 0.77]] * 2
    assert by_gid(fig, 'spread:wide') == []  # one seed: no range
    assert dots[0].get_markerfacecolor() != 'white'
    assert by_gid(fig, 'seeds:wide')[0].get_markerfacecolor() == 'white'


def test_band_is_the_sweep_range_in_both_panels():
    fig = d2l.plot_variants(ROWS, SWEEP)
    bands = by_gid(fig, 'band')
    assert len(bands) == 2
    for band in bands:
        xs = corners(band)[:, 0]
        np.testing.assert_allclose((xs.min(), xs.max()), (0.73, 0.765))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert 'baseline over 4 seeds: 0.730 to 0.765' in legend


def test_without_a_sweep_the_band_is_the_grids_baseline_seeds():
    fig = d2l.plot_variants(ROWS)
    xs = corners(by_gid(fig, 'band')[0])[:, 0]
    np.testing.assert_allclose((xs.min(), xs.max()), (0.75, 0.76))


def test_the_title_names_the_data_set():
    assert 'on Fashion-MNIST:' in d2l.plot_variants(ROWS)._suptitle.get_text()
    fig = d2l.plot_variants(ROWS, data='MNIST')
    assert fig._suptitle.get_text().startswith('Test accuracy on MNIST:')


def test_colours_tell_above_inside_below():
    fig = d2l.plot_variants(ROWS, SWEEP)
    colour = {name: by_gid(fig, f'seeds:{name}')[0].get_color()
              for name in ('baseline', 'wide', 'stuck', 'close')}
    assert colour == {'baseline': variants.COLOURS['baseline'],
                      'wide': variants.COLOURS['above'],
                      'stuck': variants.COLOURS['below'],
                      'close': variants.COLOURS['inside']}


def test_chance_is_marked_and_rows_off_the_zoom_point_to_it():
    fig = d2l.plot_variants(ROWS, SWEEP)
    chance = by_gid(fig, 'chance')
    assert len(chance) == 1  # 0.1 is off the zoomed scale
    assert list(chance[0].get_xdata()) == [0.1, 0.1]
    off = by_gid(fig, 'off:stuck')
    assert len(off) == 1 and list(off[0].get_xdata()) == [0.70]
    assert '0.100 (off scale)' in [t.get_text() for t in fig.axes[1].texts]
    assert by_gid(fig, 'off:wide') == []


def test_combined_rows_sit_below_a_rule():
    fig = d2l.plot_variants(ROWS, SWEEP)
    rules = by_gid(fig, 'separator')
    assert len(rules) == 2
    assert list(rules[0].get_ydata()) == [3.5, 3.5]  # above row 4, 'a+b'


def test_a_grid_without_its_baseline_is_refused():
    with pytest.raises(ValueError, match="no 'baseline' row"):
        d2l.plot_variants([r for r in ROWS if r['variant'] != 'baseline'])


def test_the_saved_grid_draws():
    rows = d2l.read_result('lenet_grid.csv')
    fig = d2l.plot_variants(rows, d2l.read_result('seed_sweep.json'))
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == list(dict.fromkeys(r['variant'] for r in rows))
