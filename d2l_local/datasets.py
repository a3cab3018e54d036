"""Finding, verifying and downloading the IDX files of (Fashion-)MNIST.

A copy of a file is valid when the SHA-256 of its *decompressed* bytes is
the known one, so Zalando's files, MXNet's re-hosted copies and Debian's
recompressed ones all count.  Places are searched in this order:

1. the ``root`` folder passed by the caller;
2. ``$D2L_DATA_DIR/<name>`` (the layout of the course's ``shared/data``);
3. the user cache, ``$MXNET_HOME/datasets/<name>`` (``~/.mxnet/...``);
4. ``/usr/share/datasets/<name>`` (Debian's ``dataset-fashion-mnist``).

An entry in a folder the reader named (1, 2) that is not a regular file (a
folder, a named pipe, a broken link) is an error, not skipped.

Only when none holds a valid copy is the file downloaded: first from
``$D2L_DATA_URL/<name>/<file>`` when that variable is set (a classroom
server, or the ``shared/data`` folder served over HTTPS), then from a fixed
list of mirrors.  Every hop, redirects included, must be HTTPS (plain HTTP
only to this very machine).  Each file has a total deadline,
``$D2L_DOWNLOAD_TIMEOUT`` seconds (DEADLINE by default), and may not be
larger than a gzip of its known length can be.  It goes to a temporary file
that is renamed into the cache once verified, readable as the umask allows;
nothing partial is left.  When the cache cannot be written, a private
temporary folder is made once per process and used instead.

No file is read or decompressed beyond its known length (16 + 784 bytes
per image, 8 + 1 per label), so memory stays bounded by the data's size.
"""
import dataclasses
import errno
import gzip
import hashlib
import http.client
import math
import os
import pathlib
import shutil
import socket
import stat
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import warnings
import weakref
import zlib

import numpy as np

IMAGES, LABELS = 2051, 2049  # IDX magic numbers
SIDE = 28  # every image of both data sets is 28x28
DEBIAN_DIR = pathlib.Path('/usr/share/datasets')
READ_TIMEOUT = 30  # seconds a silent server may keep us waiting
DEADLINE = 300     # seconds one file's whole download may take
MAX_REDIRECTS = 5
CHUNK = 1 << 16


class DataFileError(ValueError):
    """A data file exists but is not the file it should be."""


class DataNotFoundError(FileNotFoundError):
    """No valid copy of a data file could be found or downloaded."""


class CacheError(OSError):
    """The cache cannot take a file (a full disk, a folder in the way)."""

    def __str__(self):
        return self.strerror or super().__str__()  # no "[Errno 28]"


@dataclasses.dataclass(frozen=True)
class IdxFile:
    """One of the four files of a data set, and what its content must be."""
    filename: str
    sha256: str   # of the decompressed bytes
    magic: int    # IMAGES or LABELS
    count: int    # number of images or labels

    @property
    def size(self):
        """The decompressed length: the header, then the pixels or labels."""
        if self.magic == IMAGES:
            return 16 + self.count * SIDE * SIDE
        return 8 + self.count

    @property
    def max_download(self):
        """The most a gzip of `size` bytes can take (stored blocks: 5 bytes
        per 64 KiB; a header with a name and a comment)."""
        return self.size + self.size // 1000 + 64 * 1024


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


NAMED = ('root argument', 'D2L_DATA_DIR')  # folders the reader chose


def search_dirs(name, root=None):
    """Return the folders searched for `name`, in order, with a label each."""
    dirs = []
    if root is not None:
        dirs.append(('root argument', pathlib.Path(root).expanduser()))
    if os.environ.get('D2L_DATA_DIR'):
        env = pathlib.Path(os.environ['D2L_DATA_DIR']).expanduser()
        dirs.append(('D2L_DATA_DIR', env / name))
    dirs.append(('user cache', cache_dir(name)))
    fallback = _FALLBACK.get(_fallback_key(name))
    if fallback is not None and _private(fallback):
        dirs.append(('temporary cache', fallback))
    dirs.append(('Debian package', DEBIAN_DIR / name))
    return dirs


def odd_entry(path):
    """Say what `path` is if it exists but is no regular file, else None."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        if os.path.islink(path):
            return (f'a broken symbolic link (to {os.readlink(path)}, '
                    f'which does not exist)')
        return None
    except OSError as e:  # a link loop, a folder we may not enter
        return f'not readable ({e.strerror})'
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return 'a folder'
    if stat.S_ISFIFO(mode):
        return 'a named pipe (FIFO)'
    if stat.S_ISSOCK(mode):
        return 'a socket'
    return 'a device'


FIX = ('delete it (or replace it with a fresh copy) and run again; '
       'the loader downloads a verified copy when none is left')


def decode(path, spec, name=None, fix=FIX):
    """Read and verify one IDX `.gz` file; return its array.

    Raise DataFileError when it is not the expected one; the message names
    the file (or `name`, e.g. the URL it came from) and ends with `fix`.
    Nothing beyond the file's known length is decompressed.
    """
    path = pathlib.Path(path)
    name = name or path
    try:  # O_NONBLOCK: a named pipe must not hang the kernel
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
    except OSError as e:
        raise DataFileError(
            f'cannot read {name}: {e.strerror}. Make it readable (chmod a+r '
            f'{path}) or {fix}.') from e
    with open(fd, 'rb') as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(f'{name} is not a regular file: {fix}.')
        if info.st_size == 0:
            raise DataFileError(f'{name} is empty: {fix}.')
        try:
            with gzip.GzipFile(fileobj=f) as unzipped:
                data = unzipped.read(spec.size + 1)  # one byte tells "more"
        except (OSError, EOFError, zlib.error) as e:
            raise DataFileError(
                f'{name} is not a complete gzip file ({e}); it is probably '
                f'truncated or corrupted: {fix}.') from e
    if len(data) > spec.size:
        raise DataFileError(
            f'{name} decompresses to more than the {spec.size:,} bytes of '
            f'{spec.filename} (reading stopped there): {fix}.')
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


# Downloads ---------------------------------------------------------------

def check_url(url):
    """Refuse anything but HTTPS (plain HTTP only to this very machine)."""
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in ('127.0.0.1', 'localhost', '::1')
    if parts.scheme != 'https' and not (parts.scheme == 'http' and local):
        raise ValueError(f'refusing to download over {parts.scheme}: {url}')


def mirrors(dataset):
    """The base URLs to try for `dataset`: $D2L_DATA_URL's first."""
    base = os.environ.get('D2L_DATA_URL', '').strip()
    if not base:
        return list(dataset.mirrors)
    url = f'{base.rstrip("/")}/{dataset.name}/'
    try:
        check_url(url)
    except ValueError:
        raise ValueError(
            f'D2L_DATA_URL={base} is not an https:// URL (plain http:// is '
            f'allowed only to this machine): serve the files over HTTPS, or '
            f'put them in a folder and set D2L_DATA_DIR instead.') from None
    return [url] + list(dataset.mirrors)


def download_deadline(deadline=None):
    """Seconds one file's download may take: `deadline`, else
    $D2L_DOWNLOAD_TIMEOUT, else DEADLINE."""
    what = 'deadline'
    if deadline is None:
        value = os.environ.get('D2L_DOWNLOAD_TIMEOUT', '').strip()
        if not value:
            return DEADLINE
        what = f'D2L_DOWNLOAD_TIMEOUT={value}'
        try:
            deadline = float(value)
        except ValueError:
            deadline = math.nan
    if (isinstance(deadline, bool) or not isinstance(deadline, (int, float))
            or not 0 < deadline < math.inf):
        raise ValueError(f'{what} must be a number of seconds above 0 '
                         f'(the default is {DEADLINE})')
    return float(deadline)


def _proxy(parts):
    """The (host, port, headers) of the HTTPS proxy for `parts`, or None."""
    if parts.scheme != 'https' or urllib.request.proxy_bypass(
            parts.hostname):
        return None
    proxy = urllib.request.getproxies().get('https')
    if not proxy:
        return None
    proxy = urllib.parse.urlsplit(
        proxy if '://' in proxy else f'http://{proxy}')
    headers = {}
    if proxy.username:
        import base64
        token = f'{urllib.parse.unquote(proxy.username)}:' \
                f'{urllib.parse.unquote(proxy.password or "")}'
        headers['Proxy-Authorization'] = \
            'Basic ' + base64.b64encode(token.encode()).decode()
    return proxy.hostname, proxy.port or 80, headers


def _connection(parts, timeout):
    """An HTTP(S) connection to `parts`' host, through $https_proxy."""
    if parts.scheme == 'http':  # only ever to this machine: no proxy
        return http.client.HTTPConnection(parts.hostname, parts.port,
                                          timeout=timeout)
    proxy = _proxy(parts)
    if proxy is None:
        return http.client.HTTPSConnection(parts.hostname, parts.port,
                                           timeout=timeout)
    host, port, headers = proxy
    conn = http.client.HTTPSConnection(host, port, timeout=timeout)
    conn.set_tunnel(parts.hostname, parts.port, headers)
    return conn


def _cut_off(sock):
    """Shut `sock` down: a read blocked on it returns at once."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


REDIRECTS = (301, 302, 303, 307, 308)
HEADERS = {'User-Agent': 'd2l_local', 'Accept-Encoding': 'identity'}


def _get(url, stop, timeout):
    """Open `url`, following HTTPS-only redirects; return (conn, response).

    A timer shuts the connection down at `stop` (time.monotonic()), so no
    server, however slowly it drips, holds the download past its deadline.
    """
    for _ in range(MAX_REDIRECTS + 1):
        parts = urllib.parse.urlsplit(url)
        remaining = stop - time.monotonic()
        if remaining <= 0:
            raise TimeoutError('deadline reached')
        conn = _connection(parts, min(timeout, remaining))
        try:
            conn.connect()
            timer = threading.Timer(stop - time.monotonic(), _cut_off,
                                    [conn.sock])
            timer.daemon = True
            conn.timer = timer
            timer.start()
            path = parts.path or '/'
            conn.request('GET', path + (f'?{parts.query}' if parts.query
                                        else ''), headers=HEADERS)
            response = conn.getresponse()
        except BaseException:
            _close(conn)
            raise
        if response.status == 200:
            return conn, response
        location = response.getheader('Location')
        _close(conn)
        if response.status not in REDIRECTS:
            raise ConnectionError(
                f'HTTP {response.status} {response.reason}')
        if not location:
            raise ConnectionError(f'HTTP {response.status} without a '
                                  f'Location to go to')
        target = urllib.parse.urljoin(url, location)
        try:
            check_url(target)
        except ValueError:
            raise ValueError(
                f'refusing to follow a redirect to {target}: downloads '
                f'are HTTPS only') from None
        url = target
    raise ConnectionError(f'more than {MAX_REDIRECTS} redirects')


def _close(conn):
    timer = getattr(conn, 'timer', None)
    if timer is not None:
        timer.cancel()
    conn.close()


def _progress(total, filename):
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit='B', unit_scale=True, leave=False,
                desc=filename)


def fetch_url(url, out, spec, deadline, timeout, progressbar=False):
    """Write the file at `url` into the binary file `out`.

    Refuse more than spec.max_download bytes before writing them, and stop
    when `deadline` seconds have passed.  A failure to write `out` raises
    CacheError; any other, the failure of this mirror.
    """
    start = time.monotonic()
    stop = start + deadline

    def too_slow(got):
        return TimeoutError(
            f'not complete after the {deadline:g} s deadline ({got:,} '
            f'bytes in); set D2L_DOWNLOAD_TIMEOUT to allow more seconds')
    try:
        conn, response = _get(url, stop, timeout)
    except OSError:
        if time.monotonic() >= stop:
            raise too_slow(0) from None
        raise
    cap, got, bar = spec.max_download, 0, None
    try:
        announced = response.getheader('Content-Length')
        if announced and announced.isdigit() and int(announced) > cap:
            raise ValueError(
                f'the server announces {int(announced):,} bytes, more than '
                f'any copy of {spec.filename} can take ({cap:,}); refused '
                f'before downloading')
        if progressbar:
            bar = _progress(int(announced) if announced else None,
                            spec.filename)
        while True:
            try:
                chunk = response.read1(CHUNK)
            except (OSError, http.client.HTTPException) as e:
                if time.monotonic() >= stop:
                    raise too_slow(got) from None
                if isinstance(e, TimeoutError):
                    raise TimeoutError(
                        f'no data for {timeout:g} s (timed out) after '
                        f'{got:,} bytes') from None
                raise
            if time.monotonic() >= stop:
                raise too_slow(got + len(chunk))
            if not chunk:
                break
            got += len(chunk)
            if got > cap:
                raise ValueError(
                    f'more than {cap:,} bytes, more than any copy of '
                    f'{spec.filename} can take; the download was stopped')
            _write(out, chunk)
            if bar is not None:
                bar.update(len(chunk))
        if response.length:  # announced bytes that never came
            raise ConnectionError(
                f'the connection broke after {got:,} of '
                f'{got + response.length:,} bytes')
    finally:
        if bar is not None:
            bar.close()
        _close(conn)
    return got


def _write(out, chunk):
    """Write all of `chunk` to the unbuffered file `out` (CacheError)."""
    view = memoryview(chunk)
    try:
        while view:
            view = view[out.write(view):]
    except OSError as e:
        raise CacheError(e.errno, _cannot_write(out.name, e)) from e


def _cannot_write(path, e):
    return (f'cannot write {path} into the data cache: {e.strerror}. Free '
            f'some space there (or set MXNET_HOME to a folder on another '
            f'disk) and run again.')


def _umask():
    """This process's umask, read without changing it where possible."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temporary(folder, filename):
    """A new hidden `.part` file in `folder`; return its path."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f'.{filename}.',
                                   suffix='.part')
    except OSError as e:
        raise CacheError(e.errno, _cannot_write(
            pathlib.Path(folder) / filename, e)) from e
    os.close(fd)
    return pathlib.Path(tmp)


def _sweep(folder, filename, age):
    """Remove `.part` files of `filename` older than `age` seconds: left by
    a process killed while downloading (a live one writes more often)."""
    now = time.time()
    for part in pathlib.Path(folder).glob(f'.{filename}.*.part'):
        try:
            if now - part.lstat().st_mtime > age:
                part.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


def _in_the_way(target):
    """A CacheError if a folder stands where the file `target` must go."""
    if os.path.isdir(target) and not os.path.islink(target):
        return CacheError(
            errno.EISDIR, f'{target} is a folder, where the cached file '
                f'{target.name} should be: remove it (rm -r \'{target}\') '
                f'and run again.')
    return None


def _publish(tmp, target):
    """Give `tmp` the umask's permissions and rename it to `target`."""
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it 0600
        os.replace(tmp, target)
    except OSError as e:
        raise _in_the_way(target) or CacheError(
            e.errno, _cannot_write(target, e)) from e


def download(spec, mirrors, target_dir, timeout=None, deadline=None,
             progressbar=True):
    """Download `spec` from the first mirror that serves a valid copy.

    The file goes to a temporary name beside its destination and is renamed
    only after it has been verified, so no partial or wrong file is ever left
    under the real name.  Each mirror gets at most `deadline` seconds (see
    download_deadline) and `timeout` seconds of silence (READ_TIMEOUT).
    Return (path, array); raise DataNotFoundError with every mirror's
    failure when none served a valid copy, CacheError when the cache cannot
    take the file.
    """
    timeout = READ_TIMEOUT if timeout is None else timeout
    deadline = download_deadline(deadline)
    target_dir = pathlib.Path(target_dir)
    target = target_dir / spec.filename
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CacheError(e.errno, _cannot_write(target, e)) from e
    blocked = _in_the_way(target)
    if blocked:
        raise blocked
    _sweep(target_dir, spec.filename, max(deadline, DEADLINE) + timeout)
    failures = []
    for base in mirrors:
        url = base + spec.filename
        try:
            check_url(url)
        except ValueError as e:
            failures.append(f'{url}: {e}')
            continue
        tmp = _temporary(target_dir, spec.filename)
        try:
            try:
                with open(tmp, 'wb', buffering=0) as out:
                    fetch_url(url, out, spec, deadline, timeout, progressbar)
            except CacheError:
                raise
            except (OSError, ValueError, http.client.HTTPException) as e:
                failures.append(f'{url}: {type(e).__name__}: {e}')
                continue
            try:
                array = decode(tmp, spec, name=url,
                               fix='the download was discarded')
            except DataFileError as e:
                failures.append(f'{url}: {type(e).__name__}: {e}')
                continue
            _publish(tmp, target)
            return target, array
        finally:
            if os.path.lexists(tmp):
                os.remove(tmp)
    raise DataNotFoundError('\n  '.join(
        [f'could not download {spec.filename}:'] + failures))


# The cache ---------------------------------------------------------------

_FALLBACK = {}  # (name, temporary folder, user cache): private folder


def _fallback_key(name):
    return name, tempfile.gettempdir(), str(cache_dir(name))


def _private(folder):
    """Whether `folder` is still a folder of ours that no one else reads."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & 0o077)


def writable_cache(name):
    """Return the user cache folder, or a temporary one if it is read-only.

    The temporary one is private (mode 0700), has an unpredictable name
    (so no folder or link planted in /tmp is ever used), and is made once
    per process: every file of the data set goes there.
    """
    path = cache_dir(name)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path)
        probe.close()
        return path
    except OSError as e:
        key = _fallback_key(name)
        fallback = _FALLBACK.get(key)
        if fallback is not None and _private(fallback):
            return fallback
        try:
            fallback = pathlib.Path(tempfile.mkdtemp(prefix=f'd2l-{name}-'))
        except OSError as e2:
            raise CacheError(
                e2.errno, f'neither the data cache {path} ({e.strerror}) '
                f'nor a temporary folder ({e2.strerror}) can be written: '
                f'set MXNET_HOME to a writable folder and run again.'
            ) from e2
        _FALLBACK[key] = fallback
        warnings.warn(f'the data cache {path} is not writable ({e.strerror});'
                      f' using the private folder {fallback} for this '
                      f'session. Set MXNET_HOME to a writable folder to keep '
                      f'the download.', stacklevel=3)
        return fallback


def fetch_file(dataset, key, root=None, timeout=None, deadline=None):
    """Return (path, array) of a valid copy of one file of `dataset`.

    A copy in a folder the reader named (root, D2L_DATA_DIR) that fails its
    check, or that is not a regular file, is an error; a bad copy in the
    cache is replaced by a download.
    """
    spec = dataset.files[key]
    searched, bad = [], []
    for label, folder in search_dirs(dataset.name, root):
        path = folder / spec.filename
        searched.append(f'{path} ({label})')
        if label == 'root argument' and folder.is_file():
            raise DataFileError(
                f'root={root} is a file, not a folder: pass the folder that '
                f'holds the four .gz files of {dataset.title}.')
        odd = odd_entry(path)
        if odd:
            message = (f'{path} is {odd}, where the file {spec.filename} '
                       f'should be')
            if label in NAMED:
                raise DataFileError(
                    f'{message} ({label}): put the file itself there (or '
                    f'remove the entry) and run again.')
            bad.append(f'{message}.')
            continue
        if not os.path.lexists(path):
            continue
        try:
            return path, decode(path, spec)
        except DataFileError as e:
            if label in NAMED:
                raise
            bad.append(str(e))
    try:
        return download(spec, mirrors(dataset),
                        writable_cache(dataset.name), timeout=timeout,
                        deadline=deadline)
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


_ARRAYS = {}  # decoded data sets, by name and the folders searched
_DECODED = weakref.WeakValueDictionary()  # one array per content hash


def _arrays_key(name, root):
    """What decides which files a load reads: the name and the folders
    (root, D2L_DATA_DIR, the cache) in their absolute form."""
    return (name,) + tuple(
        (label, os.path.abspath(folder))
        for label, folder in search_dirs(name, root)
        if label != 'temporary cache')


def load_arrays(name, root=None, deadline=None, keep=True):
    """Return {'train': (X, y), 'test': (X, y)} as uint8 numpy arrays.

    Each data set is found, verified and decoded once per process and set
    of folders: another root= (or D2L_DATA_DIR) is searched afresh.  With
    keep=False a data set not loaded yet is not kept for the next call:
    its arrays are freed once the caller lets go of them (a notebook that
    needs a data set once leaves the memory to its training).
    """
    dataset = get_dataset(name)
    key = _arrays_key(name, root)
    if key not in _ARRAYS:
        paths, arrays = {}, {}
        for part, spec in dataset.files.items():
            paths[part], array = fetch_file(dataset, part, root,
                                            deadline=deadline)
            # Valid copies are equal byte for byte: keep one in memory.
            arrays[part] = _DECODED.setdefault(spec.sha256, array)
        for split in ('train', 'test'):
            images, labels = f'{split}_images', f'{split}_labels'
            if len(arrays[images]) != len(arrays[labels]):
                raise DataFileError(
                    f'{dataset.title} {split} images and labels disagree in '
                    f'number: {len(arrays[images])} in {paths[images]}, '
                    f'{len(arrays[labels])} in {paths[labels]}; the two '
                    f'files must come from the same copy of the data set.')
        loaded = {split: (arrays[f'{split}_images'],
                          arrays[f'{split}_labels'])
                  for split in ('train', 'test')}
        if not keep:
            return loaded
        _ARRAYS[key] = loaded
    return _ARRAYS[key]


def prefetch(name, root=None, deadline=None):
    """Make sure the cache holds a verified copy of `name`; return its folder.

    Used by Binder's postBuild so no reader's first run waits on a download.
    A copy that fails (a full disk) leaves nothing behind.
    """
    dataset = get_dataset(name)
    target = writable_cache(name)
    for key, spec in dataset.files.items():
        path, _ = fetch_file(dataset, key, root, deadline=deadline)
        if path.parent.resolve() != target.resolve():
            blocked = _in_the_way(target / spec.filename)
            if blocked:
                raise blocked
            tmp = _temporary(target, spec.filename)
            try:
                try:
                    shutil.copyfile(path, tmp)
                except OSError as e:
                    raise CacheError(e.errno, _cannot_write(
                        target / spec.filename, e)) from e
                _publish(tmp, target / spec.filename)
            finally:
                if os.path.lexists(tmp):
                    os.remove(tmp)
    return target
