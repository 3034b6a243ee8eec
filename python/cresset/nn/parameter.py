"""Parameter and Buffer: the Tensor subclasses that Module registers on assignment."""
from cresset import _C, _tensor_str

__all__ = ["Buffer", "Parameter"]


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
