"""The legacy typed tensor classes: torch.FloatTensor, LongTensor, ...

Each is a callable constructor with the forms of torch.Tensor(...) in its own dtype, and an
isinstance check on the dtype (``isinstance(t, torch.FloatTensor)`` is true for any CPU float32
tensor). They are not subclasses of Tensor, as in torch.
"""
import cresset
from cresset import _C

# (class name, dtype name) in torch's order.
_TYPES = [
    ("DoubleTensor", "float64"), ("FloatTensor", "float32"), ("BFloat16Tensor", "bfloat16"),
    ("HalfTensor", "float16"), ("ByteTensor", "uint8"), ("CharTensor", "int8"),
    ("ShortTensor", "int16"), ("IntTensor", "int32"), ("LongTensor", "int64"),
    ("BoolTensor", "bool"),
]


class tensortype(type):
    """The metaclass of the legacy tensor types (torch.tensortype)."""

    def __instancecheck__(cls, obj):
        return (isinstance(obj, cresset.Tensor) and obj.dtype is cls.dtype
                and obj.device.type == "cpu")

    def __call__(cls, *args, **kwargs):
        return _C._legacy_new(cls.dtype, *args, **kwargs)

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _make(name, dtype_name):
    return tensortype(name, (), {"dtype": getattr(cresset, dtype_name), "is_cuda": False,
                                 "is_sparse": False, "__module__": "cresset"})


LEGACY_TYPES = {name: _make(name, dtype_name) for name, dtype_name in _TYPES}
_NAME_OF_DTYPE = {cls.dtype: name for name, cls in LEGACY_TYPES.items()}
