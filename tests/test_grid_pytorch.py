"""tools/lenet_grid.py --framework pytorch: the PyTorch edition trains the
grid's variants with the MXNet edition's recipes, writes its own CSV in the
same format, and never imports MXNet."""
import csv
import importlib.util
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def grid():
    """tools/lenet_grid.py, imported as a module."""
    path = ROOT / 'tools' / 'lenet_grid.py'
    spec = importlib.util.spec_from_file_location('lenet_grid_torch', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_iters(batch_size):
    from d2l_local import torch as d2l
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 40)
    return (d2l.ArrayIter(images, labels, batch_size, True),
            d2l.ArrayIter(images, labels, batch_size))


def test_importing_the_tool_and_training_in_pytorch_loads_no_mxnet(tmp_path):
    code = (
        'import importlib.util, sys, numpy as np\n'
        "spec = importlib.util.spec_from_file_location('g', "
        f"{str(ROOT / 'tools' / 'lenet_grid.py')!r})\n"
        'g = importlib.util.module_from_spec(spec)\n'
        'spec.loader.exec_module(g)\n'
        'from d2l_local import torch as d2l\n'
        'x = np.zeros((8, 28, 28), np.uint8); y = np.arange(8) % 10\n'
        'it = d2l.ArrayIter(x, y, 4)\n'
        "spec = dict(g.BY_NAME['baseline'], epochs=1)\n"
        "g.run(spec, 0, it, it, framework='pytorch')\n"
        "assert 'mxnet' not in sys.modules, 'MXNet was imported'\n")
    done = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_pytorch_run_on_tiny_data_gives_a_row(grid, tmp_path):
    spec = dict(grid.BY_NAME['relu'], epochs=1)
    row = grid.run(spec, 0, *tiny_iters(16), framework='pytorch')
    assert set(row) == set(grid.FIELDS)
    assert row['change'] == 'ReLU instead of sigmoid'
    assert row['params'] == 61706 and row['epochs'] == 1
    assert 0 <= float(row['test_acc']) <= 1
    path = tmp_path / 'grid.csv'
    grid.merge(row, path)
    assert list(grid.read(path)) == [('relu', 0)]


def test_the_same_seed_gives_the_same_row(grid):
    spec = dict(grid.BY_NAME['relu+max 32/64 3x3 adam cos 8ep b128'],
                epochs=1)
    rows = [grid.run(spec, 3, *tiny_iters(8), framework='pytorch')
            for _ in range(2)]
    assert rows[0]['test_acc'] == rows[1]['test_acc']
    assert rows[0]['params'] == 306430


@pytest.mark.parametrize('kind, low, high', [
    ('uniform', -0.07, 0.07), ('normal', None, None)])
def test_init_variants_draw_the_weights_and_keep_pytorchs_biases(
        grid, monkeypatch, kind, low, high):
    """The weights come from the variant's distribution, not Xavier;
    the biases keep PyTorch's default draw, as in train_ch6."""
    edition = grid.edition('pytorch')
    seen = {}

    def train_ch6(net, *args, **kwargs):
        for m in net:  # what the book's init_weights does
            if type(m) in (torch.nn.Linear, torch.nn.Conv2d):
                torch.nn.init.xavier_uniform_(m.weight)
        seen['net'] = net
        return [edition.d2l.Epoch(1, 0.0, 0.0, 0.0, 0.0)]

    monkeypatch.setattr(edition.d2l, 'train_ch6', train_ch6,
                        raising=False)
    torch.manual_seed(0)
    spec = grid.BY_NAME[f'init {kind}']
    edition.train(spec, *tiny_iters(8))
    weights = torch.cat([m.weight.flatten() for m in seen['net']
                         if isinstance(m, torch.nn.Linear)])
    if kind == 'uniform':
        assert low <= weights.min() and weights.max() <= high
        assert weights.abs().max() > 0.069  # fills the whole range
    else:
        assert abs(weights.std().item() - 0.01) < 0.0005
        assert abs(weights.mean().item()) < 0.001
    first = seen['net'][0]
    bound = 1 / math.sqrt(first.weight[0].numel())  # PyTorch's default
    assert first.bias.abs().max() <= bound and first.bias.abs().max() > 0
    assert torch.nn.init.xavier_uniform_.__module__ == 'torch.nn.init'


def test_xavier_rows_use_train_ch6s_own_init(grid, monkeypatch):
    edition = grid.edition('pytorch')
    calls = []
    real = torch.nn.init.xavier_uniform_
    monkeypatch.setattr(torch.nn.init, 'xavier_uniform_',
                        lambda w: calls.append(w.shape) or real(w))
    edition.train(dict(grid.BY_NAME['baseline'], epochs=1), *tiny_iters(8))
    assert len(calls) == 5  # 2 convolutions, 3 dense layers


def test_recipes_are_the_editions(grid):
    from d2l_local import torch as d2l
    spec = grid.BY_NAME['relu+max 32/64 3x3 adam cos 8ep b128']
    assert grid.recipe_of(spec, d2l.Recipe) == d2l.BETTER_RECIPE
    net = d2l.lenet()
    recipe = grid.recipe_of(spec, d2l.Recipe)
    optimizer = recipe.optimizer_for(net)
    assert isinstance(optimizer, torch.optim.Adam)
    assert optimizer.defaults['betas'] == (0.9, 0.999)  # MXNet's too
    assert optimizer.defaults['eps'] == 1e-8
    scheduler = recipe.scheduler_for(optimizer, 10)
    for _ in range(8 * 10):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0, abs=1e-12)


def test_every_variant_has_a_change_text_per_edition(grid):
    for spec in grid.VARIANTS:
        assert set(spec['changes']) == set(grid.FRAMEWORKS)
        assert spec['changes']['mxnet'] == spec['change']
    pytorch = grid.BY_NAME['init uniform']['changes']['pytorch']
    assert 'U(-0.07, 0.07)' in pytorch and "PyTorch's own default" in pytorch


def test_the_pytorch_csv_matches_the_variants(grid):
    path = grid.CSVS['pytorch']
    if not path.exists():
        pytest.skip('the PyTorch grid has not been run yet')
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == grid.FIELDS
        rows = list(reader)
    keys = [(r['variant'], r['seed']) for r in rows]
    assert len(keys) == len(set(keys))
    with open(grid.CSVS['mxnet'], newline='') as f:
        mxnet_keys = [(r['variant'], r['seed']) for r in csv.DictReader(f)]
    # the MXNet grid's rows and seeds, in its order; until the whole grid
    # is run, the rows the twins cite so far (exercise 1's max pool,
    # exercise 2's single changes and three of its combined rows)
    assert set(keys) <= set(mxnet_keys), set(keys) - set(mxnet_keys)
    assert keys == [k for k in mxnet_keys if k in set(keys)]
    for r in rows:
        spec = grid.BY_NAME[r['variant']]
        assert r['change'] == spec['changes']['pytorch']
        assert int(r['epochs']) == spec['epochs']


def test_an_unknown_framework_is_refused(grid):
    with pytest.raises(ValueError, match="framework is one of"):
        grid.edition('jax')
    with pytest.raises(SystemExit):
        grid.main(['--framework', 'jax'])
