"""The LeNet-5 notebook's q3: its options do not meet at the saved run."""
import numpy as np
import pytest

import d2l_local as d2l
from d2l_local.mxnet.tasks import lenet5 as tasks
from d2l_local.mxnet.tasks.lenet5 import q3


@pytest.mark.parametrize('median, letter', [
    (0.009, 'a'), (0.00949, 'a'), (0.0095, 'b'), (0.011, 'b'),
    (0.01249, 'b'), (0.0125, 'c'), (0.02, 'c')])
def test_each_boundary_belongs_to_the_option_above_it(median, letter):
    assert tasks.verdict(median) == letter


def test_the_saved_median_is_well_inside_one_option():
    errors = [r['final_test_error']
              for r in d2l.read_result('lenet5_1998.json')['runs']]
    median = float(np.median(errors))
    low, high = tasks.BOUNDS
    margin = min(abs(median - low), abs(median - high))
    assert margin >= 0.001, (median, tasks.BOUNDS)  # 10 test images
    assert tasks.verdict(median) == q3._right()


def test_the_options_state_their_boundaries():
    low, high = (f'{100 * bound:.2f}'.rstrip('0') for bound in tasks.BOUNDS)
    assert f'below the paper\'s {low} %' in q3.options['a']
    assert f'from {low} % up to, but not including, {high} %' in \
        q3.options['b']
    assert q3.options['c'].startswith(f'{high} % or more')
