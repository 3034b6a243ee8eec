"""Transform kernels on image tensors (..., C, H, W) (torchvision.transforms._functional_tensor)."""
import numpy as np

import cresset
from cresset.nn import functional as nnF


def _is_tensor_a_torch_image(x):
    return x.ndim >= 2


def _assert_image_tensor(img):
    if not _is_tensor_a_torch_image(img):
        raise TypeError("Tensor is not a torch image.")


def get_dimensions(img):
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    height, width = img.shape[-2:]
    return [channels, height, width]


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


def _max_value(dtype):
    if dtype.is_floating_point:
        return 1.0
    return cresset.iinfo(dtype).max


def convert_image_dtype(image, dtype=cresset.float):
    """Converts between dtypes rescaling values: floats live in [0, 1], integers in [0, max]."""
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == cresset.float32 and dtype in (cresset.int32, cresset.int64)) or (
                image.dtype == cresset.float64 and dtype == cresset.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # Scale by max + 1 - eps so that 1.0 maps to max and every bin has equal width.
        eps = 1e-3
        return image.mul(float(_max_value(dtype)) + 1.0 - eps).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return cresset.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def vflip(img):
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img):
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img, top, left, height, width):
    """img[..., top:top+height, left:left+width], zero-padded where the box leaves the image."""
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _pad_indices(size, before, after, mode):
    """Source indices along one axis for edge / reflect / symmetric padding (negative = crop)."""
    idx = np.arange(-before, size + after)
    if mode == "edge":
        return np.clip(idx, 0, size - 1)
    if mode == "reflect":
        if size == 1:
            return np.zeros_like(idx)
        period = 2 * (size - 1)
        idx = np.mod(idx, period)
        return np.where(idx > size - 1, period - idx, idx)
    period = 2 * size  # symmetric: the edge pixel is repeated
    idx = np.mod(idx, period)
    return np.where(idx >= size, period - 1 - idx, idx)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pads the last two dims by padding (int, [lr, tb] or [l, t, r, b]); negative crops."""
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, tuple):
        padding = list(padding)
    if isinstance(padding, list):
        if len(padding) not in [1, 2, 4]:
            raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                             f"{len(padding)} element tuple")
        if len(padding) == 1:
            padding = padding * 4
        elif len(padding) == 2:
            padding = [padding[0], padding[1], padding[0], padding[1]]
    else:
        padding = [padding] * 4
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = (int(p) for p in padding)
    h, w = img.shape[-2:]
    if padding_mode == "reflect" and (max(left, right) >= w or max(top, bottom) >= h):
        raise ValueError(f"Padding size should be less than the corresponding input dimension, "
                         f"but got: padding ({left}, {right}) at dimension -1 of input {list(img.shape)}")
    if padding_mode != "constant":
        rows = cresset.from_numpy(_pad_indices(h, top, bottom, padding_mode).astype(np.int64))
        cols = cresset.from_numpy(_pad_indices(w, left, right, padding_mode).astype(np.int64))
        return img.index_select(-2, rows).index_select(-1, cols)
    img = img[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    ih, iw = img.shape[-2:]
    out = img.new_full(list(img.shape[:-2]) + [ih + top + bottom, iw + left + right], fill)
    out.narrow(-2, top, ih).narrow(-1, left, iw).copy_(img)
    return out


def resize(img, size, interpolation="bilinear", antialias=True):
    """Resizes to size [h, w] through interpolate (integer images through float32, rounded)."""
    _assert_image_tensor(img)
    if antialias is None:
        antialias = False
    if antialias and interpolation not in ["bilinear", "bicubic"]:
        antialias = False
    shape = img.shape
    out_dtype = img.dtype
    x = img.reshape(-1, *shape[-3:]) if img.ndim >= 3 else img.reshape(1, 1, *shape)
    if not x.is_floating_point():
        x = x.to(cresset.float32)
    align_corners = False if interpolation in ["bilinear", "bicubic"] else None
    x = nnF.interpolate(x, size=list(size), mode=interpolation, align_corners=align_corners,
                        antialias=antialias)
    if interpolation == "bicubic" and out_dtype == cresset.uint8:
        x = x.clamp(min=0, max=255)
    if not out_dtype.is_floating_point:
        x = cresset.round(x).to(out_dtype)
    return x.reshape(*shape[:-2], *size)


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype)
        l_img = l_img.unsqueeze(dim=-3)
    else:
        l_img = img.clone()
    if num_output_channels == 3:
        return l_img.expand(img.shape)
    return l_img


def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = 1.0 if img1.is_floating_point() else 255.0
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, cresset.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    c = get_dimensions(img)[0]
    dtype = img.dtype if img.is_floating_point() else cresset.float32
    gray = rgb_to_grayscale(img) if c == 3 else img
    mean = cresset.mean(gray.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = cresset.amax(img, dim=-3)
    minc = cresset.amin(img, dim=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = cresset.ones_like(maxc)
    s = cr / cresset.where(eqc, ones, maxc)
    cr_divisor = cresset.where(eqc, ones, cr)
    rc = (maxc - r) / cr_divisor
    gc = (maxc - g) / cr_divisor
    bc = (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = hr + hg + hb
    h = cresset.fmod((h / 6.0 + 1.0), 1.0)
    return cresset.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = cresset.floor(h * 6.0)
    f = (h * 6.0) - i
    i = i.to(dtype=cresset.int32)
    p = cresset.clamp((v * (1.0 - s)), 0.0, 1.0)
    q = cresset.clamp((v * (1.0 - s * f)), 0.0, 1.0)
    t = cresset.clamp((v * (1.0 - s * (1.0 - f))), 0.0, 1.0)
    i = i % 6
    mask = i.unsqueeze(dim=-3) == cresset.arange(6).view(-1, 1, 1)
    a1 = cresset.stack((v, q, p, p, t, v), dim=-3)
    a2 = cresset.stack((t, v, v, q, p, p), dim=-3)
    a3 = cresset.stack((p, p, t, v, v, q), dim=-3)
    a4 = cresset.stack((a1, a2, a3), dim=-4)
    # torchvision's einsum("...ijk, ...xijk -> ...xjk"): one non-zero term per pixel.
    return (mask.unsqueeze(-4).to(img.dtype) * a4).sum(dim=-3)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    img = convert_image_dtype(img, cresset.float32)
    h, s, v = _rgb2hsv(img).unbind(dim=-3)
    h = (h + hue_factor) % 1.0
    img_hue_adj = _hsv2rgb(cresset.stack((h, s, v), dim=-3))
    return convert_image_dtype(img_hue_adj, orig_dtype)


def _affine_output_size(matrix, w, h):
    """Bounding box (w, h) of the image corners moved by the inverse affine matrix (expand)."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.array(matrix, dtype=np.float32).reshape(2, 3)
    new_pts = pts @ theta.T
    halfs = np.array((w, h), dtype=np.float32) * 0.5
    min_vals, max_vals = new_pts.min(axis=0) + halfs, new_pts.max(axis=0) + halfs
    tol = 1e-4  # drop float noise before rounding outwards, as torchvision does
    cmax = np.ceil(np.trunc(max_vals / tol) * tol)
    cmin = np.floor(np.trunc(min_vals / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    """Samples img at the inverse affine matrix (pixel coordinates about the centre), like
    torchvision's affine grid + grid_sample(align_corners=False, zero padding); with fill, pixels
    from outside the image become fill (bilinear: blended by the in-image weight)."""
    _assert_image_tensor(img)
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")
    shape = img.shape
    h, w = shape[-2], shape[-1]
    ow, oh = _affine_output_size(matrix, w, h) if expand else (w, h)
    out_dtype = img.dtype
    x = img.reshape(-1, h * w)
    if not x.is_floating_point():
        x = x.to(cresset.float32)
    # The grid is computed as torchvision does, in the image's float dtype: normalised to
    # [-1, 1] by theta / (w/2, h/2), then back to pixels by grid_sample's ((g + 1) * size - 1) / 2,
    # so that half-way samples round the same way.
    nd = np.float64 if x.dtype == cresset.float64 else np.float32
    xb = (np.arange(ow) - ow * 0.5 + 0.5).astype(nd)
    yb = (np.arange(oh) - oh * 0.5 + 0.5).astype(nd)[:, None]
    theta = np.array(matrix, dtype=nd).reshape(2, 3) / np.array([[0.5 * w], [0.5 * h]], dtype=nd)
    gx = xb * theta[0, 0] + yb * theta[0, 1] + theta[0, 2]
    gy = xb * theta[1, 0] + yb * theta[1, 1] + theta[1, 2]
    ix = (((gx + nd(1)) * nd(w) - nd(1)) / nd(2)).ravel().astype(np.float64)
    iy = (((gy + nd(1)) * nd(h) - nd(1)) / nd(2)).ravel().astype(np.float64)
    if interpolation == "nearest":
        corners = [(np.rint(ix), np.rint(iy), np.ones_like(ix))]
    else:
        x0, y0 = np.floor(ix), np.floor(iy)
        fx, fy = ix - x0, iy - y0
        corners = [(x0, y0, (1 - fx) * (1 - fy)), (x0 + 1, y0, fx * (1 - fy)),
                   (x0, y0 + 1, (1 - fx) * fy), (x0 + 1, y0 + 1, fx * fy)]
    out = None
    mask = np.zeros_like(ix)
    for cx, cy, weight in corners:
        valid = (cx >= 0) & (cx <= w - 1) & (cy >= 0) & (cy <= h - 1)
        weight = np.where(valid, weight, 0.0)
        mask += weight
        flat = np.where(valid, cy * w + cx, 0).astype(np.int64)
        term = x.index_select(1, cresset.from_numpy(flat)) * cresset.from_numpy(weight).to(x.dtype)
        out = term if out is None else out + term
    if fill is not None:
        fills = list(fill) if isinstance(fill, (list, tuple)) else [float(fill)]
        channels = shape[-3] if img.ndim >= 3 else 1
        if len(fills) not in (1, channels):
            raise ValueError("The number of elements in 'fill' cannot broadcast to match the number "
                             f"of channels of the image ({len(fills)} != {channels})")
        # Rows of x cycle through the channels.
        fill_col = cresset.tensor(fills * (x.shape[0] // len(fills)), dtype=x.dtype).view(-1, 1)
        mask_t = cresset.from_numpy(mask).to(x.dtype)
        if interpolation == "nearest":
            out = cresset.where(mask_t < 0.5, fill_col, out)
        else:
            out = out * mask_t + (1.0 - mask_t) * fill_col
    if not out_dtype.is_floating_point:
        out = cresset.round(out).to(out_dtype)
    return out.reshape(*shape[:-2], oh, ow)


def erase(img, i, j, h, w, v, inplace=False):
    """img with the box [i:i+h, j:j+w] set to v."""
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def _gaussian_kernel1d(kernel_size, sigma, dtype):
    ksize_half = (kernel_size - 1) * 0.5
    x = cresset.linspace(-ksize_half, ksize_half, steps=kernel_size, dtype=dtype)
    pdf = cresset.exp(-0.5 * (x / sigma).pow(2))
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma):
    """Separable Gaussian kernel (kernel_size [kx, ky], sigma [sx, sy]) applied per channel with
    reflect padding, as a depthwise conv2d."""
    _assert_image_tensor(img)
    dtype = img.dtype if img.is_floating_point() else cresset.float32
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], dtype)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], dtype)
    kernel = cresset.mm(ky[:, None], kx[None, :])
    shape = img.shape
    x = img.reshape(-1, *shape[-3:]) if img.ndim >= 3 else img.reshape(1, 1, *shape)
    out_dtype = x.dtype
    if x.dtype != dtype:
        x = x.to(dtype)
    channels = x.shape[-3]
    weight = kernel.expand(channels, 1, kernel.shape[0], kernel.shape[1])
    padding = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2]
    x = nnF.pad(x, padding, mode="reflect")
    x = nnF.conv2d(x, weight.contiguous(), groups=channels)
    if not out_dtype.is_floating_point:
        x = cresset.round(x).to(out_dtype)
    return x.reshape(shape)


def invert(img):
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _max_value(img.dtype) - img


def posterize(img, bits):
    """Keeps the `bits` high bits of each uint8 value."""
    _assert_image_tensor(img)
    if img.dtype != cresset.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    mask = (0xFF << (8 - bits)) & 0xFF
    return img & mask


def solarize(img, threshold):
    """Inverts the values at or above threshold."""
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if threshold > _max_value(img.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return cresset.where(img >= threshold, invert(img), img)


def adjust_gamma(img, gamma, gain=1):
    """gain * img ** gamma on values in [0, 1], clamped; integer images go through float32."""
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    dtype = img.dtype
    result = img if img.is_floating_point() else convert_image_dtype(img, cresset.float32)
    result = (gain * result**gamma).clamp(0, 1)
    return convert_image_dtype(result, dtype)


def _blurred_degenerate_image(img):
    """PIL's SMOOTH filter (3x3, centre weight 5) on the interior; the border is kept."""
    dtype = img.dtype if img.is_floating_point() else cresset.float32
    kernel = cresset.ones(3, 3, dtype=dtype)
    kernel[1, 1] = 5.0
    kernel = kernel / kernel.sum()
    shape = img.shape
    channels = shape[-3]
    x = img.reshape(-1, *shape[-3:]).to(dtype)
    blurred = nnF.conv2d(x, kernel.expand(channels, 1, 3, 3).contiguous(), groups=channels)
    if not img.is_floating_point():
        blurred = cresset.round(blurred).to(img.dtype)
    result = img.clone()
    result[..., 1:-1, 1:-1] = blurred.reshape(*shape[:-2], shape[-2] - 2, shape[-1] - 2)
    return result


def adjust_sharpness(img, sharpness_factor):
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.size(-1) <= 2 or img.size(-2) <= 2:
        return img
    return _blend(img, _blurred_degenerate_image(img), sharpness_factor)


def autocontrast(img):
    """Stretches each channel to the full range [0, bound] (flat channels are left alone)."""
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    dtype = img.dtype if img.is_floating_point() else cresset.float32
    minimum = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    maximum = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    flat = maximum == minimum
    scale = bound / cresset.where(flat, cresset.ones_like(maximum), maximum - minimum)
    minimum = cresset.where(flat, cresset.zeros_like(minimum), minimum)
    scale = cresset.where(flat, cresset.ones_like(scale), scale)
    return ((img - minimum) * scale).clamp(0, bound).to(img.dtype)


def _equalize_lut(channel):
    """PIL's equalisation table for one uint8 channel (values as a NumPy array)."""
    hist = np.bincount(channel.ravel(), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return np.arange(256, dtype=np.int64)
    lut = (np.cumsum(hist) + step // 2) // step
    return np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)


def equalize(img):
    """Histogram equalisation per channel of uint8 images (C, H, W) or (N, C, H, W)."""
    _assert_image_tensor(img)
    if not (3 <= img.ndim <= 4):
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != cresset.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    arr = img.contiguous().numpy().reshape(-1, img.shape[-2], img.shape[-1])
    out = np.stack([_equalize_lut(ch)[ch] for ch in arr]).astype(np.uint8)
    return cresset.from_numpy(out.reshape(tuple(img.shape)))
