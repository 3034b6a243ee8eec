"""cresset.vision.transforms (torchvision.transforms)."""
from cresset.vision.transforms.transforms import *  # noqa: F401,F403
from cresset.vision.transforms.transforms import __all__  # noqa: F401
