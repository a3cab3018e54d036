"""benchmarks/sdlm_pass.py: both sides train on the same digits from the
same weights (the same loss over 4 steps, before rounding grows: see
tests/test_lenet5_torch.py) and the ratio printed is that of the times
printed."""
import importlib.util
import pathlib
import re

import pytest

pytest.importorskip('torch')
pytest.importorskip('mxnet')

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope='module')
def bench():
    path = ROOT / 'benchmarks' / 'sdlm_pass.py'
    spec = importlib.util.spec_from_file_location('sdlm_pass', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_tiny_pass_on_both_sides(bench, real_data_dir, capsys):
    ratio = bench.main(['--digits', '16', '--repeat', '1'])
    out = capsys.readouterr().out
    ms = dict(re.findall(r'^(mxnet|pytorch) +([\d.]+) ms a digit', out,
                         re.M))
    losses = [float(x) for x in re.findall(r'loss ([\d.]+)', out)]
    assert set(ms) == {'mxnet', 'pytorch'} and len(losses) == 2
    assert losses[0] == pytest.approx(losses[1], rel=1e-3)
    assert f'ratio pytorch / mxnet {ratio:.2f}' in out
    assert ratio == pytest.approx(float(ms['pytorch']) / float(ms['mxnet']),
                                  rel=0.01)


def test_it_refuses_a_pass_without_a_batch(bench):
    with pytest.raises(SystemExit):
        bench.main(['--digits', '2', '--batch-size', '4'])
