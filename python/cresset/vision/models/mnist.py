"""The classic MNIST CNN of PyTorch's examples/mnist (two convs, dropout, two linear layers)."""
import cresset
from cresset import nn
from cresset.nn import functional as F
from cresset.vision.models._utils import _load_weights

__all__ = ["MNISTNet", "lenet"]


class MNISTNet(nn.Module):
    """conv 1->32 3x3, conv 32->64 3x3, 2x2 max-pool, dropout 0.25, fc 9216->128, dropout 0.5,
    fc 128->num_classes, log_softmax: takes [N, 1, 28, 28] images, returns log-probabilities."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = cresset.flatten(x, 1)
        x = self.dropout2(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def lenet(*, weights=None, progress=True, **kwargs):
    """The MNIST CNN; `weights` is None or a checkpoint path / state dict to load."""
    return _load_weights(MNISTNet(**kwargs), weights)
