"""cresset: a PyTorch-compatible deep-learning framework with a C++ core.

`import cresset as torch` and PyTorch code runs unchanged.
"""
from cresset import _C
from cresset._C import *  # noqa: F401,F403  (ops, dtypes, Tensor, device)
from cresset._C import Tensor, dtype, device  # noqa: F401
from cresset._size import Size
from cresset import _dtype_aliases  # noqa: F401  (torch.float, torch.long, ...)
from cresset import random  # noqa: F401  (torch.random)

_C._register_python_types(Size)

__version__ = "0.1.0"
