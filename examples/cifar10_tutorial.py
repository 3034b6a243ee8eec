"""The 60-minute blitz's "Training a classifier" on cresset: a small CNN on CIFAR-10.

    python3 examples/cifar10_tutorial.py --data-dir DIR            # DIR/cifar-10-batches-py
    python3 examples/cifar10_tutorial.py --data-dir DIR --torch    # the same on real PyTorch

The tutorial's transforms (ToTensor, Normalize to [-1, 1]) are applied once to the whole split,
read by cresset.vision.datasets, and served from a TensorDataset, so the identical pipeline feeds
both frameworks.
"""
import argparse
import importlib
import sys

from _datasets import cifar10_arrays

torch = importlib.import_module("torch" if "--torch" in sys.argv[1:] else "cresset")
nn = torch.nn
F = torch.nn.functional
optim = torch.optim
data = importlib.import_module(torch.__name__ + ".utils.data")

classes = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)  # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def cifar10(root, train, limit):
    images, labels = cifar10_arrays(root, train)
    if limit:
        images, labels = images[:limit], labels[:limit]
    images = torch.from_numpy(images).float().div_(255).sub_(0.5).div_(0.5)
    return data.TensorDataset(images, torch.from_numpy(labels))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="./data",
                        help="directory holding cifar-10-batches-py")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=2000, help="mini-batches per loss line")
    parser.add_argument("--limit", type=int, default=0,
                        help="use at most this many train and test images")
    parser.add_argument("--save", default="./cifar_net.pth", help="where to save the weights")
    parser.add_argument("--torch", action="store_true", help="run on real PyTorch")
    args = parser.parse_args()

    torch.manual_seed(0)
    trainset, testset = cifar10(args.data_dir, True, args.limit), cifar10(args.data_dir, False,
                                                                          args.limit)
    trainloader = data.DataLoader(trainset, batch_size=args.batch_size, shuffle=True,
                                  num_workers=args.num_workers)
    testloader = data.DataLoader(testset, batch_size=args.batch_size, shuffle=False,
                                 num_workers=args.num_workers)

    net = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    for epoch in range(args.epochs):  # loop over the dataset multiple times
        running_loss = 0.0
        for i, (inputs, labels) in enumerate(trainloader, 0):
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % args.log_every == args.log_every - 1:
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / args.log_every:.3f}")
                running_loss = 0.0
    print("Finished Training")
    torch.save(net.state_dict(), args.save)

    net = Net()
    net.load_state_dict(torch.load(args.save, weights_only=True))
    correct = 0
    total = 0
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}
    with torch.no_grad():
        for images, labels in testloader:
            outputs = net(images)
            _, predicted = torch.max(outputs, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            for label, prediction in zip(labels, predicted):
                if label == prediction:
                    correct_pred[classes[label]] += 1
                total_pred[classes[label]] += 1
    print(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")
    for classname, correct_count in correct_pred.items():
        accuracy = 100 * float(correct_count) / max(total_pred[classname], 1)
        print(f"Accuracy for class: {classname:5s} is {accuracy:.1f} %")


if __name__ == "__main__":
    main()
