"""The improved LeNet of exercises 2 and 3, and the grid that chose it."""
import csv
import importlib.util
import pathlib

import numpy as np
import pytest
from mxnet import nd

import d2l_local as d2l
from d2l_local import ArrayIter
from d2l_local.mxnet.models import BETTER_LENET, Recipe

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def grid():
    """tools/lenet_grid.py, imported as a module."""
    path = ROOT / 'tools' / 'lenet_grid.py'
    spec = importlib.util.spec_from_file_location('lenet_grid', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grid_rows():
    return d2l.read_result('lenet_grid.csv')


def best_row(rows, max_epochs=None):
    """The row with the highest test accuracy (within max_epochs)."""
    rows = [r for r in rows
            if max_epochs is None or int(r['epochs']) <= max_epochs]
    return max(rows, key=lambda r: float(r['test_acc']))


def recipe_of(spec):
    """The Recipe a grid variant was trained with."""
    return Recipe(spec['batch_size'], spec['lr'], spec['epochs'],
                  spec['optimizer'], spec['cosine'])


def test_better_lenet_layers_and_output():
    net = d2l.better_lenet()
    net.initialize()
    assert net(nd.zeros((3, 1, 28, 28))).shape == (3, 10)
    assert [type(layer).__name__ for layer in net] == [
        'Conv2D', 'MaxPool2D', 'Conv2D', 'MaxPool2D', 'Dense', 'Dense',
        'Dense']
    acts = [layer.act and layer.act._act_type for layer in net
            if hasattr(layer, 'act')]
    assert acts == ['relu'] * 4 + [None]  # raw scores out
    net = d2l.better_lenet(num_classes=4)
    net.initialize()
    assert net(nd.zeros((2, 1, 28, 28))).shape == (2, 4)


def test_better_lenet_has_as_many_weights_as_the_grids_best_row():
    net = d2l.better_lenet()
    net.initialize()
    net(nd.zeros((1, 1, 28, 28)))
    best = best_row(grid_rows())
    assert d2l.num_params(net) == int(best['params'])


def test_better_recipe_trained_the_best_row_within_its_epochs(grid):
    recipe = d2l.BETTER_RECIPE
    best = best_row(grid_rows(), max_epochs=recipe.num_epochs)
    spec = grid.BY_NAME[best['variant']]
    assert recipe_of(spec) == recipe
    assert spec['net'] == BETTER_LENET and spec['init'] == 'xavier'
    assert int(best['epochs']) == recipe.num_epochs  # the CSV's own record
    for words in (f'Adam {recipe.lr:g}', 'cosine', f'{recipe.num_epochs} '
                  f'epochs', f'batches of {recipe.batch_size}'):
        assert words in best['change']  # what the row says it trained


def test_the_best_row_overall_only_trains_longer(grid):
    """The grid's best row is the better LeNet trained for more epochs:
    BETTER_RECIPE trades its few thousandths for a shorter run."""
    rows = grid_rows()
    best = grid.BY_NAME[best_row(rows)['variant']]
    chosen = grid.BY_NAME[best_row(
        rows, max_epochs=d2l.BETTER_RECIPE.num_epochs)['variant']]
    differ = {k for k in best if best[k] != chosen[k]}
    assert differ == {'name', 'change', 'changes', 'epochs'}
    assert best['epochs'] > chosen['epochs']


def test_the_csv_has_every_variant_once_per_seed(grid):
    with open(grid.CSV, newline='') as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == grid.FIELDS
        rows = list(reader)
    # the grid writes the file the notebooks read
    assert d2l.result_path('lenet_grid.csv').samefile(grid.CSV)
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
    recorded = {r['params'] for r in grid_rows() if r['variant'] == 'relu'}
    assert recorded == {str(row['params'])} and row['epochs'] == 1
    assert 0 <= float(row['test_acc']) <= 1
    path = tmp_path / 'grid.csv'
    grid.merge(row, path)
    grid.merge(dict(row, variant='baseline'), path)
    grid.merge(dict(row, test_acc='0.5000'), path)  # replaces the first
    rows = list(grid.read(path).values())
    assert [r['variant'] for r in rows] == ['baseline', 'relu']
    assert rows[1]['test_acc'] == '0.5000'
