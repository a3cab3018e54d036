"""The PyTorch edition: ``from d2l_local import torch as d2l``.  (§6.6)

The names the PyTorch notebooks use, as the book's ``d2l.torch`` (release
v0.17.6) gives them, over the same framework-neutral core as the MXNet
edition.  Importing this package loads nothing heavy, and never MXNet:
each name is imported the first time it is used.
"""
from .. import _lazy

# Every public name and the module that defines it (the neutral ones
# from _lazy.NEUTRAL): '.x' is PyTorch's
# side, '..x' the framework-neutral core.
EXPORTS = {
    **_lazy.NEUTRAL,
    '.activations': ['ActivationExplorer', 'activation_maps',
                     'activation_of', 'conv_layers', 'pick_examples',
                     'plot_activations', 'plot_kernels'],
    '.data': ['ArrayIter', 'load_data', 'load_data_fashion_mnist',
              'load_data_mnist'],
    '.devices': ['num_gpus', 'try_all_gpus', 'try_gpu'],
    '.figures': ['layer_ops', 'plot_lenet_compressed', 'plot_lenet_flow'],
    '.evaluation': ['predict_all'],
    '.models': ['BETTER_RECIPE', 'Recipe', 'better_lenet', 'lenet',
                'num_params'],
    '.results': ['read_result', 'result_path'],
    '.startup': ['setup'],
    '..loops': ['Accumulator', 'Epoch', 'Timer'],
    '.training': ['accuracy', 'evaluate_accuracy_gpu', 'set_seed', 'size',
                  'train_ch6'],
}

__getattr__, __dir__, __all__ = _lazy.exports(__name__, EXPORTS)
