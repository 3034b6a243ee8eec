"""The parts of torch.Tensor's Python protocol written in Python (the rest is in C++):
printing, formatting, iteration, membership, the NumPy array protocol, Tensor.type() and the
pickle/deepcopy protocol."""
import numbers

from cresset import _C, _tensor_str
from cresset._C import Tensor


def __format__(self, format_spec):
    if self.dim() == 0 and type(self) is Tensor:
        return self.item().__format__(format_spec)
    return object.__format__(self, format_spec)


def __iter__(self):
    # Views of the rows, made up front like torch's unbind(0).
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    sizes, strides = list(self.shape), self.stride()
    inner, step, offset = sizes[1:], list(strides[1:]), self.storage_offset()
    return iter([self.as_strided(inner, step, offset + i * strides[0])
                 for i in range(sizes[0])])


def __contains__(self, element, /):
    if isinstance(element, (Tensor, numbers.Number)):
        return bool((element == self).any().item())
    raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                       f"{type(element)}.")


def __array__(self, dtype=None, copy=None):
    array = self.numpy()
    if dtype is not None:
        return array.astype(dtype, copy=bool(copy))
    return array.copy() if copy else array


def __array_wrap__(self, array, context=None, return_scalar=False):
    # A NumPy function applied to a tensor returns a tensor (bool results become uint8, as torch).
    if array.dtype == bool:
        array = array.astype("uint8")
    return _C.from_numpy(array)


_cpp_type = Tensor.type


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """Tensor.type: the C++ method, plus the legacy classes (``t.type(torch.FloatTensor)``)."""
    from cresset import _legacy
    if isinstance(dtype, _legacy.tensortype):  # its name says the device too
        dtype = ("torch.cuda." if dtype.is_cuda else "torch.") + dtype.__name__
    elif not (dtype is None or isinstance(dtype, (str, _C.dtype))):
        raise TypeError("dtype must be a type, str, or dtype object")
    return _cpp_type(self, dtype, non_blocking, **kwargs)


def __deepcopy__(self, memo):
    # A fresh leaf over a copy of the whole storage (tensors sharing a storage keep sharing
    # one copy), with the same layout, requires_grad, grad and Python attributes.
    if not self.is_leaf:
        raise RuntimeError(
            "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
            "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
            "because of a torch.nn.utils.weight_norm usage, see "
            "https://github.com/pytorch/pytorch/pull/103001")
    if id(self) in memo:
        return memo[id(self)]
    import copy
    key = ("storage", _C._storage_key(self))
    owner = memo.get(key)
    new = _C._copy_storage(self) if owner is None else _C._share_storage(owner, self)
    memo.setdefault(key, new)
    if type(self) is not Tensor:
        new = Tensor._make_subclass(type(self), new, False)
    new.requires_grad_(self.requires_grad)
    memo[id(self)] = new
    if self.grad is not None:
        new.grad = copy.deepcopy(self.grad, memo)
    new.__dict__.update(copy.deepcopy(self.__dict__, memo))
    return new


def __reduce_ex__(self, proto):
    # Like torch: the whole storage with dtype, layout, device and requires_grad (not .grad), and
    # the class and Python attributes of a subclass or of a tensor that has some.
    layout = (_C._storage_bytes(self), str(self.dtype).rpartition(".")[2], tuple(self.shape),
              self.stride(), self.storage_offset(), str(self.device), self.requires_grad)
    if type(self) is Tensor and not self.__dict__:
        return _rebuild_tensor, layout
    return _rebuild_from_type, (type(self), layout, dict(self.__dict__))


def _rebuild_tensor(data, dtype, size, stride, offset, device, requires_grad):
    import cresset
    t = _C._from_storage_bytes(data, getattr(cresset, dtype), size, stride, offset, device)
    return t.requires_grad_(requires_grad)


def _rebuild_from_type(cls, layout, state):
    t = _rebuild_tensor(*layout)
    if cls is not Tensor:
        t = Tensor._make_subclass(cls, t, t.requires_grad)
    t.__dict__.update(state)
    return t


def install():
    """Binds the protocol methods onto the Tensor class."""
    Tensor.__repr__ = _tensor_str._str
    Tensor.__format__ = __format__
    Tensor.__iter__ = __iter__
    Tensor.__contains__ = __contains__
    Tensor.__array__ = __array__
    Tensor.__array_wrap__ = __array_wrap__
    Tensor.__array_priority__ = 1000  # NumPy defers binary operators to Tensor's reflected ones
    Tensor.type = _type
    Tensor.__deepcopy__ = __deepcopy__
    Tensor.__reduce_ex__ = __reduce_ex__
