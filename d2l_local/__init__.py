"""Helpers for the LeNet course: what the book "saves for future use".

Use it as the book uses its own package::

    import d2l_local as d2l
    d2l.setup(seed=0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=256)

Importing the package loads nothing heavy: each name below is imported the
first time it is used, so a process that only reads data (``from d2l_local
import datasets``) never loads MXNet nor touches its settings.  MXNet's
engine settings are chosen the moment MXNet is first imported (see
``_engine``), which is why ``import d2l_local`` comes before ``import mxnet``.
"""
import importlib

from . import _engine

_engine.install_hook()

# Every public name and the module that defines it.
_EXPORTS = {
    'activations': ['ActivationExplorer', 'activation_maps', 'activation_of',
                    'conv_layers', 'map_limits', 'pick_examples',
                    'plot_activations', 'plot_kernels', 'plot_maps'],
    'checks': ['check_range'],
    'compare': ['count_near_chance', 'near_chance', 'plot_seeds'],
    'data': ['ArrayIter', 'get_fashion_mnist_labels', 'load_data',
             'load_data_fashion_mnist', 'load_data_mnist'],
    'datasets': ['CacheError', 'DataFileError', 'DataNotFoundError',
                 'prefetch'],
    'devices': ['num_gpus', 'try_all_gpus', 'try_gpu'],
    'guards': ['NoGPUError'],
    'figures': ['layer_ops', 'lenet5_shapes', 'plot_lenet5_flow',
                'plot_lenet_compressed', 'plot_lenet_flow'],
    'evaluation': ['predict_all', 'confusion_matrix', 'plot_confusion_matrix',
                   'show_mistakes'],
    'models': ['BETTER_RECIPE', 'Recipe', 'better_lenet', 'lenet',
               'num_params'],
    'plotting': ['Animator', 'plot_history', 'plot_layer_flow',
                 'plot_seed_curves', 'set_axes', 'show_images'],
    'results': ['read_result', 'result_path'],
    'settings': ['quick'],
    'startup': ['setup'],
    'training': ['Epoch', 'evaluate_accuracy', 'set_seed', 'train_ch5'],
    'variants': ['plot_variants', 'variant_summary'],
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items()
              for name in names}
# Modules that need no MXNet: importing them must not load it.
_LIGHT = {'checks', 'datasets', 'results', 'settings'}

__version__ = '0.1.0'
__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    if module not in _LIGHT:
        _engine.load()  # choose the engine settings, start MXNet quietly
    value = getattr(importlib.import_module(f'.{module}', __name__), name)
    globals()[name] = value  # next time, a plain attribute
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
