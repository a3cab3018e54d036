"""Activation maps: what LeNet's convolution layers respond to.

Exercise 4 of §6.6 (notebooks/ex4_activations.ipynb) looks at the maps the
first and second convolution layers compute for chosen images, as static
figures and in an interactive explorer.  Every figure draws the maps it
compares on one colour scale, with a colour bar, so brightness means the
same in every panel: 0 to 1 for a sigmoid layer (its whole range), 0 to
the largest value shown for a ReLU layer.  Kernels use a diverging colour
map centred at 0.
"""
import math

import matplotlib.pyplot as plt
import numpy as np
from mxnet import nd
from mxnet.gluon import nn

from .data import FASHION_LABELS

MAP_CMAP = 'magma'  # black = 0, brighter = stronger
SIGNED_CMAP = 'RdBu_r'  # blue < 0 < red, white = 0
IMAGE_CMAP = 'gray'
MAX_PER_ROW = 5  # maps a row in the explorer: each stays ~100 px wide


def conv_layers(net):
    """Return the Conv2D layers of a sequential net, in order.  (ex. 4)"""
    return [layer for layer in net if isinstance(layer, nn.Conv2D)]


def _conv(net, layer):
    convs = conv_layers(net)
    if not 1 <= layer <= len(convs):
        raise ValueError(f'layer must be between 1 and {len(convs)} (this '
                         f'net has {len(convs)} convolution layers), got '
                         f'{layer!r}')
    return convs[layer - 1]


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
    act = getattr(_conv(net, layer), 'act', None)
    return None if act is None else act._act_type


def map_limits(activation, maps):
    """Colour limits (vmin, vmax) on which `maps` are honestly compared.

    A sigmoid's whole range, 0 to 1; tanh's, -1 to 1; for ReLU (and other
    non-negative units) 0 to the largest value in `maps`; otherwise
    limits symmetric about 0.  (ex. 4)
    """
    maps = np.asarray(maps)
    if activation == 'sigmoid':
        return 0.0, 1.0
    if activation == 'tanh':
        return -1.0, 1.0
    top = float(np.abs(maps).max()) if maps.size else 0.0
    top = top if top > 0 else 1.0  # all zero: any scale shows black
    if activation in ('relu', 'softrelu'):
        return 0.0, top
    return -top, top


def _cmap(limits):
    return SIGNED_CMAP if limits[0] < 0 else MAP_CMAP


def _scale_label(activation, limits):
    name = {'relu': 'ReLU', None: 'convolution'}.get(activation, activation)
    low, high = limits
    return f'{name} output ({low:.3g} to {high:.3g}, all panels)'


def _plain(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def _images(X):
    images = X.asnumpy() if hasattr(X, 'asnumpy') else np.asarray(X)
    return images.reshape((-1,) + images.shape[-2:])


def plot_activations(net, X, layer, titles=None, scale=1.0):
    """Plot images beside their maps from convolution `layer`.  (ex. 4)

    One row per image of X: the image itself, then one panel per channel.
    All maps share one colour scale (see map_limits) with a colour bar, so
    a colour means the same value in every panel.  Return the figure.
    """
    maps = activation_maps(net, X, layer)
    images = _images(X)
    activation = activation_of(net, layer)
    limits = map_limits(activation, maps)
    n, channels = maps.shape[:2]
    fig, axes = plt.subplots(
        n, channels + 1, squeeze=False, layout='constrained',
        figsize=(scale * (channels + 1) + 1.0, scale * n + 0.5))
    for i in range(n):
        axes[i, 0].imshow(images[i], cmap=IMAGE_CMAP, vmin=0, vmax=1)
        axes[i, 0].set_title(titles[i] if titles else 'input',
                             fontsize='small')
        for c in range(channels):
            im = axes[i, c + 1].imshow(maps[i, c], cmap=_cmap(limits),
                                       vmin=limits[0], vmax=limits[1])
            if i == 0:
                axes[i, c + 1].set_title(f'map {c}', fontsize='small')
    for ax in axes.flat:
        _plain(ax)
    fig.colorbar(im, ax=axes[:, 1:].ravel().tolist(), shrink=0.8,
                 label=_scale_label(activation, limits))
    fig.suptitle(f'convolution layer {layer}: {channels} maps '
                 f'({maps.shape[2]}x{maps.shape[3]}) per image',
                 fontsize='medium')
    return fig


def plot_kernels(nets, layer=1, scale=1.0):
    """Plot the kernels of each net's first convolution layer.  (ex. 4)

    `nets` maps a name to a net; one row per net, one panel per kernel,
    titled with its bias.  All kernels share a diverging colour map centred
    at 0 (white), with symmetric limits and a colour bar.  Return the
    figure.
    """
    kernels = {}
    for name, net in nets.items():
        conv = _conv(net, layer)
        weight = conv.weight.data().asnumpy()
        if weight.shape[1] != 1:
            raise ValueError(f'layer {layer} of {name!r} has '
                             f'{weight.shape[1]} input channels; only a '
                             f'layer that sees the image (layer 1) has one '
                             f'kernel per map to draw')
        kernels[name] = weight[:, 0], conv.bias.data().asnumpy()
    top = max(float(np.abs(w).max()) for w, _ in kernels.values()) or 1.0
    channels = max(len(w) for w, _ in kernels.values())
    fig, axes = plt.subplots(
        len(nets), channels, squeeze=False, layout='constrained',
        figsize=(scale * channels + 1.0, scale * len(nets) + 0.6))
    for row, (name, (weight, bias)) in enumerate(kernels.items()):
        for c in range(channels):
            ax = axes[row, c]
            _plain(ax)
            if c >= len(weight):
                ax.set_axis_off()
                continue
            im = ax.imshow(weight[c], cmap=SIGNED_CMAP, vmin=-top, vmax=top)
            ax.set_title(f'{c}: bias {bias[c]:+.2f}', fontsize='small')
        axes[row, 0].set_ylabel(name)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8,
                 label='weight (white = 0)')
    fig.suptitle(f'kernels of convolution layer {layer}', fontsize='medium')
    return fig


def plot_maps(image, maps, limits, title='input', label='', scale=1.1,
              per_row=None):
    """Plot one image and its maps in a grid, large enough to read.  (ex. 4)

    `maps` (channels, h, w) are drawn `per_row` to a row (by default
    about a square grid, at most MAX_PER_ROW wide) on the colour limits
    `limits`, with a colour bar labelled `label`; the image sits top
    left.  Return the figure.
    """
    maps = np.asarray(maps)
    channels = len(maps)
    per_row = per_row or min(math.ceil(math.sqrt(channels)), MAX_PER_ROW)
    rows = math.ceil(channels / per_row)
    fig = plt.figure(layout='constrained',
                     figsize=(scale * (per_row + 1) + 1.2, scale * rows + 0.5))
    grid = fig.add_gridspec(rows, per_row + 1)
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(_images(image)[0], cmap=IMAGE_CMAP, vmin=0, vmax=1)
    ax.set_title(title, fontsize='small')
    _plain(ax)
    map_axes = []
    for c in range(channels):
        ax = fig.add_subplot(grid[c // per_row, c % per_row + 1])
        im = ax.imshow(maps[c], cmap=_cmap(limits), vmin=limits[0],
                       vmax=limits[1])
        ax.set_title(f'map {c}', fontsize='small')
        _plain(ax)
        map_axes.append(ax)
    fig.colorbar(im, ax=map_axes, shrink=0.9, label=label)
    return fig


def pick_examples(data_iter, classes, per_class, names=FASHION_LABELS):
    """Return {class name: first `per_class` images of it}.  (ex. 4)

    The images are an NDArray (per_class, 1, h, w) as `data_iter` serves
    them; `classes` are class indices, `names` their names.
    """
    wanted = {int(c): [] for c in classes}
    for X, y in data_iter:
        for x, label in zip(X, y.asnumpy().astype(int)):
            if label in wanted and len(wanted[label]) < per_class:
                wanted[label].append(x)
        if all(len(v) == per_class for v in wanted.values()):
            break
    short = [names[c] for c, v in wanted.items() if len(v) < per_class]
    if short:
        raise ValueError(f'fewer than {per_class} images of {short} in the '
                         f'data; ask for fewer per class')
    return {names[c]: nd.stack(*v) for c, v in wanted.items()}


class ActivationExplorer:
    """Choose model, class, sample and layer; the maps update.  (ex. 4)

    `nets` maps a model name to a trained net, `examples` a class name to
    its images (as pick_examples returns).  Display the explorer (or its
    `box`) in a notebook; `fig` is the figure on show.  The maps of one
    model and layer keep one colour scale over all the examples, so
    brightness can be compared from one image to the next.
    """

    def __init__(self, nets, examples, scale=1.25):
        import ipywidgets as widgets
        self.nets, self.examples, self.scale = dict(nets), examples, scale
        self.model = widgets.Dropdown(options=list(self.nets),
                                      description='model')
        self.label = widgets.Dropdown(options=list(examples),
                                      description='class')
        self.sample = widgets.IntSlider(
            0, 0, len(next(iter(examples.values()))) - 1,
            description='sample')
        depth = min(len(conv_layers(net)) for net in self.nets.values())
        self.layer = widgets.ToggleButtons(options=range(1, depth + 1),
                                           description='layer')
        self.output = widgets.Output()
        self.box = widgets.VBox([
            widgets.HBox([self.model, self.label]),
            widgets.HBox([self.sample, self.layer]), self.output])
        self.fig, self._busy, self._limits = None, False, {}
        for control in (self.model, self.label, self.sample, self.layer):
            control.observe(self.update, names='value')
        self.update()

    def limits(self, model, layer):
        """Colour limits of `model`'s `layer` over all the examples."""
        key = model, layer
        if key not in self._limits:
            net = self.nets[model]
            maps = np.concatenate([activation_maps(net, images, layer)
                                   for images in self.examples.values()])
            activation = activation_of(net, layer)
            limits = map_limits(activation, maps)
            self._limits[key] = limits, _scale_label(activation, limits)
        return self._limits[key]

    def update(self, change=None):
        """Redraw the maps for the current choice."""
        if self._busy:  # setting sample.max below may move sample.value
            return
        self._busy = True
        try:
            images = self.examples[self.label.value]
            self.sample.max = len(images) - 1
            image = images[self.sample.value:self.sample.value + 1]
        finally:
            self._busy = False
        model, layer = self.model.value, self.layer.value
        maps = activation_maps(self.nets[model], image, layer)[0]
        limits, label = self.limits(model, layer)
        fig = plot_maps(image, maps, limits, title=self.label.value,
                        label=label.replace('all panels', 'all examples'),
                        scale=self.scale)
        fig.suptitle(f'{model} LeNet, convolution layer {layer}: '
                     f'{len(maps)} maps of {maps.shape[1]}x{maps.shape[2]}',
                     fontsize='medium')
        plt.close(fig)  # shown through the Output widget only
        self.fig = fig
        # Set the widget's outputs directly rather than capturing display()
        # calls: that works the same in every frontend and in nbconvert.
        self.output.outputs = ()
        self.output.append_display_data(fig)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
