"""cresset.vision.datasets (torchvision.datasets): dataset readers for the standard formats."""
from cresset.vision.datasets.cifar import CIFAR10, CIFAR100
from cresset.vision.datasets.fakedata import FakeData
from cresset.vision.datasets.folder import DatasetFolder, ImageFolder
from cresset.vision.datasets.mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from cresset.vision.datasets.vision import VisionDataset

__all__ = [
           "CIFAR10",
           "CIFAR100",
           "EMNIST",
           "KMNIST",
           "MNIST",
           "DatasetFolder",
           "FakeData",
           "FashionMNIST",
           "ImageFolder",
           "VisionDataset",
]
