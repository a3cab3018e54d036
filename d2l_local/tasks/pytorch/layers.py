"""How the PyTorch checks of exercises 1 and 2 read a net: the reference
net's layers, shapes and size, a learner's layers in the order they run,
each layer's settings, and a probe batch where the weights live.  Nothing
here imports MXNet.
"""
import torch
from torch import nn


def reference_of(make_net, probe_shape):
    """The layers of the net `make_net()` builds, their output shapes on a
    batch of zeros of `probe_shape` and the net's number of parameters.
    Building it draws no number from the notebook's generators (their
    state is put back)."""
    with torch.random.fork_rng(devices=[]):
        net = make_net()
    layers = list(net)
    shapes, X = [], torch.zeros(probe_shape)
    with torch.no_grad():
        for layer in layers:
            X = layer(X)
            shapes.append(tuple(X.shape))
    return layers, shapes, sum(p.numel() for p in net.parameters())


def leaves(net):
    """The layers of an nn.Sequential in the order they run, with any
    nn.Sequential inside it opened up."""
    found = []
    for layer in net:
        found += leaves(layer) if isinstance(layer, nn.Sequential) \
            else [layer]
    return found


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else \
        (value, value)


def is_lazy(module):
    """True while a lazy layer in `module` has not yet seen a batch."""
    return any(nn.parameter.is_lazy(p) for p in module.parameters())


def settings(layer):
    """What a layer's output and parameters depend on, by the names of its
    arguments (a Conv2d's, a pooling layer's, a Linear's); a lazy layer's
    input size only once it has seen a batch."""
    if isinstance(layer, nn.Conv2d):
        kernel, padding = _pair(layer.kernel_size), layer.padding
        if padding == 'same' and layer.stride in (1, (1, 1)):
            padding = tuple((k - 1) // 2 for k in kernel)  # odd kernels
        found = {'in_channels': layer.in_channels,
                 'out_channels': layer.out_channels,
                 'kernel_size': kernel, 'padding': _pair(padding),
                 'stride': _pair(layer.stride),
                 'dilation': _pair(layer.dilation), 'groups': layer.groups,
                 'bias': layer.bias is not None}
    elif isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
        stride = layer.stride if layer.stride else layer.kernel_size
        found = {'kernel_size': _pair(layer.kernel_size),
                 'stride': _pair(stride), 'padding': _pair(layer.padding)}
    elif isinstance(layer, nn.Linear):
        found = {'in_features': layer.in_features,
                 'out_features': layer.out_features,
                 'bias': layer.bias is not None}
    else:
        return {}
    if is_lazy(layer):
        found.pop('in_channels', None)
        found.pop('in_features', None)
    return found


def probe_batch(shape, modules):
    """A batch of zeros of `shape` on the device of the first weight of
    `modules` (the CPU if they have none, or only 'meta' ones)."""
    first = next(iter(p for module in modules for p in module.parameters()),
                 None)
    device = first.device if first is not None else torch.device('cpu')
    if device.type == 'meta':
        device = torch.device('cpu')
    return torch.zeros(shape, device=device)
