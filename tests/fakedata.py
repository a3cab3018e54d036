"""Tiny IDX data sets made on the spot, so tests need no real data.

`idx_bytes` writes the IDX format of the (Fashion-)MNIST files; `tiny`
returns the four gzipped files of a small, learnable data set and the
`Dataset` that describes them.  Everything is seeded: two processes that
call `tiny()` get the same bytes, hence the same SHA-256.
"""
import gzip
import hashlib
import struct
import types

import numpy as np

from d2l_local.datasets import IMAGES, LABELS, Dataset, IdxFile

NAME, TITLE = 'tiny', 'Tiny-MNIST'
N_TRAIN, N_TEST, SIDE = 100, 30, 28
FILENAMES = {'train_images': 'train-images-idx3-ubyte.gz',
             'train_labels': 'train-labels-idx1-ubyte.gz',
             'test_images': 't10k-images-idx3-ubyte.gz',
             'test_labels': 't10k-labels-idx1-ubyte.gz'}


def idx_bytes(array, magic=None, count=None):
    """Return the IDX encoding of a uint8 array (3-d images, 1-d labels).

    `magic` and `count` override the header, to make broken files.
    """
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = IMAGES if array.ndim == 3 else LABELS
    header = struct.pack('>II', magic, len(array) if count is None
                         else count)
    if array.ndim == 3:
        header += struct.pack('>II', *array.shape[1:])
    return header + array.tobytes()


def gz(data):
    """Gzip `data` reproducibly (no time stamp in the header)."""
    return gzip.compress(data, mtime=0)


def make_images(n, seed, side=SIDE):
    """Return (images, labels): class k has a bright k-th stripe.

    Pixel (0, 0) of image i holds i, so a test can tell the order in
    which the images come out of an iterator.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(n, dtype=np.uint8) % 10
    rng.shuffle(labels)
    images = rng.integers(0, 60, size=(n, side, side), dtype=np.uint8)
    width = side // 10
    for i, k in enumerate(labels):
        images[i, :, k * width:(k + 1) * width] = 255
    images[:, 0, 0] = np.arange(n)
    return images, labels


def tiny(name=NAME, title=TITLE, seed=0, mirrors=()):
    """Return (dataset, arrays, files) of a tiny data set.

    arrays maps each key to its uint8 array; files each file name to its
    gzipped bytes.
    """
    train = make_images(N_TRAIN, seed)
    test = make_images(N_TEST, seed + 1)
    arrays = {'train_images': train[0], 'train_labels': train[1],
              'test_images': test[0], 'test_labels': test[1]}
    specs, files = {}, {}
    for key, array in arrays.items():
        data = idx_bytes(array)
        magic = IMAGES if array.ndim == 3 else LABELS
        specs[key] = IdxFile(FILENAMES[key],
                             hashlib.sha256(data).hexdigest(), magic,
                             len(array))
        files[FILENAMES[key]] = gz(data)
    return Dataset(name, title, specs, list(mirrors)), arrays, files


def tiny_namespace(**kwargs):
    """`tiny(**kwargs)` as one object: .name .dataset .arrays .files"""
    dataset, arrays, files = tiny(**kwargs)
    return types.SimpleNamespace(name=dataset.name, dataset=dataset,
                                 arrays=arrays, files=files)


def write_files(folder, files):
    """Write {file name: bytes} into `folder` (made if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for filename, data in files.items():
        (folder / filename).write_bytes(data)
    return folder
