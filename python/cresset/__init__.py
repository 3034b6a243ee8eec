"""cresset: a PyTorch-compatible deep-learning framework with a C++ core.

`import cresset as torch` and PyTorch code runs unchanged.
"""
from cresset import _C
from cresset._C import *  # ops, dtypes, Tensor, device
from cresset._C import Tensor, device, dtype  # noqa: F401
from cresset._size import Size

# isort: split
from cresset import _dtype_aliases  # noqa: F401  (torch.float, torch.long, ...)
from cresset import random  # noqa: F401  (torch.random)

_C._register_python_types(Size)

# isort: split
# The Python halves of the API; none imports NumPy.
from cresset import _tensor
from cresset._info import (  # noqa: F401
    finfo,
    iinfo,
    is_floating_point,
    is_nonzero,
    is_tensor,
    numel,
)
from cresset._legacy import LEGACY_TYPES as _LEGACY_TYPES
from cresset._numpy import as_tensor, asarray  # noqa: F401
from cresset._tensor_str import set_printoptions  # noqa: F401
from cresset.utils.dlpack import from_dlpack  # noqa: F401

from cresset import autograd  # noqa: E402
from cresset.autograd import (  # noqa: E402,F401
    enable_grad, inference_mode, no_grad, set_grad_enabled)

_tensor.install()


def _builtin_function_by_name(module, name):
    import importlib
    return getattr(importlib.import_module(module), name)


def _reduce_builtin_function(f):
    return _builtin_function_by_name, (f.__module__, f.__name__)


# Bound C++ functions pickle and deep-copy by name, as Python's builtins do (a Transformer layer
# holding `cresset.tanh` as its activation can be deep-copied; DataLoader spawn workers can
# receive them).
import copyreg  # noqa: E402
copyreg.pickle(type(_C.tanh), _reduce_builtin_function)
globals().update(_LEGACY_TYPES)  # FloatTensor, LongTensor, ...

__version__ = "0.1.0"

# Subpackages and names imported on first use, so `import cresset` stays fast.
_LAZY_MODULES = {"nn", "optim", "cuda", "backends", "version"}
_LAZY_NAMES = {"save": "cresset.serialization", "load": "cresset.serialization"}


def __getattr__(name):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(f"cresset.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'cresset' has no attribute '{name}'")
