"""The helpers every notebook's hidden checks rest on: check_range, quick
mode, the saved results, and the layer-flow figure of the chapter."""
import json
import os
import subprocess
import sys

import matplotlib
import pytest

import d2l_local as d2l
from d2l_local import checks, settings
from fakedata import write_files

matplotlib.use('Agg')


@pytest.fixture
def full(monkeypatch):
    monkeypatch.delenv('D2L_QUICK', raising=False)


@pytest.mark.parametrize('value', [0.74, 0.77, 0.8])  # both ends, inside
def test_a_value_in_its_range_passes(full, value):
    assert checks.check_range(value, 0.74, 0.8, 'test acc') is None


@pytest.mark.parametrize('value', [0.7399, 0.8001, float('nan')])
def test_a_value_outside_fails_with_what_it_found_and_what_to_do(full,
                                                                 value):
    with pytest.raises(AssertionError) as e:
        checks.check_range(value, 0.74, 0.8, 'final test accuracy')
    message = str(e.value)
    assert message.startswith(f'final test accuracy is {value:.4f}')
    assert '[0.74, 0.8]' in message
    assert 'restart the kernel and run all cells' in message


@pytest.mark.parametrize('flag, on', [('1', True), ('yes', True), ('', False),
                                      ('0', False), (' 0 ', False)])
def test_quick_mode_is_read_from_the_environment(monkeypatch, flag, on):
    monkeypatch.setenv('D2L_QUICK', flag)
    assert settings.quick() is on


def test_quick_mode_lets_every_value_pass(monkeypatch):
    monkeypatch.setenv('D2L_QUICK', '1')
    assert checks.check_range(0.1, 0.74, 0.8, 'test acc') is None


def test_quick_mode_slices_the_data(monkeypatch, tiny, tmp_path):
    folder = write_files(tmp_path / 'given', tiny.files)
    monkeypatch.setattr(settings, 'QUICK_TRAIN', 40)
    monkeypatch.setattr(settings, 'QUICK_TEST', 12)
    monkeypatch.delenv('D2L_QUICK', raising=False)
    full_train, full_test = d2l.load_data(tiny.name, 8, root=folder)
    monkeypatch.setenv('D2L_QUICK', '1')
    train_iter, test_iter = d2l.load_data(tiny.name, 8, root=folder)
    assert len(full_train.images) > 40 and len(full_test.images) > 12
    assert len(train_iter.images) == 40 and len(test_iter.images) == 12
    # the first images of each split, not others
    assert (train_iter.images == full_train.images[:40]).all()
    assert (test_iter.labels == full_test.labels[:12]).all()


@pytest.mark.mxnet  # d2l_local.setup() starts MXNet in the child
def test_setup_says_when_quick_mode_is_on():
    env = dict(os.environ, D2L_QUICK='1')
    out = subprocess.run(
        [sys.executable, '-c', 'import d2l_local; d2l_local.setup()'],
        env=env, capture_output=True, text=True, check=True).stdout
    assert f'Quick mode (D2L_QUICK): {settings.QUICK_TRAIN:,} training' in out


def test_saved_results_are_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sweep = d2l.read_result('seed_sweep.json')
    assert sweep == json.loads(d2l.result_path('seed_sweep.json')
                               .read_text())
    rows = d2l.read_result('lenet_grid.csv')
    assert {'variant', 'seed', 'test_acc'} <= set(rows[0])
    assert any(r['variant'] == 'baseline' for r in rows)


def test_a_missing_result_names_the_tool_that_makes_it():
    with pytest.raises(FileNotFoundError, match='tools/'):
        d2l.result_path('no_such_result.json')


def test_layer_flow_draws_one_box_group_per_layer():
    names = ['input', 'conv0', 'pool0', 'dense0']
    shapes = [(1, 1, 28, 28), (1, 6, 28, 28), (1, 6, 14, 14), (1, 120)]
    fig = d2l.plot_layer_flow(names, shapes)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if t in names] == names
    labels = ['1@28x28', '6@28x28', '6@14x14', '120']
    assert [t for t in texts if t in labels] == labels
    # maps drawn as stacks of sheets, one per channel (at most 16), then
    # one labelled arrow per layer
    sheets = [p for p in ax.patches if type(p).__name__ == 'Rectangle']
    assert len(sheets) == 1 + 6 + 6 + 1
    sides = [p.get_width() for p in sheets]
    assert sides[1] == 2 * sides[7]  # to scale: the pooled map is half
    matplotlib.pyplot.close(fig)
