"""Evaluation and the training loop of §6.6, with a per-epoch history."""
import random
import time

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, nd

from d2l_local import mxnet as d2l  # the chapter's d2l.Animator, d2l.Epoch
from ..loops import Epoch, whole_epochs  # noqa: F401 - Epoch: d2l.Epoch
from .guards import checked


def set_seed(seed):
    """Seed MXNet, numpy and Python's random in one call."""
    mx.random.seed(seed)
    np.random.seed(seed)
    random.seed(seed)


@checked('data_iter')
def evaluate_accuracy(data_iter, net, ctx=mx.cpu()):
    """Return the accuracy of `net` on `data_iter`, computed on ctx (§6.6)."""
    acc_sum, n = nd.array([0], ctx=ctx), 0
    for X, y in data_iter:
        # If ctx is the GPU, copy the data to the GPU.
        X, y = X.as_in_context(ctx), y.as_in_context(ctx).astype('float32')
        acc_sum += (net(X).argmax(axis=1) == y).sum()
        n += y.size
    return acc_sum.asscalar() / n


@checked('train_iter', 'test_iter')
@whole_epochs
def train_ch5(net, train_iter, test_iter, batch_size, trainer, ctx,
              num_epochs, animate=None):
    """Train and evaluate a model on ctx; return the history.  (§6.6)

    Prints the book's line per epoch and returns a list of Epoch records.
    It draws the curves live in a notebook (animate=None), always
    (animate=True) or never (animate=False).
    """
    print('training on', ctx)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    animator = d2l.Animator(xlabel='epoch', xlim=[1, num_epochs],
                            legend=['train loss', 'train acc', 'test acc'],
                            show=animate)
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
        record = d2l.Epoch(epoch + 1, train_l_sum / n, train_acc_sum / n,
                           test_acc, time.time() - start)
        history.append(record)
        print('epoch %d, loss %.4f, train acc %.3f, test acc %.3f, '
              'time %.1f sec' % record)
        animator.add(epoch + 1,
                     (record.loss, record.train_acc, record.test_acc))
    animator.close()
    return history
