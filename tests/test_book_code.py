"""The chapter shows the book's evaluate_accuracy and train_ch5; d2l_local
keeps the reusable copies.  These tests keep the two from drifting apart."""
import ast
import inspect
import io
import json
import pathlib
import re
from contextlib import redirect_stdout

import mxnet as mx
import numpy as np
from mxnet import gluon, init, nd
from mxnet.gluon import nn

import d2l_local as d2l
from d2l_local import training

NOTEBOOK = pathlib.Path(__file__).parent.parent / 'notebooks' / 'lenet.ipynb'


def notebook_functions():
    """Return {name: source} of the functions the chapter defines."""
    cells = json.loads(NOTEBOOK.read_text())['cells']
    found = {}
    for cell in cells:
        if cell['cell_type'] != 'code':
            continue
        # IPython magics such as %matplotlib are not Python: blank them out
        src = re.sub(r'(?m)^[%!].*$', '', ''.join(cell['source']))
        for node in ast.parse(src).body:
            if isinstance(node, ast.FunctionDef):
                found[node.name] = ast.get_source_segment(src, node)
    return found


def statements(src):
    """The function's code lines, stripped, without docstring or comments."""
    tree = ast.parse(src)
    func = tree.body[0]
    func.decorator_list = []  # guards around the code, not the code
    if (func.body and isinstance(func.body[0], ast.Expr)
            and isinstance(func.body[0].value, ast.Constant)):
        func.body = func.body[1:]
    return [line.strip() for line in ast.unparse(func).splitlines()[1:]]


def is_subsequence(small, big):
    it = iter(big)
    return all(any(line == other for other in it) for line in small)


def test_chapter_defines_the_books_functions():
    assert {'evaluate_accuracy', 'train_ch5'} <= set(notebook_functions())


def test_evaluate_accuracy_is_the_same_code():
    shown = notebook_functions()['evaluate_accuracy']
    kept = inspect.getsource(training.evaluate_accuracy)
    assert statements(shown) == statements(kept)


def test_train_ch5_keeps_every_line_of_the_books_loop_in_order():
    shown = statements(notebook_functions()['train_ch5'])
    kept = statements(inspect.getsource(training.train_ch5))
    # the package adds the history and the live plot, and names the
    # printed tuple instead of spelling it out; all else is the book's
    shown = [line for line in shown if not line.startswith('print(')]
    assert len(shown) >= 14  # the loop itself, not an empty match
    assert is_subsequence(shown, kept), (
        'd2l_local.train_ch5 no longer contains the loop the chapter shows')


def _tiny_problem():
    rng = np.random.RandomState(0)
    X = rng.rand(96, 1, 28, 28).astype('float32')
    y = (X.mean(axis=(1, 2, 3)) > 0.5).astype('float32')
    batches = [(nd.array(X[i:i + 32]), nd.array(y[i:i + 32]))
               for i in range(0, 96, 32)]
    return batches


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
        fn(net, data, data, 32, trainer, mx.cpu(), 3)
    return re.sub(r'time \d+\.\d sec', 'time T sec', out.getvalue())


def test_both_copies_print_the_same_log():
    namespace = {'gluon': gluon, 'mx': mx, 'nd': nd}
    for src in notebook_functions().values():
        exec('import time\nfrom mxnet import autograd\n' + src, namespace)
    shown = _train(namespace['train_ch5'])
    kept = _train(lambda *a: d2l.train_ch5(*a, animate=False))
    assert shown.count('\n') == 4
    assert shown == kept
