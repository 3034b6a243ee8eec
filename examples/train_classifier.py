"""cresset's main job: train a small CNN image classifier end to end.

    python3 examples/train_classifier.py                      # embedded synthetic glyphs, ~1 min
    python3 examples/train_classifier.py --dataset mnist --data-dir /path/to/mnist
    python3 examples/train_classifier.py --dataset cifar10 --data-dir /path/to/cifar10

The default dataset needs no download: ten classes of line-drawn glyphs (ring, square, triangle,
plus, cross, equals, diamond, L, T, Z) rendered deterministically with NumPy at a random position,
size, aspect, rotation and stroke width, over sensor noise, with a stray stroke and sometimes an
occluding box, so a good model needs a few epochs. Per epoch it prints the training loss and the
train/test accuracy behind a progress bar; at the end it saves a checkpoint (model and optimizer
state dicts) and a PNG of the loss and accuracy curves into --out. `--torch` runs the same script
on real PyTorch for comparison.
"""
import argparse
import importlib
import math
import os
import sys
import time

import numpy as np
from _datasets import cifar10_arrays, mnist_arrays

torch = importlib.import_module("torch" if "--torch" in sys.argv[1:] else "cresset")
nn = torch.nn
F = torch.nn.functional
data = importlib.import_module(torch.__name__ + ".utils.data")

CLASSES = ("ring", "square", "triangle", "plus", "cross", "equals", "diamond", "L", "T", "Z")
SYNTHETIC_SIZE = (12000, 2000)  # train, test
SYNTHETIC_SEED = 20240601  # fixed: the dataset is the same whatever --seed the training uses


# ----------------------------------------------------------------------------- the dataset
def _polyline(*points):
    return [(*points[i], *points[i + 1]) for i in range(len(points) - 1)]


# Glyph strokes as segments (x0, y0, x1, y1) in a [-1, 1] box; None is the unit circle.
_GLYPHS = (
    None,
    _polyline((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)),
    _polyline((0, -1), (1, 0.8), (-1, 0.8), (0, -1)),
    _polyline((-1, 0), (1, 0)) + _polyline((0, -1), (0, 1)),
    _polyline((-1, -1), (1, 1)) + _polyline((-1, 1), (1, -1)),
    _polyline((-1, -0.45), (1, -0.45)) + _polyline((-1, 0.45), (1, 0.45)),
    _polyline((0, -1), (1, 0), (0, 1), (-1, 0), (0, -1)),
    _polyline((-0.6, -1), (-0.6, 1), (0.8, 1)),
    _polyline((-1, -1), (1, -1)) + _polyline((0, -1), (0, 1)),
    _polyline((-1, -1), (1, -1), (-1, 1), (1, 1)),
)


def _segment_distance(u, v, ax, ay, dx, dy):
    """Distance from points (u, v) to the segments from (ax, ay) along (dx, dy), broadcast."""
    t = np.clip(((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.sqrt((u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2)


def render_glyphs(labels, rng, size=28):
    """float32 images [n, 1, size, size] in [0, 1] of the glyph classes in `labels`."""
    n = len(labels)

    def uniform(lo, hi, shape=(n, 1)):
        return rng.uniform(lo, hi, shape).astype(np.float32)

    half = uniform(0.22, 0.42) * size  # glyph half-size in pixels
    aspect = uniform(0.8, 1.25)
    angle = np.deg2rad(uniform(-18, 18))
    margin = half * 1.1 + 1
    cx, cy = uniform(margin, size - margin, None), uniform(margin, size - margin, None)
    width, ink, noise = uniform(0.7, 2.2), uniform(0.6, 1.0), uniform(0.1, 0.35)

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    xs, ys = xx.reshape(1, -1), yy.reshape(1, -1)
    cos, sin = np.cos(angle), np.sin(angle)
    # Pixel coordinates in each glyph's own frame: the inverse of scale, rotate, translate.
    u = ((xs - cx) * cos + (ys - cy) * sin) / (half * aspect)
    v = ((ys - cy) * cos - (xs - cx) * sin) * (aspect / half)
    dist = np.empty_like(u)
    for label, segments in enumerate(_GLYPHS):
        rows = labels == label
        gu, gv = u[rows], v[rows]
        if segments is None:
            dist[rows] = np.abs(np.sqrt(gu * gu + gv * gv) - 1)
        else:
            dist[rows] = np.min([_segment_distance(gu, gv, x0, y0, x1 - x0, y1 - y0)
                                 for x0, y0, x1, y1 in segments], axis=0)
    images = ink * np.clip(width / 2 + 0.5 - dist * half, 0, 1)
    # A stray stroke on every image and an occluding 6x6 box on about a third of them.
    sx, sy, theta = uniform(0, size), uniform(0, size), uniform(0, 2 * math.pi)
    length = uniform(4, 10)
    stray = _segment_distance(xs, ys, sx, sy, np.cos(theta) * length, np.sin(theta) * length)
    images = np.maximum(images, uniform(0.3, 0.9) * np.clip(1.5 - stray, 0, 1))
    bx, by = uniform(-6, size), uniform(-6, size)
    box = (xs >= bx) & (xs < bx + 6) & (ys >= by) & (ys < by + 6) & (rng.rand(n, 1) < 0.3)
    images[box] = 0
    images += noise * rng.standard_normal(images.shape).astype(np.float32)
    return np.clip(images, 0, 1).reshape(n, 1, size, size)


def synthetic_glyphs(train, n=None, seed=SYNTHETIC_SEED):
    """(images, labels) of the embedded dataset's train or test split as NumPy arrays; a given
    `n` renders a smaller set (not a prefix of the full one) for quick runs."""
    n = min(n or SYNTHETIC_SIZE[0 if train else 1], SYNTHETIC_SIZE[0 if train else 1])
    rng = np.random.RandomState(seed + (0 if train else 1))
    labels = rng.randint(0, len(CLASSES), n).astype(np.int64)
    return render_glyphs(labels, rng), labels


# Per-channel mean and std used to normalize each dataset's [0, 1] pixels.
_NORMALIZE = {
    "synthetic": ((0.16,), (0.25,)),
    "mnist": ((0.1307,), (0.3081,)),
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
}


def load_split(args, train):
    """A normalized float32 TensorDataset of one split, at most args.limit samples."""
    if args.dataset == "synthetic":
        images, labels = synthetic_glyphs(train, args.limit)
    else:
        if args.data_dir is None:
            sys.exit(f"--dataset {args.dataset} needs --data-dir (a directory of the standard "
                     "files)")
        read = mnist_arrays if args.dataset == "mnist" else cifar10_arrays
        images, labels = read(args.data_dir, train)
        images = images.astype(np.float32) / 255
    if args.limit:
        images, labels = images[:args.limit], labels[:args.limit]
    mean, std = (np.asarray(s, np.float32).reshape(1, -1, 1, 1) for s in _NORMALIZE[args.dataset])
    images = np.ascontiguousarray((images - mean) / std, dtype=np.float32)
    return data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))


# ----------------------------------------------------------------------------- the model
class SmallCNN(nn.Module):
    """Two 3x3 conv + ReLU + 2x2 max-pool stages and two linear layers."""

    def __init__(self, in_channels=1, num_classes=10, image_size=28):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * (image_size // 4) ** 2, 64)
        self.fc2 = nn.Linear(64, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


def build_model(dataset):
    """The SmallCNN sized for a dataset's images."""
    if dataset == "cifar10":
        return SmallCNN(in_channels=3, image_size=32)
    return SmallCNN(in_channels=1, image_size=28)


# ----------------------------------------------------------------------------- progress bar
class ProgressBar:
    """A one-line progress bar: redrawn in place on a terminal, one plain line otherwise."""

    def __init__(self, total, prefix, stream=None, width=24):
        self.total, self.prefix, self.width = total, prefix, width
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = self.last_draw = time.perf_counter()

    def _line(self, done, info):
        filled = self.width * done // max(self.total, 1)
        bar = "=" * filled + (">" if filled < self.width else "") + "." * (self.width - filled - 1)
        elapsed = time.perf_counter() - self.start
        return f"{self.prefix} [{bar[:self.width]}] {done}/{self.total} {info} {elapsed:.1f}s"

    def update(self, done, info=""):
        now = time.perf_counter()
        if self.tty and (now - self.last_draw > 0.1 or done == self.total):
            self.last_draw = now
            self.stream.write("\r" + self._line(done, info) + "\033[K")
            self.stream.flush()

    def close(self, info=""):
        line = self._line(self.total, info)
        self.stream.write(("\r" + line + "\033[K\n") if self.tty else line + "\n")
        self.stream.flush()


# ----------------------------------------------------------------------------- the plot
_BLUE, _ORANGE, _GRAY, _BLACK = (31, 119, 180), (255, 127, 14), (225, 225, 225), (0, 0, 0)


def _draw_line(canvas, x0, y0, x1, y1, color, thickness=1):
    steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
    xs = np.rint(np.linspace(x0, x1, steps)).astype(int)
    ys = np.rint(np.linspace(y0, y1, steps)).astype(int)
    h, w = canvas.shape[:2]
    for dy in range(thickness):
        for dx in range(thickness):
            canvas[np.clip(ys + dy, 0, h - 1), np.clip(xs + dx, 0, w - 1)] = color


def _draw_panel(canvas, left, top, width, height, curves, y_max):
    """Axes with horizontal grid lines at fifths of y_max, and each (values, color) polyline."""
    for k in range(6):
        y = top + height - height * k / 5
        _draw_line(canvas, left, y, left + width, y, _GRAY if k else _BLACK)
        _draw_line(canvas, left - 4, y, left, y, _BLACK)
    _draw_line(canvas, left, top, left, top + height, _BLACK)
    for values, color in curves:
        points = [(left + width * i / max(len(values) - 1, 1),
                   top + height * (1 - min(v / y_max, 1))) for i, v in enumerate(values)]
        for (xa, ya), (xb, yb) in zip(points, points[1:]):
            _draw_line(canvas, xa, ya, xb, yb, color, thickness=2)
        for x, y in points:
            canvas[int(y) - 2:int(y) + 3, int(x) - 2:int(x) + 3] = color


def plot_curves(history, path, height=240, panel=300):
    """Writes a PNG: training loss (left) and train/test accuracy in % (right), per epoch."""
    from cresset.vision.io import write_png

    import cresset
    canvas = cresset.full((height, 2 * panel + 40, 3), 255, dtype=cresset.uint8)
    pixels = canvas.numpy()  # shares memory with the tensor: drawing writes into it
    loss_max = max(history["train_loss"]) * 1.1 or 1.0
    _draw_panel(pixels, 30, 20, panel - 40, height - 40, [(history["train_loss"], _BLUE)], loss_max)
    _draw_panel(pixels, panel + 50, 20, panel - 40, height - 40,
                [(history["train_acc"], _BLUE), (history["test_acc"], _ORANGE)], 100.0)
    write_png(canvas.permute(2, 0, 1).contiguous(), path)


# ----------------------------------------------------------------------------- training
def train_epoch(model, loader, optimizer, bar):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for step, (images, labels) in enumerate(loader, 1):
        optimizer.zero_grad()
        output = model(images)
        loss = F.cross_entropy(output, labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        correct += (output.argmax(1) == labels).sum().item()
        seen += len(labels)
        bar.update(step, f"loss {total_loss / seen:.4f}")
    return total_loss / seen, 100.0 * correct / seen


def evaluate(model, loader):
    model.eval()
    correct, seen = 0, 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(1) == labels).sum().item()
            seen += len(labels)
    return 100.0 * correct / max(seen, 1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=("synthetic", "mnist", "cifar10"),
                        default="synthetic")
    parser.add_argument("--data-dir", default=None,
                        help="directory of the standard MNIST / CIFAR-10 files")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    parser.add_argument("--out", default=os.path.join("runs", "classifier"),
                        help="directory for checkpoint.pt and curves.png")
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0,
                        help="use at most this many train and test images (quick runs)")
    parser.add_argument("--torch", action="store_true", help="run on real PyTorch instead")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.limit < 0:
        parser.error("--epochs and --batch-size must be positive and --limit non-negative")
    return args


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    start = time.perf_counter()
    train_set, test_set = load_split(args, train=True), load_split(args, train=False)
    print(f"{torch.__name__}: {args.dataset} dataset, {len(train_set)} train / "
          f"{len(test_set)} test images ({time.perf_counter() - start:.1f}s to load)")
    train_loader = data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                                   num_workers=args.num_workers,
                                   generator=torch.Generator().manual_seed(args.seed))
    test_loader = data.DataLoader(test_set, batch_size=1000, num_workers=args.num_workers)
    model = build_model(args.dataset)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(1, args.epochs + 1):
        bar = ProgressBar(len(train_loader), f"epoch {epoch}/{args.epochs}")
        train_loss, train_acc = train_epoch(model, train_loader, optimizer, bar)
        test_acc = evaluate(model, test_loader)
        bar.close(f"loss {train_loss:.4f} train acc {train_acc:.2f}% test acc {test_acc:.2f}%")
        for key, value in zip(history, (train_loss, train_acc, test_acc)):
            history[key].append(value)

    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": args.epochs, "dataset": args.dataset, "history": history}, checkpoint)
    plot = os.path.join(args.out, "curves.png")
    plot_curves(history, plot)
    print(f"final test accuracy {history['test_acc'][-1]:.2f}%")
    print(f"saved checkpoint {checkpoint}")
    print(f"saved plot {plot}")
    print(f"total time {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()
