"""Parameter and Buffer: the Tensor subclasses that Module registers on assignment."""
from cresset import _C, _tensor_str

__all__ = ["Buffer", "Parameter", "UninitializedParameter", "UninitializedBuffer"]


class Parameter(_C.Tensor):
    """A Tensor that is a module parameter: assigning one to a Module attribute registers it.

    It aliases `data` (same storage) as a new leaf; requires_grad defaults to True, even under
    no_grad, as in torch.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C.empty(0)
        return _C.Tensor._make_subclass(cls, data, requires_grad)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        if self.__dict__:
            return (_rebuild_parameter, (self.data, self.requires_grad, dict(self.__dict__)))
        return (_rebuild_parameter, (self.data, self.requires_grad))


def _rebuild_parameter(data, requires_grad, state=None):
    p = Parameter(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


class Buffer(_C.Tensor):
    """A Tensor that is module state but not a parameter (assigning one registers a buffer);
    `persistent` says whether it goes into state_dict."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _C.empty(0)
        t = _C.Tensor._make_subclass(cls, data, data.requires_grad)
        t.persistent = persistent
        return t

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), persistent=self.persistent)
        memo[id(self)] = result
        return result

    def __repr__(self):
        # torch's Buffer is a plain tensor once made, and prints as one.
        return _tensor_str._str(_C._alias(self))


class _UninitializedTensor:
    """A parameter or buffer of a lazy module whose shape is not known yet: it holds no data, and
    materialize() turns it into a regular one of the given shape."""

    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Gives it uninitialized data of `shape` and makes it a cls_to_become."""
        device = self.data.device if device is None else device
        dtype = self.data.dtype if dtype is None else dtype
        self.data = _C.empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.data.device, self.data.dtype)
        return memo[id(self)]

    def __reduce_ex__(self, proto):
        return type(self), (self.requires_grad,)


class UninitializedParameter(_UninitializedTensor, Parameter):
    """A Parameter whose shape a lazy module infers from its first input."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _C.Tensor._make_subclass(cls, _C.empty(0, device=device, dtype=dtype),
                                        requires_grad)


class UninitializedBuffer(_UninitializedTensor, _C.Tensor):
    """A buffer whose shape a lazy module infers from its first input."""

    cls_to_become = _C.Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        return _C.Tensor._make_subclass(cls, _C.empty(0, device=device, dtype=dtype),
                                        requires_grad)
