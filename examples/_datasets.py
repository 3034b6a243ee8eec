"""MNIST and CIFAR-10 as whole NumPy arrays for the examples, read by cresset.vision.datasets.

The examples normalize whole splits once and serve them from a TensorDataset, so the same arrays
feed cresset and, with --torch, real PyTorch (torchvision is not needed).
"""
import os

import numpy as np

MNIST_FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def mnist_arrays(root, train):
    """uint8 images [n, 1, 28, 28] and int64 labels, from root/MNIST/raw (torchvision's layout)
    or from the idx files (.gz or not) directly in root."""
    from cresset.vision import datasets
    from cresset.vision.datasets.mnist import read_image_file, read_label_file
    if os.path.isdir(os.path.join(root, "MNIST", "raw")):
        ds = datasets.MNIST(root, train=train, download=False)
        images, labels = ds.data, ds.targets
    else:
        image_file, label_file = (os.path.join(root, name) for name in MNIST_FILES[train])
        if not any(os.path.exists(image_file + ext) for ext in ("", ".gz")):
            raise SystemExit(f"MNIST not found: put {MNIST_FILES[train][0]}.gz and its labels in "
                             f"{root} or in {os.path.join(root, 'MNIST', 'raw')}")
        images, labels = read_image_file(image_file), read_label_file(label_file)
    return images.numpy()[:, None], labels.numpy().astype(np.int64)


def cifar10_arrays(root, train):
    """uint8 images [n, 3, 32, 32] and int64 labels from root/cifar-10-batches-py."""
    from cresset.vision import datasets
    ds = datasets.CIFAR10(root, train=train, download=False)
    return np.ascontiguousarray(ds.data.transpose(0, 3, 1, 2)), np.asarray(ds.targets, np.int64)
