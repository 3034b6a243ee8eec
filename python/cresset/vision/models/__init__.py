"""cresset.vision.models (torchvision.models): model builders with torchvision's module names,
so torchvision state dicts load. Each builder takes `weights=None` or a checkpoint path."""
from cresset.vision.models.mnist import *
from cresset.vision.models.mobilenetv2 import *
from cresset.vision.models.resnet import *
from cresset.vision.models.vgg import *
