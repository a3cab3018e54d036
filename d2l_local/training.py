"""Evaluation and the training loop of §6.6, with a per-epoch history."""
import collections
import numbers
import random
import time

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, nd

from .guards import checked

Epoch = collections.namedtuple('Epoch',
                               'epoch loss train_acc test_acc seconds')


def set_seed(seed):
    """Seed MXNet, numpy and Python's random in one call."""
    mx.random.seed(seed)
    np.random.seed(seed)
    random.seed(seed)


@checked('data_iter')
def evaluate_accuracy(data_iter, net, ctx=mx.cpu()):
    """Return the accuracy of `net` on `data_iter`, computed on ctx.  (§6.6)"""
    acc_sum, n = nd.array([0], ctx=ctx), 0
    for X, y in data_iter:
        # If ctx is the GPU, copy the data to the GPU.
        X, y = X.as_in_context(ctx), y.as_in_context(ctx).astype('float32')
        acc_sum += (net(X).argmax(axis=1) == y).sum()
        n += y.size
    return acc_sum.asscalar() / n


@checked('train_iter', 'test_iter')
def train_ch5(net, train_iter, test_iter, batch_size, trainer, ctx,
              num_epochs, animate=None):
    """Train and evaluate a model on ctx; return the history.  (§6.6)

    Prints the book's line per epoch.  In a notebook (or with animate=True)
    it also draws the curves live.  Returns a list of Epoch records.
    """
    if (isinstance(num_epochs, bool)
            or not isinstance(num_epochs, numbers.Integral)
            or num_epochs <= 0):
        raise ValueError(f'num_epochs must be a positive whole number, got '
                         f'{num_epochs!r}')
    print('training on', ctx)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    animator = None
    if animate or (animate is None and _in_notebook()):
        from .plotting import Animator
        animator = Animator(xlabel='epoch', xlim=[1, num_epochs],
                            legend=['train loss', 'train acc', 'test acc'])
    history = []
    for epoch in range(num_epochs):
        # Sum of training loss, sum of training accuracy, no. of examples
        train_l_sum, train_acc_sum, n, start = 0.0, 0.0, 0, time.time()
        for X, y in train_iter:
            X, y = X.as_in_context(ctx), y.as_in_context(ctx)
            with autograd.record():
                y_hat = net(X)
                l = loss(y_hat, y).sum()
            l.backward()
            trainer.step(batch_size)
            y = y.astype('float32')
            train_l_sum += l.asscalar()
            train_acc_sum += (y_hat.argmax(axis=1) == y).sum().asscalar()
            n += y.size
        test_acc = evaluate_accuracy(test_iter, net, ctx)
        record = Epoch(epoch + 1, train_l_sum / n, train_acc_sum / n,
                       test_acc, time.time() - start)
        history.append(record)
        print('epoch %d, loss %.4f, train acc %.3f, test acc %.3f, '
              'time %.1f sec' % record)
        if animator is not None:
            animator.add(epoch + 1, record[1:4])
    if animator is not None:
        animator.close()
    return history


def _in_notebook():
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        return False
    return shell is not None and 'IPKernelApp' in shell.config
