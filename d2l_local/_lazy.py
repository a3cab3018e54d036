"""Names a package exports, each imported the first time it is used."""
import importlib

# The framework-neutral names both editions export, by module (relative to
# an edition's package); each edition adds its own side's names.
NEUTRAL = {
    '..activations': ['map_limits', 'plot_maps'],
    '..checks': ['check_range'],
    '..compare': ['count_near_chance', 'near_chance', 'plot_seeds'],
    '..data': ['get_fashion_mnist_labels'],
    '..datasets': ['CacheError', 'DataFileError', 'DataNotFoundError',
                   'prefetch'],
    '..evaluation': ['confusion_matrix', 'plot_confusion_matrix',
                     'show_mistakes'],
    '..plotting': ['Animator', 'plot_history', 'plot_layer_flow',
                   'plot_seed_curves', 'set_axes', 'show_images'],
    '..settings': ['quick'],
    '..variants': ['plot_variants', 'variant_summary'],
}


def exports(package, table, before=None):
    """Return (__getattr__, __dir__, __all__) for `package`, whose public
    names are `table` = {module: [names]}, modules relative to `package`
    ('.models', '..checks').  `before(module)` runs before a module is
    imported (an edition starts its framework there)."""
    module_of = {name: module for module, names in table.items()
                 for name in names}
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name):  # noqa: N807
        module = module_of.get(name)
        if module is None:
            raise AttributeError(
                f'module {package!r} has no attribute {name!r}')
        if before is not None:
            before(module)
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value  # next time, a plain attribute
        return value

    def __dir__():  # noqa: N807
        return sorted(set(namespace) | set(module_of))

    return __getattr__, __dir__, sorted(module_of)
