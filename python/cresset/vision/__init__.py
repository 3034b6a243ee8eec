"""cresset.vision (torchvision): datasets, transforms, models and image utilities."""
from cresset.vision import datasets, io, models, transforms, utils  # noqa: F401
