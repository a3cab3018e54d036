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
# The tasks' parts both editions share, one module per notebook.
TASKS_NEUTRAL = sorted(f'tasks.neutral.{p.stem}'
                       for p in (PACKAGE / 'tasks' / 'neutral').glob('*.py')
                       if p.stem != '__init__')


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
    assert TASKS_NEUTRAL == [f'tasks.neutral.{name}' for name in (
        'ex1', 'ex2', 'ex3', 'ex4', 'lenet')]
    modules = ', '.join(f'd2l_local.{m}' for m in NEUTRAL + TASKS_NEUTRAL)
    loaded = run(f'import json, sys, {modules}\n'
                 'print(json.dumps(sorted({"mxnet", "torch"} & '
                 'set(sys.modules))))')
    assert loaded == []


def test_neutral_sources_name_no_framework_at_module_level():
    """No neutral module imports a framework, even inside a function."""
    for path in [*PACKAGE.glob('*.py'), PACKAGE / 'results' / '__init__.py',
                 *(PACKAGE / 'tasks' / 'neutral').glob('*.py')]:
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


def without(framework):
    """Code that makes `import framework` fail, as where it is missing."""
    return (
        'import importlib.abc, sys\n'
        'class Missing(importlib.abc.MetaPathFinder):\n'
        '    def find_spec(self, name, path=None, target=None):\n'
        f'        if name.split(".")[0] == {framework!r}:\n'
        '            raise ModuleNotFoundError(f"No module named {name!r}")\n'
        'sys.meta_path.insert(0, Missing())\n'
        'try:\n'
        f'    import {framework}\n'
        'except ModuleNotFoundError:\n'
        '    pass\n'
        'else:\n'
        f'    raise SystemExit("{framework} is still there")\n')


def test_the_torch_edition_works_where_mxnet_is_missing():
    pytest.importorskip('torch')
    found = run(without('mxnet') + (
        'import json, numpy as np, torch\n'
        'import d2l_local\n'
        'from d2l_local import torch as d2l\n'
        'd2l.setup(seed=0)\n'
        'images = np.zeros((8, 28, 28), np.uint8)\n'
        'data_iter = d2l.ArrayIter(images, np.arange(8) % 2, 4)\n'
        'net = d2l.lenet()\n'
        'history = d2l.train_ch6(net, data_iter, data_iter, 1, 0.1, "cpu",'
        ' animate=False)\n'
        'd2l.plot_lenet_flow(net=net); d2l.plot_activations(net, images, 1)\n'
        'print(json.dumps([len(history), d2l.predict_all(net, data_iter)[0]'
        '.tolist()]))'))
    assert found == [1, [0, 1] * 4]


def test_the_mxnet_edition_works_where_torch_is_missing():
    found = run(without('torch') + (
        'import json\n'
        'import d2l_local as d2l\n'
        'd2l.setup(seed=0)\n'
        'net = d2l.lenet(); net.initialize()\n'
        'd2l.plot_lenet_flow(net=net)\n'
        'print(json.dumps(d2l.num_params(net)))'))
    assert found == 61706


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


def test_the_neutral_iterator_yields_numpy_batches():
    import numpy as np
    from d2l_local import data
    images, labels = np.arange(5 * 4, dtype=np.uint8).reshape(5, 2, 2), \
        np.arange(5)
    batches = list(data.ArrayIter(images, labels, 2))
    X, y = batches[-1]
    assert isinstance(X, np.ndarray) and X.dtype == np.float32
    assert X.shape == (1, 1, 2, 2) and y.tolist() == [4]
    np.testing.assert_allclose(X[0, 0], images[4] / 255, rtol=1e-6)
    with pytest.raises(ValueError, match='resizing needs a framework'):
        data.ArrayIter(images, labels, 2, resize=4)
