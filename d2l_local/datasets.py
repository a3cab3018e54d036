"""Finding, verifying and downloading the IDX files of (Fashion-)MNIST.

A copy of a file is valid when the SHA-256 of its *decompressed* bytes is
the known one, so Zalando's files, MXNet's re-hosted copies and Debian's
recompressed ones all count.  Places are searched in this order:

1. the ``root`` folder passed by the caller;
2. ``$D2L_DATA_DIR/<name>`` (the layout of the course's ``shared/data``);
3. the user cache, ``$MXNET_HOME/datasets/<name>`` (``~/.mxnet/...``);
4. ``/usr/share/datasets/<name>`` (Debian's ``dataset-fashion-mnist``).

Only when none holds a valid copy is the file downloaded, over HTTPS from a
fixed list of mirrors, into a temporary file that is renamed into the cache
once it has been verified.
"""
import dataclasses
import gzip
import hashlib
import os
import pathlib
import tempfile
import urllib.parse
import warnings
import zlib

import numpy as np

IMAGES, LABELS = 2051, 2049  # IDX magic numbers
DEBIAN_DIR = pathlib.Path('/usr/share/datasets')


class DataFileError(ValueError):
    """A data file exists but is not the file it should be."""


class DataNotFoundError(FileNotFoundError):
    """No valid copy of a data file could be found or downloaded."""


@dataclasses.dataclass(frozen=True)
class IdxFile:
    """One of the four files of a data set, and what its content must be."""
    filename: str
    sha256: str   # of the decompressed bytes
    magic: int    # IMAGES or LABELS
    count: int    # number of images or labels


@dataclasses.dataclass
class Dataset:
    """A data set: its four files and the mirrors that serve them."""
    name: str
    title: str
    files: dict
    mirrors: list


DATASETS = {
    'fashion-mnist': Dataset(
        'fashion-mnist', 'Fashion-MNIST',
        {'train_images': IdxFile(
            'train-images-idx3-ubyte.gz', 'c59f468a2f672dc815687fe0f83887768d79'
            '9fd8a3f3276145d20f83aa44d888', IMAGES, 60000),
         'train_labels': IdxFile(
            'train-labels-idx1-ubyte.gz', 'bad3541b69d912435c50bb6ba87bec294ff4'
            'f6a2e1246121d8633921760443d9', LABELS, 60000),
         'test_images': IdxFile(
            't10k-images-idx3-ubyte.gz', '5b4141f0afbad91edebe8549f8fcffe087ea'
            '10ca49f1dbef5c9a5cd8815ce37b', IMAGES, 10000),
         'test_labels': IdxFile(
            't10k-labels-idx1-ubyte.gz', '0402a96d92fd2663957122ceb108a494c5af'
            '83dab82d92729df917d7dec38c34', LABELS, 10000)},
        ['https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/'
         'master/data/fashion/',
         'https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/'
         'dataset/fashion-mnist/']),
    'mnist': Dataset(
        'mnist', 'MNIST',
        {'train_images': IdxFile(
            'train-images-idx3-ubyte.gz', 'ba891046e6505d7aadcbbe25680a0738ad16'
            'aec93bde7f9b65e87a2fc25776db', IMAGES, 60000),
         'train_labels': IdxFile(
            'train-labels-idx1-ubyte.gz', '65a50cbbf4e906d70832878ad85ccda5333a'
            '97f0f4c3dd2ef09a8a9eef7101c5', LABELS, 60000),
         'test_images': IdxFile(
            't10k-images-idx3-ubyte.gz', '0fa7898d509279e482958e8ce81c8e77db3f'
            '2f8254e26661ceb7762c4d494ce7', IMAGES, 10000),
         'test_labels': IdxFile(
            't10k-labels-idx1-ubyte.gz', 'ff7bcfd416de33731a308c3f266cc351222c'
            '34898ecbeaf847f06e48f7ec33f2', LABELS, 10000)},
        ['https://ossci-datasets.s3.amazonaws.com/mnist/',
         'https://storage.googleapis.com/cvdf-datasets/mnist/',
         'https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/'
         'dataset/mnist/']),
}


def get_dataset(name):
    """Return the registered Dataset called `name`."""
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f'unknown data set {name!r}; choose one of '
                         f'{sorted(DATASETS)}') from None


def cache_dir(name):
    """Return the user cache folder of data set `name` (MXNet's default)."""
    home = os.environ.get('MXNET_HOME') or pathlib.Path.home() / '.mxnet'
    return pathlib.Path(home) / 'datasets' / name


def search_dirs(name, root=None):
    """Return the folders searched for `name`, in order, with a label each."""
    dirs = []
    if root is not None:
        dirs.append(('root argument', pathlib.Path(root).expanduser()))
    if os.environ.get('D2L_DATA_DIR'):
        env = pathlib.Path(os.environ['D2L_DATA_DIR']).expanduser()
        dirs.append(('D2L_DATA_DIR', env / name))
    dirs.append(('user cache', cache_dir(name)))
    dirs.append(('Debian package', DEBIAN_DIR / name))
    return dirs


FIX = ('delete it (or replace it with a fresh copy) and run again; '
       'the loader downloads a verified copy when none is left')


def decode(path, spec, name=None, fix=FIX):
    """Read and verify one IDX `.gz` file; return its array.

    Raise DataFileError when it is not the expected one; the message names
    the file (or `name`, e.g. the URL it came from) and ends with `fix`.
    """
    path = pathlib.Path(path)
    name = name or path
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as e:
        raise DataFileError(f'cannot read {name}: {e.strerror}') from e
    if not raw:
        raise DataFileError(f'{name} is empty: {fix}.')
    try:
        data = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise DataFileError(
            f'{name} is not a complete gzip file ({e}); it is probably '
            f'truncated or corrupted: {fix}.') from e
    if hashlib.sha256(data).hexdigest() != spec.sha256:
        raise DataFileError(
            f'{name} does not hold the expected content for '
            f'{spec.filename} (SHA-256 of the decompressed bytes differs; '
            f'a corrupted file, or another data set\'s file under this '
            f'name): {fix}.')
    return parse_idx(data, spec, name)


def parse_idx(data, spec, path='<bytes>'):
    """Turn the decompressed bytes of an IDX file into a uint8 array."""
    header = 16 if spec.magic == IMAGES else 8
    if len(data) < header:
        raise DataFileError(f'{path} is too short to be an IDX file.')
    magic, count = np.frombuffer(data[:8], '>u4')
    if magic != spec.magic or count != spec.count:
        raise DataFileError(
            f'{path}: IDX header says magic {magic}, {count} items; expected '
            f'magic {spec.magic}, {spec.count} items.')
    if spec.magic == IMAGES:
        rows, cols = np.frombuffer(data[8:16], '>u4')
        shape = (count, rows, cols)
    else:
        shape = (count,)
    array = np.frombuffer(data, np.uint8, offset=header)
    if array.size != int(np.prod(shape)):
        raise DataFileError(f'{path}: {array.size} bytes of data, expected '
                            f'{int(np.prod(shape))}.')
    return array.reshape(shape)


def check_url(url):
    """Refuse anything but HTTPS (plain HTTP only to this very machine)."""
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in ('127.0.0.1', 'localhost', '::1')
    if parts.scheme != 'https' and not (parts.scheme == 'http' and local):
        raise ValueError(f'refusing to download over {parts.scheme}: {url}')


def download(spec, mirrors, target_dir, timeout=30, progressbar=True):
    """Download `spec` from the first mirror that serves a valid copy.

    The file goes to a temporary name beside its destination and is renamed
    only after it has been verified, so no partial or wrong file is ever left
    under the real name.  Return (path, array); raise DataNotFoundError with
    every mirror's failure when none served a valid copy.
    """
    import pooch  # only needed on the rare download path
    target_dir = pathlib.Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / spec.filename
    failures = []
    for base in mirrors:
        url = base + spec.filename
        fd, tmp = tempfile.mkstemp(dir=target_dir,
                                   prefix=f'.{spec.filename}.',
                                   suffix='.part')
        os.close(fd)
        try:
            check_url(url)
            downloader = pooch.HTTPDownloader(progressbar=progressbar,
                                              timeout=timeout)
            downloader(url, tmp, None)
            array = decode(tmp, spec, name=url,
                           fix='the download was discarded')
            os.replace(tmp, target)
            return target, array
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failures.append(f'{url}: {type(e).__name__}: {e}')
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    raise DataNotFoundError('\n  '.join(
        [f'could not download {spec.filename}:'] + failures))


def writable_cache(name):
    """Return the user cache folder, or a temporary one if it is read-only."""
    path = cache_dir(name)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path)
        probe.close()
        return path
    except OSError as e:
        fallback = pathlib.Path(tempfile.gettempdir()) / 'd2l-data' / name
        try:
            fallback.mkdir(parents=True, exist_ok=True)
        except OSError:  # e.g. another user's d2l-data: take a private one
            fallback = pathlib.Path(tempfile.mkdtemp(prefix=f'd2l-{name}-'))
        warnings.warn(f'the data cache {path} is not writable ({e.strerror});'
                      f' using {fallback} for this session. Set MXNET_HOME '
                      f'to a writable folder to keep the download.',
                      stacklevel=3)
        return fallback


def fetch_file(dataset, key, root=None, timeout=30):
    """Return (path, array) of a valid copy of one file of `dataset`.

    A copy in a folder the reader named (root, D2L_DATA_DIR) that fails its
    check is an error; a bad copy in the cache is replaced by a download.
    """
    spec = dataset.files[key]
    searched, bad = [], []
    for label, folder in search_dirs(dataset.name, root):
        path = folder / spec.filename
        searched.append(f'{path} ({label})')
        if not path.is_file():
            continue
        try:
            return path, decode(path, spec)
        except DataFileError as e:
            if label in ('root argument', 'D2L_DATA_DIR'):
                raise
            bad.append(str(e))
    try:
        return download(spec, dataset.mirrors, writable_cache(dataset.name),
                        timeout=timeout)
    except DataNotFoundError as e:
        lines = [f'No valid copy of {dataset.title} {spec.filename} was '
                 f'found, and downloading it failed.', 'Searched:']
        lines += [f'  {s}' for s in searched] + bad + [str(e)]
        lines.append(
            f'What to do: connect to the internet and run again, or put the '
            f'four {dataset.title} .gz files ('
            + ', '.join(f.filename for f in dataset.files.values())
            + f') in a folder DIR/{dataset.name}/ and set the environment '
            f'variable D2L_DATA_DIR=DIR.')
        raise DataNotFoundError('\n'.join(lines)) from None


_ARRAYS = {}


def load_arrays(name, root=None):
    """Return {'train': (X, y), 'test': (X, y)} as uint8 numpy arrays.

    Each data set is found, verified and decoded once per process.
    """
    dataset = get_dataset(name)
    if name not in _ARRAYS:
        paths, arrays = {}, {}
        for key in dataset.files:
            paths[key], arrays[key] = fetch_file(dataset, key, root)
        for split in ('train', 'test'):
            images, labels = f'{split}_images', f'{split}_labels'
            if len(arrays[images]) != len(arrays[labels]):
                raise DataFileError(
                    f'{dataset.title} {split} images and labels disagree in '
                    f'number: {len(arrays[images])} in {paths[images]}, '
                    f'{len(arrays[labels])} in {paths[labels]}; the two '
                    f'files must come from the same copy of the data set.')
        _ARRAYS[name] = {split: (arrays[f'{split}_images'],
                                 arrays[f'{split}_labels'])
                         for split in ('train', 'test')}
    return _ARRAYS[name]


def prefetch(name, root=None):
    """Make sure the cache holds a verified copy of `name`; return its folder.

    Used by Binder's postBuild so no reader's first run waits on a download.
    """
    import shutil
    dataset = get_dataset(name)
    target = writable_cache(name)
    for key, spec in dataset.files.items():
        path, _ = fetch_file(dataset, key, root)
        if path.parent.resolve() != target.resolve():
            fd, tmp = tempfile.mkstemp(dir=target, suffix='.part')
            os.close(fd)
            shutil.copyfile(path, tmp)
            os.replace(tmp, target / spec.filename)
    return target
