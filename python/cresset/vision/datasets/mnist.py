"""MNIST-family datasets read from the idx files (torchvision.datasets.MNIST and friends)."""
import gzip
import os
import string

import numpy as np
from PIL import Image

import cresset
from cresset.vision.datasets.utils import check_integrity, download_and_extract_archive
from cresset.vision.datasets.vision import VisionDataset

__all__ = [
    "EMNIST",
    "KMNIST",
    "MNIST",
    "FashionMNIST",
    "read_image_file",
    "read_label_file",
    "read_sn3_pascalvincent_tensor",
]

# idx type byte -> big-endian NumPy dtype (the format stores every number big-endian).
_IDX_TYPES = {8: np.dtype(">u1"), 9: np.dtype(">i1"), 11: np.dtype(">i2"), 12: np.dtype(">i4"),
              13: np.dtype(">f4"), 14: np.dtype(">f8")}


def _read_bytes(path):
    """The decompressed contents of path, or of path + '.gz' when only that exists."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path = path + ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Reads an idx file (plain or .gz) into a tensor of its stored dtype and shape."""
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path} is not an idx file: {len(data)} bytes")
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not 1 <= nd <= 3 or ty not in _IDX_TYPES:
        raise ValueError(f"{path} is not an idx file: magic number {magic:#010x}")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    dtype = _IDX_TYPES[ty]
    parsed = np.frombuffer(data, dtype=dtype, offset=4 * (nd + 1))
    count = int(np.prod(shape))
    if strict and parsed.size != count:
        raise ValueError(f"{path}: header announces shape {shape} but holds {parsed.size} values")
    parsed = parsed[:count].astype(dtype.newbyteorder("="))
    return cresset.from_numpy(parsed.reshape(shape))


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != cresset.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndimension() != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndimension()}")
    return x.long()


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != cresset.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndimension() != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndimension()}")
    return x


class MNIST(VisionDataset):
    """MNIST from root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    def _file_prefix(self):
        return "train" if self.train else "t10k"

    def _load_data(self):
        prefix = self._file_prefix()
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy(), mode="L")
        return self._transform_pair(img, target)

    def __len__(self):
        return len(self.data)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def _raw_names(self):
        return [os.path.splitext(os.path.basename(name))[0] for name, _ in self.resources]

    def _check_exists(self):
        """Every raw file is present, extracted or still gzipped."""
        return all(check_integrity(os.path.join(self.raw_folder, name))
                   or check_integrity(os.path.join(self.raw_folder, name + ".gz"))
                   for name in self._raw_names())

    def download(self):
        """Fetches the .gz files from the mirrors (MD5-checked) and extracts them."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    download_and_extract_archive(url, download_root=self.raw_folder,
                                                 filename=filename, md5=md5)
                    break
                except RuntimeError as error:
                    errors.append(f"{url}: {error.__cause__ or error}")
            else:
                wanted = ", ".join(name for name, _ in self.resources)
                raise RuntimeError(
                    f"Error downloading {filename} from {' or '.join(m + filename for m in self.mirrors)}"
                    f" ({'; '.join(errors)}). Without network access, put the files {wanted} "
                    f"(gzipped or extracted) into {os.path.abspath(self.raw_folder)}, e.g. "
                    f"{os.path.join(os.path.abspath(self.raw_folder), filename)}")

    def extra_repr(self):
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando), same layout as MNIST under root/FashionMNIST/raw."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST, same layout as MNIST under root/KMNIST/raw."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """EMNIST (split byclass/bymerge/balanced/letters/digits/mnist) from the extracted idx files
    emnist-<split>-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz] in root/EMNIST/raw."""

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        if split not in self.splits:
            raise ValueError(f"Unknown value '{split}' for argument split. Valid values are "
                             f"{{{', '.join(repr(s) for s in self.splits)}}}.")
        self.split = split
        self.classes = self.classes_split_dict[split]
        super().__init__(root, **kwargs)

    def _raw_names(self):
        return [f"emnist-{self.split}-{part}-{kind}-ubyte" for part in ("train", "test")
                for kind in ("images-idx3", "labels-idx1")]

    def _load_data(self):
        part = "train" if self.train else "test"
        stem = os.path.join(self.raw_folder, f"emnist-{self.split}-{part}")
        return read_image_file(stem + "-images-idx3-ubyte"), read_label_file(stem + "-labels-idx1-ubyte")

    def download(self):
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        try:
            download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        except RuntimeError as error:
            raise RuntimeError(
                f"Error downloading {self.url} ({error.__cause__ or error}). Without network "
                f"access, put the files {', '.join(self._raw_names())} (gzipped or extracted) "
                f"into {os.path.abspath(self.raw_folder)}") from error
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gzip_folder):
            os.replace(os.path.join(gzip_folder, name), os.path.join(self.raw_folder, name))
