"""Results of the offline runs that the notebooks cite.

Scripts under tools/ (the seed sweep, the LeNet grid) take longer than a
reader should wait, so they save their results here, inside the package:
the notebooks find them from any working directory, on Binder too.  The
MXNet edition's runs sit in this folder, the PyTorch edition's under the
same names in ``pytorch/``: each edition's read_result reads its own.
"""
import contextlib
import csv
import fcntl
import json
import os
import pathlib
from importlib import resources


EDITIONS = {'mxnet': '', 'pytorch': 'pytorch'}  # edition: its sub-folder


def result_path(name, edition='mxnet'):
    """Return the path of a saved result, e.g. 'seed_sweep.json', of the
    MXNet or the PyTorch edition."""
    if edition not in EDITIONS:
        raise ValueError(f'edition is one of {tuple(EDITIONS)}, got '
                         f'{edition!r}')
    folder = resources.files(__name__)
    if EDITIONS[edition]:
        folder = folder / EDITIONS[edition]
    path = folder / name
    if not path.is_file():
        where = '/'.join(['d2l_local/results', EDITIONS[edition]]).rstrip('/')
        raise FileNotFoundError(
            f'no saved result {name!r} in {where}/; the script under tools/ '
            f'that makes it writes it there')
    return path


def read_result(name, edition='mxnet'):
    """Return a saved result: a .json file's content, a .csv's rows."""
    path = result_path(name, edition)
    if name.endswith('.csv'):
        with path.open(newline='') as f:
            return list(csv.DictReader(f))
    return json.loads(path.read_text())


def read_rows(path):
    """The rows of a results CSV by (variant, seed); {} if there is none."""
    path = pathlib.Path(path)
    if not path.exists():
        return {}
    with open(path, newline='') as f:
        return {(r['variant'], int(r['seed'])): r for r in csv.DictReader(f)}


@contextlib.contextmanager
def locked(folder):
    """Hold an exclusive lock on `folder` (flock on the folder itself: no
    lock file to leave behind, or to find owned by another account)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def merge_row(row, path, fields, order):
    """Add `row` to the CSV at `path`, replacing the row of its (variant,
    seed): under a lock on its folder (two tools may share the work), rows
    sorted by the variants' place in `order`, then by seed, written to a
    temporary file and renamed (a killed run leaves the old file whole)."""
    path = pathlib.Path(path)
    with locked(path.parent):
        rows = read_rows(path)
        rows[(row['variant'], int(row['seed']))] = row
        place = {name: i for i, name in enumerate(order)}
        tmp = path.with_suffix('.tmp')
        with open(tmp, 'w', newline='') as f:
            writer = csv.DictWriter(f, fields, lineterminator='\n')
            writer.writeheader()
            for key in sorted(rows, key=lambda k: (place.get(k[0], 99),
                                                   k[1])):
                writer.writerow(rows[key])
        os.replace(tmp, path)
