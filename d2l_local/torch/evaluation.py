"""Predictions of a PyTorch net over a data set, as label arrays."""
import numpy as np
import torch

from .devices import check_device


def _net_device(net):
    """The device of the net's first parameter (the CPU if it has none)."""
    for param in net.parameters():
        return param.device
    return torch.device('cpu')


def predict_all(net, data_iter, device=None):
    """Return (y, y_hat), the true and predicted classes.  (§6.6)

    One pass over `data_iter`; both are numpy int arrays in the iterator's
    order.  Without `device` the net runs where its parameters live.  The
    classes are gathered as Python numbers, not as a tensor per batch: on
    the CPU each small tensor kept would pin the memory freed around it,
    and a pass over MNIST's 10,000 test images after a training held
    some 300 MB more that way.
    """
    check_device(device)
    device = device or _net_device(net)
    ys, y_hats = [], []
    net.eval()
    with torch.no_grad():
        for X, y in data_iter:
            y_hats += net(X.to(device)).argmax(axis=1).tolist()
            ys += y.tolist()
    if not ys:
        raise ValueError('data_iter gave no batches: pass an iterator '
                         'over the test set, e.g. test_iter')
    return (np.array(ys, dtype=np.int64), np.array(y_hats, dtype=np.int64))
