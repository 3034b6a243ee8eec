"""cresset.version (torch.version): the package version and the CUDA toolkit it was built with."""
from cresset import _C

from cresset import __version__  # noqa: F401
cuda = _C._cuda.toolkit_version() or None
git_version = None
debug = False
hip = None
