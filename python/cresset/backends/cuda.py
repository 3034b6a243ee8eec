"""cresset.backends.cuda: whether the CUDA backend was compiled, and the matmul switches."""
from cresset import _C


def is_built():
    """True when this build contains the CUDA backend (a GPU need not be present)."""
    return _C._cuda.is_built()


class _MatmulFlags:
    """torch.backends.cuda.matmul: TF32 is off by default, as in torch."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()
