"""Activation maps: what LeNet's convolution layers respond to.

Exercise 4 of §6.6 (notebooks/ex4_activations.ipynb) looks at the maps the
first and second convolution layers compute for chosen images, as static
figures and in an interactive explorer.  Every figure draws the maps it
compares on one colour scale, with a colour bar, so brightness means the
same in every panel: 0 to 1 for a sigmoid layer (its whole range), 0 to
the largest value shown for a ReLU layer.  Kernels use a diverging colour
map centred at 0.  This module draws from NumPy arrays; each framework's
side (``d2l_local.mxnet.activations``, ``d2l_local.torch.activations``)
computes the maps of its nets.
"""
import math

import matplotlib.pyplot as plt
import numpy as np

from .arrays import to_numpy

MAP_CMAP = 'magma'  # black = 0, brighter = stronger
SIGNED_CMAP = 'RdBu_r'  # blue < 0 < red, white = 0
IMAGE_CMAP = 'gray'
MAX_PER_ROW = 5  # maps a row in the explorer: each stays ~100 px wide


def nth_conv(convs, layer):
    """The convolution `layer` (1 = first) of `convs`, or a ValueError
    that says which layers there are."""
    if not 1 <= layer <= len(convs):
        raise ValueError(f'layer must be between 1 and {len(convs)} (this '
                         f'net has {len(convs)} convolution layers), got '
                         f'{layer!r}')
    return convs[layer - 1]


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


def _images(X):
    images = to_numpy(X)
    return images.reshape((-1,) + images.shape[-2:])


def _figure(sizes, left=0.9, right=1.1, top=0.45, bottom=0.05):
    """A figure of axes of exact sizes (width, height) in inches, one under
    the other, each with `top` inches free above it and a colour-bar axes
    at its right; return (fig, [(ax, cax), ...])."""
    width = left + max(w for w, _ in sizes) + right
    height = sum(top + h for _, h in sizes) + bottom
    fig = plt.figure(figsize=(width, height))
    pairs, y = [], height
    for w, h in sizes:
        y -= top + h
        ax = fig.add_axes((left / width, y / height, w / width, h / height))
        cax = fig.add_axes(((left + w + 0.12) / width,
                            (y + 0.05 * h) / height, 0.15 / width,
                            0.9 * h / height))
        pairs.append((ax, cax))
    return fig, pairs


class _Tiles:
    """A grid of maps drawn as one image on one colour scale, in one axes,
    with images (gray, 0 to 1) in chosen cells: a figure of many panels
    that renders as fast as one.  `gap` is (rows, columns) of blank pixels
    between cells."""

    def __init__(self, grid, limits, gap=(1, 1)):
        self.grid, self.limits = grid, limits
        self.h, self.w = next(np.shape(t) for row in grid for t in row
                              if t is not None)
        self.gy, self.gx = gap
        rows, cols = len(grid), max(len(row) for row in grid)
        self.shape = (rows * (self.h + self.gy) - self.gy,
                      cols * (self.w + self.gx) - self.gx)

    def size(self, tile):
        """(width, height) in inches when a tile is `tile` inches wide."""
        return (tile * self.shape[1] / self.w, tile * self.shape[0] / self.w)

    def draw(self, ax):
        """Draw the grid into `ax`; return the image (for a colour bar)."""
        self.ax = ax
        # gaps blank; with_extremes, not set_bad (going in matplotlib 3.11)
        cmap = plt.get_cmap(_cmap(self.limits)).with_extremes(bad='white')
        tiled = np.full(self.shape, np.nan, dtype=np.float32)
        for i, row in enumerate(self.grid):
            for j, tile in enumerate(row):
                if tile is not None:
                    y, x = self.corner(i, j)
                    tiled[y:y + self.h, x:x + self.w] = tile
        self.image = ax.imshow(tiled, cmap=cmap, vmin=self.limits[0],
                               vmax=self.limits[1], interpolation='nearest')
        ax.set_axis_off()
        return self.image

    def corner(self, i, j):
        """(y, x) of the top-left pixel of cell (row i, column j)."""
        return i * (self.h + self.gy), j * (self.w + self.gx)

    def put(self, i, j, image):
        """Draw `image` (gray, 0 to 1) in cell (i, j), at the cell's size."""
        y, x = self.corner(i, j)
        self.ax.imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=1,
                       interpolation='nearest',
                       extent=(x - 0.5, x + self.w - 0.5, y + self.h - 0.5,
                               y - 0.5))
        self.ax.set_xlim(-0.5, self.shape[1] - 0.5)  # keep the whole grid
        self.ax.set_ylim(self.shape[0] - 0.5, -0.5)

    def label(self, i, j, text, where='above'):
        """Write `text` just above cell (i, j), or at its left."""
        y, x = self.corner(i, j)
        if where == 'left':
            self.ax.text(x - 1.5, y + self.h / 2, text, ha='right',
                         va='center', fontsize='small')
        else:
            self.ax.text(x + (self.w - 1) / 2, y - 0.8, text,
                         ha='center', va='bottom', fontsize='small')


def draw_activations(maps, X, activation, layer, titles=None, scale=0.75):
    """Images X beside their `maps` (n, channels, h, w) from convolution
    `layer`, whose activation is `activation`: see plot_activations."""
    maps = np.asarray(maps)
    images = _images(X)
    limits = map_limits(activation, maps)
    n, channels, h, w = maps.shape
    gap = max(1, h // 8)
    tiles = _Tiles([[None] + list(m) for m in maps], limits, (gap, gap))
    fig, [(ax, cax)] = _figure([tiles.size(scale)])
    fig.colorbar(tiles.draw(ax), cax=cax,
                 label=_scale_label(activation, limits))
    for i in range(n):
        tiles.put(i, 0, images[i])
        tiles.label(i, 0, titles[i] if titles else 'input', where='left')
    for c in range(channels):
        tiles.label(0, c + 1, f'map {c}' if channels <= 8 else f'{c}')
    ax.set_title(f'convolution layer {layer}: {channels} maps ({h}x{w}) '
                 f'per image', fontsize='medium', pad=16)
    return fig


def draw_kernels(kernels, layer=1, scale=0.75):
    """The kernels of convolution `layer` of each net: `kernels` maps a
    name to (weight, bias) as NumPy arrays; see plot_kernels."""
    rows = []
    for name, (weight, bias) in kernels.items():
        weight, bias = np.asarray(weight), np.asarray(bias)
        if weight.shape[1] != 1:
            raise ValueError(f'layer {layer} of {name!r} has '
                             f'{weight.shape[1]} input channels; only a '
                             f'layer that sees the image (layer 1) has one '
                             f'kernel per map to draw')
        top = float(np.abs(weight).max()) or 1.0
        rows.append((name, bias,
                     _Tiles([list(weight[:, 0])], (-top, top))))
    fig, pairs = _figure([tiles.size(scale) for _, _, tiles in rows],
                         top=0.5)
    for (ax, cax), (name, bias, tiles) in zip(pairs, rows):
        fig.colorbar(tiles.draw(ax), cax=cax, label='weight')
        for c, b in enumerate(bias):
            tiles.label(0, c, f'{c}: bias {b:+.2f}')
        tiles.label(0, 0, name, where='left')
    fig.suptitle(f'kernels of convolution layer {layer} (white = 0)',
                 fontsize='medium', y=1.0)
    return fig


def plot_maps(image, maps, limits, title='input', label='', heading='',
              scale=1.25, per_row=None):
    """Plot one image and its maps in a grid, large enough to read.  (ex. 4)

    `maps` (channels, h, w) are drawn `per_row` to a row (by default
    about a square grid, at most MAX_PER_ROW wide), each `scale` inches
    wide, on the colour limits `limits`, with a colour bar labelled
    `label`; the image sits top left.  Return the figure.
    """
    maps = np.asarray(maps)
    channels, h, w = maps.shape
    per_row = per_row or min(math.ceil(math.sqrt(channels)), MAX_PER_ROW)
    grid = [[None] + list(maps[r:r + per_row])
            for r in range(0, channels, per_row)]
    # room for a label above each row: a fifth of a map's height
    tiles = _Tiles(grid, limits, gap=(max(2, h // 4), max(1, w // 8)))
    fig, [(ax, cax)] = _figure([tiles.size(scale)], left=0.1)
    fig.colorbar(tiles.draw(ax), cax=cax, label=label)
    tiles.put(0, 0, _images(image)[0])
    tiles.label(0, 0, title)
    for c in range(channels):
        tiles.label(c // per_row, c % per_row + 1, f'map {c}')
    ax.set_title(heading, fontsize='medium', pad=16)
    return fig


def pick(data_iter, classes, per_class, names, stack):
    """{class name: `stack` of its first `per_class` images}: see
    pick_examples."""
    wanted = {int(c): [] for c in classes}
    for X, y in data_iter:
        for x, label in zip(X, to_numpy(y).astype(int)):
            if label in wanted and len(wanted[label]) < per_class:
                wanted[label].append(x)
        if all(len(v) == per_class for v in wanted.values()):
            break
    short = [names[c] for c, v in wanted.items() if len(v) < per_class]
    if short:
        raise ValueError(f'fewer than {per_class} images of {short} in the '
                         f'data; ask for fewer per class')
    return {names[c]: stack(v) for c, v in wanted.items()}


class ActivationExplorer:
    """Choose model, class, sample and layer; the maps update.  (ex. 4)

    `nets` maps a model name to a trained net, `examples` a class name to
    its images (as pick_examples returns).  Display the explorer (or its
    `box`) in a notebook; `fig` is the figure on show.  The maps of one
    model and layer keep one colour scale over all the examples, so
    brightness can be compared from one image to the next.  Each
    framework's side gives its nets' maps (activation_maps,
    activation_of, conv_layers).
    """
    activation_maps = activation_of = conv_layers = None  # the side's

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
        depth = min(len(self.conv_layers(net))
                    for net in self.nets.values())
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
            maps = np.concatenate([self.activation_maps(net, images, layer)
                                   for images in self.examples.values()])
            activation = self.activation_of(net, layer)
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
        maps = self.activation_maps(self.nets[model], image, layer)[0]
        limits, label = self.limits(model, layer)
        fig = plot_maps(
            image, maps, limits, title=self.label.value,
            label=label.replace('all panels', 'all examples'),
            heading=f'{model} LeNet, convolution layer {layer}: '
                    f'{len(maps)} maps of {maps.shape[1]}x{maps.shape[2]}',
            scale=self.scale)
        plt.close(fig)  # shown through the Output widget only
        self.fig = fig
        # Set the widget's outputs directly rather than capturing display()
        # calls: that works the same in every frontend and in nbconvert.
        self.output.outputs = ()
        self.output.append_display_data(fig)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
