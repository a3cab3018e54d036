"""d2l_local.torch's batches are marked channels-last on the CPU, for
speed, without changing a value or a shape."""
import numpy as np
import pytest

torch = pytest.importorskip('torch')

from d2l_local import torch as d2l  # noqa: E402
from d2l_local.torch import data as torch_data  # noqa: E402


def batches(resize=None):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (20, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 20)
    return images, list(d2l.ArrayIter(images, labels, 8, resize=resize))


def test_cpu_batches_are_channels_last_with_the_same_values(monkeypatch):
    _, got = batches()
    monkeypatch.setattr(torch_data, 'try_gpu',
                        lambda: torch.device('cuda:0'))
    _, books = batches()  # as the book's layout has them
    for (X, y), (X_book, y_book) in zip(got, books, strict=True):
        assert X.shape == X_book.shape and X.shape[1:] == (1, 28, 28)
        assert X.stride() == (784, 1, 28, 1)
        assert X.is_contiguous(memory_format=torch.channels_last)
        assert X.is_contiguous()  # one channel: both orders at once
        assert torch.equal(X, X_book) and torch.equal(y, y_book)
        assert torch.equal(X.reshape(len(X), -1),
                           X_book.reshape(len(X), -1))


def test_resized_batches_too():
    _, got = batches(resize=56)
    assert got[0][0].stride() == (56 * 56, 1, 56, 1)


def test_the_first_convolution_then_works_channels_last():
    _, got = batches()
    X = got[0][0]
    conv = torch.nn.Conv2d(1, 6, kernel_size=5, padding=2)
    Y = conv(X)
    assert Y.is_contiguous(memory_format=torch.channels_last)
    assert not Y.is_contiguous()
    X_book = X.as_strided(X.shape, (784, 784, 28, 1))  # the same memory
    assert torch.allclose(Y, conv(X_book), atol=1e-5)


def test_channels_last_leaves_other_tensors_alone():
    X = torch.rand(2, 3, 4, 4)
    assert torch_data.channels_last(X) is X
    Y = torch.rand(2, 1, 4, 8)[..., ::2]  # not contiguous
    assert torch_data.channels_last(Y) is Y
