"""The PyTorch edition's saved runs, in d2l_local/results/pytorch/."""
from .. import results


def result_path(name):
    """Return the path of a saved PyTorch run, e.g. 'seed_sweep.json'."""
    return results.result_path(name, 'pytorch')


def read_result(name):
    """Return a saved PyTorch run: a .json file's content, a .csv's rows."""
    return results.read_result(name, 'pytorch')
