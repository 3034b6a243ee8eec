"""Tensor methods written in Python: those that call a Python callable per element (apply_,
map_), the legacy constructor Tensor.new, sum_to_size (a composite of sums), and shared memory
(share_memory_, is_shared: the DataLoader's segments, utils/data/_utils/shared.py)."""
from cresset import _C
from cresset._C import Tensor


def _legacy_name(t):
    return t.type()


def _elementwise_values(self, op):
    if self.device.type != "cpu":
        raise TypeError(f"{op} is only implemented on CPU tensors")
    if self.requires_grad:
        raise RuntimeError(f"Can't call {op}() on Variable that requires grad. Use "
                           f"var.detach().{op}() instead.")


def _write_values(self, values):
    # Like torch, results are converted to self's dtype as a Python number would be.
    self.copy_(_C.tensor(values, dtype=self.dtype).view(self.shape))
    return self


def apply_(self, callable):
    """Replaces each element x with callable(x) (CPU only, slow: a Python call per element)."""
    _elementwise_values(self, "apply_")
    return _write_values(self, [callable(v) for v in self.reshape(-1).tolist()])


def map_(self, tensor, callable):
    """Replaces each element x with callable(x, y), y the matching element of tensor broadcast
    to self's shape (which must have self's dtype)."""
    _elementwise_values(self, "map_")
    if not isinstance(tensor, Tensor):
        raise TypeError(f"map_(): argument 'tensor' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    if tensor.dtype != self.dtype:
        raise TypeError(f"map_: expected {_legacy_name(self)} for 'other' (got "
                        f"{_legacy_name(tensor)})")
    other = tensor.expand(self.shape).reshape(-1).tolist()
    return _write_values(self, [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other)])


def _sizes(size):
    if len(size) == 1 and not isinstance(size[0], int):
        size = size[0]
    return tuple(int(s) for s in size)


def sum_to_size(self, *size):
    """self summed over the dims that broadcasting `size` to self's shape would expand."""
    size = _sizes(size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[lead + i] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if size == shape:
        return self
    if not size:
        return self.sum()
    # Like torch: one keepdim sum over the leading dims and the size-1 ones, then a view.
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size)
                                      if s == 1 and shape[lead + i] != 1)
    result = self.sum(dims, keepdim=True)
    return result.view(size) if lead else result


def new(self, *args, **kwargs):
    """The legacy constructor in self's dtype (and on self's device unless told otherwise)."""
    if self.device.type != "cpu":
        kwargs.setdefault("device", self.device)
    return _C._legacy_new(self.dtype, *args, **kwargs)


def share_memory_(self):
    """Moves the storage into shared memory (a no-op when it is there or not on the CPU)."""
    from cresset.utils.data._utils import shared
    if self.device.type == "cpu" and self.numel() > 0 and not shared.is_shared(self):
        shared.share_storage(self)
    return self


def is_shared(self):
    """True when the storage is in shared memory (after share_memory_)."""
    from cresset.utils.data._utils import shared
    return self.device.type == "cpu" and shared.is_shared(self)


def install():
    for f in (apply_, map_, sum_to_size, new, share_memory_, is_shared):
        setattr(Tensor, f.__name__, f)
