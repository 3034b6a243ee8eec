"""cresset.vision.transforms, utils and io against torchvision's documented definitions, computed
here independently with NumPy / Pillow, and real torch for the tensor math (interpolate)."""
import colorsys
import math

import numpy as np
import pytest
import torch
from cresset.vision import io as vio
from cresset.vision import transforms as T
from cresset.vision import utils as vutils
from cresset.vision.transforms import functional as F
from PIL import Image, ImageOps
from utils import to_cresset

import cresset

RNG = np.random.RandomState(0)
RGB = RNG.randint(0, 256, size=(11, 14, 3)).astype(np.uint8)
GRAY = RNG.randint(0, 256, size=(9, 6)).astype(np.uint8)


def pil_rgb():
    return Image.fromarray(RGB)


def chw(arr):
    """HWC uint8 ndarray -> cresset uint8 CHW tensor."""
    return cresset.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def np_of(t):
    return t.numpy() if isinstance(t, cresset.Tensor) else np.asarray(t)


# ---------------------------------------------------------------- conversions

def test_to_tensor_pil_modes():
    x = T.ToTensor()(pil_rgb())
    assert x.dtype == cresset.float32 and tuple(x.shape) == (3, 11, 14)
    np.testing.assert_array_equal(x.numpy(), RGB.transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    g = F.to_tensor(Image.fromarray(GRAY))
    assert tuple(g.shape) == (1, 9, 6)
    np.testing.assert_array_equal(g.numpy()[0], GRAY / np.float32(255))
    bits = Image.fromarray(GRAY > 128)  # mode '1' -> 0 / 1.0
    assert bits.mode == "1"
    np.testing.assert_array_equal(F.to_tensor(bits).numpy()[0], (GRAY > 128).astype(np.float32))
    ints = Image.fromarray(GRAY.astype(np.int32) * 1000)  # mode 'I' keeps int32 values
    t = F.to_tensor(ints)
    assert t.dtype == cresset.int32 and int(t[0, 1, 2]) == int(GRAY[1, 2]) * 1000
    floats = Image.fromarray(GRAY.astype(np.float32) / 7)
    t = F.to_tensor(floats)
    assert t.dtype == cresset.float32
    np.testing.assert_array_equal(t.numpy()[0], GRAY.astype(np.float32) / 7)


def test_to_tensor_ndarray():
    np.testing.assert_array_equal(F.to_tensor(RGB).numpy(), RGB.transpose(2, 0, 1) / np.float32(255))
    f64 = RGB.astype(np.float64) * 3
    t = F.to_tensor(f64)  # non-uint8 arrays keep dtype and values
    assert t.dtype == cresset.float64
    np.testing.assert_array_equal(t.numpy(), f64.transpose(2, 0, 1))
    assert tuple(F.to_tensor(GRAY).shape) == (1, 9, 6)
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([1, 2])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 1 dimensions."):
        F.to_tensor(np.zeros(3, np.uint8))


def test_pil_to_tensor():
    t = T.PILToTensor()(pil_rgb())
    assert t.dtype == cresset.uint8
    np.testing.assert_array_equal(t.numpy(), RGB.transpose(2, 0, 1))
    assert tuple(F.pil_to_tensor(Image.fromarray(GRAY)).shape) == (1, 9, 6)


def test_to_pil_image():
    x = cresset.from_numpy(RGB.transpose(2, 0, 1).astype(np.float32) / 255 * 0.999)
    img = T.ToPILImage()(x)
    assert img.mode == "RGB"
    # float tensors are multiplied by 255 and truncated (mul(255).byte()).
    expected = (RGB.astype(np.float32) / 255 * np.float32(0.999) * 255).astype(np.uint8)
    np.testing.assert_array_equal(np.asarray(img), expected)
    assert F.to_pil_image(cresset.from_numpy(GRAY)).mode == "L"
    np.testing.assert_array_equal(np.asarray(F.to_pil_image(cresset.from_numpy(GRAY))), GRAY)
    rgba = RNG.randint(0, 256, (4, 5, 4)).astype(np.uint8)
    assert F.to_pil_image(chw(rgba)).mode == "RGBA"
    assert F.to_pil_image(chw(rgba[:, :, :2])).mode == "LA"
    assert F.to_pil_image(rgba[:, :, :3], mode="HSV").mode == "HSV"
    f = F.to_pil_image(cresset.from_numpy(GRAY.astype(np.float32)).unsqueeze(0), mode="F")
    assert f.mode == "F" and np.asarray(f)[2, 3] == GRAY[2, 3]
    with pytest.raises(ValueError, match=r"Only modes \['LA'\] are supported for 2D inputs"):
        F.to_pil_image(chw(rgba[:, :, :2]), mode="RGB")
    with pytest.raises(ValueError, match="pic should not have > 4 channels. Got 5 channels."):
        F.to_pil_image(cresset.zeros(5, 2, 2))
    assert repr(T.ToPILImage()) == "ToPILImage()" and repr(T.ToPILImage("RGB")) == "ToPILImage(mode=RGB)"


@pytest.mark.parametrize("src,dst", [("uint8", "float32"), ("float32", "uint8"), ("uint8", "int32"),
                                     ("int32", "uint8"), ("float64", "int16"), ("float32", "float64")])
def test_convert_image_dtype(src, dst):
    if src.startswith("float"):
        values = np.array([0.0, 0.25, 0.5, 0.999, 1.0], dtype=src)
    else:
        values = np.array([0, 1, 127, 128, np.iinfo(src).max], dtype=src)
    out = T.ConvertImageDtype(getattr(cresset, dst))(cresset.from_numpy(values.reshape(1, 1, -1)))
    assert out.dtype == getattr(cresset, dst)
    if dst.startswith("float"):
        scale = 1.0 if src.startswith("float") else np.iinfo(src).max
        expected = values.astype(dst) / (np.array(scale, dtype=dst))
    elif src.startswith("float"):  # x * (max + 1 - eps), truncated
        expected = (values * (np.iinfo(dst).max + 1.0 - 1e-3)).astype(dst)
    else:
        in_max, out_max = np.iinfo(src).max, np.iinfo(dst).max
        if in_max > out_max:
            expected = (values // ((in_max + 1) // (out_max + 1))).astype(dst)
        else:
            expected = values.astype(dst) * ((out_max + 1) // (in_max + 1))
    np.testing.assert_array_equal(out.numpy().ravel(), expected)
    assert repr(T.ConvertImageDtype(cresset.float32)) == "ConvertImageDtype()"


def test_convert_image_dtype_unsafe():
    with pytest.raises(RuntimeError, match="The cast from torch.float32 to torch.int64 cannot be performed safely."):
        F.convert_image_dtype(cresset.zeros(1, 2, 2), cresset.int64)


def test_normalize_against_torch():
    x = torch.rand(2, 3, 4, 5, dtype=torch.float64)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    ours = T.Normalize(mean, std)(to_cresset(x))
    theirs = (x - torch.tensor(mean, dtype=torch.float64).view(-1, 1, 1)) / torch.tensor(std, dtype=torch.float64).view(-1, 1, 1)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    y = to_cresset(x)
    out = F.normalize(y, mean, std, inplace=True)
    assert out is y
    z = to_cresset(x)
    F.normalize(z, mean, std)
    np.testing.assert_array_equal(z.numpy(), x.numpy())  # not inplace: input untouched
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.uint8."):
        F.normalize(cresset.zeros(3, 2, 2, dtype=cresset.uint8), mean, std)
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to torch.float32"):
        F.normalize(cresset.zeros(3, 2, 2), mean, (1.0, 0.0, 1.0))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(..., C, H, W\)"):
        F.normalize(cresset.zeros(2, 2), mean, std)
    assert repr(T.Normalize(mean, std)) == f"Normalize(mean={mean}, std={std})"


# ---------------------------------------------------------------- geometry

def test_resize_pil_matches_pillow():
    img = pil_rgb()  # 14 wide, 11 high
    out = T.Resize(7)(img)  # smaller edge (height) -> 7, width int(7 * 14 / 11) = 8
    assert out.size == (8, 7)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((8, 7), Image.BILINEAR)))
    out = T.Resize((5, 9), interpolation=T.InterpolationMode.BICUBIC)(img)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((9, 5), Image.BICUBIC)))
    out = T.Resize(10, interpolation=T.InterpolationMode.NEAREST, max_size=11)(img)
    # long edge int(10 * 14 / 11) = 12 > 11: capped at 11, short edge int(11 * 10 / 12) = 9
    assert out.size == (11, 9)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((11, 9), Image.NEAREST)))
    assert T.Resize(11)(img) is img  # same size: returned unchanged
    with pytest.raises(ValueError, match="max_size = 7 must be strictly greater"):
        T.Resize(7, max_size=7)(img)
    assert repr(T.Resize(7)) == "Resize(size=7, interpolation=bilinear, max_size=None, antialias=True)"


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(5, 6), (17, 23), (4, 30)])
def test_resize_tensor_antialias_matches_torch(mode, size):
    x = torch.rand(2, 3, 11, 14)
    interp = T.InterpolationMode(mode)
    ours = F.resize(to_cresset(x), list(size), interpolation=interp, antialias=True)
    theirs = torch.nn.functional.interpolate(x, size=size, mode=mode, align_corners=False, antialias=True)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=2e-6)
    ours = F.resize(to_cresset(x[0]), list(size), interpolation=interp, antialias=False)
    theirs = torch.nn.functional.interpolate(x, size=size, mode=mode, align_corners=False)[0]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=2e-6)


def test_resize_tensor_uint8_rounds():
    x = torch.randint(0, 256, (3, 12, 10), dtype=torch.uint8)
    ours = T.Resize(5)(to_cresset(x))
    theirs = torch.nn.functional.interpolate(x[None].float(), size=(6, 5), mode="bilinear",
                                             align_corners=False, antialias=True)[0].round().to(torch.uint8)
    assert ours.dtype == cresset.uint8 and tuple(ours.shape) == (3, 6, 5)
    assert np.abs(ours.numpy().astype(int) - theirs.numpy().astype(int)).max() <= 1
    ours = T.Resize(5, interpolation=T.InterpolationMode.NEAREST)(to_cresset(x))
    theirs = torch.nn.functional.interpolate(x[None].float(), size=(6, 5), mode="nearest")[0].to(torch.uint8)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_center_crop():
    img = pil_rgb()
    out = T.CenterCrop((5, 6))(img)
    top, left = round((11 - 5) / 2.0), round((14 - 6) / 2.0)
    np.testing.assert_array_equal(np.asarray(out), RGB[top:top + 5, left:left + 6])
    np.testing.assert_array_equal(T.CenterCrop((5, 6))(chw(RGB)).numpy(), RGB[top:top + 5, left:left + 6].transpose(2, 0, 1))
    # Larger than the image: zero-padded (left/top get the smaller half).
    big = T.CenterCrop((14, 17))(img)
    expected = np.zeros((14, 17, 3), np.uint8)
    expected[1:12, 1:15] = RGB
    np.testing.assert_array_equal(np.asarray(big), expected)
    np.testing.assert_array_equal(T.CenterCrop((14, 17))(chw(RGB)).numpy(), expected.transpose(2, 0, 1))
    assert repr(T.CenterCrop(4)) == "CenterCrop(size=(4, 4))"


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [2, (1, 3), (1, 2, 3, 4), (2, -1, -2, 1)])
def test_pad_modes(mode, padding):
    if isinstance(padding, int):
        l = t = r = b = padding
    elif len(padding) == 2:
        l, t = r, b = padding[0], padding[1]
        l, r, t, b = padding[0], padding[0], padding[1], padding[1]
    else:
        l, t, r, b = padding
    src = RGB[max(-t, 0):RGB.shape[0] - max(-b, 0), max(-l, 0):RGB.shape[1] - max(-r, 0)]
    widths = ((max(t, 0), max(b, 0)), (max(l, 0), max(r, 0)), (0, 0))
    if mode == "constant":
        expected = np.pad(src, widths, mode="constant", constant_values=0)
        expected_fill = np.stack([np.pad(src[:, :, c], widths[:2], constant_values=v)
                                  for c, v in enumerate((10, 20, 30))], axis=2)
    else:
        expected = np.pad(src, widths, mode=mode)
    if mode != "constant" or min(l, t, r, b) >= 0:  # PIL constant padding cannot crop
        np.testing.assert_array_equal(np.asarray(T.Pad(padding, padding_mode=mode)(pil_rgb())), expected)
    np.testing.assert_array_equal(T.Pad(padding, padding_mode=mode)(chw(RGB)).numpy(), expected.transpose(2, 0, 1))
    if mode == "constant" and min(l, t, r, b) >= 0:
        np.testing.assert_array_equal(np.asarray(F.pad(pil_rgb(), padding, fill=(10, 20, 30))), expected_fill)


def test_pad_arguments():
    assert repr(T.Pad(3)) == "Pad(padding=3, fill=0, padding_mode=constant)"
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple"):
        T.Pad((1, 2, 3))
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        T.Pad("1")
    np.testing.assert_array_equal(F.pad(cresset.ones(1, 2, 2), 1, fill=7).numpy()[0],
                                  np.pad(np.ones((2, 2), np.float32), 1, constant_values=7))


def test_flips():
    for img, to_np in ((pil_rgb(), np.asarray), (chw(RGB), lambda t: t.numpy().transpose(1, 2, 0))):
        np.testing.assert_array_equal(to_np(T.RandomHorizontalFlip(p=1.0)(img)), RGB[:, ::-1])
        np.testing.assert_array_equal(to_np(T.RandomVerticalFlip(p=1.0)(img)), RGB[::-1])
        np.testing.assert_array_equal(to_np(T.RandomHorizontalFlip(p=0.0)(img)), RGB)
    assert repr(T.RandomVerticalFlip()) == "RandomVerticalFlip(p=0.5)"


def test_random_flip_draws_from_cresset_rng():
    cresset.manual_seed(7)
    draws = [float(cresset.rand(1)) < 0.5 for _ in range(20)]
    cresset.manual_seed(7)
    flip = T.RandomHorizontalFlip()
    x = chw(RGB)
    flipped = [bool((flip(x).numpy() != x.numpy()).any()) for _ in range(20)]
    assert flipped == draws and any(draws) and not all(draws)


def test_random_crop():
    img = pil_rgb()
    cresset.manual_seed(3)
    i, j = int(cresset.randint(0, 11 - 5 + 1, (1,))), int(cresset.randint(0, 14 - 6 + 1, (1,)))
    cresset.manual_seed(3)
    out = T.RandomCrop((5, 6))(img)
    np.testing.assert_array_equal(np.asarray(out), RGB[i:i + 5, j:j + 6])
    cresset.manual_seed(3)
    np.testing.assert_array_equal(T.RandomCrop((5, 6))(chw(RGB)).numpy(), RGB[i:i + 5, j:j + 6].transpose(2, 0, 1))
    # padding=4 then a 32x32-style crop: the CIFAR augmentation.
    cresset.manual_seed(4)
    out = T.RandomCrop(11, padding=2, padding_mode="reflect")(chw(RGB))
    cresset.manual_seed(4)
    i, j = int(cresset.randint(0, 15 - 11 + 1, (1,))), int(cresset.randint(0, 18 - 11 + 1, (1,)))
    padded = np.pad(RGB, ((2, 2), (2, 2), (0, 0)), mode="reflect")
    np.testing.assert_array_equal(out.numpy(), padded[i:i + 11, j:j + 11].transpose(2, 0, 1))
    assert T.RandomCrop((20, 30), pad_if_needed=True)(img).size == (30, 20)
    with pytest.raises(ValueError, match=r"Required crop size \(20, 30\) is larger than input image size \(11, 14\)"):
        T.RandomCrop((20, 30))(img)
    assert repr(T.RandomCrop(4, padding=2)) == "RandomCrop(size=(4, 4), padding=2)"


def test_random_resized_crop_params():
    img = pil_rgb()
    scale, ratio = (0.08, 1.0), (3 / 4, 4 / 3)
    cresset.manual_seed(11)
    area = 11 * 14
    for _ in range(10):
        target_area = area * float(cresset.empty(1).uniform_(*scale))
        aspect = math.exp(float(cresset.empty(1).uniform_(math.log(ratio[0]), math.log(ratio[1]))))
        w = int(round(math.sqrt(target_area * aspect)))
        h = int(round(math.sqrt(target_area / aspect)))
        if 0 < w <= 14 and 0 < h <= 11:
            i = int(cresset.randint(0, 11 - h + 1, (1,)))
            j = int(cresset.randint(0, 14 - w + 1, (1,)))
            break
    cresset.manual_seed(11)
    assert T.RandomResizedCrop.get_params(img, scale, ratio) == (i, j, h, w)
    cresset.manual_seed(11)
    out = T.RandomResizedCrop((4, 5))(img)
    expected = img.crop((j, i, j + w, i + h)).resize((5, 4), Image.BILINEAR)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    # Impossible scale: the fallback is the central crop clamped to the ratio range.
    assert T.RandomResizedCrop.get_params(img, (2.0, 3.0), (0.5, 0.6)) == (0, (14 - 7) // 2, 11, round(11 * 0.6))
    assert repr(T.RandomResizedCrop(8)) == ("RandomResizedCrop(size=(8, 8), scale=(0.08, 1.0), "
                                            "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)")


def test_random_rotation_pil():
    img = pil_rgb()
    cresset.manual_seed(5)
    angle = float(cresset.empty(1).uniform_(-30.0, 30.0))
    cresset.manual_seed(5)
    out = T.RandomRotation(30, fill=(1, 2, 3))(img)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.rotate(angle, Image.NEAREST, fillcolor=(1, 2, 3))))
    out = F.rotate(img, 90, expand=True)
    np.testing.assert_array_equal(np.asarray(out), np.rot90(RGB))
    assert repr(T.RandomRotation(10)) == "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)"
    with pytest.raises(ValueError, match="If degrees is a single number, it must be positive."):
        T.RandomRotation(-1)


# ---------------------------------------------------------------- colour

def test_grayscale():
    gray = T.Grayscale()(pil_rgb())
    assert gray.mode == "L"
    # ITU-R 601-2 luma, the definition of PIL's L conversion (fixed point, +-1).
    luma = RGB[..., 0] * 0.299 + RGB[..., 1] * 0.587 + RGB[..., 2] * 0.114
    assert np.abs(np.asarray(gray).astype(float) - luma).max() <= 1.0
    three = T.Grayscale(3)(pil_rgb())
    assert three.mode == "RGB" and (np.asarray(three) == np.asarray(gray)[..., None]).all()
    t = T.Grayscale(3)(chw(RGB))
    expected = (RGB[..., 0] * np.float32(0.2989) + RGB[..., 1] * np.float32(0.587) + RGB[..., 2] * np.float32(0.114))
    assert np.abs(t.numpy()[0].astype(float) - np.floor(expected)).max() <= 1.0
    assert tuple(t.shape) == (3, 11, 14) and (t.numpy()[0] == t.numpy()[2]).all()
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    assert T.RandomGrayscale(p=1.0)(pil_rgb()).mode == "RGB"
    assert repr(T.RandomGrayscale()) == "RandomGrayscale(p=0.1)"


def _blend_np(img, other, ratio, bound):
    return np.clip(ratio * img + (1.0 - ratio) * other, 0, bound)


def test_adjust_brightness_contrast_saturation_tensor():
    x = torch.rand(3, 6, 7)
    ours = F.adjust_brightness(to_cresset(x), 1.3)
    np.testing.assert_allclose(ours.numpy(), _blend_np(x.numpy(), 0.0, 1.3, 1.0), rtol=1e-6)
    gray = 0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]
    ours = F.adjust_contrast(to_cresset(x), 0.6)
    np.testing.assert_allclose(ours.numpy(), _blend_np(x.numpy(), gray.mean().item(), 0.6, 1.0), rtol=1e-5)
    ours = F.adjust_saturation(to_cresset(x), 1.7)
    np.testing.assert_allclose(ours.numpy(), _blend_np(x.numpy(), gray.numpy()[None], 1.7, 1.0), rtol=1e-5, atol=1e-6)
    u8 = to_cresset((x * 255).to(torch.uint8))
    ours = F.adjust_brightness(u8, 1.5)
    assert ours.dtype == cresset.uint8
    np.testing.assert_array_equal(ours.numpy(), _blend_np(u8.numpy().astype(np.float32), 0, 1.5, 255).astype(np.uint8))
    with pytest.raises(ValueError, match=r"brightness_factor \(-1\) is not non-negative."):
        F.adjust_brightness(u8, -1)


def test_adjust_pil_enhance():
    img = pil_rgb()
    out = np.asarray(F.adjust_brightness(img, 1.3)).astype(float)
    assert np.abs(out - np.clip(RGB * 1.3, 0, 255)).max() <= 1.0
    sat0 = np.asarray(F.adjust_saturation(img, 0.0))
    assert (sat0 == np.asarray(img.convert("L"))[..., None]).all()
    contrast0 = np.asarray(F.adjust_contrast(img, 0.0))
    assert (contrast0 == contrast0[0, 0]).all()  # a flat image at the mean grey


def _hue_np(rgb_float, factor):
    out = np.empty_like(rgb_float)
    for y in range(rgb_float.shape[1]):
        for x in range(rgb_float.shape[2]):
            h, s, v = colorsys.rgb_to_hsv(*rgb_float[:, y, x])
            out[:, y, x] = colorsys.hsv_to_rgb((h + factor) % 1.0, s, v)
    return out


def test_adjust_hue():
    x = np.random.RandomState(3).rand(3, 5, 6).astype(np.float32)
    x[:, 0, 0] = 0.5  # a grey pixel: hue undefined, stays grey
    ours = F.adjust_hue(cresset.from_numpy(x), 0.2)
    np.testing.assert_allclose(ours.numpy(), _hue_np(x.astype(np.float64), 0.2), atol=2e-6)
    np.testing.assert_allclose(F.adjust_hue(cresset.from_numpy(x), -0.45).numpy(), _hue_np(x.astype(np.float64), -0.45), atol=2e-6)
    pil = F.adjust_hue(pil_rgb(), 0.25)
    hsv = np.asarray(pil_rgb().convert("HSV")).copy()
    hsv[..., 0] = (hsv[..., 0].astype(int) + np.uint8(0.25 * 255)) % 256
    expected = np.asarray(Image.fromarray(hsv, "HSV").convert("RGB"))
    np.testing.assert_array_equal(np.asarray(pil), expected)
    with pytest.raises(ValueError, match=r"hue_factor \(0.6\) is not in \[-0.5, 0.5\]."):
        F.adjust_hue(pil_rgb(), 0.6)
    assert F.adjust_hue(Image.fromarray(GRAY), 0.3).mode == "L"


def test_color_jitter():
    cj = T.ColorJitter(brightness=0.4, contrast=0.3, saturation=(0.5, 1.5), hue=0.1)
    assert cj.brightness == (0.6, 1.4) and cj.contrast == (0.7, 1.3) and cj.hue == (-0.1, 0.1)
    assert repr(cj) == "ColorJitter(brightness=(0.6, 1.4), contrast=(0.7, 1.3), saturation=(0.5, 1.5), hue=(-0.1, 0.1))"
    assert T.ColorJitter().brightness is None
    x = cresset.from_numpy(np.random.RandomState(4).rand(3, 5, 6).astype(np.float32))
    cresset.manual_seed(9)
    order = cresset.randperm(4).tolist()
    factors = [float(cresset.empty(1).uniform_(*r)) for r in (cj.brightness, cj.contrast, cj.saturation, cj.hue)]
    expected = x
    fns = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
    for k in order:
        expected = fns[k](expected, factors[k])
    cresset.manual_seed(9)
    np.testing.assert_array_equal(cj(x).numpy(), expected.numpy())
    cresset.manual_seed(9)
    a = np.asarray(cj(pil_rgb()))
    cresset.manual_seed(9)
    assert (np.asarray(cj(pil_rgb())) == a).all()
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\), but got \[-0.7, 0.7\]."):
        T.ColorJitter(hue=0.7)


# ---------------------------------------------------------------- containers

def test_containers_and_reprs():
    c = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2)])
    np.testing.assert_allclose(c(pil_rgb()).numpy(), RGB.transpose(2, 0, 1) / np.float32(255) * 2, rtol=1e-6)
    assert repr(c) == "Compose(\n    ToTensor()\n    Lambda()\n)"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    ra = T.RandomApply([T.RandomHorizontalFlip(p=1.0)], p=1.0)
    np.testing.assert_array_equal(np.asarray(ra(pil_rgb())), RGB[:, ::-1])
    assert T.RandomApply([T.RandomHorizontalFlip(p=1.0)], p=0.0)(chw(RGB)).numpy().tolist() == chw(RGB).numpy().tolist()
    assert repr(ra) == "RandomApply(\n    p=1.0\n    RandomHorizontalFlip(p=1.0)\n)"
    choice = T.RandomChoice([T.Lambda(lambda v: v + 1), T.Lambda(lambda v: v + 10)], p=[0, 1])
    assert choice(0) == 10
    assert repr(choice) == "RandomChoice(\n    Lambda()\n    Lambda()\n)(p=[0, 1])"
    order = T.RandomOrder([T.Lambda(lambda v: v * 2), T.Lambda(lambda v: v + 1)])
    assert {order(1) for _ in range(40)} == {3, 4}
    assert T.InterpolationMode.BILINEAR.value == "bilinear"
    assert F.resize(pil_rgb(), [5, 5], interpolation=Image.NEAREST).size == (5, 5)


# ---------------------------------------------------------------- utils and io

def test_make_grid():
    x = torch.rand(5, 3, 4, 6)
    grid = vutils.make_grid(to_cresset(x), nrow=2, padding=1, pad_value=0.5)
    expected = np.full((3, 3 * 5 + 1, 2 * 7 + 1), 0.5, np.float32)
    for k in range(5):
        y, xx = divmod(k, 2)
        expected[:, 1 + y * 5:1 + y * 5 + 4, 1 + xx * 7:1 + xx * 7 + 6] = x[k].numpy()
    np.testing.assert_array_equal(grid.numpy(), expected)
    g1 = vutils.make_grid(to_cresset(x[:, :1]), nrow=8, padding=0)
    assert tuple(g1.shape) == (3, 4, 30) and (g1.numpy()[0] == g1.numpy()[2]).all()
    single = vutils.make_grid(to_cresset(x[0]))
    np.testing.assert_array_equal(single.numpy(), x[0].numpy())
    s = to_cresset(x * 4 - 1)
    normed = vutils.make_grid(s, normalize=True, padding=0, nrow=5)
    flat = (x * 4 - 1).numpy()
    expected = (np.concatenate(list(flat), axis=2) - flat.min()) / (flat.max() - flat.min())
    np.testing.assert_allclose(normed.numpy(), expected, rtol=1e-5, atol=1e-6)
    each = vutils.make_grid(s, normalize=True, scale_each=True, padding=0, nrow=5).numpy()
    for k in range(5):
        part = each[:, :, k * 6:(k + 1) * 6]
        assert part.min() == 0.0 and abs(part.max() - 1.0) < 1e-6
    clipped = vutils.make_grid(s, normalize=True, value_range=(0.0, 1.0), padding=0, nrow=5)
    np.testing.assert_allclose(clipped.numpy(), np.clip(np.concatenate(list(flat), axis=2), 0, 1), rtol=1e-6)
    assert (s.numpy() == flat).all()  # input untouched
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        vutils.make_grid(s, normalize=True, value_range=[0, 1])


def test_save_and_read_image(tmp_path):
    x = torch.rand(2, 3, 5, 4)
    path = tmp_path / "grid.png"
    vutils.save_image(to_cresset(x), str(path), nrow=2, padding=1)
    saved = np.asarray(Image.open(path))
    grid = vutils.make_grid(to_cresset(x), nrow=2, padding=1).numpy()
    np.testing.assert_array_equal(saved, np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0))
    t = vio.read_image(str(path))
    assert t.dtype == cresset.uint8 and tuple(t.shape) == (3, 7, 11)
    np.testing.assert_array_equal(t.numpy(), saved.transpose(2, 0, 1))
    gray = vio.read_image(str(path), vio.ImageReadMode.GRAY)
    np.testing.assert_array_equal(gray.numpy()[0], np.asarray(Image.open(path).convert("L")))
    rgba = vio.read_image(str(path), vio.ImageReadMode.RGB_ALPHA)
    assert tuple(rgba.shape) == (4, 7, 11) and (rgba.numpy()[3] == 255).all()
    vio.write_png(chw(RGB), str(tmp_path / "w.png"))
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "w.png")), RGB)
    Image.fromarray(RGB).save(tmp_path / "a.jpg", quality=90)
    jpg = vio.decode_image(vio.read_file(str(tmp_path / "a.jpg")))
    np.testing.assert_array_equal(jpg.numpy(), np.asarray(Image.open(tmp_path / "a.jpg")).transpose(2, 0, 1))
    pal = Image.fromarray(GRAY).convert("P")
    pal.save(tmp_path / "p.png")
    assert tuple(vio.read_image(str(tmp_path / "p.png")).shape) == (3, 9, 6)
    assert tuple(vio.read_image(str(tmp_path / "p.png"), vio.ImageReadMode.GRAY).shape) == (1, 9, 6)


def _inverse_affine(center, angle, translate, scale, shear):
    """Inverse of the forward map T * C * RSS * C^-1 (torchvision's documented affine), by
    NumPy's matrix inverse: the [a, b, c, d, e, f] that maps output to input pixels."""
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    rss = np.array([[math.cos(rot - sy) / math.cos(sy), -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot), 0],
                    [math.sin(rot - sy) / math.cos(sy), -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot), 0],
                    [0, 0, 1]])
    rss[:2, :2] *= scale
    c = np.array([[1, 0, center[0]], [0, 1, center[1]], [0, 0, 1]], dtype=float)
    t = np.array([[1, 0, translate[0]], [0, 1, translate[1]], [0, 0, 1]], dtype=float)
    return list(np.linalg.inv(t @ c @ rss @ np.linalg.inv(c))[:2].ravel())


def _torchvision_sample(x, m, mode, fill, ow=None, oh=None):
    """torchvision's tensor grid transform written out with real torch: affine grid on pixel
    centres, grid_sample(align_corners=False), fill through a mask channel."""
    h, w = x.shape[-2:]
    ow, oh = ow or w, oh or h
    theta = torch.tensor(m, dtype=torch.float64).view(1, 2, 3)
    base = torch.empty(1, oh, ow, 3, dtype=torch.float64)
    base[..., 0] = torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow, dtype=torch.float64)
    base[..., 1] = torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh, dtype=torch.float64).unsqueeze(-1)
    base[..., 2] = 1
    grid = base.view(1, oh * ow, 3).bmm(theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=torch.float64))
    img = x.double().unsqueeze(0)
    img = torch.cat((img, torch.ones_like(img[:, :1])), 1)
    out = torch.nn.functional.grid_sample(img, grid.view(1, oh, ow, 2), mode=mode, padding_mode="zeros", align_corners=False)
    out, mask = out[:, :-1], out[:, -1:].expand_as(out[:, :-1])
    fill_img = torch.tensor(fill, dtype=torch.float64).view(1, -1, 1, 1).expand_as(out)
    if mode == "nearest":
        out = torch.where(mask < 0.5, fill_img, out)
    else:
        out = out * mask + (1.0 - mask) * fill_img
    return out[0]


def _torchvision_rotate(x, angle, mode, expand, fill, center=None):
    h, w = x.shape[-2:]
    cx, cy = (0.0, 0.0) if center is None else (center[0] - w * 0.5, center[1] - h * 0.5)
    m = _inverse_affine((cx, cy), -angle, (0, 0), 1.0, (0, 0))
    ow = oh = None
    if expand:
        pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])
        new = pts @ torch.tensor(m, dtype=torch.float32).view(2, 3).T
        lo, hi = new.min(0).values + torch.tensor([w, h]) * 0.5, new.max(0).values + torch.tensor([w, h]) * 0.5
        size = torch.ceil(torch.trunc(hi / 1e-4) * 1e-4) - torch.floor(torch.trunc(lo / 1e-4) * 1e-4)
        ow, oh = int(size[0]), int(size[1])
    return _torchvision_sample(x, m, mode, fill, ow, oh)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("angle,expand,center", [(33.0, False, None), (-71.5, True, None), (90.0, True, None),
                                                 (20.0, False, (3, 4))])
def test_rotate_tensor_matches_grid_sample(mode, angle, expand, center):
    x = torch.rand(3, 9, 12, dtype=torch.float64)
    fill = [0.25, 0.5, 0.75]
    ours = F.rotate(to_cresset(x), angle, T.InterpolationMode(mode), expand=expand, center=center, fill=fill)
    theirs = _torchvision_rotate(x, angle, mode, expand, fill, center)
    assert tuple(ours.shape) == tuple(theirs.shape)
    if mode == "bilinear":
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-9)
    else:  # nearest: a sample exactly half-way between pixels may round either way
        assert (np.abs(ours.numpy() - theirs.numpy()) > 1e-9).mean() < 0.02


def test_random_rotation_tensor_uint8():
    x = chw(RGB)
    cresset.manual_seed(6)
    angle = float(cresset.empty(1).uniform_(-45.0, 45.0))
    cresset.manual_seed(6)
    out = T.RandomRotation(45, interpolation=T.InterpolationMode.BILINEAR, fill=7)(x)
    theirs = _torchvision_rotate(torch.from_numpy(x.numpy()).float(), angle, "bilinear", False, [7.0] * 3)
    assert out.dtype == cresset.uint8
    assert np.abs(out.numpy().astype(int) - theirs.round().numpy().astype(int)).max() <= 1
    with pytest.raises(ValueError, match="cannot broadcast to match the number of channels"):
        F.rotate(cresset.zeros(3, 4, 4), 10.0, fill=[1.0, 2.0])


def test_random_erasing():
    x = torch.rand(3, 10, 12)
    cresset.manual_seed(2)
    assert float(cresset.rand(1)) < 0.5
    area_draw = float(cresset.empty(1).uniform_(0.02, 0.33))
    ratio_draw = math.exp(float(cresset.empty(1).uniform_(math.log(0.3), math.log(3.3))))
    h = int(round(math.sqrt(120 * area_draw * ratio_draw)))
    w = int(round(math.sqrt(120 * area_draw / ratio_draw)))
    assert h < 10 and w < 12  # the first draw fits for this seed
    i, j = int(cresset.randint(0, 10 - h + 1, (1,))), int(cresset.randint(0, 12 - w + 1, (1,)))
    cresset.manual_seed(2)
    src = to_cresset(x)
    out = T.RandomErasing(value=(0.1, 0.2, 0.3))(src)
    expected = x.numpy().copy()
    expected[:, i:i + h, j:j + w] = np.array([0.1, 0.2, 0.3], np.float32)[:, None, None]
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(src.numpy(), x.numpy())  # not inplace
    assert repr(T.RandomErasing()) == "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)"
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")


def _gaussian_np(ksize, sigma):
    x = np.linspace(-(ksize - 1) * 0.5, (ksize - 1) * 0.5, ksize)
    pdf = np.exp(-0.5 * (x / sigma) ** 2)
    return pdf / pdf.sum()


def test_gaussian_blur():
    x = np.random.RandomState(5).rand(2, 3, 9, 11)
    kx, ky = _gaussian_np(5, 1.3), _gaussian_np(3, 0.7)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)), mode="reflect")
    expected = np.zeros_like(x)
    for dy in range(3):
        for dx in range(5):
            expected += ky[dy] * kx[dx] * padded[:, :, dy:dy + 9, dx:dx + 11]
    ours = F.gaussian_blur(cresset.from_numpy(x), [5, 3], [1.3, 0.7])
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-10, atol=1e-12)
    pil = F.gaussian_blur(pil_rgb(), 3, 0.8)
    k = _gaussian_np(3, 0.8).astype(np.float32)
    padded = np.pad(RGB.astype(np.float32), ((1, 1), (1, 1), (0, 0)), mode="reflect")
    blurred = sum(k[dy] * k[dx] * padded[dy:dy + 11, dx:dx + 14] for dy in range(3) for dx in range(3))
    assert np.abs(np.asarray(pil).astype(int) - np.round(blurred).astype(int)).max() <= 1
    assert repr(T.GaussianBlur(3)) == "GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))"
    with pytest.raises(ValueError, match="Kernel size value should be an odd and positive number."):
        T.GaussianBlur(4)


def test_affine_pil_and_tensor():
    img = pil_rgb()
    angle, translate, scale, shear = 25.0, (2, -1), 0.9, (10.0, -5.0)
    m = _inverse_affine((14 * 0.5, 11 * 0.5), angle, translate, scale, shear)
    out = F.affine(img, angle, list(translate), scale, list(shear), fill=(9, 8, 7))
    expected = img.transform(img.size, Image.AFFINE, m, Image.NEAREST, fillcolor=(9, 8, 7))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    x = torch.rand(3, 11, 14, dtype=torch.float64)
    ours = F.affine(to_cresset(x), angle, list(translate), scale, list(shear),
                    interpolation=T.InterpolationMode.BILINEAR, fill=[0.1, 0.2, 0.3])
    theirs = _torchvision_sample(x, _inverse_affine((0, 0), angle, translate, scale, shear), "bilinear", [0.1, 0.2, 0.3])
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-9)


def test_random_affine():
    ra = T.RandomAffine(30, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-5, 5, -3, 3))
    assert repr(ra) == ("RandomAffine(degrees=[-30.0, 30.0], translate=(0.1, 0.2), scale=(0.8, 1.2), "
                        "shear=[-5.0, 5.0, -3.0, 3.0])")
    cresset.manual_seed(8)
    angle = float(cresset.empty(1).uniform_(-30.0, 30.0))
    tx = int(round(float(cresset.empty(1).uniform_(-1.4, 1.4))))
    ty = int(round(float(cresset.empty(1).uniform_(-2.2, 2.2))))
    sc = float(cresset.empty(1).uniform_(0.8, 1.2))
    shx, shy = float(cresset.empty(1).uniform_(-5, 5)), float(cresset.empty(1).uniform_(-3, 3))
    cresset.manual_seed(8)
    assert T.RandomAffine.get_params(ra.degrees, ra.translate, ra.scale, ra.shear, [14, 11]) == (angle, (tx, ty), sc, (shx, shy))
    cresset.manual_seed(8)
    out = ra(chw(RGB))
    expected = F.affine(chw(RGB), angle, [tx, ty], sc, [shx, shy], fill=[0.0, 0.0, 0.0])
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(0.5, 1.5))


def test_five_and_ten_crop():
    crops = T.FiveCrop((4, 5))(pil_rgb())
    c_top, c_left = round((11 - 4) / 2.0), round((14 - 5) / 2.0)
    expected = [RGB[:4, :5], RGB[:4, -5:], RGB[-4:, :5], RGB[-4:, -5:], RGB[c_top:c_top + 4, c_left:c_left + 5]]
    for got, want in zip(crops, expected):
        np.testing.assert_array_equal(np.asarray(got), want)
    ten = T.TenCrop((4, 5), vertical_flip=True)(chw(RGB))
    assert len(ten) == 10
    np.testing.assert_array_equal(ten[5].numpy(), RGB[::-1][:4, :5].transpose(2, 0, 1))
    np.testing.assert_array_equal(ten[0].numpy(), expected[0].transpose(2, 0, 1))
    assert repr(T.TenCrop(3)) == "TenCrop(size=(3, 3), vertical_flip=False)"
    with pytest.raises(ValueError, match=r"Requested crop size \(12, 5\) is bigger than input size \(11, 14\)"):
        F.five_crop(pil_rgb(), (12, 5))


def test_non_contiguous_and_batched_tensors():
    x = torch.rand(2, 11, 14, 3, dtype=torch.float64).permute(0, 3, 1, 2)  # (N, C, H, W) view
    cx = to_cresset(x.contiguous()).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
    assert not cx.is_contiguous()
    np.testing.assert_allclose(F.normalize(cx, (0.5, 0.4, 0.3), (0.2, 0.3, 0.4)).numpy(),
                               ((x - torch.tensor([0.5, 0.4, 0.3], dtype=torch.float64).view(-1, 1, 1))
                                / torch.tensor([0.2, 0.3, 0.4], dtype=torch.float64).view(-1, 1, 1)).numpy(), rtol=1e-12)
    theirs = torch.nn.functional.interpolate(x, size=(6, 7), mode="bilinear", align_corners=False, antialias=True)
    np.testing.assert_allclose(F.resize(cx, [6, 7]).numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(F.hflip(cx).numpy(), x.flip(-1).numpy())
    np.testing.assert_array_equal(F.pad(cx, [1, 2], padding_mode="symmetric").numpy(),
                                  np.pad(x.numpy(), ((0, 0), (0, 0), (2, 2), (1, 1)), mode="symmetric"))
    np.testing.assert_array_equal(F.center_crop(cx, 5).numpy(), x.numpy()[:, :, 3:8, 4:9])


def test_pixel_ops():
    f = RGB.transpose(2, 0, 1).astype(np.float32) / 255
    for img, as_np, bound in ((pil_rgb(), lambda o: np.asarray(o), 255), (chw(RGB), lambda o: o.numpy().transpose(1, 2, 0), 255)):
        np.testing.assert_array_equal(as_np(T.RandomInvert(p=1.0)(img)), 255 - RGB)
        np.testing.assert_array_equal(as_np(T.RandomPosterize(3, p=1.0)(img)), RGB & 0b11100000)
        np.testing.assert_array_equal(as_np(T.RandomSolarize(100, p=1.0)(img)), np.where(RGB >= 100, 255 - RGB, RGB))
        gamma = np.array([int((255 + 1 - 1e-3) * 1.2 * (v / 255.0) ** 0.7) for v in range(256)])
        got = as_np(F.adjust_gamma(img, 0.7, 1.2)).astype(int)
        assert np.abs(got - np.minimum(gamma[RGB], 255)).max() <= 1
        lo, hi = RGB.min(axis=(0, 1)), RGB.max(axis=(0, 1))
        stretched = (RGB.astype(np.float32) - lo) * (np.float32(bound) / (hi - lo).astype(np.float32))
        assert np.abs(as_np(T.RandomAutocontrast(p=1.0)(img)).astype(int) - np.clip(stretched, 0, 255).astype(int)).max() <= 1
    np.testing.assert_allclose(F.invert(cresset.from_numpy(f)).numpy(), 1 - f, rtol=1e-6)
    flat = cresset.full((3, 4, 4), 0.3)
    np.testing.assert_array_equal(F.autocontrast(flat).numpy(), flat.numpy())
    assert repr(T.RandomPosterize(2)) == "RandomPosterize(bits=2,p=0.5)"
    assert repr(T.RandomSolarize(10, p=0.3)) == "RandomSolarize(threshold=10,p=0.3)"
    assert repr(T.RandomInvert()) == "RandomInvert(p=0.5)"
    eq = np.asarray(T.RandomEqualize(p=1.0)(pil_rgb()))
    assert eq.shape == RGB.shape and eq.max() == 255
    # The tensor path computes PIL's table: cumulative histogram / step, step from all but the last bin.
    low = (RGB // 3).astype(np.uint8)
    batch = cresset.stack([chw(low), chw(RGB)])
    out = F.equalize(batch).numpy()
    np.testing.assert_array_equal(out[0].transpose(1, 2, 0), np.asarray(ImageOps.equalize(Image.fromarray(low))))
    np.testing.assert_array_equal(out[1].transpose(1, 2, 0), eq)
    flat = cresset.full((1, 3, 3), 9, dtype=cresset.uint8)
    np.testing.assert_array_equal(F.equalize(flat).numpy(), flat.numpy())
    with pytest.raises(TypeError, match="Only torch.uint8 image tensors are supported, but found torch.float32"):
        F.equalize(cresset.zeros(3, 2, 2))


def test_adjust_sharpness():
    x = np.random.RandomState(7).rand(3, 6, 8).astype(np.float64)
    k = np.ones((3, 3)) / 13.0
    k[1, 1] = 5 / 13.0
    blurred = x.copy()
    blurred[:, 1:-1, 1:-1] = sum(k[dy, dx] * x[:, dy:dy + 4, dx:dx + 6] for dy in range(3) for dx in range(3))
    ours = T.RandomAdjustSharpness(2.0, p=1.0)(cresset.from_numpy(x))
    np.testing.assert_allclose(ours.numpy(), np.clip(2.0 * x - blurred, 0, 1), rtol=1e-12, atol=1e-12)
    pil = np.asarray(F.adjust_sharpness(pil_rgb(), 0.0)).astype(int)  # fully smoothed interior
    smooth = RGB.astype(np.float64)
    inner = sum(k[dy, dx] * smooth[dy:dy + 9, dx:dx + 12] for dy in range(3) for dx in range(3))
    assert np.abs(pil[1:-1, 1:-1] - np.round(inner)).max() <= 1
    assert repr(T.RandomAdjustSharpness(2)) == "RandomAdjustSharpness(sharpness_factor=2,p=0.5)"


def test_linear_transformation():
    m = torch.rand(12, 12, dtype=torch.float64)
    mean = torch.rand(12, dtype=torch.float64)
    x = torch.rand(2, 3, 2, 2, dtype=torch.float64)
    lt = T.LinearTransformation(to_cresset(m), to_cresset(mean))
    np.testing.assert_allclose(lt(to_cresset(x)).numpy(), ((x.reshape(-1, 12) - mean) @ m).reshape(x.shape).numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match=r"transformation_matrix should be square. Got \(12, 3\) rectangular matrix."):
        T.LinearTransformation(cresset.zeros(12, 3), cresset.zeros(12))
    with pytest.raises(ValueError, match=r"Input tensor and transformation matrix have incompatible shape.\[1 x 2 x 2\] != 12"):
        lt(cresset.zeros(1, 2, 2, dtype=cresset.float64))
    small = T.LinearTransformation(cresset.eye(1), cresset.zeros(1))
    assert repr(small) == "LinearTransformation(transformation_matrix=[[1.0]], mean_vector=[0.0])"
