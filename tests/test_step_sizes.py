"""lenet5_paper.step_sizes and step_size_shares: the SDLM calibration as the
LeNet-5 notebook shows it (issue 27), without a framework."""
import pytest

from d2l_local import lenet5_paper as P
from d2l_local.results import read_result


def record(rows, what_if=None):
    return {'tables': {'current': {'rows': rows, 'what_if': what_if or {}}}}


def row(init, group, n, eps, criterion='plain'):
    return dict(init=init, criterion=criterion, group=group, n=n,
                eps_min=eps[0], eps_median=eps[1], eps_max=eps[2])


def test_rows_are_layers_with_both_inits_in_the_saved_order():
    rows = P.step_sizes(record([
        row('paper', 'c1_weight', 150, (1, 2, 3)),
        row('paper', 's2_coef', 6, (4, 5, 6)),
        row('paper', 'c1_weight', 150, (9, 9, 9), criterion='MAP'),
        row('sqrt', 'c1_weight', 150, (7, 8, 9)),
        row('sqrt', 's2_coef', 6, (1, 1, 1))]))
    assert rows == [('C1 weights', 150, {'paper': (1, 2, 3),
                                         'sqrt': (7, 8, 9)}),
                    ('S2 coefficients', 6, {'paper': (4, 5, 6),
                                            'sqrt': (1, 1, 1)})]
    assert P.step_sizes(record([row('paper', 'f6_bias', 84, (1, 1, 1),
                                    criterion='MAP')]), 'MAP') == [
        ('F6 biases', 84, {'paper': (1, 1, 1)})]


def test_counts_that_disagree_between_inits_are_an_error():
    with pytest.raises(ValueError, match='C5 biases: 120 parameters'):
        P.step_sizes(record([row('paper', 'c5_bias', 120, (1, 1, 1)),
                             row('sqrt', 'c5_bias', 119, (1, 1, 1))]))


def test_the_saved_calibration_is_the_paper_network_at_the_paper_rates():
    cal = read_result('lenet5_1998_sdlm_calibration.json')
    assert tuple(cal['paper_eps']) == P.PAPER_EPS == (7e-5, 0.016)
    assert (cal['setup']['eta'], cal['setup']['mu']) == (
        P.PAPER_LR_STEPS[0][1], P.SDLM_MU)
    rows = P.step_sizes(cal)
    assert sum(n for _, n, _ in rows) == 60_000  # every trainable parameter
    assert [name.split()[0] for name, _, _ in rows] == [
        'C1', 'C1', 'S2', 'S2', 'C3', 'C3', 'S4', 'S4', 'C5', 'C5', 'F6',
        'F6']
    largest = P.PAPER_LR_STEPS[0][1] / P.SDLM_MU  # eta / mu = 0.025
    for _, _, steps in rows:
        for low, median, high in steps.values():
            assert 0 < low <= median <= high <= largest
    # from +-2.4/F the steps below F6 sit near eta / mu, F6's biases lowest
    paper = {name: steps['paper'] for name, _, steps in rows}
    assert all(m > 0.02 for name, (_, m, _) in paper.items()
               if name[:2] in ('C1', 'S2', 'C3', 'S4'))
    assert min(paper.values())[0] == paper['F6 biases'][0]
    low, high, above, below = P.step_size_shares(cal, 'paper')
    assert (round(low, 6), round(above, 3), below) == (0.00019, 0.785, 0)
    low, high, above, below = P.step_size_shares(cal, 'sqrt')
    assert round(1 - above - below, 3) == 0.973  # inside the paper's range


def test_the_what_ifs_are_read_by_name_and_an_unknown_one_is_refused():
    cal = read_result('lenet5_1998_sdlm_calibration.json')
    low, _, above, below = P.step_size_shares(
        cal, 'paper', 'sum over the 500 patterns')
    assert low < P.PAPER_EPS[0] and round(1 - above - below, 3) == 0.905
    with pytest.raises(ValueError, match="saved: RBF second derivative 1"):
        P.step_size_shares(cal, 'paper', 'twice as large')
