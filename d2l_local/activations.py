"""Activation maps: what LeNet's convolution layers respond to.

Exercise 4 of §6.6 (notebooks/ex4_activations.ipynb) looks at the maps the
first and second convolution layers compute for chosen images, as a static
figure and in an interactive explorer.
"""
import matplotlib.pyplot as plt
import numpy as np
from mxnet import nd
from mxnet.gluon import nn

from .data import FASHION_LABELS


def conv_layers(net):
    """Return the Conv2D layers of a sequential net, in order.  (ex. 4)"""
    return [layer for layer in net if isinstance(layer, nn.Conv2D)]


def activation_maps(net, X, layer):
    """Return the maps of convolution `layer` (1 = first).  (§6.6 ex. 4)

    X is a batch (n, 1, h, w), or one image (1, h, w) or (h, w); the result
    is a numpy array (n, channels, h', w') of the layer's output after its
    activation function, i.e. before the pooling that follows it.
    """
    convs = conv_layers(net)
    if not 1 <= layer <= len(convs):
        raise ValueError(f'layer must be between 1 and {len(convs)} (this '
                         f'net has {len(convs)} convolution layers), got '
                         f'{layer!r}')
    if not isinstance(X, nd.NDArray):
        X = nd.array(np.asarray(X, dtype=np.float32))
    X = X.reshape((-1, 1) + X.shape[-2:])
    target = convs[layer - 1]
    for block in net:
        X = block(X)
        if block is target:
            return X.asnumpy()
    raise ValueError('the convolution layers must be direct children of net')


def plot_activations(net, X, layer, titles=None, scale=0.8):
    """Plot images beside their maps from convolution `layer`.  (ex. 4)

    One row per image of X: the image itself, then one panel per channel.
    Each map has its own gray scale (white = strongest response), so weak
    and strong channels are both readable.  Return the figure.
    """
    maps = activation_maps(net, X, layer)
    images = X.asnumpy() if hasattr(X, 'asnumpy') else np.asarray(X)
    images = images.reshape((-1,) + images.shape[-2:])
    n, channels = maps.shape[:2]
    fig, axes = plt.subplots(n, channels + 1, squeeze=False,
                             figsize=(scale * (channels + 1), scale * n))
    for i in range(n):
        axes[i, 0].imshow(images[i], cmap='gray')
        axes[i, 0].set_title(titles[i] if titles else 'input',
                             fontsize='small')
        for c in range(channels):
            axes[i, c + 1].imshow(maps[i, c], cmap='gray')
            if i == 0:
                axes[i, c + 1].set_title(f'{c}', fontsize='small')
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f'convolution layer {layer}: {channels} maps '
                 f'({maps.shape[2]}x{maps.shape[3]})', fontsize='medium')
    fig.tight_layout()
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
    `box`) in a notebook; `fig` is the figure on show.
    """

    def __init__(self, nets, examples, scale=0.9):
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
        self.fig, self._busy = None, False
        for control in (self.model, self.label, self.sample, self.layer):
            control.observe(self.update, names='value')
        self.update()

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
        net = self.nets[self.model.value]
        fig = plot_activations(net, image, self.layer.value,
                               titles=[self.label.value], scale=self.scale)
        plt.close(fig)  # shown through the Output widget only
        self.fig = fig
        # Set the widget's outputs directly rather than capturing display()
        # calls: that works the same in every frontend and in nbconvert.
        self.output.outputs = ()
        self.output.append_display_data(fig)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)

