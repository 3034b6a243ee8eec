"""The main job (examples/train_classifier.py) trains, reports, checkpoints and plots."""
import importlib.util
import os
import re
import struct
import subprocess
import sys
import zlib

import numpy as np

import cresset

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
SCRIPT = os.path.join(EXAMPLES, "train_classifier.py")


def _load_script():
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    spec = importlib.util.spec_from_file_location("train_classifier", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def test_main_job_quick_run(tmp_path):
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, SCRIPT, "--epochs", "2", "--limit", "640", "--batch-size", "32",
         "--out", str(out), "--seed", "3"],
        capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cresset: synthetic dataset, 640 train / 640 test images")
    epochs = [re.fullmatch(r"epoch (\d)/2 \[=+\] 20/20 loss ([\d.]+) train acc ([\d.]+)% "
                           r"test acc ([\d.]+)% [\d.]+s", line) for line in lines[1:3]]
    assert all(epochs), lines
    assert [int(m.group(1)) for m in epochs] == [1, 2]
    losses = [float(m.group(2)) for m in epochs]
    assert losses[1] < losses[0]
    test_acc = float(epochs[1].group(4))
    assert 20.0 < test_acc <= 100.0  # well above chance (10%) after two short epochs
    assert lines[3] == f"final test accuracy {test_acc:.2f}%"

    # The checkpoint holds both state dicts; a fresh model given the weights predicts the same.
    script = _load_script()
    checkpoint = cresset.load(str(out / "checkpoint.pt"))
    assert set(checkpoint) == {"model", "optimizer", "epoch", "dataset", "history"}
    assert checkpoint["epoch"] == 2
    assert f"{checkpoint['history']['test_acc'][-1]:.2f}" == f"{test_acc:.2f}"
    assert len(checkpoint["optimizer"]["state"]) == 8  # Adam moments of the 8 parameters
    model = script.build_model("synthetic")
    model.load_state_dict(checkpoint["model"])
    model.eval()
    args = script.parse_args(["--limit", "640"])
    images, labels = script.load_split(args, train=False).tensors
    with cresset.no_grad():
        predictions = model(images).argmax(1)
    accuracy = 100.0 * (predictions == labels).sum().item() / len(labels)
    assert abs(accuracy - checkpoint["history"]["test_acc"][-1]) < 1e-9
    again = script.build_model("synthetic")
    again.load_state_dict(checkpoint["model"])
    again.eval()
    with cresset.no_grad():
        assert cresset.equal(again(images), model(images))

    # The plot is a valid 8-bit RGB PNG of the drawn size, not blank.
    chunks = _png_chunks((out / "curves.png").read_bytes())
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth, color) == (640, 240, 8, 2)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (1 + 3 * width)
    assert len(set(raw)) > 3


def test_synthetic_dataset_is_deterministic_and_balanced():
    script = _load_script()
    images, labels = script.synthetic_glyphs(train=False)
    again, again_labels = script.synthetic_glyphs(train=False)
    assert images.shape == (2000, 1, 28, 28) and images.dtype == np.float32
    assert np.array_equal(images, again) and np.array_equal(labels, again_labels)
    assert images.min() >= 0 and images.max() <= 1
    counts = np.bincount(labels, minlength=10)
    assert counts.min() > 150  # every one of the ten glyph classes is well represented
    train_images, _ = script.synthetic_glyphs(train=True, n=100)
    assert train_images.shape == (100, 1, 28, 28)
    assert not np.array_equal(train_images, images[:100])


def test_progress_bar_plain_and_tty():
    script = _load_script()

    class Stream:
        def __init__(self, tty):
            self.text, self.tty = "", tty

        def write(self, s):
            self.text += s

        def flush(self):
            pass

        def isatty(self):
            return self.tty

    plain = Stream(False)
    bar = script.ProgressBar(4, "epoch 1/1", stream=plain, width=8)
    for step in range(1, 5):
        bar.update(step, "loss 1.0")
    bar.close("done")
    assert re.fullmatch(r"epoch 1/1 \[========\] 4/4 done [\d.]+s\n", plain.text)

    tty = Stream(True)
    bar = script.ProgressBar(4, "epoch 1/1", stream=tty, width=8)
    bar.last_draw -= 1  # let the first update draw at once
    bar.update(2, "loss 1.0")
    bar.close("done")
    assert tty.text.startswith("\repoch 1/1 [====>...] 2/4 loss 1.0")
    assert tty.text.endswith("\n") and tty.text.count("\r") == 2


# --- the tutorial examples, on small files written in the standard formats -------------------
def _write_fake_mnist(root, n=128):
    import gzip
    rng = np.random.RandomState(0)
    for prefix in ("train", "t10k"):
        images = rng.randint(0, 256, (n, 28, 28)).astype(np.uint8)
        labels = rng.randint(0, 10, n).astype(np.uint8)
        with gzip.open(root / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 0x803, n, 28, 28) + images.tobytes())
        with gzip.open(root / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + labels.tobytes())


def _write_fake_cifar10(root, n=24):
    import pickle
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.RandomState(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
                 "labels": [int(v) for v in rng.randint(0, 10, n)]}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    meta = {"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                            "horse", "ship", "truck"]}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))


def _run_example(name, args, cwd):
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300, check=False,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _shape_of(text):
    """The output with every number replaced, to compare two runs' line structure."""
    return re.sub(r"\d+(\.\d+)?", "#", text)


def test_mnist_example_runs_like_torch(tmp_path):
    _write_fake_mnist(tmp_path)
    args = ["--data-dir", str(tmp_path), "--epochs", "2", "--log-interval", "1"]
    ours = _run_example("mnist.py", args, tmp_path)
    theirs = _run_example("mnist.py", args + ["--torch"], tmp_path)
    assert _shape_of(ours) == _shape_of(theirs)
    assert ours.count("Train Epoch: 1 [") == 2 and ours.count("Train Epoch: 2 [") == 2
    assert re.search(r"Test set: Average loss: [\d.]+, Accuracy: \d+/128 \(\d+%\)", ours)


def test_cifar10_tutorial_runs_like_torch(tmp_path):
    _write_fake_cifar10(tmp_path)
    args = ["--data-dir", str(tmp_path), "--log-every", "6", "--epochs", "1"]
    ours = _run_example("cifar10_tutorial.py", args + ["--save", "ours.pth"], tmp_path)
    theirs = _run_example("cifar10_tutorial.py", args + ["--save", "theirs.pth", "--torch"],
                          tmp_path)
    assert _shape_of(ours) == _shape_of(theirs)
    assert "[1,    30] loss:" in ours and "Finished Training" in ours
    assert "Accuracy of the network on the 24 test images:" in ours
    assert "Accuracy for class: plane is" in ours
    # Each framework's saved weights load into the other's Net: the formats interoperate.
    state = cresset.load(str(tmp_path / "theirs.pth"))
    assert [tuple(v.shape) for v in state.values()] == [
        (6, 3, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,),
        (10, 84), (10,)]


def test_main_job_on_cifar10_files(tmp_path):
    _write_fake_cifar10(tmp_path)
    out = _run_example("train_classifier.py",
                       ["--dataset", "cifar10", "--data-dir", str(tmp_path), "--epochs", "1",
                        "--out", str(tmp_path / "run")], tmp_path)
    assert out.startswith("cresset: cifar10 dataset, 120 train / 24 test images")
    checkpoint = cresset.load(str(tmp_path / "run" / "checkpoint.pt"))
    assert tuple(checkpoint["model"]["conv1.weight"].shape) == (16, 3, 3, 3)


def test_main_job_worker_processes_give_the_same_run(tmp_path):
    args = ["--epochs", "1", "--limit", "320", "--batch-size", "32", "--seed", "5"]
    runs = [_run_example("train_classifier.py",
                         args + ["--num-workers", workers, "--out", str(tmp_path / workers)],
                         tmp_path) for workers in ("0", "2")]
    epoch_lines = [re.sub(r" [\d.]+s$", "", run.splitlines()[1]) for run in runs]
    assert epoch_lines[0] == epoch_lines[1]
    assert epoch_lines[0].startswith("epoch 1/1 [")
