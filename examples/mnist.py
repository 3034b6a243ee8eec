"""PyTorch's classic examples/mnist/main.py on cresset: the MNIST CNN trained with Adadelta.

    python3 examples/mnist.py --data-dir /path/to/mnist --epochs 1
    python3 examples/mnist.py --data-dir /path/to/mnist --epochs 1 --torch   # same, real PyTorch
    python3 examples/mnist.py --data-dir /path/to/mnist --epochs 1 --optimizer adam
        # the Python twin of examples/cpp/mnist (Adam, lr 1e-3): compare its median step time
    python3 examples/mnist.py ... --torch --save-init init.pt --order-seed 1
    python3 examples/mnist.py ... --init init.pt --order-seed 1
        # a seed-independent setup: both frameworks start from the same weights and see the
        # samples in the same order (benchmarks/mnist_accuracy.py compares them this way)

The data are read once by cresset.vision.datasets (MNIST/raw layout or the idx files directly in
--data-dir) and normalized with (0.1307, 0.3081) as the original's transforms do, then served by a
TensorDataset, so the identical pipeline feeds both frameworks.
"""
import argparse
import importlib
import statistics
import sys
import time

import numpy as np
from _datasets import mnist_arrays

torch = importlib.import_module("torch" if "--torch" in sys.argv[1:] else "cresset")
nn = torch.nn
F = torch.nn.functional
optim = torch.optim
StepLR = torch.optim.lr_scheduler.StepLR
data = importlib.import_module(torch.__name__ + ".utils.data")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


class NumpyOrder:
    """A shuffling sampler whose permutations come from NumPy, so that cresset and torch draw the
    same sample order from the same seed (each framework's own generator differs)."""

    def __init__(self, size, seed):
        self.size, self.rng = size, np.random.default_rng(seed)

    def __iter__(self):
        return iter(self.rng.permutation(self.size).tolist())

    def __len__(self):
        return self.size


def train(args, model, device, train_loader, optimizer, epoch):
    """One epoch (or --max-steps steps); returns the wall and the thread CPU time of each step
    (zero_grad to step). With --threads 1 the CPU time is the step's own work, which a busy
    machine inflates much less than wall time."""
    model.train()
    step_times, step_cpu_times = [], []
    for batch_idx, (data, target) in enumerate(train_loader):
        if args.max_steps and batch_idx >= args.max_steps:
            break
        start, cpu_start = time.perf_counter(), time.thread_time()
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        step_times.append(time.perf_counter() - start)
        step_cpu_times.append(time.thread_time() - cpu_start)
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)} "
                  f"({100. * batch_idx / len(train_loader):.0f}%)]\tLoss: {loss.item():.6f}")
            if args.dry_run:
                break
    return step_times, step_cpu_times


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    total = len(test_loader.dataset)
    print(f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{total} "
          f"({100. * correct / total:.0f}%)\n")
    return 100. * correct / total


def mnist_dataset(root, train, limit):
    images, labels = mnist_arrays(root, train)
    if limit:
        images, labels = images[:limit], labels[:limit]
    images = torch.from_numpy(images).float().div_(255).sub_(0.1307).div_(0.3081)
    return data.TensorDataset(images, torch.from_numpy(labels))


def main():
    parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
    parser.add_argument("--batch-size", type=int, default=64, metavar="N",
                        help="input batch size for training (default: 64)")
    parser.add_argument("--test-batch-size", type=int, default=1000, metavar="N",
                        help="input batch size for testing (default: 1000)")
    parser.add_argument("--epochs", type=int, default=14, metavar="N",
                        help="number of epochs to train (default: 14)")
    parser.add_argument("--lr", type=float, default=None, metavar="LR",
                        help="learning rate (default: 1.0 for Adadelta, 1e-3 for Adam)")
    parser.add_argument("--optimizer", choices=["adadelta", "adam"], default="adadelta",
                        help="adam: the optimizer of the C++ example examples/cpp/mnist")
    parser.add_argument("--max-steps", type=int, default=0,
                        help="stop each epoch after this many steps (0: the whole epoch)")
    parser.add_argument("--gamma", type=float, default=0.7, metavar="M",
                        help="Learning rate step gamma (default: 0.7)")
    parser.add_argument("--dry-run", action="store_true", default=False,
                        help="quickly check a single pass")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="random seed (default: 1)")
    parser.add_argument("--log-interval", type=int, default=10, metavar="N",
                        help="how many batches to wait before logging training status")
    parser.add_argument("--save-model", action="store_true", default=False,
                        help="For Saving the current Model")
    parser.add_argument("--data-dir", default="../data", help="directory of the MNIST files")
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0,
                        help="use at most this many train and test images")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads (0: default)")
    parser.add_argument("--torch", action="store_true", help="run on real PyTorch")
    parser.add_argument("--device", default=None,
                        help="cpu or cuda (default: cuda when a GPU is available, else cpu)")
    parser.add_argument("--init", metavar="PATH",
                        help="start from the weights in this checkpoint instead of drawing them")
    parser.add_argument("--save-init", metavar="PATH",
                        help="save the initial weights (before training) to this checkpoint")
    parser.add_argument("--order-seed", type=int, default=None, metavar="S",
                        help="shuffle the training samples with NumPy from this seed instead of "
                             "the framework's generator")
    args = parser.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_kwargs = {"batch_size": args.batch_size, "num_workers": args.num_workers}
    test_kwargs = {"batch_size": args.test_batch_size, "num_workers": args.num_workers}
    dataset1 = mnist_dataset(args.data_dir, True, args.limit)
    dataset2 = mnist_dataset(args.data_dir, False, args.limit)
    if args.order_seed is None:
        train_loader = data.DataLoader(dataset1, shuffle=True, **train_kwargs)
    else:
        train_loader = data.DataLoader(
            dataset1, sampler=NumpyOrder(len(dataset1), args.order_seed), **train_kwargs)
    test_loader = data.DataLoader(dataset2, **test_kwargs)

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model = Net().to(device)
    if args.init:
        model.load_state_dict(torch.load(args.init, weights_only=True, map_location=device))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    if args.optimizer == "adam":
        optimizer = optim.Adam(model.parameters(), lr=args.lr or 1e-3)
    else:
        optimizer = optim.Adadelta(model.parameters(), lr=args.lr or 1.0)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        step_times, step_cpu_times = train(args, model, device, train_loader, optimizer, epoch)
        train_time = time.perf_counter() - start
        test(model, device, test_loader)
        print(f"Epoch {epoch} time: {train_time:.1f}s training, "
              f"{time.perf_counter() - start:.1f}s with test, median step "
              f"{1e3 * statistics.median(step_times):.2f} ms "
              f"({1e3 * statistics.median(step_cpu_times):.2f} ms CPU) over {len(step_times)} steps")
        scheduler.step()

    if args.save_model:
        torch.save(model.state_dict(), "mnist_cnn.pt")


if __name__ == "__main__":
    main()
