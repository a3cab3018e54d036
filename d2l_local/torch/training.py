"""Evaluation and the training loop of §6.6 in PyTorch, the book's
v0.17.6 listing, with a per-epoch history."""
import functools
import inspect
import random
import time

import numpy as np
import torch
from torch import nn

from d2l_local import torch as d2l  # the book's names: d2l.Accumulator, ...
from ..loops import Epoch, non_empty, whole_epochs  # noqa: F401 - d2l.Epoch
from .devices import check_device


def set_seed(seed):
    """Seed PyTorch, numpy and Python's random in one call."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def accuracy(y_hat, y):
    """Compute the number of correct predictions.  (§3.6)"""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def size(x):
    """The number of elements of tensor `x`.  (d2l.size)"""
    return x.numel()


def checked(*iterables):
    """Decorate a §6.6 function: refuse a GPU this machine lacks and the
    named data iterators when they yield no mini-batch, before the
    book's code (which stays as the chapter shows it) runs."""
    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            check_device(bound.arguments.get('device'))
            non_empty(bound, iterables, function.__name__)
            return function(*bound.args, **bound.kwargs)
        return wrapper
    return decorate


@checked('data_iter')
def evaluate_accuracy_gpu(net, data_iter, device=None):
    """Compute the accuracy for a model on a dataset using a GPU.  (§6.6)"""
    if isinstance(net, nn.Module):
        net.eval()  # Set the model to evaluation mode
        if not device:
            device = next(iter(net.parameters())).device
    # No. of correct predictions, no. of predictions
    metric = d2l.Accumulator(2)

    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                # Required for BERT Fine-tuning (to be covered later)
                X = [x.to(device) for x in X]
            else:
                X = X.to(device)
            y = y.to(device)
            metric.add(d2l.accuracy(net(X), y), d2l.size(y))
    return metric[0] / metric[1]


@checked('train_iter', 'test_iter')
@whole_epochs
def train_ch6(net, train_iter, test_iter, num_epochs, lr, device,
              animate=None, optimizer=None, scheduler=None):
    """Train a model with a GPU; return the history.  (§6.6)

    The book's loop, which also returns a list of Epoch records, one per
    epoch.  It draws the curves live in a notebook (animate=None), always
    (animate=True) or never (animate=False).  An `optimizer` (and a
    `scheduler` stepped once per mini-batch) replaces the book's SGD at
    rate `lr`.
    """
    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)
    net.apply(init_weights)
    print('training on', device)
    net.to(device)
    if optimizer is None:
        optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    animator = d2l.Animator(xlabel='epoch', xlim=[1, num_epochs],
                            legend=['train loss', 'train acc', 'test acc'],
                            show=animate)
    timer, num_batches = d2l.Timer(), len(train_iter)
    history = []
    for epoch in range(num_epochs):
        start = time.time()
        # Sum of training loss, sum of training accuracy, no. of examples
        metric = d2l.Accumulator(3)
        net.train()
        for i, (X, y) in enumerate(train_iter):
            timer.start()
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], d2l.accuracy(y_hat, y), X.shape[0])
            timer.stop()
            train_l = metric[0] / metric[2]
            train_acc = metric[1] / metric[2]
            if (i + 1) % max(num_batches // 5, 1) == 0 or \
                    i == num_batches - 1:
                animator.add(epoch + (i + 1) / num_batches,
                             (train_l, train_acc, None))
        test_acc = evaluate_accuracy_gpu(net, test_iter)
        animator.add(epoch + 1, (None, None, test_acc))
        history.append(d2l.Epoch(epoch + 1, train_l, train_acc, test_acc,
                                 time.time() - start))
    animator.close()
    print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, '
          f'test acc {test_acc:.3f}')
    print(f'{metric[2] * num_epochs / timer.sum():.1f} examples/sec '
          f'on {str(device)}')
    return history
