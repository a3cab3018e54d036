"""The loaders: what the mini-batches look like, and where data is found.

Each test loads the tiny data set of fakedata.py from a folder or from a
mirror on 127.0.0.1; none needs the real data or a network.
"""
import numpy as np
import pytest
from mxnet import nd

import d2l_local as d2l
from d2l_local import datasets
from fakedata import N_TEST, N_TRAIN, SIDE, write_files

pytestmark = pytest.mark.usefixtures('isolated')


@pytest.fixture
def tiny_dir(tiny, tmp_path):
    """A folder holding the tiny data set's four files."""
    return write_files(tmp_path / 'given', tiny.files)


def ids(data_iter):
    """The image numbers (pixel (0, 0)) in the order a pass yields them."""
    return [int(round(v * 255)) for X, _ in data_iter
            for v in X[:, 0, 0, 0].asnumpy()]


def test_batches_are_float32_images_in_0_1(tiny, tiny_dir):
    train_iter, test_iter = d2l.load_data('tiny', 32, root=tiny_dir)
    X, y = next(iter(train_iter))
    assert X.shape == (32, 1, SIDE, SIDE) and X.dtype == np.float32
    assert y.shape == (32,) and y.dtype == np.float32
    assert 0 <= X.min().asscalar() and X.max().asscalar() == 1
    X, y = next(iter(test_iter))
    images, labels = tiny.arrays['test_images'], tiny.arrays['test_labels']
    np.testing.assert_allclose(X[:, 0].asnumpy(), images / 255, rtol=1e-6)
    np.testing.assert_array_equal(y.asnumpy(), labels)


def test_len_counts_batches_and_the_last_one_is_partial(tiny, tiny_dir):
    train_iter, test_iter = d2l.load_data('tiny', 32, root=tiny_dir)
    assert len(train_iter) == 4 and len(test_iter) == 1
    assert [len(y) for _, y in train_iter] == [32, 32, 32, N_TRAIN - 96]
    assert [len(y) for _, y in test_iter] == [N_TEST]


def test_train_is_reshuffled_on_every_pass_test_is_in_order(tiny, tiny_dir):
    train_iter, test_iter = d2l.load_data('tiny', 16, root=tiny_dir)
    first, second = ids(train_iter), ids(train_iter)
    assert sorted(first) == sorted(second) == list(range(N_TRAIN))
    assert first != second
    assert ids(test_iter) == ids(test_iter) == list(range(N_TEST))


def test_labels_travel_with_their_images(tiny, tiny_dir):
    train_iter, _ = d2l.load_data('tiny', 16, root=tiny_dir)
    labels = tiny.arrays['train_labels']
    for X, y in train_iter:
        idx = np.round(X[:, 0, 0, 0].asnumpy() * 255).astype(int)
        np.testing.assert_array_equal(y.asnumpy(), labels[idx])


def test_resize(tiny, tiny_dir):
    train_iter, test_iter = d2l.load_data('tiny', 8, resize=32,
                                          root=tiny_dir)
    for data_iter in (train_iter, test_iter):
        X, _ = next(iter(data_iter))
        assert X.shape == (8, 1, 32, 32) and X.dtype == np.float32
        assert 0 <= X.min().asscalar() <= X.max().asscalar() <= 1


def test_fashion_and_mnist_loaders_use_their_own_data_set(monkeypatch):
    seen = []
    monkeypatch.setattr(d2l.data, 'load_arrays',
                        lambda name, root: seen.append((name, root)) or {
                            'train': (np.zeros((3, 28, 28), np.uint8),
                                      np.zeros(3, np.uint8)),
                            'test': (np.zeros((2, 28, 28), np.uint8),
                                     np.zeros(2, np.uint8))})
    train_iter, test_iter = d2l.load_data_fashion_mnist(2, root='R')
    d2l.load_data_mnist(2)
    assert seen == [('fashion-mnist', 'R'), ('mnist', None)]
    assert (len(train_iter), len(test_iter)) == (2, 1)


def test_data_is_read_once_per_process(tiny, tiny_dir):
    d2l.load_data('tiny', 10, root=tiny_dir)
    for path in tiny_dir.iterdir():
        path.unlink()  # gone from disk: a second load must not need it
    train_iter, _ = d2l.load_data('tiny', 10, root=tiny_dir)
    assert len(train_iter) == 10


def test_a_data_set_loaded_with_keep_false_is_freed_once_let_go(
        tiny, tiny_dir):
    import gc
    import weakref
    arrays = datasets.load_arrays('tiny', root=tiny_dir, keep=False)
    images = weakref.ref(arrays['train'][0])
    assert images().shape == (N_TRAIN, SIDE, SIDE)
    del arrays
    gc.collect()
    assert images() is None  # nothing else held them
    kept = datasets.load_arrays('tiny', root=tiny_dir)  # kept: the default
    again = datasets.load_arrays('tiny', root=tiny_dir, keep=False)
    assert again['train'][0] is kept['train'][0]  # what is kept is reused


def test_search_order_root_then_d2l_data_dir_then_cache_then_debian(
        tiny, tmp_path, monkeypatch):
    env = tmp_path / 'env'
    monkeypatch.setenv('D2L_DATA_DIR', str(env))
    write_files(env / 'tiny', tiny.files)
    write_files(tiny.cache, tiny.files)
    write_files(datasets.DEBIAN_DIR / 'tiny', tiny.files)
    given = write_files(tmp_path / 'given', tiny.files)
    filename = 'train-images-idx3-ubyte.gz'

    def found(root=None):
        return datasets.fetch_file(tiny.dataset, 'train_images', root)[0]
    assert found(given) == given / filename
    assert found() == env / 'tiny' / filename
    monkeypatch.delenv('D2L_DATA_DIR')
    assert found() == tiny.cache / filename
    (tiny.cache / filename).unlink()
    assert found() == datasets.DEBIAN_DIR / 'tiny' / filename


def test_a_missing_file_is_downloaded_into_the_cache(tiny, serve):
    server = serve()
    tiny.dataset.mirrors.append(server.add('m', tiny.files))
    train_iter, test_iter = d2l.load_data('tiny', 10)
    assert (len(train_iter), len(test_iter)) == (10, 3)
    assert sorted(p.name for p in tiny.cache.iterdir()) == sorted(tiny.files)
    for path in tiny.cache.iterdir():
        assert path.read_bytes() == tiny.files[path.name]
    assert len(server.requests) == 4


def test_prefetch_downloads_into_the_cache(tiny, serve):
    server = serve()
    tiny.dataset.mirrors.append(server.add('m', tiny.files))
    folder = d2l.prefetch('tiny')
    assert folder == tiny.cache
    assert sorted(p.name for p in folder.iterdir()) == sorted(tiny.files)
    for spec in tiny.dataset.files.values():
        datasets.decode(folder / spec.filename, spec)


def test_prefetch_copies_a_given_folder_into_the_cache(tiny, tiny_dir):
    folder = d2l.prefetch('tiny', root=tiny_dir)
    assert sorted(p.name for p in folder.iterdir()) == sorted(tiny.files)
    for path in folder.iterdir():
        assert path.read_bytes() == tiny.files[path.name]
    assert d2l.prefetch('tiny') == folder  # already there: nothing to do


def test_fashion_mnist_text_labels():
    assert d2l.get_fashion_mnist_labels([0, 9, 3]) == [
        't-shirt', 'ankle boot', 'dress']
    labels = d2l.get_fashion_mnist_labels(nd.arange(10))
    assert labels == ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                      'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
