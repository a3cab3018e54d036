"""One package, a framework-neutral core and a side per framework: the
neutral modules import no framework, each side never imports the other,
and ``import d2l_local as d2l`` is the MXNet edition."""
import json
import pathlib
import subprocess
import sys

import pytest

import d2l_local

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / 'd2l_local'
NEUTRAL = sorted(p.stem for p in PACKAGE.glob('*.py')
                 if p.stem != '__init__') + ['results', 'tasks']


def run(code):
    """Run `code` in a fresh Python; return what it printed last, as json."""
    done = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_folder_shows_the_split():
    assert (PACKAGE / 'mxnet' / '__init__.py').is_file()
    assert (PACKAGE / 'torch' / '__init__.py').is_file()
    assert {'data', 'datasets', 'figures', 'plotting', 'checks',
            'evaluation', 'activations'} <= set(NEUTRAL)
    assert not {'models', 'training', 'devices', '_engine', 'lenet5',
                'sdlm'} & set(NEUTRAL)


def test_neutral_modules_import_no_framework():
    modules = ', '.join(f'd2l_local.{m}' for m in NEUTRAL)
    loaded = run(f'import json, sys, {modules}\n'
                 'print(json.dumps(sorted({"mxnet", "torch"} & '
                 'set(sys.modules))))')
    assert loaded == []


def test_neutral_sources_name_no_framework_at_module_level():
    """No neutral module imports a framework, even inside a function."""
    for path in list(PACKAGE.glob('*.py')) + [PACKAGE / 'results' /
                                              '__init__.py']:
        if path.name == '__init__.py' and path.parent == PACKAGE:
            continue  # the package's own: delegates to mxnet/, lazily
        text = path.read_text()
        for framework in ('mxnet', 'torch'):
            assert f'import {framework}' not in text, path.name
            assert f'from {framework}' not in text, path.name


def test_the_torch_side_never_imports_mxnet():
    pytest.importorskip('torch')
    loaded = run(
        'import json, sys\n'
        'from d2l_local import torch as d2l\n'
        'd2l.setup(seed=0)\n'
        'net = d2l.lenet()\n'
        'train_iter, test_iter = d2l.load_data_fashion_mnist(256)\n'
        'd2l.plot_lenet_flow(net=net)\n'
        'd2l.train_ch6\n'
        'print(json.dumps(["mxnet" in sys.modules, "torch" in sys.modules]))')
    assert loaded == [False, True]


def test_the_mxnet_side_never_imports_torch():
    loaded = run(
        'import json, sys\n'
        'from d2l_local import mxnet as d2l\n'
        'd2l.setup(seed=0)\n'
        'net = d2l.lenet(); net.initialize()\n'
        'train_iter, test_iter = d2l.load_data_fashion_mnist(256)\n'
        'd2l.plot_lenet_flow(net=net)\n'
        'd2l.train_ch5\n'
        'print(json.dumps(["mxnet" in sys.modules, "torch" in sys.modules]))')
    assert loaded == [True, False]


def test_import_d2l_local_loads_no_framework():
    loaded = run('import json, sys, d2l_local\n'
                 'print(json.dumps(sorted({"mxnet", "torch"} & '
                 'set(sys.modules))))')
    assert loaded == []


def test_import_d2l_local_is_the_mxnet_edition():
    from d2l_local import mxnet
    assert d2l_local.__all__ == mxnet.__all__
    for name in ('lenet', 'train_ch5', 'try_gpu', 'Epoch', 'setup',
                 'load_data_fashion_mnist', 'plot_lenet_flow'):
        assert getattr(d2l_local, name) is getattr(mxnet, name)
    with pytest.raises(AttributeError):
        d2l_local.train_ch6  # the PyTorch edition's, not here


def test_the_moved_modules_keep_their_old_paths():
    """The MXNet notebooks import d2l_local.lenet5 and d2l_local.tasks.*:
    the same module objects as under d2l_local.mxnet."""
    import importlib
    for old in ('lenet5', 'sdlm', 'tasks.lenet', 'tasks.ex1', 'tasks.ex4'):
        moved = importlib.import_module(f'd2l_local.{old}')
        new = importlib.import_module(f'd2l_local.mxnet.{old}')
        assert moved is new
        assert moved.__spec__.name == f'd2l_local.mxnet.{old}'


def test_both_editions_share_the_neutral_names():
    pytest.importorskip('torch')
    from d2l_local import mxnet, torch
    for name in ('Epoch', 'Animator', 'confusion_matrix', 'check_range',
                 'get_fashion_mnist_labels', 'plot_layer_flow'):
        assert getattr(mxnet, name) is getattr(torch, name)
    for name in ('lenet', 'try_gpu', 'ArrayIter', 'predict_all',
                 'plot_lenet_flow', 'activation_maps', 'read_result'):
        assert getattr(mxnet, name) is not getattr(torch, name)
