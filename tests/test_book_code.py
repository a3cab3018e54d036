"""The chapter shows the book's evaluate_accuracy and train_ch5 and trains
with them; d2l_local keeps the copies the exercises use.  These tests hold
the two statement for statement identical, and the chapter to using its
own."""
import ast
import inspect
import io
import json
import pathlib
import re
from contextlib import redirect_stdout

import mxnet as mx
import numpy as np
import pytest
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local.mxnet import training

NOTEBOOK = pathlib.Path(__file__).parent.parent / 'notebooks' / 'lenet.ipynb'
BOOK_CODE = ('evaluate_accuracy', 'train_ch5')


def code_cells():
    cells = json.loads(NOTEBOOK.read_text())['cells']
    # IPython magics such as %matplotlib are not Python: blank them out
    return [re.sub(r'(?m)^[%!].*$', '', ''.join(cell['source']))
            for cell in cells if cell['cell_type'] == 'code']


def notebook_functions():
    """Return {name: source} of the functions the chapter defines."""
    found = {}
    for src in code_cells():
        for node in ast.parse(src).body:
            if isinstance(node, ast.FunctionDef):
                found[node.name] = ast.get_source_segment(src, node)
    return found


def statements(src):
    """The function's signature and statements, one per line, without
    decorators, docstring or comments (what ast.unparse keeps)."""
    func = ast.parse(src).body[0]
    func.decorator_list = []  # guards around the code, not the code
    if (func.body and isinstance(func.body[0], ast.Expr)
            and isinstance(func.body[0].value, ast.Constant)
            and isinstance(func.body[0].value.value, str)):
        func.body = func.body[1:]
    return [line.strip() for line in ast.unparse(func).splitlines()]


def test_chapter_defines_the_books_functions():
    assert set(BOOK_CODE) <= set(notebook_functions())


@pytest.mark.parametrize('name', BOOK_CODE)
def test_chapter_and_package_are_the_same_code(name):
    shown = statements(notebook_functions()[name])
    kept = statements(inspect.getsource(getattr(training, name)))
    assert len(shown) >= 5  # the function itself, not an empty match
    assert shown == kept, (
        f'the chapter\'s {name} and d2l_local.mxnet.training.{name} differ: '
        f'change both, statement for statement')


def test_statements_see_a_changed_statement():
    src = inspect.getsource(training.evaluate_accuracy)
    assert statements(src) != statements(src.replace('n += y.size',
                                                     'n += 1'))
    assert statements(src) != statements(src.replace('ctx=mx.cpu()',
                                                     'ctx=None'))
    assert statements(src) == statements(src.replace(
        '# If ctx is the GPU', '# a comment changed'))


def test_chapter_trains_with_its_own_train_ch5():
    calls = [src for src in code_cells() if 'train_ch5(' in src
             and not src.lstrip().startswith('def ')]
    assert calls, 'no cell calls train_ch5'
    for src in calls:
        assert 'd2l.train_ch5(' not in src, (
            'the chapter must train with the train_ch5 it shows')
        assert re.search(r'(?m)^history = train_ch5\(', src)


def test_chapter_uses_every_function_it_defines():
    """No teaching code defined and then left unused."""
    cells = code_cells()
    for name in notebook_functions():
        uses = [src for src in cells
                if re.search(rf'\b{name}\(', src)
                and not re.search(rf'(?m)^def {name}\(', src)]
        defining = [src for src in cells
                    if re.search(rf'(?m)^def {name}\(', src)]
        task = any(re.search(r'(?m)^q\d+\.check\(', src)
                   for src in defining)  # a learner's task is checked
        inside = any(src.count(f'{name}(') > 1 for src in defining)
        assert uses or task or inside, f'{name} is defined but not used'


def _tiny_problem():
    rng = np.random.RandomState(0)
    X = rng.rand(96, 1, 28, 28).astype('float32')
    y = (X.mean(axis=(1, 2, 3)) > 0.5).astype('float32')
    return [(nd.array(X[i:i + 32]), nd.array(y[i:i + 32]))
            for i in range(0, 96, 32)]


def _train(fn):
    d2l.set_seed(1)
    net = nn.HybridSequential()
    net.add(nn.Dense(8, activation='sigmoid'), nn.Dense(2))
    net.initialize(init.Xavier(), ctx=mx.cpu())
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.5})
    data = _tiny_problem()
    out = io.StringIO()
    with redirect_stdout(out):
        history = fn(net, data, data, 32, trainer, mx.cpu(), 3,
                     animate=False)
    log = re.sub(r'time \d+\.\d sec', 'time T sec', out.getvalue())
    return log, [record[:4] for record in history]


def test_both_copies_print_the_same_log_and_history():
    namespace = {'autograd': autograd, 'd2l': d2l, 'gluon': gluon,
                 'mx': mx, 'nd': nd, 'time': __import__('time')}
    functions = notebook_functions()
    for name in BOOK_CODE:
        exec(functions[name], namespace)
    shown = _train(namespace['train_ch5'])
    kept = _train(d2l.train_ch5)
    assert shown[0].count('\n') == 4  # 'training on' and three epochs
    assert shown == kept
