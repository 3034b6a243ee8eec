"""cresset.utils: utilities outside the tensor core (torch.utils)."""


def __getattr__(name):
    # `torch.utils.data.DataLoader` works right after `import torch`: import the package on use.
    if name == "data":
        import importlib
        return importlib.import_module("cresset.utils.data")
    raise AttributeError(f"module 'cresset.utils' has no attribute '{name}'")
