"""LeNet-5 of 1998, what does not depend on a framework: the paper's
numbers, its output prototypes, input range and schedule, the distorted
training digits and the figure of a full run.

LeCun, Bottou, Bengio and Haffner, "Gradient-Based Learning Applied to
Document Recognition", Proc. IEEE 86(11), 1998.  Each edition's
``lenet5`` module (d2l_local/mxnet/lenet5.py, d2l_local/torch/lenet5.py)
builds the network from these and re-exports them.

The paper's output prototypes are 7x12 bitmaps of the digits drawn in +1/-1,
but the paper shows them only as a small figure, not as numbers.  The
bitmaps in PROTOTYPE_ART below are our own drawing: plain 7-wide, 12-tall
digits, '#' for +1 and '.' for -1, each row of 7 read left to right.
"""
import numpy as np

from .data import ArrayIter

# Appendix A: f(a) = A tanh(S a), so that f(1) = 1 and f(-1) = -1.
A, S = 1.7159, 2 / 3
# Section II.B: background (white) -0.1, ink (black) 1.175.
BACKGROUND, INK = -0.1, 1.175
# Table I: the S2 maps each C3 map reads.
C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1),
    (5, 0, 1, 2), (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)
# The paper's table of trainable parameters and connections (section II.B).
PAPER_COUNTS = {
    'C1': (156, 122304), 'S2': (12, 5880), 'C3': (1516, 151600),
    'S4': (32, 2000), 'C5': (48120, 48120), 'F6': (10164, 10164),
}
PAPER_TEST_ERROR = 0.0095  # section III.C, regular training set
PAPER_DISTORTED_ERROR = 0.008  # section III.C, distorted training digits
# Section III.C: global learning rate per pass, (passes, rate); then 1e-5.
PAPER_LR_STEPS = ((2, 0.0005), (3, 0.0002), (3, 0.0001), (4, 0.00005))
PAPER_LR_AFTER = 0.00001
PAPER_EPOCHS = 20
# Section III.B: with eta 0.0005 and mu 0.02 the step sizes eta / (mu + h)
# of the first pass "varied between approximately 7x10^-5 and 0.016".
PAPER_EPS = (7e-5, 0.016)
SDLM_MU, SDLM_PATTERNS = 0.02, 500  # appendix C
# The layers of lenet5(), in order.
NAMES = ('input', 'C1', 'S2', 'C3', 'S4', 'C5', 'F6', 'output')

# Appendix A prints the initial weights' range as +-2.4/F.  With it a
# unit's weighted sum starts with a spread of 1.39/sqrt(F) times its
# inputs' (C1: 0.28, C5: 0.07), and SDLM at the paper's mu and rates
# diverges (d2l_local/mxnet/sdlm.py); +-2.4/sqrt(F) gives every unit the same
# spread, 1.39 times its inputs', and SDLM trains at the paper's mu and
# rates.  The power of F in the bound, by name.
INIT_RULES = {'paper': 1.0, 'sqrt': 0.5}

PROTOTYPE_ART = """
..###..  ...#...  .#####.  .#####.  .....#.
.#...#.  ..##...  #.....#  #.....#  ....##.
#.....#  .#.#...  ......#  ......#  ...#.#.
#.....#  ...#...  ......#  ......#  ..#..#.
#.....#  ...#...  .....#.  ..####.  .#...#.
#.....#  ...#...  ....#..  ......#  #....#.
#.....#  ...#...  ...#...  ......#  #######
#.....#  ...#...  ..#....  ......#  .....#.
#.....#  ...#...  .#.....  ......#  .....#.
#.....#  ...#...  #......  #.....#  .....#.
.#...#.  ...#...  #......  #.....#  .....#.
..###..  .#####.  #######  .#####.  .....#.

#######  ..####.  #######  .#####.  .#####.
#......  .#.....  ......#  #.....#  #.....#
#......  #......  .....#.  #.....#  #.....#
#......  #......  .....#.  #.....#  #.....#
######.  #.####.  ....#..  .#####.  #.....#
......#  ##....#  ....#..  #.....#  .######
......#  #.....#  ...#...  #.....#  ......#
......#  #.....#  ...#...  #.....#  ......#
......#  #.....#  ..#....  #.....#  ......#
#.....#  #.....#  ..#....  #.....#  .....#.
#.....#  .#...#.  ..#....  #.....#  ....#..
.#####.  ..###..  ..#....  .#####.  .###...
"""


def prototypes(art=PROTOTYPE_ART):
    """Return the 10x84 array of +1/-1 RBF prototypes drawn in `art`.

    `art` holds blocks of digits side by side, blocks apart by a blank line.
    """
    digits = []
    for block in art.strip().split('\n\n'):
        rows = [line.split() for line in block.splitlines()]
        digits += [[row[d] for row in rows] for d in range(len(rows[0]))]
    return np.array([[1.0 if c == '#' else -1.0 for c in ''.join(digit)]
                     for digit in digits], dtype=np.float32)


def table_mask(channels, in_channels, kernel=5, table=None):
    """The 0/1 mask of a convolution whose map i reads only the input maps
    `table[i]` (all of them without a table): (channels, in_channels,
    kernel, kernel) float32."""
    if table is None:
        table = [range(in_channels)] * channels
    mask = np.zeros((channels, in_channels, kernel, kernel), np.float32)
    for i, maps in enumerate(table):
        mask[i, list(maps)] = 1
    return mask


def init_bound(fan_in, power=1.0):
    """The initial range's bound 2.4 / F**power (appendix A: power 1), one
    per entry of `fan_in` (C3's maps differ), as float32."""
    fan_in = np.asarray(fan_in, dtype=np.float32)
    return np.asarray(2.4 / fan_in ** np.float32(power), dtype=np.float32)


def input_range(paper=True):
    """(background, ink) of the net's input: the paper's (-0.1, 1.175), or
    the pixels' own (0, 1)."""
    return (BACKGROUND, INK) if paper else (0.0, 1.0)


def scale_pixels(x, paper=True):
    """Pixels in [0, 1] mapped to the paper's range (section II.B); any
    array type with * and +.  With paper=False, x unchanged."""
    return x * (INK - BACKGROUND) + BACKGROUND if paper else x


def paper_error(config):
    """The paper's test error for a run of `config` (a saved run's
    'config'): 0.8 % with distorted training digits, else 0.95 %."""
    if (config or {}).get('distort'):
        return PAPER_DISTORTED_ERROR
    return PAPER_TEST_ERROR


def paper_lr(epoch):
    """The paper's global learning rate in pass `epoch` (0 = the first)."""
    start = 0
    for passes, rate in PAPER_LR_STEPS:
        if epoch < start + passes:
            return rate
        start += passes
    return PAPER_LR_AFTER


def lr_schedule(epoch, base):
    """The paper's schedule rescaled to start at `base` (for substitutes)."""
    return base * paper_lr(epoch) / PAPER_LR_STEPS[0][1]


def compressed_schedule(num_epochs):
    """The paper's 20-pass steps squeezed into `num_epochs` passes: pass e
    gets the rate of the paper's pass e * 20 // num_epochs."""
    def schedule(epoch, base):
        return lr_schedule(epoch * PAPER_EPOCHS // num_epochs, base)
    return schedule


# Section III.C: the distorted training set's planar affine transformations
# (translations, scaling, squeezing, horizontal shearing).  The paper gives
# no ranges; these are our choice of "small".
DISTORTIONS = dict(shift=2.0, scale=0.1, squeeze=0.1, shear=0.2)


def distort(images, rng, shift=2.0, scale=0.1, squeeze=0.1, shear=0.2):
    """Randomly distorted copies of images (n, h, w): each a planar affine
    map of its own about the image centre, bilinear, background 0.

    Per image: translations uniform in +-shift pixels in x and y; scaling by
    1 + u, u uniform in +-scale; squeezing by 1 + v (x times it, y divided
    by it), v in +-squeeze; horizontal shearing x += k y, k in +-shear.
    rng is a numpy Generator.  Returns float32 in the images' own units.
    """
    images = np.asarray(images)
    n, h, w = images.shape
    t = rng.uniform(-shift, shift, (n, 2))
    zoom = 1 + rng.uniform(-scale, scale, n)
    sq = 1 + rng.uniform(-squeeze, squeeze, n)
    k = rng.uniform(-shear, shear, n)
    # forward map on (x, y) about the centre: diag(zoom sq, zoom / sq) @
    # [[1, k], [0, 1]]; each output pixel samples the input at its inverse
    a, b, d = zoom * sq, zoom * sq * k, zoom / sq
    cy, cx = (h - 1) / 2, (w - 1) / 2
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    u = xs[None] - cx - t[:, 0, None, None]
    v = ys[None] - cy - t[:, 1, None, None]
    y_src = v / d[:, None, None]
    x_src = (u - b[:, None, None] * y_src) / a[:, None, None]
    x_src, y_src = x_src + cx, y_src + cy
    x0, y0 = np.floor(x_src).astype(int), np.floor(y_src).astype(int)
    fx, fy = x_src - x0, y_src - y0
    padded = np.zeros((n, h + 2, w + 2), np.float64)
    padded[:, 1:-1, 1:-1] = images
    out = np.zeros((n, h, w))
    rows = np.arange(n)[:, None, None]
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            yy = np.clip(y0 + dy + 1, 0, h + 1)
            xx = np.clip(x0 + dx + 1, 0, w + 1)
            out += wy * wx * padded[rows, yy, xx]
    return out.astype(np.float32)


class DistortedIter(ArrayIter):
    """An ArrayIter whose every pass hands out freshly distorted images
    (`distort`), drawn from numpy's global generator (so d2l.set_seed
    decides them) or, with `seed`, from seed + the pass's number.

    Each edition's DistortedIter adds its own ArrayIter, whose
    ``_convert`` makes a batch its tensors."""

    def __init__(self, images, labels, batch_size, shuffle=True, seed=None,
                 chunk=2000, **ranges):
        super().__init__(images, labels, batch_size, shuffle)
        self.seed, self.chunk, self.passes = seed, chunk, 0
        self.ranges = dict(DISTORTIONS, **ranges)

    def __iter__(self):
        n = len(self.images)
        order = np.random.permutation(n) if self.shuffle else np.arange(n)
        seed = np.random.randint(2 ** 31) if self.seed is None else \
            self.seed + self.passes
        self.passes += 1
        rng = np.random.default_rng(seed)
        bs = self.batch_size
        step = max(bs, self.chunk // bs * bs)
        for start in range(0, n, step):
            idx = order[start:start + step]
            X = distort(self.images[idx], rng, **self.ranges) / 255
            for i in range(0, len(idx), bs):
                yield self._convert(X[i:i + bs, None].astype(np.float32),
                                    self.labels[idx[i:i + bs]])


def plot_full_run(record, figsize=(7.5, 3.4), title='LeNet-5 on MNIST'):
    """Plot the test error per pass of each seed of a saved full run.

    `record` is d2l.read_result('lenet5_1998.json') or another record
    tools/lenet5_1998.py full saved.  The paper's figure for the record's
    training digits (0.95 %; 0.8 % for distorted ones) is a dashed line,
    the learning-rate steps are marked, and the scale starts at 0.
    Returns the figure.
    """
    import matplotlib.pyplot as plt
    runs = record['runs']
    if not runs:
        raise ValueError('the record holds no runs: run '
                         'tools/lenet5_1998.py full')
    distorted = bool((record.get('config') or {}).get('distort'))
    paper = paper_error(record.get('config'))
    fig, ax = plt.subplots(figsize=figsize)
    top = 0
    for i, run in enumerate(runs):
        passes = [e['epoch'] for e in run['history']]
        errors = [100 * (1 - e['test_acc']) for e in run['history']]
        top = max(top, max(errors))
        ax.plot(passes, errors, 'o-', ms=3, lw=1.2, color=f'C{i}',
                label=f"seed {run['seed']}: {errors[-1]:.2f} % after "
                      f'{passes[-1]}', gid=f"seed:{run['seed']}")
    last = max(len(run['history']) for run in runs)
    ax.axhline(100 * paper, color='k', ls='--', lw=1, gid='paper',
               label=f'the paper: {100 * paper:.2f} %'
                     + (' (distorted digits)' if distorted else ''))
    edge = 0
    for steps, _ in PAPER_LR_STEPS:
        edge += steps
        if edge < last:
            ax.axvline(edge + 0.5, color='0.8', lw=0.8, zorder=0,
                       gid='lr step')
    ax.set(xlabel='pass over the 60,000 training digits',
           ylabel='test error (%)', ylim=(0, 1.08 * top),
           xticks=range(1, last + 1), xlim=(0.5, last + 0.5),
           title=f'{title}: test error per pass (grey lines: the '
                 'learning rate steps down)')
    ax.title.set_fontsize('medium')
    ax.grid(axis='y', alpha=0.3)
    ax.legend(fontsize='small', loc='upper right')
    fig.tight_layout()
    return fig


_GROUPS = {'weight': 'weights', 'bias': 'biases', 'coef': 'coefficients'}


def step_sizes(record, criterion='plain'):
    """SDLM's step sizes eta / (mu + h) at initialisation, layer by layer,
    from each initial range: rows of (layer's parameters, how many,
    {init: (smallest, median, largest)}), from the record
    tools/sdlm_calibration.py saved (lenet5_1998.ipynb, the SDLM section)."""
    rows = record['tables']['current']['rows']
    out = {}
    for r in rows:
        if r['criterion'] != criterion:
            continue
        layer, kind = r['group'].split('_')
        name = f'{layer.upper()} {_GROUPS[kind]}'
        n, steps = out.setdefault(name, (r['n'], {}))
        if n != r['n']:
            raise ValueError(f'{name}: {n} parameters under one init, '
                             f"{r['n']} under another")
        steps[r['init']] = (r['eps_min'], r['eps_median'], r['eps_max'])
    return [(name, n, steps) for name, (n, steps) in out.items()]


def step_size_shares(record, init, h='as computed'):
    """(smallest step, largest, share above the paper's largest, share
    below its smallest) over all parameters from `init`, the MSE criterion;
    `h` names one of the tool's what-ifs ('sum over the 500 patterns')."""
    what_if = record['tables']['current']['what_if']
    key = f'{init}: {h}'
    if key not in what_if:
        known = sorted({k.split(': ', 1)[1] for k in what_if})
        raise ValueError(f'no step sizes saved for h {h!r} from {init!r}; '
                         f'saved: {", ".join(known)}')
    w = what_if[key]
    return (w['eps_min'], w['eps_max'], w['above_paper_max'],
            w['below_paper_min'])
