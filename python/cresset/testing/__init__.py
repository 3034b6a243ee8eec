"""torch.testing: comparing tensors (assert_close) and making test inputs (make_tensor)."""
from cresset.testing._comparison import assert_allclose, assert_close
from cresset.testing._creation import make_tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]
