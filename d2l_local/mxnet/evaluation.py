"""Predictions of an MXNet net over a data set, as label arrays."""
import mxnet as mx
import numpy as np


def _net_ctx(net):
    """Return the context of the net's first initialised parameter."""
    for param in net.collect_params().values():
        try:
            return param.list_ctx()[0]
        except (RuntimeError, mx.base.MXNetError):
            continue  # not initialised yet
    return mx.cpu()


def predict_all(net, data_iter, ctx=None):
    """Return (y, y_hat), the true and predicted classes.  (§6.6)

    One pass over `data_iter`; both are numpy int arrays in the iterator's
    order.  Without `ctx` the net runs where its parameters live.
    """
    ctx = ctx or _net_ctx(net)
    ys, y_hats = [], []
    for X, y in data_iter:
        y_hat = net(X.as_in_context(ctx)).argmax(axis=1)
        ys.append(y.asnumpy())
        y_hats.append(y_hat.asnumpy())
    if not ys:
        raise ValueError('data_iter gave no batches: pass an iterator '
                         'over the test set, e.g. test_iter')
    return (np.concatenate(ys).astype(np.int64),
            np.concatenate(y_hats).astype(np.int64))
