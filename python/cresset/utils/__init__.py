"""cresset.utils: utilities outside the tensor core (torch.utils)."""
import os as _os

#: The prefix holding the C++ library, headers and CMake config that ship with the package
#: (torch.utils.cmake_prefix_path): ``cmake -DCMAKE_PREFIX_PATH=<this>`` then
#: ``find_package(cresset CONFIG REQUIRED)``.
cmake_prefix_path = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))


def __getattr__(name):
    # `torch.utils.data.DataLoader` works right after `import torch`: import subpackages on use.
    if name in ("data", "checkpoint"):
        import importlib
        return importlib.import_module(f"cresset.utils.{name}")
    raise AttributeError(f"module 'cresset.utils' has no attribute '{name}'")
