"""The NumPy names MXNet 1.9.1 reads at import: each one needed, each one
put back as old NumPy had it, and nothing else of NumPy touched.

Which names are missing depends on the NumPy of the Python running the
tests: none under NumPy 1.23 (Python 3.10 and 3.11), ``bool`` under 1.26
(3.12), the rest under 2.x (3.13).  The tests that take one name at a time
run for the names this NumPy lacks.
"""
import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from d2l_local.mxnet import _numpy_compat as compat



def _missing_in_a_fresh_python():
    """compat.missing() of this NumPy as it comes, before MXNet loads: in
    a fresh process, since other tests may have loaded MXNet in this one."""
    out = subprocess.run(
        [sys.executable, '-c', 'import json; from d2l_local.mxnet import '
         '_numpy_compat as c; print(json.dumps(c.missing()))'],
        capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


MISSING_HERE = _missing_in_a_fresh_python()


def run(code):
    """Run `code` in a fresh Python; return the finished process."""
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=300)


def test_values_are_those_of_the_last_numpy_that_had_them():
    values = compat._names()
    assert set(values) == set(compat.NAMES)
    assert values['bool'] is bool
    assert values['PZERO'] == 0.0 and math.copysign(1, values['PZERO']) == 1
    assert values['NZERO'] == 0.0 and math.copysign(1, values['NZERO']) == -1
    assert values['PINF'] == values['Inf'] == math.inf
    assert values['NINF'] == -math.inf
    assert math.isnan(values['NAN']) and math.isnan(values['NaN'])
    assert values['alltrue'] is np.all and values['sometrue'] is np.any
    assert values['product'] is np.prod and values['round_'] is np.round
    a = np.array([[3, 1], [2, 4], [1, 0]])
    assert (values['msort'](a) == np.sort(a, axis=0)).all()
    assert (values['msort'](a.tolist()) == np.sort(a, axis=0)).all()


@pytest.mark.parametrize('name', ['mirr', 'npv', 'pmt', 'ppmt', 'pv',
                                  'rate'])
def test_financial_names_are_the_stubs_numpy_1_20_left(name):
    stub = compat._names()[name]
    assert stub.__name__ == name
    with pytest.raises(RuntimeError, match='numpy_financial'):
        stub(0.1, [1, 2])


def test_restore_adds_only_missing_names_and_replaces_none():
    result = run('''
        import numpy as np
        before = {n: getattr(np, n) for n in dir(np)}
        from d2l_local.mxnet import _numpy_compat as compat
        missing = compat.missing()
        added = compat.restore()
        assert added == missing, (added, missing)
        after = set(dir(np))
        assert after - set(before) <= set(compat.NAMES), after - set(before)
        assert all(getattr(np, n) is v for n, v in before.items())
        assert compat.restore() == [] and compat.missing() == []
        print('ok', len(added))
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['ok', str(len(MISSING_HERE))]


@pytest.mark.mxnet  # loads MXNet in a child process
def test_importing_mxnet_through_d2l_local_restores_what_it_needs():
    result = run('''
        import numpy as np
        names = set(dir(np))
        getattr_before = getattr(np, '__getattr__', None)
        import d2l_local
        from d2l_local.mxnet import _numpy_compat as compat
        import mxnet
        import types
        # (submodules MXNet imports, numpy.typing say, are not names put back)
        added = {n for n in set(dir(np)) - names
                 if not isinstance(getattr(np, n), types.ModuleType)}
        assert added == set(compat.RESTORED), (added, compat.RESTORED)
        assert getattr(np, '__getattr__', None) is getattr_before
        print(sorted(added))
    ''')
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(sorted(MISSING_HERE))


@pytest.mark.mxnet  # loads MXNet in a child process
def test_numpy_prints_and_computes_as_before():
    code = '''
        import numpy as np
        x = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
        out = [repr(np.float64(0.5)), repr(x), str(x.sum()),
               repr(np.array([True, False])), str(np.result_type(1, 2.0))]
        {}
        print('|'.join(out))
    '''
    plain = run(code.format(''))
    restored = run(code.format(
        'import d2l_local, mxnet; from d2l_local.mxnet import _numpy_compat'))
    assert plain.returncode == restored.returncode == 0, restored.stderr
    assert plain.stdout == restored.stdout


@pytest.mark.parametrize('name', MISSING_HERE or [None])
def test_each_name_is_needed(name):
    """Without that one name, MXNet 1.9.1 does not import on this NumPy."""
    if name is None:
        pytest.skip(f'NumPy {np.__version__} has every name MXNet reads')
    result = run(f'''
        import numpy as np
        from d2l_local.mxnet import _engine, _numpy_compat as compat
        _engine.uninstall_hook()  # this test restores by hand
        values = compat._names()
        for n in compat.missing():
            if n != {name!r}:
                setattr(np, n, values[n])
        import mxnet
    ''')
    assert result.returncode != 0
    assert f"'{name}'" in result.stderr or f'np.{name}`' in result.stderr


@pytest.mark.mxnet  # loads MXNet in a child process
def test_mxnet_trains_a_step_on_this_numpy():
    result = run('''
        import d2l_local as d2l
        from mxnet import autograd, gluon, init, nd
        net = d2l.lenet()
        net.initialize(init.Xavier())
        net.hybridize()
        trainer = gluon.Trainer(net.collect_params(), 'sgd',
                                {'learning_rate': 0.9})
        X, y = nd.random.uniform(shape=(4, 1, 28, 28)), nd.array([0, 1, 2, 3])
        loss = gluon.loss.SoftmaxCrossEntropyLoss()
        with autograd.record():
            l = loss(net(X), y)
        l.backward()
        trainer.step(4)
        print(net(X).shape, bool((net(X) == net(X)).asnumpy().all()))
    ''')
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == '(4, 10) True'
