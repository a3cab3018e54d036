"""Results of the offline runs that the notebooks cite.

Scripts under tools/ (the seed sweep, the LeNet grid) take longer than a
reader should wait, so they save their results here, inside the package:
the notebooks find them from any working directory, on Binder too.
"""
import csv
import json
from importlib import resources


def result_path(name):
    """Return the path of a saved result, e.g. 'seed_sweep.json'."""
    path = resources.files(__name__) / name
    if not path.is_file():
        raise FileNotFoundError(
            f'no saved result {name!r} in d2l_local/results/; the script '
            f'under tools/ that makes it writes it there')
    return path


def read_result(name):
    """Return a saved result: a .json file's content, a .csv's rows."""
    path = result_path(name)
    if name.endswith('.csv'):
        with path.open(newline='') as f:
            return list(csv.DictReader(f))
    return json.loads(path.read_text())
