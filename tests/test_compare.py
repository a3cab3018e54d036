"""Seed-by-seed comparison figure (on matplotlib's Agg backend)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

import d2l_local as d2l

RUNS = {'avg': {0: 0.76, 1: 0.77, 2: 0.75, 3: 0.74},
        'max': {0: 0.79, 1: 0.78, 2: 0.80}}


def corners(patch):
    """A patch's corners in data coordinates: a Polygon (matplotlib 3.7's
    axhspan) or a Rectangle (3.10's) alike."""
    return patch.get_patch_transform().transform(patch.get_path().vertices)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


def dots(ax):
    """The (x, y) of each scatter on `ax`, one array per column."""
    return [c.get_offsets() for c in ax.collections
            if c.get_offsets().size]


def test_one_dot_per_seed_in_its_column():
    fig = d2l.plot_seeds(RUNS, full_scale=False)
    (ax,) = fig.axes
    (avg, best) = dots(ax)
    np.testing.assert_allclose(avg[:, 1], list(RUNS['avg'].values()))
    np.testing.assert_allclose(best[:, 1], list(RUNS['max'].values()))
    assert all(-0.5 < x < 0.5 for x in avg[:, 0])
    assert all(0.5 < x < 1.5 for x in best[:, 0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ['avg', 'max']
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == sorted(str(s) for r in RUNS.values() for s in r)


def test_a_seed_sits_at_the_same_place_and_is_joined_across_columns():
    fig = d2l.plot_seeds(RUNS, full_scale=False)
    (ax,) = fig.axes
    avg, best = dots(ax)
    np.testing.assert_allclose(avg[:3, 0] + 1, best[:, 0])
    joins = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert len(joins) == 3  # seeds 0, 1, 2 are in both columns
    ys = sorted(tuple(line.get_ydata()) for line in joins)
    assert ys == sorted((RUNS['avg'][s], RUNS['max'][s]) for s in range(3))


def test_band_spans_the_range_of_its_variant_and_is_labelled():
    fig = d2l.plot_seeds(RUNS, band='avg', full_scale=False)
    (ax,) = fig.axes
    (patch,) = [p for p in ax.patches]
    ys = corners(patch)[:, 1]
    assert min(ys) == pytest.approx(0.74) and max(ys) == pytest.approx(0.77)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ['avg: range of 4 seeds']


def test_whole_scale_panel_beside_the_zoomed_one():
    fig = d2l.plot_seeds(RUNS, band='avg', chance=0.1, ylabel='acc')
    full, zoomed = fig.axes
    assert full.get_ylim() == (0, 1)
    assert full.get_ylabel() == 'acc'
    assert any(list(line.get_ydata()) == [0.1, 0.1] for line in full.lines)
    low, high = zoomed.get_ylim()
    assert low < 0.74 and high > 0.80 and high - low < 0.2
    assert len(dots(full)) == len(dots(zoomed)) == 2


def test_wrong_arguments_say_what_to_pass():
    with pytest.raises(ValueError, match='at least one seed'):
        d2l.plot_seeds({'avg': {}})
    with pytest.raises(ValueError, match="band='mean'"):
        d2l.plot_seeds(RUNS, band='mean')


def test_near_chance_is_below_twice_chance():
    from d2l_local.compare import count_near_chance, near_chance
    assert near_chance(0.1) and near_chance(0.1527) and near_chance(0.1999)
    assert not near_chance(0.2) and not near_chance(0.3551)
    assert near_chance(0.3, chance=0.2) and not near_chance(0.4, chance=0.2)
    # the chapter's seed sweep after its first epoch: six of eight
    assert count_near_chance([0.4476, 0.3551, 0.1, 0.1, 0.1, 0.1, 0.1527,
                              0.1]) == 6
