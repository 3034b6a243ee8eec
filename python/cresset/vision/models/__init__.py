"""cresset.vision.models (torchvision.models): model builders with torchvision's module names,
so torchvision state dicts load. Each builder takes `weights=None` or a checkpoint path."""
from cresset.vision.models.mnist import *  # noqa: F401,F403
from cresset.vision.models.mobilenetv2 import *  # noqa: F401,F403
from cresset.vision.models.resnet import *  # noqa: F401,F403
from cresset.vision.models.vgg import *  # noqa: F401,F403
