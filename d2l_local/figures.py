"""Architecture figures: LeNet's data flow and its compressed notation.

The book draws LeNet twice (§6.6, Fig. 6.6.1 and 6.6.2) and the 1998 paper
draws LeNet-5 once.  The figures are drawn from a forward pass of the real
net: every shape comes from running one image through it and every
operation label from the layer that does it, so a figure cannot disagree
with the code.  This module draws from that trace alone, a list of rows
(kind, arrow label, box label, shape without the batch axis), the input
first; each framework's side (``d2l_local.mxnet.figures``,
``d2l_local.torch.figures``) runs its net to make the rows.  Feature
maps are drawn to scale: a square's side is the map's side times one
scale for the whole figure, said in the figure.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from .arrays import to_numpy

# Fill of a layer's output by the kind of layer that made it (the book's
# Fig. 6.6.2: convolutions light blue, pooling darker, dense layers white).
COLORS = {'input': 'white', 'conv': '#b2d9ff', 'pool': '#66bfff',
          'dense': '#f2f2f2', 'rbf': '#fdd0a2'}
# The kind of a layer by words in its name: MXNet's conv0, pool0, dense0
# and PyTorch's Conv2d, AvgPool2d, Linear, Sigmoid, Flatten.
KIND_WORDS = (('conv', ('conv',)), ('pool', ('pool',)),
              ('dense', ('dense', 'linear')),
              ('act', ('sigmoid', 'relu', 'tanh')), ('flatten', ('flatten',)))
MAX_SHEETS = 16  # a stack of more channels draws this many sheets
GAP = 0.4  # inches between two drawn outputs, for the arrow
BAR = 0.12  # inches: the thickness of a vector's bar
FONT = 7.5
# Inches: left and right margin; below the fronts (shapes, names, scale);
# above the labels of the arrows; both rows of labels together.
MARGIN, BOTTOM, TOP, ROWS = 0.12, 0.75, 0.55, 1.35


def _side(k):
    return f'{k[0]}x{k[1]}'


def fold(rows):
    """The rows with each activation layer ('act') folded into the layer
    before it and each 'flatten' into the layer after it, as the book's
    figures draw them (a PyTorch net lists them as layers of their own)."""
    out, pending = [], None
    for kind, arrow, box, shape in rows:
        if kind == 'act' and out and out[-1][0] != 'input':
            k, a, b, _ = out[-1]
            out[-1] = (k, f'{a}\n{arrow}', f'{b}, {box}', shape)
        elif kind == 'flatten':
            pending = arrow
        else:
            if pending and arrow is not None:
                arrow, pending = f'{pending}\n{arrow}', None
            out.append((kind, arrow, box, shape))
    return out


def kind_names(kinds):
    """conv0, pool0, conv1, ...: a name per drawn output from its kind, as
    MXNet names the layers of the first net a process builds."""
    names, seen = ['input'], {}
    for kind in kinds[1:]:
        names.append(f'{kind}{seen.get(kind, 0)}')
        seen[kind] = seen.get(kind, 0) + 1
    return names


def _is_map(shape):
    return len(shape) == 3 and shape[1] * shape[2] > 1


def _units(shape):
    return int(np.prod(shape))


def shape_label(shape):
    """'6@28x28' for a feature map, '120' for a vector.  (§6.6)"""
    if _is_map(shape):
        return f'{shape[0]}@{shape[1]}x{shape[2]}'
    if len(shape) == 3:  # maps of one pixel: a vector, said as maps
        return f'{shape[0]}@1x1'
    return str(_units(shape))


def _step(channels):
    """Inches between two sheets of a stack of `channels` maps."""
    n = min(channels, MAX_SHEETS)
    return 0 if n < 2 else min(0.03, 0.26 / (n - 1))


def _extent(shape, scale, per_unit):
    """(width, height) in inches of one drawn output."""
    if _is_map(shape):
        c, h, w = shape
        depth = _step(c) * (min(c, MAX_SHEETS) - 1)
        return w * scale + depth, h * scale + depth
    return BAR, _units(shape) * scale / per_unit


def _layout(shapes, width, height, reserved=0.0, arrows=0):
    """(inches per pixel, units per pixel, inches per arrow) so that
    `shapes` fit a figure of `width` x `height` inches, `reserved` inches
    and `arrows` more arrows kept for a panel at the right."""
    maps = [s for s in shapes if _is_map(s)]
    arrows += len(shapes) - 1
    fixed = sum(_extent(s, 0, 1)[0] for s in shapes) + GAP * arrows + \
        reserved + 2 * MARGIN + 0.2  # 0.2: the last label's overhang
    scale = (width - fixed) / max(sum(s[2] for s in maps), 1)
    room = height - ROWS  # the rows of labels above and below
    scale = min(scale, min((room - _extent(s, 0, 1)[1]) / s[1]
                           for s in maps) if maps else scale)
    longest = max([_units(s) for s in shapes if not _is_map(s)] or [1])
    per_unit = next(u for u in (1, 2, 4, 5, 10, 20, 50, 100, 200, 500,
                                1000, 10 ** 4, 10 ** 5)
                    if longest * scale / u <= room)
    used = fixed + scale * sum(s[2] for s in maps)
    gap = min(GAP + (width - used) / max(arrows, 1), 2 * GAP)
    return scale, per_unit, gap


def _draw_output(ax, x, y, shape, kind, scale, per_unit, image=None):
    """Draw one output, its front centred at height y; return the patch
    of its front sheet (or bar)."""
    color = COLORS.get(kind, 'white')
    if not _is_map(shape):
        h = _units(shape) * scale / per_unit
        bar = Rectangle((x, y - h / 2), BAR, h, fc=color, ec='0.2', lw=0.8)
        ax.add_patch(bar)
        return bar
    c, h, w = shape
    n, step = min(c, MAX_SHEETS), _step(c)
    front = None
    for k in reversed(range(n)):  # back to front: sheet 0 in front
        front = Rectangle((x + step * k, y - h * scale / 2 + step * k),
                          w * scale, h * scale, fc=color, ec='0.25',
                          lw=0.6)
        ax.add_patch(front)
    if image is not None:
        x0, y0 = front.get_xy()
        ax.imshow(np.asarray(image).reshape(h, w), cmap='gray', zorder=3,
                  extent=(x0, x0 + w * scale, y0, y0 + h * scale),
                  interpolation='nearest')
        _frame(ax, front)
    return front


def _frame(ax, front):
    """The front's edge again, over an image drawn in it."""
    ax.add_patch(Rectangle(front.get_xy(), front.get_width(),
                           front.get_height(), fc='none', ec='0.25',
                           lw=0.6, zorder=4))


def _arrow(ax, x0, x1, y, label, label_y):
    """An arrow from x0 to x1 at height y, its label above at label_y."""
    ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle='-|>',
                                 mutation_scale=8, lw=0.9, color='0.2',
                                 shrinkA=0, shrinkB=0))
    if label:
        middle = (x0 + x1) / 2
        ax.plot([middle, middle], [y + 0.04, label_y - 0.03], ':',
                color='0.6', lw=0.7)
        ax.text(middle, label_y, label, ha='center', va='bottom',
                fontsize=FONT, linespacing=1.1)


def _flow_axes(figsize):
    fig = plt.figure(figsize=figsize)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, figsize[0])
    ax.set_ylim(0, figsize[1])
    ax.set_aspect('equal')
    ax.axis('off')
    return fig, ax


def _heights(shapes, scale, per_unit):
    """(half the front's height, height above the front's top) of each."""
    out = []
    for shape in shapes:
        width, height = _extent(shape, scale, per_unit)
        front = shape[1] * scale if _is_map(shape) else height
        out.append((front / 2, height - front))
    return out


def draw_flow(ax, shapes, kinds, ops, names, layout, height, images=None):
    """Draw outputs left to right, fronts centred on one line, with an
    arrow between each two, its operation in a row above and the shapes
    in a row below.

    Return the x after the last output, the arrow's height, the labels'
    height and the front patches, whose sides are the real sides times
    `scale`.
    """
    scale, per_unit, gap = layout
    heights = _heights(shapes, scale, per_unit)
    below = max(half for half, _ in heights)
    y = BOTTOM + below
    label_y = y + max(half + depth for half, depth in heights) + 0.12
    label_y = min(label_y, height - TOP)
    x, fronts = MARGIN, []
    for i, (shape, kind) in enumerate(zip(shapes, kinds)):
        if i:
            _arrow(ax, x + 0.04, x + gap - 0.06, y, ops[i], label_y)
            x += gap
        image = images[i] if images is not None else None
        front = _draw_output(ax, x, y, shape, kind, scale, per_unit, image)
        front.set_gid('front')  # for a test to find
        fronts.append(front)
        middle = x + front.get_width() / 2
        ax.text(middle, y - below - 0.1, shape_label(shape), ha='center',
                va='top', fontsize=FONT + 0.5)
        if names and names[i]:
            ax.text(middle, y - below - 0.27, names[i], ha='center',
                    va='top', fontsize=FONT, color='0.35')
        x += _extent(shape, scale, per_unit)[0]
    return x, y, label_y, fronts, gap


def _scale_note(ax, scale, per_unit, x=MARGIN, y=0.13):
    """A 10-pixel scale bar and what it means for maps and for vectors."""
    ax.plot([x, x + 10 * scale], [y, y], color='0.2', lw=2,
            solid_capstyle='butt', gid='scale bar')
    ax.text(x + 10 * scale + 0.08, y,
            f'to scale: this bar is 10 pixels of a map\'s side, '
            f'{10 * per_unit} units of a vector', va='center',
            fontsize=FONT, color='0.3')


def _plot_trace(names, shapes, ops=None, figsize=(9, 2.6)):
    """The figure of plotting.plot_layer_flow (§6.6): see there."""
    shapes = [tuple(s[1:]) for s in shapes]  # drop the batch axis
    if ops is None:
        ops = [None] + [_guess_op(n, a, b) for n, a, b
                        in zip(names[1:], shapes, shapes[1:])]
    else:
        ops = [None] + list(ops)
    if len(ops) != len(shapes):
        raise ValueError(f'ops needs one label per layer, '
                         f'{len(shapes) - 1}; got {len(ops) - 1}')
    kinds = ['input'] + [_kind_of(n) for n in names[1:]]
    for i, kind in enumerate(kinds):  # an activation keeps its input's fill
        if kind == 'act':
            kinds[i] = kinds[i - 1]
    fig, ax = _flow_axes(figsize)
    layout = _layout(shapes, *figsize)
    draw_flow(ax, shapes, kinds, ops, names, layout, figsize[1])
    _scale_note(ax, *layout[:2])
    return fig


def _kind_of(name):
    for kind, words in KIND_WORDS:
        if any(word in name.lower() for word in words):
            return kind
    return 'layer'


def _guess_op(name, before, after):
    """An arrow label from a layer's name and shapes alone."""
    kind = _kind_of(name)
    if kind == 'act':
        return name.lower()
    if kind == 'dense' and len(before) == 3:
        return 'flatten\ndense'
    if kind == 'conv':
        return f'conv\n{after[0]} kernels'
    if kind == 'pool' and _is_map(after):
        return f'pool\n/{before[1] // after[1]}'
    return kind if kind != 'layer' else name


def _grid(ax, front, n):
    """A faint pixel grid and a note: the figure has no image."""
    (x0, y0), side = front.get_xy(), front.get_width()
    for k in range(1, n):
        t = side * k / n
        ax.plot([x0 + t, x0 + t], [y0, y0 + side], color='0.88', lw=0.3)
        ax.plot([x0, x0 + side], [y0 + t, y0 + t], color='0.88', lw=0.3)
    ax.text(x0 + side / 2, y0 + side / 2, 'no image\ngiven', ha='center',
            va='center', fontsize=FONT - 0.5, color='0.45')


def _probs(fig, x, y, width, probs, labels, figsize):
    """A small bar chart of 10 class probabilities at (x, centre y)."""
    placeholder = probs is None
    if placeholder:
        probs = np.full(10, 0.1)
    probs = to_numpy(probs).astype(float).reshape(-1)
    labels = [str(k) for k in range(len(probs))] if labels is None \
        else [str(label) for label in labels]
    w, h = figsize
    left = x + (0.55 if max(len(s) for s in labels) > 2 else 0.15)
    panel = fig.add_axes(((left) / w, (y - 0.75) / h,
                          (x + width - left - 0.05) / w, 1.5 / h))
    rows = np.arange(len(probs))
    panel.barh(rows, probs, color='0.8' if placeholder else '#3182bd',
               hatch='///' if placeholder else None, edgecolor='0.5',
               lw=0.5)
    panel.set_yticks(rows, labels, fontsize=FONT - 1)
    panel.invert_yaxis()
    panel.set_xlim(0, 1)
    panel.set_xticks([0, 1], ['0', '1'], fontsize=FONT - 1)
    panel.tick_params(length=2, pad=1)
    for side in ('top', 'right'):
        panel.spines[side].set_visible(False)
    title = ('placeholder: uniform\n(no probs given)' if placeholder
             else 'class\nprobabilities')
    panel.set_title(title, fontsize=FONT, pad=3)
    return panel


def _digit(ax, front, side, image, scale, digit=28):
    """The 28x28 digit, or a faint grid, centred in the padded input."""
    (x0, y0), pad = front.get_xy(), (side - digit) / 2 * scale
    inner = Rectangle((x0 + pad, y0 + pad), digit * scale, digit * scale,
                      fc='none', ec='0.4', lw=0.7, ls='--', zorder=4,
                      gid='digit')
    if image is not None:
        image = to_numpy(image).astype(float).reshape(digit, digit)
        padded = np.pad(image, int((side - digit) / 2))
        ax.imshow(padded, cmap='gray_r', zorder=3, interpolation='nearest',
                  extent=(x0, x0 + side * scale, y0, y0 + side * scale))
        _frame(ax, front)
    else:
        _grid(ax, front, side)
    ax.add_patch(inner)


def draw_lenet_flow(rows, names, image=None, probs=None, labels=None,
                    figsize=(9, 2.8)):
    """The book's Fig. 6.6.1 from a trace's `rows` (see the module's
    docstring), each output named by `names`: see plot_lenet_flow."""
    shapes = [row[3] for row in rows]
    ops = [row[1] for row in rows]
    fig, ax = _flow_axes(figsize)
    panel = 1.3  # inches: the probabilities at the right
    layout = _layout(shapes, *figsize, reserved=panel, arrows=1)
    images = [None] * len(shapes)
    if image is not None:
        images[0] = to_numpy(image).astype(float).reshape(shapes[0][1:])
    kinds = [row[0] for row in rows]
    x, y, label_y, fronts, gap = draw_flow(
        ax, shapes, kinds, ops, names, layout, figsize[1], images=images)
    if image is None:
        _grid(ax, fronts[0], shapes[0][1])
    _arrow(ax, x + 0.04, x + gap - 0.06, y, 'softmax', label_y)
    _probs(fig, x + gap, y, panel, probs, labels, figsize)
    _scale_note(ax, *layout[:2])
    return fig


def draw_compressed(rows, figsize=(3.6, 4.2)):
    """The book's Fig. 6.6.2 from a trace's `rows`: one box per layer,
    read from the bottom up, the shape beside each arrow."""
    fig, ax = plt.subplots(figsize=figsize)
    fig.subplots_adjust(0, 0, 1, 1)
    n = len(rows)
    box_h, step, width = 0.55, 1.0, 3.1
    for i, (kind, _, box, shape) in enumerate(rows):
        y = i * step
        ax.add_patch(Rectangle((0, y), width, box_h,
                               fc=COLORS.get(kind, 'white'), ec='0.15',
                               lw=0.9, gid='box'))
        ax.text(width / 2, y + box_h / 2, box, ha='center', va='center',
                fontsize=FONT + 0.5)
        top = (i + 1) * step if i + 1 < n else y + step * 0.9
        ax.add_patch(FancyArrowPatch(
            (width / 2, y + box_h), (width / 2, top), arrowstyle='-|>',
            mutation_scale=8, lw=0.9, color='0.2', shrinkA=0, shrinkB=0))
        ax.text(width / 2 + 0.1, (y + box_h + top) / 2, shape_label(shape),
                ha='left', va='center', fontsize=FONT, color='0.3')
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(-0.1, (n - 1) * step + step)
    ax.axis('off')
    return fig


def draw_lenet5_flow(rows, names, image=None, figsize=(9, 2.8)):
    """LeNet-5's data flow as the 1998 paper draws it, from the rows of
    its padded 32x32 input on, each output named by `names`."""
    shapes = [row[3] for row in rows]
    kinds = ['input'] + [row[0] for row in rows[1:]]
    ops = [row[1] for row in rows]
    fig, ax = _flow_axes(figsize)
    panel = 1.25  # inches: what the output means
    layout = _layout(shapes, *figsize, reserved=panel)
    x, y, label_y, fronts, _ = draw_flow(ax, shapes, kinds, ops, names,
                                         layout, figsize[1])
    _digit(ax, fronts[0], shapes[0][1], image, layout[0])
    ax.text(x + 0.12, y, '10 penalties:\nthe squared\ndistance of F6\n'
            'to each digit\'s\nprototype; the\nsmallest wins',
            ha='left', va='center', fontsize=FONT, linespacing=1.15)
    _scale_note(ax, *layout[:2])
    return fig
