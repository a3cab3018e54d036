"""Activation maps of a PyTorch LeNet, drawn by d2l_local.activations.

(§6.6 ex. 4)  In PyTorch a convolution's activation is a layer of its
own, the one after it: a map "after the activation" is that layer's
output."""
import numpy as np
import torch
from torch import nn

from .. import activations as draw
from ..data import FASHION_LABELS
from .models import act_type


def conv_layers(net):
    """Return the Conv2d layers of a sequential net, in order.  (ex. 4)"""
    return [layer for layer in net if isinstance(layer, nn.Conv2d)]


def _conv(net, layer):
    return draw.nth_conv(conv_layers(net), layer)


def _after(net, conv):
    """The activation layer right after `conv` in `net`, or None."""
    layers = list(net)
    for before, after in zip(layers, layers[1:]):
        if before is conv and act_type(after) is not None:
            return after
    return None


def _device(net):
    for param in net.parameters():
        return param.device
    return torch.device('cpu')


def activation_maps(net, X, layer):
    """Return the maps of convolution `layer` (1 = first).  (§6.6 ex. 4)

    X is a batch (n, 1, h, w), or one image (1, h, w) or (h, w); the result
    is a numpy array (n, channels, h', w') of the layer's output after its
    activation function (the layer after it), i.e. before the pooling.
    """
    conv = _conv(net, layer)
    target = _after(net, conv) or conv
    if not isinstance(X, torch.Tensor):
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    X = X.to(_device(net), torch.float32)
    X = X.reshape((-1, 1) + tuple(X.shape[-2:]))
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            for block in net:
                X = block(X)
                if block is target:
                    return X.cpu().numpy()
    finally:
        net.train(was_training)
    raise ValueError('the convolution layers must be direct children of net')


def activation_of(net, layer):
    """Name of convolution `layer`'s activation function, or None.  (ex. 4)"""
    after = _after(net, _conv(net, layer))
    return None if after is None else act_type(after)


def plot_activations(net, X, layer, titles=None, scale=0.75):
    """Plot images beside their maps from convolution `layer`.  (ex. 4)

    One row per image of X: the image itself, then its maps, one per
    channel (numbered above).  All maps are one image on one colour scale
    (see map_limits) with a colour bar, so a colour means the same value
    in every panel.  Return the figure.
    """
    return draw.draw_activations(activation_maps(net, X, layer), X,
                                 activation_of(net, layer), layer, titles,
                                 scale)


def plot_kernels(nets, layer=1, scale=0.75):
    """Plot the kernels of each net's first convolution layer.  (ex. 4)

    `nets` maps a name to a net: one row per net, one kernel per cell,
    labelled with its bias, on a diverging colour map centred at 0 (white)
    with limits symmetric about 0: one scale and colour bar per net.
    Return the figure.
    """
    kernels = {}
    for name, net in nets.items():
        conv = _conv(net, layer)
        kernels[name] = (conv.weight.detach().cpu().numpy(),
                         conv.bias.detach().cpu().numpy())
    return draw.draw_kernels(kernels, layer, scale)


def pick_examples(data_iter, classes, per_class, names=FASHION_LABELS):
    """Return {class name: first `per_class` images of it}.  (ex. 4)

    The images are a tensor (per_class, 1, h, w) as `data_iter` serves
    them; `classes` are class indices, `names` their names.
    """
    return draw.pick(data_iter, classes, per_class, names, torch.stack)


class ActivationExplorer(draw.ActivationExplorer):
    __doc__ = draw.ActivationExplorer.__doc__
    activation_maps = staticmethod(activation_maps)
    activation_of = staticmethod(activation_of)
    conv_layers = staticmethod(conv_layers)
