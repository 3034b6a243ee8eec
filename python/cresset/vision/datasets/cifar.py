"""CIFAR-10 and CIFAR-100 read from the python pickle batches (torchvision.datasets.CIFAR10)."""
import io
import os
import pickle

import numpy as np
from PIL import Image

from cresset.vision.datasets.utils import check_integrity, download_and_extract_archive
from cresset.vision.datasets.vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]

# The only globals a CIFAR batch refers to: NumPy's array reconstruction (numpy 1 and 2 names),
# and _codecs.encode, which is how pickle protocol 2 writes bytes under Python 3.
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
}


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles plain containers, strings, bytes and NumPy arrays; refuses any other global,
    so a crafted batch file cannot run code."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"CIFAR batch refers to the global {module}.{name}, which is not allowed "
            "(only NumPy array reconstruction is)")


def _load_batch(path):
    with open(path, "rb") as f:
        return _BatchUnpickler(io.BufferedReader(f), encoding="latin1").load()


class CIFAR10(VisionDataset):
    """CIFAR-10 from root/cifar-10-batches-py (data_batch_1..5, test_batch, batches.meta)."""

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        downloaded_list = self.train_list if self.train else self.test_list
        self.data = []
        self.targets = []
        for file_name, _ in downloaded_list:
            entry = _load_batch(os.path.join(self.root, self.base_folder, file_name))
            self.data.append(np.asarray(entry["data"], dtype=np.uint8))
            self.targets.extend(int(t) for t in entry["labels" if "labels" in entry else "fine_labels"])
        self.data = np.vstack(self.data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))  # HWC
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path):
            raise RuntimeError("Dataset metadata file not found or corrupted. "
                               "You can use download=True to download it")
        self.classes = list(_load_batch(path)[self.meta["key"]])
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index):
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img)
        return self._transform_pair(img, target)

    def __len__(self):
        return len(self.data)

    def _check_exists(self):
        """Every batch file is present (their MD5s are checked when downloading)."""
        folder = os.path.join(self.root, self.base_folder)
        return all(check_integrity(os.path.join(folder, name))
                   for name, _ in self.train_list + self.test_list)

    def _check_integrity(self):
        folder = os.path.join(self.root, self.base_folder)
        return all(check_integrity(os.path.join(folder, name), md5)
                   for name, md5 in self.train_list + self.test_list)

    def download(self):
        """Fetches and extracts the official archive (MD5-checked) unless the batches are there."""
        if self._check_integrity():
            return
        try:
            download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)
        except RuntimeError as error:
            raise RuntimeError(
                f"Error downloading {self.url} ({error.__cause__ or error}). Without network "
                f"access, put {self.filename} into {os.path.abspath(self.root)} and extract it "
                f"there, so that {os.path.join(os.path.abspath(self.root), self.base_folder)} "
                f"holds {', '.join(n for n, _ in self.train_list + self.test_list)} and "
                f"{self.meta['filename']}") from error

    def extra_repr(self):
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class CIFAR100(CIFAR10):
    """CIFAR-100 from root/cifar-100-python (train, test, meta); targets are the fine labels."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}
