"""cresset: a PyTorch-compatible deep-learning framework with a C++ core.

`import cresset as torch` and PyTorch code runs unchanged.
"""
from cresset import _C
from cresset._C import *  # noqa: F401,F403  (ops, dtypes, Tensor, device)
from cresset._C import Tensor, dtype, device  # noqa: F401
from cresset._size import Size
from cresset import _dtype_aliases  # noqa: F401  (torch.float, torch.long, ...)

_C._register_python_types(Size)

from cresset import _tensor, _tensor_str  # noqa: E402
from cresset._tensor_str import set_printoptions  # noqa: E402,F401
from cresset._info import (  # noqa: E402,F401
    finfo, iinfo, is_floating_point, is_nonzero, is_tensor, numel)
from cresset._numpy import as_tensor, asarray  # noqa: E402,F401
from cresset._legacy import LEGACY_TYPES as _LEGACY_TYPES  # noqa: E402
from cresset.utils.dlpack import from_dlpack  # noqa: E402,F401

_tensor.install()
globals().update(_LEGACY_TYPES)  # FloatTensor, LongTensor, ...

__version__ = "0.1.0"
