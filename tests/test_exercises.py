"""The improved LeNet of exercises 2 and 3, and the grid that chose it."""
import csv
import importlib.util
import pathlib

import numpy as np
import pytest
from mxnet import nd

import d2l_local as d2l
from d2l_local import ArrayIter
from d2l_local.models import BETTER_LENET

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def grid():
    """tools/lenet_grid.py, imported as a module."""
    path = ROOT / 'tools' / 'lenet_grid.py'
    spec = importlib.util.spec_from_file_location('lenet_grid', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_better_lenet_is_lenet_with_the_better_settings():
    net, reference = d2l.better_lenet(), d2l.lenet(**BETTER_LENET)
    for n in (net, reference):
        n.initialize()
        n(nd.zeros((1, 1, 28, 28)))
    assert [repr(layer) for layer in net] == [
        repr(layer) for layer in reference]
    assert 'relu' in repr(net[0]) and type(net[1]).__name__ == 'MaxPool2D'
    assert net(nd.zeros((3, 1, 28, 28))).shape == (3, 10)


def test_better_lenet_is_the_grids_best_model(grid):
    with open(grid.CSV, newline='') as f:
        rows = list(csv.DictReader(f))
    best = max(rows, key=lambda r: float(r['test_acc']))
    nets = [d2l.lenet(**grid.BY_NAME[best['variant']]['net']),
            d2l.better_lenet()]
    for net in nets:
        net.initialize()
        net(nd.zeros((1, 1, 28, 28)))
    assert [repr(layer) for layer in nets[0]] == [
        repr(layer) for layer in nets[1]]
    assert float(best['test_acc']) >= 0.91


def test_the_csv_has_every_variant_once_per_seed(grid):
    with open(grid.CSV, newline='') as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == grid.FIELDS
        rows = list(reader)
    keys = [(r['variant'], r['seed']) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r['variant'] for r in rows if r['seed'] == '0'} == set(
        grid.BY_NAME)
    for r in rows:
        assert r['change'] == grid.BY_NAME[r['variant']]['change']
        assert int(r['epochs']) == grid.BY_NAME[r['variant']]['epochs']


def test_a_run_on_tiny_data_gives_a_row(grid, tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 40)
    spec = dict(grid.BY_NAME['relu'], epochs=1)
    row = grid.run(spec, 0, ArrayIter(images, labels, 16, True),
                   ArrayIter(images, labels, 16))
    assert set(row) == set(grid.FIELDS)
    assert row['params'] == 61706 and row['epochs'] == 1
    assert 0 <= float(row['test_acc']) <= 1
    path = tmp_path / 'grid.csv'
    grid.merge(row, path)
    grid.merge(dict(row, variant='baseline'), path)
    grid.merge(dict(row, test_acc='0.5000'), path)  # replaces the first
    rows = list(grid.read(path).values())
    assert [r['variant'] for r in rows] == ['baseline', 'relu']
    assert rows[1]['test_acc'] == '0.5000'
