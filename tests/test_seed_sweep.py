"""tools/seed_sweep.py for either edition: the PyTorch sweep writes the
MXNet sweep's format, from the book's train_ch6, to results/pytorch/."""
import importlib.util
import json
import pathlib

import pytest

import fakedata
from d2l_local import data

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    'seed_sweep', ROOT / 'tools' / 'seed_sweep.py')
seed_sweep = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seed_sweep)


@pytest.fixture
def tiny_data(monkeypatch):
    """Made-up clothes behind the loaders: a sweep in seconds."""
    arrays = {'train': fakedata.make_images(300, 0),
              'test': fakedata.make_images(60, 1)}
    monkeypatch.setattr(data, 'load_arrays',
                        lambda name, root=None, **kwargs: arrays)
    monkeypatch.delenv('D2L_QUICK', raising=False)


def sweep(tmp_path, *args):
    out = tmp_path / 'sweep.json'
    seed_sweep.main([*args, '--epochs', '2', '--out', str(out)])
    return json.loads(out.read_text())


def test_each_edition_writes_to_its_own_results():
    assert seed_sweep.OUT['mxnet'] == ROOT / 'd2l_local' / 'results' / \
        'seed_sweep.json'
    assert seed_sweep.OUT['pytorch'] == ROOT / 'd2l_local' / 'results' / \
        'pytorch' / 'seed_sweep.json'


def test_the_pytorch_sweep_has_the_mxnet_sweeps_form(tmp_path, tiny_data,
                                                      capsys):
    torch_run = sweep(tmp_path, '0', '1', '--framework', 'pytorch')
    mxnet_run = sweep(tmp_path, '0', '--epochs', '1')
    assert set(torch_run) == set(mxnet_run) == {'config', 'environment',
                                                'runs', 'summary'}
    config = torch_run['config']
    assert config['model'] == 'd2l_local.torch.lenet()'
    assert (config['lr'], config['batch_size']) == (0.9, 256)
    assert 'torch' in torch_run['environment']
    assert 'mxnet' not in torch_run['environment']
    assert [run['seed'] for run in torch_run['runs']] == [0, 1]
    for run in torch_run['runs']:
        assert [e['epoch'] for e in run['history']] == [1, 2]
        assert run['final_test_acc'] == run['history'][-1]['test_acc']
        assert set(run['history'][0]) == set(
            mxnet_run['runs'][0]['history'][0])
    accs = [run['final_test_acc'] for run in torch_run['runs']]
    assert torch_run['summary']['min'] == min(accs)
    assert 'wrote' in capsys.readouterr().out


def test_a_seed_repeats_exactly_in_pytorch(tmp_path, tiny_data):
    first = sweep(tmp_path, '3', '--framework', 'pytorch')['runs'][0]
    again = sweep(tmp_path, '3', '--framework', 'pytorch')['runs'][0]
    strip = [{k: v for k, v in e.items() if k != 'seconds'}
             for e in first['history']]
    assert strip == [{k: v for k, v in e.items() if k != 'seconds'}
                     for e in again['history']]


def test_an_unknown_framework_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        seed_sweep.main(['--framework', 'jax', '--out',
                         str(tmp_path / 'x.json')])
    assert "invalid choice: 'jax'" in capsys.readouterr().err
    assert not (tmp_path / 'x.json').exists()
