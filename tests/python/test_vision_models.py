"""cresset.vision.models: torchvision's structure, parameter counts and state-dict keys, and
weights saved by real torch load and give the same outputs."""
import pytest
import torch
from cresset.vision import models
from utils import assert_same, to_cresset

import cresset

# torchvision's parameter counts (1000 classes).
PARAMETER_COUNTS = {
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "vgg11": 132_863_336,
    "mobilenet_v2": 3_504_872,
}

_BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def _bn_keys(prefix, channels):
    shapes = [(channels,)] * 4 + [()]
    return [(f"{prefix}.{name}", shape) for name, shape in zip(_BN, shapes)]


def resnet_keys(block, layers, num_classes=1000):
    """(key, shape) of torchvision's ResNet state dict, in registration order."""
    keys = [("conv1.weight", (64, 3, 7, 7))] + _bn_keys("bn1", 64)
    expansion = 1 if block == "basic" else 4
    inplanes = 64
    for stage, (planes, blocks) in enumerate(zip((64, 128, 256, 512), layers), 1):
        for i in range(blocks):
            p = f"layer{stage}.{i}"
            stride = 2 if stage > 1 and i == 0 else 1
            first = 3 if block == "basic" else 1  # kernel of conv1
            keys += [(f"{p}.conv1.weight", (planes, inplanes, first, first))]
            keys += _bn_keys(f"{p}.bn1", planes)
            keys += [(f"{p}.conv2.weight", (planes, planes, 3, 3))] + _bn_keys(f"{p}.bn2", planes)
            if block != "basic":
                keys += [(f"{p}.conv3.weight", (planes * 4, planes, 1, 1))]
                keys += _bn_keys(f"{p}.bn3", planes * 4)
            if i == 0 and (stride != 1 or inplanes != planes * expansion):
                keys += [(f"{p}.downsample.0.weight", (planes * expansion, inplanes, 1, 1))]
                keys += _bn_keys(f"{p}.downsample.1", planes * expansion)
            inplanes = planes * expansion
    return keys + [("fc.weight", (num_classes, 512 * expansion)), ("fc.bias", (num_classes,))]


def vgg11_keys(batch_norm):
    keys, index, in_channels = [], 0, 3
    for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
        if v == "M":
            index += 1
            continue
        keys += [(f"features.{index}.weight", (v, in_channels, 3, 3)),
                 (f"features.{index}.bias", (v,))]
        if batch_norm:
            keys += _bn_keys(f"features.{index + 1}", v)
        index += 3 if batch_norm else 2
        in_channels = v
    for i, (n_out, n_in) in zip((0, 3, 6), ((4096, 25088), (4096, 4096), (1000, 4096))):
        keys += [(f"classifier.{i}.weight", (n_out, n_in)), (f"classifier.{i}.bias", (n_out,))]
    return keys


def mobilenet_v2_keys():
    keys = [("features.0.0.weight", (32, 3, 3, 3))] + _bn_keys("features.0.1", 32)
    setting = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
               (6, 160, 3, 2), (6, 320, 1, 1)]
    index, inp = 1, 32
    for t, c, n, _ in setting:
        for _ in range(n):
            p, hidden, sub = f"features.{index}.conv", inp * t, 0
            if t != 1:
                keys += [(f"{p}.0.0.weight", (hidden, inp, 1, 1))] + _bn_keys(f"{p}.0.1", hidden)
                sub = 1
            keys += [(f"{p}.{sub}.0.weight", (hidden, 1, 3, 3))]
            keys += _bn_keys(f"{p}.{sub}.1", hidden)
            keys += [(f"{p}.{sub + 1}.weight", (c, hidden, 1, 1))] + _bn_keys(f"{p}.{sub + 2}", c)
            index, inp = index + 1, c
    keys += [(f"features.{index}.0.weight", (1280, 320, 1, 1))]
    keys += _bn_keys(f"features.{index}.1", 1280)
    return keys + [("classifier.1.weight", (1000, 1280)), ("classifier.1.bias", (1000,))]


EXPECTED_KEYS = {
    "resnet18": lambda: resnet_keys("basic", (2, 2, 2, 2)),
    "resnet34": lambda: resnet_keys("basic", (3, 4, 6, 3)),
    "resnet50": lambda: resnet_keys("bottleneck", (3, 4, 6, 3)),
    "vgg11": lambda: vgg11_keys(False),
    "vgg11_bn": lambda: vgg11_keys(True),
    "mobilenet_v2": mobilenet_v2_keys,
}


@pytest.fixture(scope="module")
def built():
    """One default-built model per architecture (the big ones are slow to initialise)."""
    return {name: getattr(models, name)() for name in EXPECTED_KEYS}


@pytest.mark.parametrize("name", sorted(PARAMETER_COUNTS))
def test_parameter_counts_equal_torchvision(built, name):
    assert sum(p.numel() for p in built[name].parameters()) == PARAMETER_COUNTS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_KEYS))
def test_state_dict_keys_and_shapes_equal_torchvision(built, name):
    state = built[name].state_dict()
    assert [(k, tuple(v.shape)) for k, v in state.items()] == EXPECTED_KEYS[name]()


def test_initialisation_follows_torchvision(built):
    resnet = built["resnet18"]
    assert cresset.equal(resnet.bn1.weight, cresset.ones(64))
    assert cresset.equal(resnet.layer1[0].bn2.bias, cresset.zeros(64))
    # kaiming_normal_(mode="fan_out", relu): std sqrt(2 / (64 * 7 * 7)) for the stem conv.
    assert abs(resnet.conv1.weight.std().item() / (2 / (64 * 49)) ** 0.5 - 1) < 0.05
    zero = models.resnet18(zero_init_residual=True)
    assert cresset.equal(zero.layer2[1].bn2.weight, cresset.zeros(128))
    vgg = built["vgg11"]
    assert abs(vgg.classifier[0].weight.std().item() - 0.01) < 1e-3
    assert cresset.equal(vgg.classifier[0].bias, cresset.zeros(4096))
    mobile = built["mobilenet_v2"]
    assert cresset.equal(mobile.classifier[1].bias, cresset.zeros(1000))


@pytest.mark.parametrize("name,shape,num_classes", [
    ("resnet18", (2, 3, 64, 64), 10),
    ("resnet34", (1, 3, 32, 32), 7),
    ("resnet50", (2, 3, 64, 64), 1000),
    ("vgg11", (1, 3, 32, 32), 5),
    ("vgg11_bn", (2, 3, 32, 32), 1000),
    ("mobilenet_v2", (2, 3, 64, 64), 1000),
])
def test_output_shapes(name, shape, num_classes):
    model = getattr(models, name)(num_classes=num_classes).eval()
    with cresset.no_grad():
        out = model(cresset.randn(*shape))
    assert out.shape == (shape[0], num_classes)
    assert bool(cresset.isfinite(out).all())


def test_resnet_trains_a_step():
    model = models.resnet18(num_classes=4)
    out = model(cresset.randn(2, 3, 32, 32))
    out.sum().backward()
    assert model.conv1.weight.grad is not None and model.fc.bias.grad.shape == (4,)
    assert model.layer1[0].bn1.num_batches_tracked.item() == 1


def test_mnist_net_structure_and_output():
    model = models.lenet()
    assert isinstance(model, models.MNISTNet)
    assert [(k, tuple(v.shape)) for k, v in model.state_dict().items()] == [
        ("conv1.weight", (32, 1, 3, 3)), ("conv1.bias", (32,)),
        ("conv2.weight", (64, 32, 3, 3)), ("conv2.bias", (64,)),
        ("fc1.weight", (128, 9216)), ("fc1.bias", (128,)),
        ("fc2.weight", (10, 128)), ("fc2.bias", (10,))]
    assert sum(p.numel() for p in model.parameters()) == 1_199_882
    model.eval()
    out = model(cresset.randn(3, 1, 28, 28))
    assert out.shape == (3, 10)
    assert_same(out.exp().sum(1), torch.ones(3), atol=1e-5, rtol=1e-5)
    assert [m.p for m in (model.dropout1, model.dropout2)] == [0.25, 0.5]


# --- weights saved by real torch: torch's own modules assembled as torchvision assembles them.
class TorchBasicBlock(torch.nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class TorchResNet18(torch.nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for stage, planes in enumerate((64, 128, 256, 512), 1):
            stride = 1 if stage == 1 else 2
            setattr(self, f"layer{stage}", nn.Sequential(TorchBasicBlock(inplanes, planes, stride),
                                                         TorchBasicBlock(planes, planes, 1)))
            inplanes = planes
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _randomise_batch_norm_stats(model):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def test_resnet18_loads_torch_checkpoint_and_matches(tmp_path):
    torch.manual_seed(0)
    theirs = TorchResNet18(num_classes=10)
    _randomise_batch_norm_stats(theirs)
    theirs.eval()
    path = tmp_path / "resnet18.pth"
    torch.save(theirs.state_dict(), path)
    ours = models.resnet18(weights=str(path), num_classes=10).eval()
    x = torch.randn(2, 3, 48, 48)
    with torch.no_grad():
        expected = theirs(x)
    with cresset.no_grad():
        got = ours(to_cresset(x))
    assert_same(got, expected, atol=1e-4, rtol=1e-4)


def test_mnist_net_loads_torch_checkpoint_and_matches(tmp_path):
    torch.manual_seed(1)
    nn = torch.nn
    theirs = nn.Module()
    theirs.conv1, theirs.conv2 = nn.Conv2d(1, 32, 3, 1), nn.Conv2d(32, 64, 3, 1)
    theirs.fc1, theirs.fc2 = nn.Linear(9216, 128), nn.Linear(128, 10)
    path = tmp_path / "mnist_cnn.pt"
    torch.save({"model": theirs.state_dict(), "epoch": 1}, path)  # a training checkpoint
    ours = models.lenet(weights=path).eval()
    x = torch.randn(4, 1, 28, 28)
    F = torch.nn.functional
    with torch.no_grad():
        h = F.max_pool2d(F.relu(theirs.conv2(F.relu(theirs.conv1(x)))), 2).flatten(1)
        expected = F.log_softmax(theirs.fc2(F.relu(theirs.fc1(h))), dim=1)
    with cresset.no_grad():
        got = ours(to_cresset(x))
    assert_same(got, expected, atol=1e-5, rtol=1e-5)


def test_weights_from_cresset_checkpoint_and_state_dict(tmp_path):
    source = models.mobilenet_v2(num_classes=3).eval()
    path = tmp_path / "mobilenet.pt"
    cresset.save(source.state_dict(), str(path))
    x = cresset.randn(1, 3, 32, 32)
    with cresset.no_grad():
        expected = source(x)
        for weights in (str(path), path, source.state_dict()):
            model = models.mobilenet_v2(weights=weights, num_classes=3).eval()
            assert cresset.equal(model(x), expected)


def test_bad_weights():
    with pytest.raises(TypeError, match="weights must be None, a path"):
        models.resnet18(weights=3)
    with pytest.raises(RuntimeError, match="size mismatch"):
        models.resnet18(weights=models.resnet18(num_classes=5).state_dict())
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1"):
        models.BasicBlock(64, 64, groups=2)
