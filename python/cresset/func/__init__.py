"""cresset.func (torch.func): functional_call. The function transforms of torch.func (vmap,
grad, jacrev, ...) are not provided; cresset.autograd.functional covers their non-batched uses."""
from cresset.nn.utils.stateless import call_with as functional_call

__all__ = ["functional_call"]
