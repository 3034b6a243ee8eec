"""Process-wide settings of torch's top-level API: the default device (and the legacy default
tensor type), deterministic algorithms, float32 matmul precision and the inter-op thread count."""
import warnings

from cresset import _C

_deterministic = False
_deterministic_warn_only = False
_matmul_precision = "highest"
_interop_threads = None  # None until set: the intra-op thread count stands in for it


def set_default_device(device):
    """Factories without device= allocate on `device` (None: back to the CPU)."""
    if device is None:
        device = "cpu"
    elif isinstance(device, int):
        import cresset.cuda
        if not cresset.cuda.is_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        device = f"cuda:{device}"
    device = _C.device(device)
    if device.type == "cuda":
        import cresset.cuda
        cresset.cuda._lazy_init()  # raises torch's AssertionError when CUDA is not built
    _C._set_default_device(device)


def set_default_tensor_type(t):
    """The deprecated torch.set_default_tensor_type: a floating legacy type (a class such as
    torch.DoubleTensor or torch.cuda.FloatTensor, or its name) sets the default dtype, and a CUDA
    type the default device too."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        import importlib
        t = getattr(importlib.import_module(module.replace("torch", "cresset", 1)), name)
    dtype = getattr(t, "dtype", None)
    if not isinstance(t, type) or not isinstance(dtype, _C.dtype):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _C.set_default_dtype(dtype)
    if getattr(t, "is_cuda", False):
        set_default_device("cuda")


def get_default_device():
    """The device factories use when given none."""
    return _C._get_default_device()


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Records the flag: cresset's CPU kernels are deterministic for a given thread count."""
    global _deterministic, _deterministic_warn_only
    if not isinstance(mode, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'warn_only' must be bool, not "
                        f"{type(warn_only).__name__}")
    _deterministic, _deterministic_warn_only = mode, warn_only


def are_deterministic_algorithms_enabled():
    return _deterministic


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic_warn_only


def set_float32_matmul_precision(precision):
    """Records "highest", "high" or "medium"; anything else warns and changes nothing, as torch."""
    global _matmul_precision
    if precision in ("highest", "high", "medium"):
        _matmul_precision = precision
    else:
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)


def get_float32_matmul_precision():
    return _matmul_precision


def set_num_interop_threads(num):
    """Sets the inter-op thread count once, before any is used (torch's rule)."""
    global _interop_threads
    if not isinstance(num, int) or isinstance(num, bool):
        raise RuntimeError(f"set_num_interop_threads expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _interop_threads = num


def get_num_interop_threads():
    return _C.get_num_threads() if _interop_threads is None else _interop_threads
