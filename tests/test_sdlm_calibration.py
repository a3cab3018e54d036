"""tools/sdlm_calibration.py: SDLM's step sizes at initialisation, and the
first pass with h re-estimated (issue 27), on small fake data."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest

import d2l_local as d2l  # before mxnet
from d2l_local.mxnet import lenet5 as L

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    'sdlm_calibration', ROOT / 'tools' / 'sdlm_calibration.py')
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

GROUPS = ['c1_weight', 'c1_bias', 's2_coef', 's2_bias', 'c3_weight',
          'c3_bias', 's4_coef', 's4_bias', 'c5_weight', 'c5_bias',
          'f6_weight', 'f6_bias']


def fake(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
    X[:, :, :8] = 0
    return X, rng.integers(0, 10, n).astype(np.float32)


@pytest.fixture(scope='module')
def rows():
    X, y = tool.patterns(*fake(60), n=20)
    return tool.calibrate(X, y)


def test_patterns_are_a_seeded_sample_in_0_1():
    images, labels = fake(60)
    X, y = tool.patterns(images, labels, n=20)
    again, _ = tool.patterns(images, labels, n=20)
    assert X.shape == (20, 1, 28, 28) and y.shape == (20,)
    assert 0 <= X.min().asscalar() and X.max().asscalar() <= 1
    np.testing.assert_array_equal(X.asnumpy(), again.asnumpy())
    assert len({int(v) for v in y.asnumpy()}) > 1


def test_calibrate_has_every_group_of_every_init_and_criterion(rows):
    keys = [(r['init'], r['criterion'], r['group']) for r in rows]
    assert keys == [(i, c, g) for i in ('paper', 'sqrt')
                    for c in ('plain', 'MAP') for g in GROUPS]
    for r in rows:
        assert 0 <= r['h_min'] <= r['h_median'] <= r['h_max']
        assert r['eps_min'] <= r['eps_median'] <= r['eps_max'] \
            <= tool.ETA / L.SDLM_MU
        assert r['eps_min'] == pytest.approx(
            tool.ETA / (L.SDLM_MU + r['h_max']))
    c3 = [r['n'] for r in rows if r['group'] == 'c3_weight']
    assert set(c3) == {1500}  # Table I's connected weights, not 2,400


def test_the_inits_differ_in_scale(rows):
    # +-2.4/F starts with smaller weights, so smaller h, larger steps
    lo = {init: tool.overall(rows, init, 'plain') for init in
          ('paper', 'sqrt')}
    assert lo['paper'][0] > lo['sqrt'][0]


def test_save_table_keeps_the_other_labels(tmp_path, rows):
    path = tmp_path / 'cal.json'
    tool.save_table('before', rows, {'what_if': {}}, path)
    tool.save_table('after', rows[:3], {}, path)
    record = json.loads(path.read_text())
    assert list(record['tables']) == ['before', 'after']
    assert record['tables']['before']['rows'] == rows
    assert record['tables']['after']['rows'] == rows[:3]
    assert record['paper_eps'] == [7e-5, 0.016]
    assert record['setup']['inputs'] == [-0.1, 1.175]


def test_what_if_rescales_h():
    X, y = tool.patterns(*fake(60), n=20)
    w = tool.what_if(X, y)
    for init in ('paper', 'sqrt'):
        same = w[f'{init}: as computed']
        half = w[f'{init}: RBF second derivative 1']
        summed = w[f'{init}: sum over the 500 patterns']
        # a smaller h is a larger step, a larger h a smaller one
        assert half['eps_min'] > same['eps_min']
        assert summed['eps_min'] < same['eps_min']


def test_first_pass_with_and_without_reestimates():
    images, labels = fake(40)
    test_iter = d2l.ArrayIter(*fake(20, seed=1), 20)
    once = tool.first_pass(images, labels, test_iter, 30, None, init='sqrt')
    again = tool.first_pass(images, labels, test_iter, 30, 10, init='sqrt')
    assert len(once['estimates']) == 1  # before the pass
    assert len(again['estimates']) == 4  # and after 10, 20, 30 digits
    assert once['estimates'][0] == again['estimates'][0]  # same start
    for run in (once, again):
        assert 0 <= run['test_error'] <= 1 and run['digits'] == 30
