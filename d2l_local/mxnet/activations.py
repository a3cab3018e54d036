"""Activation maps of an MXNet LeNet, drawn by d2l_local.activations.

(§6.6 ex. 4)"""
import numpy as np
from mxnet import nd
from mxnet.gluon import nn

from .. import activations as draw
from ..data import FASHION_LABELS
from .models import act_type


def conv_layers(net):
    """Return the Conv2D layers of a sequential net, in order.  (ex. 4)"""
    return [layer for layer in net if isinstance(layer, nn.Conv2D)]


def _conv(net, layer):
    return draw.nth_conv(conv_layers(net), layer)


def activation_maps(net, X, layer):
    """Return the maps of convolution `layer` (1 = first).  (§6.6 ex. 4)

    X is a batch (n, 1, h, w), or one image (1, h, w) or (h, w); the result
    is a numpy array (n, channels, h', w') of the layer's output after its
    activation function, i.e. before the pooling that follows it.
    """
    target = _conv(net, layer)
    if not isinstance(X, nd.NDArray):
        X = nd.array(np.asarray(X, dtype=np.float32))
    X = X.reshape((-1, 1) + X.shape[-2:])
    for block in net:
        X = block(X)
        if block is target:
            return X.asnumpy()
    raise ValueError('the convolution layers must be direct children of net')


def activation_of(net, layer):
    """Name of convolution `layer`'s activation function, or None.  (ex. 4)"""
    return act_type(_conv(net, layer))


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
        kernels[name] = (conv.weight.data().asnumpy(),
                         conv.bias.data().asnumpy())
    return draw.draw_kernels(kernels, layer, scale)


def pick_examples(data_iter, classes, per_class, names=FASHION_LABELS):
    """Return {class name: first `per_class` images of it}.  (ex. 4)

    The images are an NDArray (per_class, 1, h, w) as `data_iter` serves
    them; `classes` are class indices, `names` their names.
    """
    return draw.pick(data_iter, classes, per_class, names,
                     lambda images: nd.stack(*images))


class ActivationExplorer(draw.ActivationExplorer):
    __doc__ = draw.ActivationExplorer.__doc__
    activation_maps = staticmethod(activation_maps)
    activation_of = staticmethod(activation_of)
    conv_layers = staticmethod(conv_layers)
