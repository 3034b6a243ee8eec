"""cresset.vision.transforms (torchvision.transforms)."""
from cresset.vision.transforms.transforms import *
from cresset.vision.transforms.transforms import __all__  # noqa: F401
