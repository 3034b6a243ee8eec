"""cresset.backends: which backends this build contains and their switches (torch.backends)."""
from cresset.backends import cuda  # noqa: F401
