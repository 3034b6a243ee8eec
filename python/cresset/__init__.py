"""cresset: a PyTorch-compatible deep-learning framework with a C++ core.

`import cresset as torch` and PyTorch code runs unchanged.
"""
from cresset import _C
from cresset._C import *  # ops, dtypes, Tensor, device
from cresset._C import OutOfMemoryError, Tensor, device, dtype  # noqa: F401
from cresset._C import (  # noqa: F401  (torch's private samplers that distributions use)
    _dirichlet_grad, _sample_dirichlet, _standard_gamma, _standard_gamma_grad)
from cresset._size import Size

# isort: split
from cresset import _dtype_aliases  # noqa: F401  (torch.float, torch.long, ...)
from cresset import random  # noqa: F401  (torch.random)

_C._register_python_types(Size)

# isort: split
# The Python halves of the API; none imports NumPy.
from cresset import _tensor, _tensor_methods, _tensor_queries
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
from cresset._config import (  # noqa: F401
    are_deterministic_algorithms_enabled,
    get_default_device,
    get_float32_matmul_precision,
    get_num_interop_threads,
    is_deterministic_algorithms_warn_only_enabled,
    set_default_device,
    set_default_tensor_type,
    set_float32_matmul_precision,
    set_num_interop_threads,
    use_deterministic_algorithms,
)
from cresset._tensor_queries import (  # noqa: F401
    is_complex, is_conj, is_neg, is_same_size, is_signed, typename)
from cresset.utils.dlpack import from_dlpack  # noqa: F401

from cresset import autograd  # noqa: E402
from cresset.autograd import (  # noqa: E402,F401
    enable_grad, inference_mode, no_grad, set_grad_enabled)

_tensor.install()
_tensor_queries.install()
_tensor_methods.install()

import math as _math  # noqa: E402
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan
newaxis = None

# torch's top-level in-place functions (torch.abs_(t) is t.abs_()): the Tensor methods themselves,
# bound here for each one cresset has.
_INPLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_",
    "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_",
    "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
    "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_")
for _name in _INPLACE_FUNCTIONS:
    if _name not in globals() and hasattr(Tensor, _name):
        globals()[_name] = getattr(Tensor, _name)
del _name


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
# Tensor methods (torch.exp_ is Tensor.exp_) pickle as the class attribute of their name.
copyreg.pickle(type(Tensor.exp_), lambda f: (getattr, (Tensor, f.__name__)))
globals().update(_LEGACY_TYPES)  # FloatTensor, LongTensor, ...
OutOfMemoryError.__module__ = "cresset"  # printed as torch.OutOfMemoryError is

__version__ = "0.1.0"

# Subpackages and names imported on first use, so `import cresset` stays fast.
_LAZY_MODULES = {"nn", "optim", "cuda", "backends", "version", "func", "testing", "special",
                 "distributions"}
_LAZY_NAMES = {"save": "cresset.serialization", "load": "cresset.serialization",
               "compile": "cresset._compile", "gradient": "cresset._gradient",
               "bilinear": "cresset.nn.functional"}


def __getattr__(name):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(f"cresset.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'cresset' has no attribute '{name}'")
