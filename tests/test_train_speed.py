"""benchmarks/train_speed.py: the book's PyTorch code it times, and the
multiply-adds its arithmetic floor counts."""
import importlib.util
import inspect
import pathlib
import sys

import pytest

torch = pytest.importorskip('torch')
pytest.importorskip('torchvision')

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope='module')
def bench():
    path = ROOT / 'benchmarks' / 'train_speed.py'
    spec = importlib.util.spec_from_file_location('train_speed', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def book():
    from d2l import torch as d2l
    return d2l


def test_the_pinned_d2l_holds_the_book_v0176_code(bench, book):
    bench.book_code_check(book)  # exits if any definition differs


def fake_d2l(tmp_path, monkeypatch, book, edit=None):
    """A module holding the pinned d2l's definitions, one of them edited."""
    sources = [inspect.getsource(getattr(book, name)) for name in bench_names]
    text = 'import torch\nfrom torch import nn\n\n' + '\n\n'.join(sources)
    if edit:
        assert edit[0] in text
        text = text.replace(*edit)
    path = tmp_path / 'fake_d2l.py'
    path.write_text(text)
    spec = importlib.util.spec_from_file_location('fake_d2l', path)
    module = importlib.util.module_from_spec(spec)
    # inspect finds a class's source through its module
    monkeypatch.setitem(sys.modules, 'fake_d2l', module)
    spec.loader.exec_module(module)
    return module


bench_names = ('get_dataloader_workers', 'load_data_fashion_mnist',
               'Accumulator', 'accuracy', 'Timer', 'evaluate_accuracy_gpu',
               'train_ch6')


def test_the_names_checked_are_those_the_benchmark_lists(bench):
    assert set(bench.V0176) == set(bench_names)


def test_docstrings_and_the_dataloader_spelling_do_not_count(
        bench, book, tmp_path, monkeypatch):
    module = fake_d2l(tmp_path, monkeypatch, book, (
        'Train a model with a GPU', 'Train a LeNet on whatever there is'))
    bench.book_code_check(module)
    source = inspect.getsource(book.load_data_fashion_mnist)
    assert bench.code_digest(source) == bench.code_digest(
        source.replace('torch.utils.data.DataLoader', 'data.DataLoader'))


@pytest.mark.parametrize('name, edit', [
    ('train_ch6', ('lr=lr)', 'lr=lr * 2)')),
    ('get_dataloader_workers', ('return 4', 'return 2')),
    ('accuracy', ('axis=1', 'axis=0')),
])
def test_changed_code_is_refused_by_name(bench, book, tmp_path, monkeypatch,
                                         name, edit):
    module = fake_d2l(tmp_path, monkeypatch, book, edit)
    with pytest.raises(SystemExit) as exc:
        bench.book_code_check(module)
    message = str(exc.value)
    assert 'requirements.txt' in message
    assert message.split(' in: ')[1].split(';')[0] == name, message


def test_lenet_multiply_adds(bench):
    # conv1: 28x28 outputs x 6 channels x 5x5 window x 1 input channel;
    # conv2: 10x10 x 16 x 5x5 x 6; then the three dense layers
    expected = (28 * 28 * 6 * 25 + 10 * 10 * 16 * 25 * 6
                + 400 * 120 + 120 * 84 + 84 * 10)
    assert expected == 416_520
    assert bench.count_macs(bench.book_torch_net()) == expected
    from d2l_local import torch as d2l  # the PyTorch edition's model
    assert bench.count_macs(d2l.lenet()) == expected


def test_count_macs_leaves_the_net_without_hooks(bench):
    net = bench.book_torch_net()
    bench.count_macs(net)
    assert not any(m._forward_hooks for m in net.modules())


def test_the_sides_are_the_runners(bench):
    assert set(bench.RUNNERS) == set(bench.SIDES)


def test_quick_mode_is_refused(tmp_path):
    """The editions would train on a slice and the book on all the data."""
    import os
    import subprocess
    env = dict(os.environ, D2L_QUICK='1')
    proc = subprocess.run(
        [sys.executable, str(ROOT / 'benchmarks' / 'train_speed.py')],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert 'unset D2L_QUICK' in proc.stderr
    assert 'RESULT' not in proc.stdout and proc.stdout == ''
