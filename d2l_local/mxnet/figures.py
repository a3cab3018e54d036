"""LeNet's figures from a forward pass of an MXNet net: the trace of one
image through it, drawn by d2l_local.figures.  (§6.6)"""
from mxnet import autograd, nd
from mxnet.gluon import nn

from .. import figures
from ..figures import _is_map, _side
from .models import act_type


def _describe(layer):
    """(kind, arrow label, box label) of one layer of a sequential net."""
    from . import lenet5 as paper  # LeNet-5's own layer classes
    if isinstance(layer, nn.Conv2D):
        kw = layer._kwargs
        act, pad = act_type(layer), kw['pad'][0]
        arrow = [f'{_side(kw["kernel"])} conv'] + \
            ([f'pad {pad}'] if pad else []) + ([act] if act else [])
        box = f'{_side(kw["kernel"])} Conv ({kw["num_filter"]})' + \
            (f', pad {pad}' if pad else '') + (f', {act}' if act else '')
        return 'conv', '\n'.join(arrow), box
    if isinstance(layer, (nn.AvgPool2D, nn.MaxPool2D)):
        kw = layer._kwargs
        kind = 'Avg' if kw['pool_type'] == 'avg' else 'Max'
        return ('pool', f'{_side(kw["kernel"])} {kind.lower()}\npool\n'
                f'stride {kw["stride"][0]}',
                f'{_side(kw["kernel"])} {kind}Pool, stride {kw["stride"][0]}')
    if isinstance(layer, nn.Dense):
        act = act_type(layer)
        return ('dense', 'dense' + (f'\n{act}' if act else ''),
                f'Dense ({layer._units})' + (f', {act}' if act else ''))
    if isinstance(layer, paper.InputScaling):
        pad = layer.pad
        scaled = ', -0.1 to 1.175' if layer.paper else ''
        return ('input', f'pad {pad}' + ('\nscale' if layer.paper else ''),
                f'pad {pad}{scaled}')
    if isinstance(layer, paper.Conv):
        k, act = layer.kernel, layer.activation
        mask = layer.mask.data().asnumpy()[:, :, 0, 0]
        reads = mask.sum(axis=1).astype(int)
        if reads.min() == mask.shape[1]:  # every map reads every input
            return ('conv', f'{k}x{k} conv\n{act}',
                    f'{k}x{k} Conv ({layer.channels}), {act}')
        few, most = reads.min(), reads.max()
        return ('conv', f'{k}x{k} conv\nTable I:\n{few}-{most} maps\n{act}',
                f'{k}x{k} Conv ({layer.channels}), Table I ({few} to '
                f'{most} of {mask.shape[1]} maps), {act}')
    if isinstance(layer, paper.Subsampling):
        return ('pool', f'2x2 sum\nx coef\n+ bias\n{layer.activation}',
                f'2x2 subsampling, trainable, {layer.activation}')
    if isinstance(layer, paper.Full):
        return ('dense', f'full\n{layer.activation}',
                f'Full ({layer.units}), {layer.activation}')
    if isinstance(layer, paper.RBF):
        return ('rbf', 'Euclidean\nRBF', 'Euclidean RBF (10), fixed')
    name = type(layer).__name__
    return 'layer', name, name


def layer_ops(net, size=28):
    """Return each layer's operation as an arrow label.  (§6.6, shapes)"""
    return [row[1] for row in _trace(net, size)[1:]]


def _trace(net, size):
    """[(kind, arrow, box, shape without the batch axis)] of one image of
    side `size` run through `net`, the input first."""
    X = nd.zeros((1, 1, size, size))
    rows = [('input', None, f'image ({size}x{size})', X.shape[1:])]
    with autograd.predict_mode():
        for layer in net:
            kind, arrow, box = _describe(layer)
            if kind == 'dense' and _is_map(X.shape[1:]):
                arrow = 'flatten\n' + arrow  # Dense flattens its input
            X = layer(X)
            rows.append((kind, arrow, box, X.shape[1:]))
    return rows


def plot_lenet_flow(image=None, probs=None, labels=None, net=None,
                    figsize=(9, 2.8)):
    """Draw LeNet's data flow, the book's Fig. 6.6.1, to scale.  (§6.6)

    One 28x28 `image` goes in (an empty grid without one), each arrow says
    its operation, and 10 `probs` (softmax of the net's output) come out,
    named by `labels`; without them a uniform placeholder, said as such.
    `net` defaults to the book's d2l.lenet(), initialised.
    """
    net = _book_net() if net is None else net
    rows = _trace(net, 28)
    names = figures.kind_names([row[0] for row in rows])
    return figures.draw_lenet_flow(rows, names, image, probs, labels,
                                   figsize)


def plot_lenet_compressed(net=None, size=28, figsize=(3.6, 4.2)):
    """Draw LeNet in compressed notation, the book's Fig. 6.6.2.  (§6.6)

    One box per layer, read from the bottom up, and beside each arrow the
    shape that flows along it, from a forward pass of `net` (default the
    book's d2l.lenet(); lenet5() works too) on one `size` x `size` image.
    """
    net = _book_net() if net is None else net
    return figures.draw_compressed(_trace(net, size), figsize)


def _book_net():
    from .models import lenet
    net = lenet()
    net.initialize()
    return net


def _paper_net():
    from .lenet5 import lenet5
    net = lenet5()
    net.initialize()
    return net


def lenet5_shapes(net=None):
    """Return (layer, operation, output shape) of each layer of LeNet-5
    for one 28x28 digit, from a forward pass.  (lenet5_1998)"""
    from .lenet5 import NAMES
    net = _paper_net() if net is None else net
    rows = _trace(net, 28)
    names = ['digit'] + list(NAMES)
    return [(name, box, (1,) + tuple(shape))
            for name, (_, _, box, shape) in zip(names, rows)]


def plot_lenet5_flow(image=None, net=None, figsize=(9, 2.8)):
    """Draw LeNet-5's data flow as the 1998 paper does, to scale.

    A 28x28 digit (`image`, or an empty grid) centred in the 32x32 input,
    then C1 to F6 and the 10 Euclidean RBF units; `net` defaults to
    lenet5().  (lenet5_1998)
    """
    from .lenet5 import NAMES
    net = _paper_net() if net is None else net
    rows = _trace(net, 28)[1:]  # from the padded 32x32 input on
    names = ['input; dashed: the digit'] + list(NAMES[1:])
    return figures.draw_lenet5_flow(rows, names, image, figsize)
