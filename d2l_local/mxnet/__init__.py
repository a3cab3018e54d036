"""The MXNet edition: ``from d2l_local import mxnet as d2l``.  (§6.6)

The names the MXNet notebooks use, as the book's ``d2l.mxnet`` gives
them; ``import d2l_local as d2l`` gives the same.  Importing this package
loads nothing heavy: each name is imported the first time it is used, and
MXNet's engine settings are chosen the moment MXNet is first imported
(see ``_engine``), which is why ``import d2l_local`` comes before
``import mxnet``.  Names from the framework-neutral core (``..checks``,
``..plotting``, ...) never load MXNet.
"""
from .. import _lazy
from . import _engine

_engine.install_hook()

# Every public name and the module that defines it (the neutral ones
# from _lazy.NEUTRAL): '.x' is MXNet's side,
# '..x' the framework-neutral core.
EXPORTS = {
    **_lazy.NEUTRAL,
    '.activations': ['ActivationExplorer', 'activation_maps',
                     'activation_of', 'conv_layers', 'pick_examples',
                     'plot_activations', 'plot_kernels'],
    '.data': ['ArrayIter', 'load_data', 'load_data_fashion_mnist',
              'load_data_mnist'],
    '.devices': ['num_gpus', 'try_all_gpus', 'try_gpu'],
    '.guards': ['NoGPUError'],
    '.figures': ['layer_ops', 'lenet5_shapes', 'plot_lenet5_flow',
                 'plot_lenet_compressed', 'plot_lenet_flow'],
    '.evaluation': ['predict_all'],
    '.models': ['BETTER_RECIPE', 'Recipe', 'better_lenet', 'lenet',
                'num_params'],
    '..results': ['read_result', 'result_path'],
    '.startup': ['setup'],
    '..loops': ['Epoch'],
    '.training': ['evaluate_accuracy', 'set_seed', 'train_ch5'],
}


def _start(module):
    if not module.startswith('..'):
        _engine.load()  # choose the engine settings, start MXNet quietly


__getattr__, __dir__, __all__ = _lazy.exports(__name__, EXPORTS, _start)
