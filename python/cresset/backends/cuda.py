"""cresset.backends.cuda: whether the CUDA backend was compiled, and the matmul switches."""
from cresset import _C


def is_built():
    """True when this build contains the CUDA backend (a GPU need not be present)."""
    return _C._cuda.is_built()


class _MatmulFlags:
    """torch.backends.cuda.matmul: TF32 is off by default, as in torch; setting allow_tf32 runs
    float32 CUDA products on the tensor cores' TF32 mode."""

    def __init__(self):
        self._allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self):
        return self._allow_tf32

    @allow_tf32.setter
    def allow_tf32(self, value):
        _C._cuda.set_allow_tf32(bool(value))
        self._allow_tf32 = bool(value)


matmul = _MatmulFlags()
