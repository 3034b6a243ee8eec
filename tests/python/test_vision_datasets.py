"""cresset.vision.datasets against files written here in the standard on-disk formats (idx, CIFAR
pickles, image folders), plus the real MNIST in ../shared/data/mnist when that folder exists."""
import gzip
import hashlib
import os
import pickle
import struct

import numpy as np
import pytest
from cresset.vision import datasets, transforms
from cresset.vision.datasets import utils as dutils
from PIL import Image

import cresset

REAL_MNIST = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared",
                                           "data", "mnist"))
if not os.path.isdir(REAL_MNIST):
    REAL_MNIST = "/work/shared/data/mnist"


def _idx_bytes(arr):
    """An idx file: magic (0, 0, type 0x08 uint8, ndim), big-endian sizes, then the data."""
    header = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + b"".join(struct.pack(">I", s) for s in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def _write_mnist(root, name, n_train=7, n_test=5, gz=True, seed=0):
    rng = np.random.RandomState(seed)
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        labels = rng.randint(0, 10, size=(n,)).astype(np.uint8)
        arrays[prefix] = (images, labels)
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            path = os.path.join(raw, f"{prefix}-{kind}-ubyte")
            data = _idx_bytes(arr)
            if gz:
                with gzip.open(path + ".gz", "wb") as f:
                    f.write(data)
            else:
                with open(path, "wb") as f:
                    f.write(data)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST, datasets.KMNIST])
def test_mnist_family_reads_idx(tmp_path, cls, gz):
    arrays = _write_mnist(str(tmp_path), cls.__name__, gz=gz)
    for train, prefix in ((True, "train"), (False, "t10k")):
        ds = cls(str(tmp_path), train=train)
        images, labels = arrays[prefix]
        assert len(ds) == len(labels)
        assert ds.data.dtype == cresset.uint8 and tuple(ds.data.shape) == images.shape
        assert ds.targets.dtype == cresset.int64
        np.testing.assert_array_equal(ds.data.numpy(), images)
        np.testing.assert_array_equal(ds.targets.numpy(), labels.astype(np.int64))
        img, target = ds[3]
        assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
        np.testing.assert_array_equal(np.asarray(img), images[3])
        assert type(target) is int and target == labels[3]
    assert ds.class_to_idx == {c: i for i, c in enumerate(cls.classes)}
    assert len(ds.classes) == 10
    assert repr(ds) == (f"Dataset {cls.__name__}\n    Number of datapoints: 5\n"
                        f"    Root location: {tmp_path}\n    Split: Test")


def test_mnist_transforms_and_repr(tmp_path):
    arrays = _write_mnist(str(tmp_path), "MNIST")
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    ds = datasets.MNIST(str(tmp_path), transform=tf, target_transform=lambda t: t + 100)
    x, y = ds[0]
    expected = (arrays["train"][0][0].astype(np.float32) / 255 - np.float32(0.1307)) / np.float32(0.3081)
    assert tuple(x.shape) == (1, 28, 28) and x.dtype == cresset.float32
    np.testing.assert_allclose(x.numpy()[0], expected, rtol=1e-5, atol=1e-6)
    assert y == int(arrays["train"][1][0]) + 100
    lines = repr(ds).splitlines()
    assert lines[:4] == ["Dataset MNIST", "    Number of datapoints: 7", f"    Root location: {tmp_path}",
                         "    Split: Train"]
    # torchvision indents only the first line of the transforms' repr.
    assert lines[4:9] == ["    StandardTransform", "Transform: Compose(", "               ToTensor()",
                          "               Normalize(mean=(0.1307,), std=(0.3081,))", "           )"]
    assert lines[9].startswith("Target transform: <function") and len(lines) == 10


def test_mnist_missing_and_offline_download(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match=r"^Dataset not found. You can use download=True to download it$"):
        datasets.MNIST(str(tmp_path))

    def offline(*args, **kwargs):
        import urllib.error
        raise urllib.error.URLError("network unreachable")
    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(str(tmp_path), download=True)
    message = str(info.value)
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz" in message
    assert os.path.join(str(tmp_path), "MNIST", "raw", "train-images-idx3-ubyte.gz") in message
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert not [f for f in os.listdir(tmp_path / "MNIST" / "raw") if f.endswith(".partial")]


def test_mnist_bad_idx_file(tmp_path):
    _write_mnist(str(tmp_path), "MNIST", gz=False)
    path = tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    path.write_bytes(b"\x00\x00\x08\x07garbage")
    with pytest.raises(ValueError, match="not an idx file"):
        datasets.MNIST(str(tmp_path))


def test_download_url_md5_and_extract(tmp_path, monkeypatch):
    payload = gzip.compress(_idx_bytes(np.arange(6, dtype=np.uint8)))

    class Response:
        def __init__(self, data):
            self.data, self.pos = data, 0

        def read(self, n=-1):
            chunk = self.data[self.pos:] if n < 0 else self.data[self.pos:self.pos + n]
            self.pos += len(chunk)
            return chunk

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr("urllib.request.urlopen", lambda request, timeout=None: Response(payload))
    md5 = hashlib.md5(payload).hexdigest()
    dutils.download_and_extract_archive("https://example.invalid/x-labels-idx1-ubyte.gz",
                                        str(tmp_path), md5=md5)
    assert dutils.check_integrity(str(tmp_path / "x-labels-idx1-ubyte.gz"), md5)
    assert (tmp_path / "x-labels-idx1-ubyte").read_bytes() == gzip.decompress(payload)
    assert dutils.calculate_md5(str(tmp_path / "x-labels-idx1-ubyte.gz")) == md5
    with pytest.raises(RuntimeError, match="corrupted"):
        dutils.download_url("https://example.invalid/y.gz", str(tmp_path), md5="0" * 32)


def test_real_mnist():
    """The real MNIST when ../shared/data/mnist exists: sizes, first labels, class counts."""
    if not os.path.isdir(REAL_MNIST):
        pytest.skip(f"real MNIST folder absent: {REAL_MNIST}")
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "MNIST"))
        os.symlink(REAL_MNIST, os.path.join(root, "MNIST", "raw"))
        train = datasets.MNIST(root, train=True)
        test = datasets.MNIST(root, train=False)
        assert len(train) == 60000 and len(test) == 10000
        assert tuple(train.data.shape) == (60000, 28, 28)
        assert train[0][1] == 5 and test[0][1] == 7
        assert np.bincount(train.targets.numpy()).tolist() == [5923, 6742, 5958, 6131, 5842, 5421,
                                                               5918, 6265, 5851, 5949]
        img, _ = train[0]
        assert img.mode == "L" and int(np.asarray(img).max()) == 255


def _write_cifar(root, folder, batches, meta_name, meta_key, label_key, n_per_batch, n_classes):
    rng = np.random.RandomState(1)
    base = os.path.join(root, folder)
    os.makedirs(base, exist_ok=True)
    written = {}
    for name in batches:
        data = rng.randint(0, 256, size=(n_per_batch, 3072)).astype(np.uint8)
        labels = [int(v) for v in rng.randint(0, n_classes, size=n_per_batch)]
        entry = {"batch_label": f"batch {name}", label_key: labels, "data": data,
                 "filenames": [f"img_{i}.png" for i in range(n_per_batch)]}
        with open(os.path.join(base, name), "wb") as f:
            pickle.dump(entry, f, protocol=2)
        written[name] = (data, labels)
    names = [f"class_{i}" for i in range(n_classes)]
    with open(os.path.join(base, meta_name), "wb") as f:
        pickle.dump({meta_key: names, "num_cases_per_batch": n_per_batch}, f, protocol=2)
    return written, names


def test_cifar10_reads_batches(tmp_path):
    batches = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    written, names = _write_cifar(str(tmp_path), "cifar-10-batches-py", batches, "batches.meta",
                                  "label_names", "labels", 4, 10)
    train = datasets.CIFAR10(str(tmp_path), train=True)
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    assert len(train) == 20 and len(test) == 4
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == np.uint8
    expected = np.concatenate([written[b][0] for b in batches[:5]]).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(train.data, expected)
    assert train.targets == sum((written[b][1] for b in batches[:5]), [])
    img, target = train[6]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(img), expected[6])
    assert target == train.targets[6]
    x, _ = test[1]
    np.testing.assert_allclose(x.numpy(), written["test_batch"][0][1].reshape(3, 32, 32) / np.float32(255),
                               rtol=1e-6)
    assert train.classes == names and train.class_to_idx["class_3"] == 3
    assert repr(test).splitlines()[3] == "    Split: Test"


def test_cifar100_fine_labels(tmp_path):
    written, names = _write_cifar(str(tmp_path), "cifar-100-python", ["train", "test"], "meta",
                                  "fine_label_names", "fine_labels", 6, 100)
    ds = datasets.CIFAR100(str(tmp_path), train=True)
    assert len(ds) == 6 and ds.targets == written["train"][1]
    assert len(ds.classes) == 100 and ds.classes[99] == "class_99"


def test_cifar_refuses_arbitrary_globals(tmp_path):
    _write_cifar(str(tmp_path), "cifar-10-batches-py",
                 [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"], "batches.meta",
                 "label_names", "labels", 2, 10)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "wb") as f:
        pickle.dump({"data": np.zeros((1, 3072), np.uint8), "labels": [Evil()]}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        datasets.CIFAR10(str(tmp_path), train=False)


def test_cifar_missing(tmp_path):
    with pytest.raises(RuntimeError, match="^Dataset not found or corrupted. You can use download=True to download it$"):
        datasets.CIFAR10(str(tmp_path))


def _write_image_folder(root):
    rng = np.random.RandomState(2)
    arrays = {}
    for cls, names in (("cat", ["b.png", "a.jpg", "sub/c.PNG"]), ("dog", ["z.bmp", "notes.txt"])):
        for name in names:
            path = os.path.join(root, cls, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if name.endswith(".txt"):
                with open(path, "w") as f:
                    f.write("not an image")
                continue
            arr = rng.randint(0, 256, size=(5, 7, 3)).astype(np.uint8)
            mode = "L" if name == "z.bmp" else "RGB"
            img = Image.fromarray(arr[:, :, 0] if mode == "L" else arr)
            img.save(path, format={"png": "PNG", "jpg": "JPEG", "bmp": "BMP"}[name.rsplit(".", 1)[1].lower()])
            arrays[path] = np.asarray(Image.open(path).convert("RGB"))
    return arrays


def test_image_folder(tmp_path):
    arrays = _write_image_folder(str(tmp_path))
    ds = datasets.ImageFolder(str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    paths = [os.path.join(str(tmp_path), p) for p in ("cat/a.jpg", "cat/b.png", "cat/sub/c.PNG", "dog/z.bmp")]
    assert ds.samples == [(p, 0) for p in paths[:3]] + [(paths[3], 1)]
    assert ds.imgs == ds.samples and ds.targets == [0, 0, 0, 1]
    for i, (path, target) in enumerate(ds.samples):
        img, t = ds[i]
        assert img.mode == "RGB" and t == target
        np.testing.assert_array_equal(np.asarray(img), arrays[path])
    only_png = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.lower().endswith(".png"),
                                    allow_empty=True)
    assert [os.path.basename(p) for p, _ in only_png.samples] == ["b.png", "c.PNG"]
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes dog"):
        datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith(".png"))


def test_dataset_folder_arguments(tmp_path):
    _write_image_folder(str(tmp_path))
    ds = datasets.DatasetFolder(str(tmp_path), loader=lambda p: os.path.getsize(p), extensions=(".txt",),
                                allow_empty=True)
    assert ds.samples == [(os.path.join(str(tmp_path), "dog", "notes.txt"), 1)]
    assert ds[0] == (len("not an image"), 1)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(str(tmp_path), loader=open)
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / "cat" / "sub"))

    class Upper(datasets.DatasetFolder):
        def find_classes(self, directory):
            return ["dog"], {"dog": 7}
    ds = Upper(str(tmp_path), loader=str, extensions=".bmp")
    assert ds.targets == [7] and ds.classes == ["dog"]


def test_fakedata_matches_seeded_randn():
    ds = datasets.FakeData(size=4, image_size=(3, 6, 5), num_classes=7, random_offset=3)
    cresset.manual_seed(123)
    before = cresset.rand(2)
    cresset.manual_seed(123)
    img, target = ds[2]
    assert cresset.equal(cresset.rand(2), before)  # the global RNG state is restored
    cresset.manual_seed(5)
    expected = cresset.randn(3, 6, 5)
    expected_target = int(cresset.randint(0, 7, size=(1,))[0])
    assert target == expected_target and type(target) is int
    assert img.mode == "RGB" and img.size == (5, 6)
    np.testing.assert_array_equal(np.asarray(img), (expected.numpy() * 255).astype(np.uint8).transpose(1, 2, 0))
    assert len(ds) == 4
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[4]
    assert repr(ds) == "Dataset FakeData\n    Number of datapoints: 4"


def test_vision_dataset_transform_arguments():
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        datasets.VisionDataset("x", transforms=lambda a, b: (a, b), transform=lambda a: a)
    ds = datasets.VisionDataset("~/data")
    assert isinstance(ds, cresset.utils.data.Dataset)
    assert ds.root == os.path.expanduser("~/data") and ds.transforms is None


def test_dataloader_over_mnist(tmp_path):
    arrays = _write_mnist(str(tmp_path), "MNIST", n_train=10)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    ds = datasets.MNIST(str(tmp_path), transform=tf)
    loader = cresset.utils.data.DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert [tuple(x.shape) for x, _ in batches] == [(4, 1, 28, 28), (4, 1, 28, 28), (2, 1, 28, 28)]
    assert batches[0][1].dtype == cresset.int64
    np.testing.assert_array_equal(cresset.cat([y for _, y in batches]).numpy(), arrays["train"][1])
    np.testing.assert_allclose(batches[2][0].numpy()[1, 0], arrays["train"][0][9] / np.float32(127.5) - 1, atol=1e-6)


def test_emnist_split_files(tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.RandomState(3)
    arrays = {}
    for part, n in (("train", 4), ("test", 3)):
        images = rng.randint(0, 256, (n, 28, 28)).astype(np.uint8)
        labels = rng.randint(1, 27, (n,)).astype(np.uint8)
        arrays[part] = (images, labels)
        (raw / f"emnist-letters-{part}-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx_bytes(images)))
        (raw / f"emnist-letters-{part}-labels-idx1-ubyte").write_bytes(_idx_bytes(labels))
    ds = datasets.EMNIST(str(tmp_path), split="letters", train=False)
    assert len(ds) == 3 and ds.classes[0] == "N/A" and ds.classes[1] == "a" and len(ds.classes) == 27
    np.testing.assert_array_equal(ds.data.numpy(), arrays["test"][0])
    assert ds[2][1] == int(arrays["test"][1][2])
    with pytest.raises(ValueError, match="Unknown value 'bogus' for argument split"):
        datasets.EMNIST(str(tmp_path), split="bogus")
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.EMNIST(str(tmp_path), split="digits")
