"""The real Fashion-MNIST and MNIST, when D2L_DATA_DIR points at them.

Skipped otherwise.  Nothing is downloaded: the cache stays empty.
"""
import shutil

import numpy as np
import pytest

import d2l_local as d2l
from d2l_local import datasets


@pytest.fixture(autouse=True)
def real_data(real_data_dir, isolated, monkeypatch):
    monkeypatch.setenv('D2L_DATA_DIR', str(real_data_dir))
    monkeypatch.setattr(datasets, '_ARRAYS', {})  # free them afterwards
    return real_data_dir


@pytest.mark.parametrize('load, first_train, first_test, per_class', [
    (d2l.load_data_fashion_mnist, [9, 0, 0, 3, 0], [9, 2, 1, 1, 6], 6000),
    (d2l.load_data_mnist, [5, 0, 4, 1, 9], [7, 2, 1, 0, 4], None),
])
def test_known_sizes_and_first_labels(load, first_train, first_test,
                                      per_class):
    train_iter, test_iter = load(256)
    assert len(train_iter.images) == 60000 and len(test_iter.images) == 10000
    assert (len(train_iter), len(test_iter)) == (235, 40)
    assert list(train_iter.labels[:5]) == first_train
    assert list(test_iter.labels[:5]) == first_test
    X, y = next(iter(test_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == np.float32
    assert list(y[:5].asnumpy()) == first_test
    assert 0 == X.min().asscalar() and X.max().asscalar() == 1
    if per_class:  # Fashion-MNIST is balanced; MNIST is not quite
        assert set(np.bincount(train_iter.labels)) == {per_class}
    assert not datasets.cache_dir('fashion-mnist').exists()
    assert not datasets.cache_dir('mnist').exists()


def test_first_fashion_test_images_by_name():
    _, test_iter = d2l.load_data_fashion_mnist(10)
    _, y = next(iter(test_iter))
    assert d2l.get_fashion_mnist_labels(y[:3]) == [
        'ankle boot', 'pullover', 'trouser']


def test_mnist_file_under_the_fashion_name_is_refused(real_data, tmp_path):
    folder = tmp_path / 'fashion'
    folder.mkdir()
    for path in (real_data / 'fashion-mnist').glob('*.gz'):
        shutil.copyfile(path, folder / path.name)  # not the shared modes
    name = 'train-labels-idx1-ubyte.gz'
    shutil.copyfile(real_data / 'mnist' / name, folder / name)
    with pytest.raises(d2l.DataFileError,
                       match="another data set's file") as error:
        d2l.load_data_fashion_mnist(256, root=folder)
    assert str(folder / name) in str(error.value)
