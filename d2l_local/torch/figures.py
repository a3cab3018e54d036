"""LeNet's figures from a forward pass of a PyTorch net: the trace of one
image through it, drawn by d2l_local.figures.  (§6.6)

A PyTorch nn.Sequential has no layer names such as MXNet's conv0: its
layers are numbered, and the book's shape trace prints each layer's class
name (``layer.__class__.__name__``: Conv2d, Sigmoid, AvgPool2d, ...).
The activations and Flatten are layers of their own; the flow figures
fold them into the layer they follow or precede, as the book draws them.
"""
import torch
from torch import nn

from .. import figures
from .models import act_type


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,
                                                                   value)


def _side(k):
    k = _pair(k)
    return f'{k[0]}x{k[1]}'


def _describe(layer):
    """(kind, arrow label, box label) of one layer of an nn.Sequential."""
    if isinstance(layer, nn.Conv2d):
        pad = _pair(layer.padding)[0] if not isinstance(
            layer.padding, str) else layer.padding
        arrow = f'{_side(layer.kernel_size)} conv' + \
            (f'\npad {pad}' if pad else '')
        box = f'{_side(layer.kernel_size)} Conv2d ({layer.out_channels})' + \
            (f', pad {pad}' if pad else '')
        return 'conv', arrow, box
    if isinstance(layer, (nn.AvgPool2d, nn.MaxPool2d)):
        kind = 'Avg' if isinstance(layer, nn.AvgPool2d) else 'Max'
        stride = _pair(layer.stride)[0]
        k = _side(layer.kernel_size)
        return ('pool', f'{k} {kind.lower()}\npool\nstride {stride}',
                f'{k} {kind}Pool2d, stride {stride}')
    if isinstance(layer, nn.Linear):
        return 'dense', 'linear', f'Linear ({layer.out_features})'
    if isinstance(layer, nn.Flatten):
        return 'flatten', 'flatten', 'Flatten'
    act = act_type(layer)
    if act is not None:
        return 'act', act, act
    name = type(layer).__name__
    return 'layer', name, name


def _device(net):
    for param in net.parameters():
        return param.device
    return torch.device('cpu')


def _trace(net, size):
    """[(kind, arrow, box, shape without the batch axis)] of one image of
    side `size` run through `net`, the input first, one row per layer."""
    X = torch.zeros((1, 1, size, size), device=_device(net))
    rows = [('input', None, f'image ({size}x{size})', tuple(X.shape[1:]))]
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            for layer in net:
                kind, arrow, box = _describe(layer)
                X = layer(X)
                rows.append((kind, arrow, box, tuple(X.shape[1:])))
    finally:
        net.train(was_training)
    return rows


def layer_ops(net, size=28):
    """Return each layer's operation as an arrow label.  (§6.6, shapes)

    One label per layer of `net`, in the order of the book's shape trace
    (``for layer in net: X = layer(X); print(layer.__class__.__name__,
    ...)``), for d2l.plot_layer_flow(names, shapes, ops=...).
    """
    return [row[1] for row in _trace(net, size)[1:]]


def _names(net, rows):
    """'Conv2d 0', 'AvgPool2d 2', ...: the class name and index in `net`
    of the layer behind each drawn output (rows folded)."""
    names, index = ['input'], 0
    layers = list(net)
    for kind, *_ in rows[1:]:
        while kind != _describe(layers[index])[0]:
            index += 1
        names.append(f'{type(layers[index]).__name__} {index}')
        index += 1
    return names


def _book_net():
    from .models import lenet
    return lenet()


def plot_lenet_flow(image=None, probs=None, labels=None, net=None,
                    figsize=(9, 2.8)):
    """Draw LeNet's data flow, the book's Fig. 6.6.1, to scale.  (§6.6)

    One 28x28 `image` goes in (an empty grid without one), each arrow says
    its operation, and 10 `probs` (softmax of the net's output) come out,
    named by `labels`; without them a uniform placeholder, said as such.
    `net` defaults to the book's d2l.lenet().  Each output is named by
    the class and index in `net` of the layer that makes it; activations
    and Flatten are folded into the arrows.
    """
    net = _book_net() if net is None else net
    rows = figures.fold(_trace(net, 28))
    return figures.draw_lenet_flow(rows, _names(net, rows), image, probs,
                                   labels, figsize)


def plot_lenet_compressed(net=None, size=28, figsize=(3.6, 4.2)):
    """Draw LeNet in compressed notation, the book's Fig. 6.6.2.  (§6.6)

    One box per layer, read from the bottom up (each activation written
    into the box of the layer it follows), and beside each arrow the
    shape that flows along it, from a forward pass of `net` (default the
    book's d2l.lenet()) on one `size` x `size` image.
    """
    net = _book_net() if net is None else net
    return figures.draw_compressed(figures.fold(_trace(net, size)), figsize)
