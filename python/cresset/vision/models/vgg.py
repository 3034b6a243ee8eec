"""VGG-11 (configuration "A"), with and without batch norm, named as torchvision's."""
import cresset
from cresset import nn
from cresset.vision.models._utils import _load_weights

__all__ = ["VGG", "make_layers", "vgg11", "vgg11_bn"]

# Conv widths and max-pools ("M") of configuration "A".
_CFG_A = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]


class VGG(nn.Module):
    """`features`, a 7x7 adaptive average pool and the three-layer classifier."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = cresset.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    """The conv trunk of a VGG configuration: 3x3 convs (+ BN) + ReLU, "M" a 2x2 max-pool."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _vgg(batch_norm, weights, **kwargs):
    if weights is not None:
        kwargs["init_weights"] = False
    return _load_weights(VGG(make_layers(_CFG_A, batch_norm=batch_norm), **kwargs), weights)


def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG-11 (132,863,336 parameters with 1000 classes); `weights`: None or a checkpoint path /
    state dict to load."""
    return _vgg(False, weights, **kwargs)


def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG-11 with batch norm after each conv; `weights` as for vgg11."""
    return _vgg(True, weights, **kwargs)
