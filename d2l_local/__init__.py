"""Helpers for the LeNet course: what the book "saves for future use".

Use it as the book uses its own package::

    import d2l_local as d2l
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=256)
"""
from . import _engine

_engine.configure()  # must run before the first `import mxnet`

from .activations import (ActivationExplorer,  # noqa: E402
                          activation_maps, conv_layers, pick_examples,
                          plot_activations)
from .data import (ArrayIter, get_fashion_mnist_labels,  # noqa: E402
                   load_data, load_data_fashion_mnist, load_data_mnist)
from .datasets import (DataFileError, DataNotFoundError,  # noqa: E402
                       prefetch)
from .devices import num_gpus, try_all_gpus, try_gpu  # noqa: E402
from .models import better_lenet, lenet, num_params  # noqa: E402
from .plotting import (Animator, plot_history, plot_layer_flow,  # noqa: E402
                       set_axes, show_images)
from .results import result_path  # noqa: E402
from .settings import check_range, quick  # noqa: E402
from .training import (Epoch, evaluate_accuracy, set_seed,  # noqa: E402
                       train_ch5)

_engine.start_quietly()

__version__ = '0.1.0'
__all__ = [
    'activation_maps', 'ActivationExplorer', 'Animator', 'ArrayIter',
    'better_lenet', 'check_range', 'conv_layers', 'DataFileError',
    'DataNotFoundError', 'Epoch', 'evaluate_accuracy',
    'get_fashion_mnist_labels', 'lenet', 'load_data',
    'load_data_fashion_mnist', 'load_data_mnist', 'num_gpus', 'num_params',
    'pick_examples', 'plot_activations', 'plot_history', 'plot_layer_flow',
    'prefetch', 'quick', 'result_path', 'set_axes', 'set_seed',
    'show_images', 'train_ch5', 'try_all_gpus', 'try_gpu',
]
