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
    order.  Without `device` the net runs where its parameters live.
    """
    check_device(device)
    device = device or _net_device(net)
    ys, y_hats = [], []
    net.eval()
    with torch.no_grad():
        for X, y in data_iter:
            y_hat = net(X.to(device)).argmax(axis=1)
            ys.append(y.cpu().numpy())
            y_hats.append(y_hat.cpu().numpy())
    if not ys:
        raise ValueError('data_iter gave no batches: pass an iterator '
                         'over the test set, e.g. test_iter')
    return (np.concatenate(ys).astype(np.int64),
            np.concatenate(y_hats).astype(np.int64))
