"""Issue 7: bad data files, broken downloads, concurrent loaders, a cache
that cannot be written.  Each ends in one clear message, or in a valid
copy and nothing else in the cache.

Servers run on 127.0.0.1 only; the loader's timeouts are cut to about a
second (the `short_timeout` fixture) and every wall-clock bound is derived
from them.
"""
import hashlib
import os
import subprocess
import sys
import time

import pytest

import d2l_local as d2l
import fakedata
from d2l_local import datasets
from fakedata import idx_bytes, gz, write_files
from localserver import Drop, Stall, Together

pytestmark = pytest.mark.usefixtures('isolated')

IMAGES_GZ = 'train-images-idx3-ubyte.gz'
LABELS_GZ = 'train-labels-idx1-ubyte.gz'


def flip_bit(data, at):
    data = bytearray(data)
    data[at] ^= 0x10
    return bytes(data)


# Broken versions of one file: (file name, its bytes, words of the message)
def faults(tiny):
    images = tiny.arrays['train_images']
    labels = tiny.arrays['train_labels']
    good = tiny.files[IMAGES_GZ]
    _, _, other_files = fakedata.tiny(seed=5)
    return {
        'truncated': (IMAGES_GZ, good[:len(good) // 2],
                      'not a complete gzip file'),
        'bit flipped in the gzip stream': (
            IMAGES_GZ, flip_bit(good, len(good) // 2), 'corrupted'),
        'one pixel changed, gzip intact': (
            IMAGES_GZ, gz(flip_bit(idx_bytes(images), 500)),
            'does not hold the expected content'),
        'empty': (IMAGES_GZ, b'', 'is empty'),
        'not gzip (plain IDX)': (IMAGES_GZ, idx_bytes(images),
                                 'not a complete gzip file'),
        'not gzip (an HTML page)': (
            IMAGES_GZ, b'<!DOCTYPE html><title>Sign in to Wi-Fi</title>',
            'not a complete gzip file'),
        'wrong magic number': (
            IMAGES_GZ, gz(idx_bytes(images, magic=datasets.LABELS)),
            'does not hold the expected content'),
        'labels file under the images name': (
            IMAGES_GZ, tiny.files[LABELS_GZ],
            'does not hold the expected content'),
        'fewer labels than images': (
            LABELS_GZ, gz(idx_bytes(labels[:-1])),
            'does not hold the expected content'),
        'label count in the header disagrees': (
            LABELS_GZ, gz(idx_bytes(labels, count=len(labels) + 1)),
            'does not hold the expected content'),
        'the other data set\'s file': (
            IMAGES_GZ, other_files[IMAGES_GZ],
            'another data set\'s file'),
    }


FAULTS = list(faults(fakedata.tiny_namespace()))


def part_files(folder):
    return sorted(folder.rglob('*.part'))


@pytest.fixture
def mirror(tiny, serve):
    """A mirror of the tiny data set that logs what is asked of it."""
    server = serve()
    tiny.dataset.mirrors.append(server.add('good', tiny.files))
    return server


@pytest.mark.parametrize('fault', FAULTS)
def test_bad_file_in_a_given_folder_is_refused_and_named(
        fault, tiny, mirror, tmp_path):
    filename, data, words = faults(tiny)[fault]
    folder = write_files(tmp_path / 'given', tiny.files)
    (folder / filename).write_bytes(data)
    with pytest.raises(d2l.DataFileError) as error:
        d2l.load_data('tiny', 10, root=folder)
    message = str(error.value)
    assert str(folder / filename) in message
    assert words in message
    assert 'delete it' in message  # the one thing to do
    # The reader named this folder: no download hides the problem.
    assert mirror.requests == []
    assert not tiny.cache.exists()


@pytest.mark.parametrize('fault', ['truncated', 'the other data set\'s file'])
def test_bad_file_in_d2l_data_dir_is_refused_and_named(
        fault, tiny, mirror, tmp_path, monkeypatch):
    filename, data, words = faults(tiny)[fault]
    folder = write_files(tmp_path / 'shared' / 'tiny', tiny.files)
    (folder / filename).write_bytes(data)
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'shared'))
    with pytest.raises(d2l.DataFileError, match=words) as error:
        d2l.load_data('tiny', 10)
    assert str(folder / filename) in str(error.value)
    assert mirror.requests == []


@pytest.mark.parametrize('fault', ['truncated', 'empty',
                                   'the other data set\'s file'])
def test_bad_cached_copy_is_replaced_by_a_verified_download(
        fault, tiny, mirror):
    filename, data, _ = faults(tiny)[fault]
    write_files(tiny.cache, {filename: data})
    train_iter, _ = d2l.load_data('tiny', 10)
    assert len(train_iter) == 10
    assert (tiny.cache / filename).read_bytes() == tiny.files[filename]
    assert part_files(tiny.cache) == []


def test_bad_cached_copy_is_reported_when_no_mirror_answers(tiny, serve):
    server = serve()
    tiny.dataset.mirrors.append(server.add('m', {}))  # 404 for everything
    write_files(tiny.cache, {IMAGES_GZ: b''})
    with pytest.raises(d2l.DataNotFoundError) as error:
        d2l.load_data('tiny', 10)
    assert f'{tiny.cache / IMAGES_GZ} is empty' in str(error.value)


def test_images_and_labels_that_disagree_in_number_are_refused(
        tiny, tmp_path):
    # Two files that each pass their own check but come from different
    # copies: 30 test images, 29 test labels.
    labels = idx_bytes(tiny.arrays['test_labels'][:29])
    spec = tiny.dataset.files['test_labels']
    tiny.dataset.files['test_labels'] = datasets.IdxFile(
        spec.filename, hashlib.sha256(labels).hexdigest(), spec.magic, 29)
    folder = write_files(tmp_path / 'given',
                         dict(tiny.files, **{spec.filename: gz(labels)}))
    with pytest.raises(d2l.DataFileError, match='disagree in number') as e:
        d2l.load_data('tiny', 10, root=folder)
    assert str(folder / spec.filename) in str(e.value)
    assert str(folder / 't10k-images-idx3-ubyte.gz') in str(e.value)


# Downloads ---------------------------------------------------------------

@pytest.fixture
def short_timeout(monkeypatch):
    """Cut the loader's read timeout to 1 s and its deadline to 2 s."""
    assert datasets.READ_TIMEOUT < datasets.DEADLINE
    monkeypatch.setattr(datasets, 'READ_TIMEOUT', 1)
    monkeypatch.setattr(datasets, 'DEADLINE', 2)
    monkeypatch.delenv('D2L_DOWNLOAD_TIMEOUT', raising=False)


def longest_load(mirrors, files=4):
    """The most a load may take: each file, from each mirror, its deadline."""
    return files * mirrors * datasets.DEADLINE


def bad_answers(tiny):
    good = tiny.files[IMAGES_GZ]
    return {
        'connection dropped mid-file': (Drop(good), 'connection broke'),
        '404': (404, '404'),
        '500': (500, '500'),
        'too slow': (Stall(), 'timed out'),
        'wrong content': (tiny.files[LABELS_GZ],
                          'does not hold the expected content'),
        'empty file': (b'', 'is empty'),
        'an HTML page': (b'<html>Please log in</html>',
                         'not a complete gzip file'),
    }


ANSWERS = list(bad_answers(fakedata.tiny_namespace()))


@pytest.mark.parametrize('answer', ANSWERS)
def test_bad_mirror_is_skipped_for_the_next_one(
        answer, tiny, serve, short_timeout):
    bad, _ = bad_answers(tiny)[answer]
    server = serve()
    tiny.dataset.mirrors[:] = [server.add('bad', {IMAGES_GZ: bad}),
                               server.add('good', tiny.files)]
    start = time.monotonic()
    train_iter, _ = d2l.load_data('tiny', 10)
    assert time.monotonic() - start < longest_load(mirrors=2)
    assert len(train_iter) == 10
    assert '/bad/' + IMAGES_GZ in server.requests
    assert sorted(p.name for p in tiny.cache.iterdir()) == sorted(tiny.files)
    assert (tiny.cache / IMAGES_GZ).read_bytes() == tiny.files[IMAGES_GZ]


def test_when_every_mirror_fails_one_clear_error(
        tiny, serve, short_timeout, isolated, monkeypatch):
    answers = bad_answers(tiny)
    server = serve()
    tiny.dataset.mirrors[:] = [server.add(f'm{i}', {IMAGES_GZ: bad})
                               for i, (bad, _) in enumerate(answers.values())]
    monkeypatch.setenv('D2L_DATA_DIR', str(isolated / 'shared'))
    start = time.monotonic()
    with pytest.raises(d2l.DataNotFoundError) as error:
        d2l.load_data('tiny', 10)
    # Only the first file is looked for: its failure ends the load.
    assert time.monotonic() - start < longest_load(len(answers), files=1)
    message = str(error.value)
    assert isinstance(error.value, FileNotFoundError)
    # Every mirror was tried, and its failure is in the message.
    assert len(server.requests) == len(answers)
    for i, (_, words) in enumerate(answers.values()):
        assert f'{server.url}/m{i}/{IMAGES_GZ}: ' in message
        assert words in message
    # The places searched, the four files, the way out.
    for place in (isolated / 'shared' / 'tiny', tiny.cache,
                  datasets.DEBIAN_DIR / 'tiny'):
        assert str(place / IMAGES_GZ) in message
    for filename in tiny.files:
        assert filename in message
    assert 'D2L_DATA_DIR=' in message
    # A bad download is thrown away, not left for the reader to delete.
    assert 'the download was discarded' in message
    assert '.part' not in message and 'delete it' not in message
    # No partial or bad file anywhere.
    assert list(tiny.cache.iterdir()) == []
    assert part_files(isolated) == []
    assert 'Traceback' not in message


def test_no_partial_file_is_left_after_a_dropped_download(tiny, serve):
    server = serve()
    tiny.dataset.mirrors.append(server.add('m', {
        IMAGES_GZ: Drop(tiny.files[IMAGES_GZ])}))
    with pytest.raises(d2l.DataNotFoundError, match='connection broke'):
        d2l.load_data('tiny', 10)
    assert list(tiny.cache.iterdir()) == []


# Two loaders at once -------------------------------------------------------

LOADER = '''
import sys
import fakedata
from d2l_local import datasets
dataset, _, _ = fakedata.tiny(mirrors=[sys.argv[1]])
datasets.DATASETS[dataset.name] = dataset
arrays = datasets.load_arrays(dataset.name)
print(len(arrays['train'][0]), len(arrays['test'][0]))
'''


def python_env():
    """Environment of a child Python that can import the test helpers."""
    paths = [os.path.dirname(fakedata.__file__)]
    paths += os.environ.get('PYTHONPATH', '').split(os.pathsep)
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, paths)))


def test_two_processes_loading_into_an_empty_cache(tiny, serve, isolated):
    server = serve()
    # The server holds the first file back until both processes ask for
    # it, so both really download at the same moment.
    together = Together(tiny.files[IMAGES_GZ], parties=2)
    url = server.add('m', dict(tiny.files, **{IMAGES_GZ: together}))
    env = python_env()
    children = [subprocess.Popen([sys.executable, '-c', LOADER, url],
                                 env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    results = []
    try:
        for child in children:
            results.append(child.communicate(timeout=120))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait(10)
    for child, (out, err) in zip(children, results):
        assert child.returncode == 0, err
        assert out.split() == ['100', '30']
        assert 'Traceback' not in err
    assert together.met, 'the two downloads did not overlap'
    assert server.requests.count(f'/m/{IMAGES_GZ}') == 2
    assert sorted(p.name for p in tiny.cache.iterdir()) == sorted(tiny.files)
    for path in tiny.cache.iterdir():
        assert path.read_bytes() == tiny.files[path.name]
    assert part_files(isolated) == []


# A cache that cannot be written -------------------------------------------

def private_folders(isolated):
    """The fallback folders made in the test's temporary folder."""
    return sorted((isolated / 'tmp').glob('d2l-tiny-*'))


def test_unwritable_cache_falls_back_to_a_temporary_one(
        tiny, mirror, isolated, monkeypatch):
    # Tests run as root, for whom chmod does not stop a write; a folder
    # "inside" a regular file fails for every user.
    blocker = isolated / 'not-a-folder'
    blocker.write_text('')
    monkeypatch.setenv('MXNET_HOME', str(blocker))
    with pytest.warns(UserWarning, match='not writable') as record:
        train_iter, _ = d2l.load_data('tiny', 10)
    assert len(train_iter) == 10
    assert len(record) == 1  # one folder, one warning, for four files
    message = str(record[0].message)
    assert str(blocker / 'datasets' / 'tiny') in message
    assert 'Set MXNET_HOME to a writable folder' in message
    [fallback] = private_folders(isolated)
    assert str(fallback) in message
    assert sorted(p.name for p in fallback.iterdir()) == sorted(tiny.files)


def test_read_only_cache_falls_back_to_a_temporary_one(
        tiny, mirror, isolated, monkeypatch):
    # What `chmod a-w $MXNET_HOME` does for a user other than root.
    tiny.cache.mkdir(parents=True)
    create = datasets.tempfile.NamedTemporaryFile

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and tiny.cache in (dir, *dir.parents):
            raise PermissionError(13, 'Permission denied', str(dir))
        return create(*args, dir=dir, **kwargs)
    monkeypatch.setattr(datasets.tempfile, 'NamedTemporaryFile', read_only)
    with pytest.warns(UserWarning, match=r'not writable \(Permission'):
        d2l.load_data('tiny', 10)
    assert list(tiny.cache.iterdir()) == []
    [fallback] = private_folders(isolated)
    assert sorted(p.name for p in fallback.iterdir()) == sorted(tiny.files)
