"""Reading and writing images as uint8 CHW tensors through Pillow (torchvision.io)."""
import io as _io
from enum import Enum

import numpy as np
from PIL import Image, ImageOps

import cresset

__all__ = [
    "ImageReadMode",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "encode_jpeg",
    "encode_png",
    "read_file",
    "read_image",
    "write_file",
    "write_jpeg",
    "write_png",
]


class ImageReadMode(Enum):
    """Channel layout requested when decoding: as stored, gray, gray+alpha, RGB or RGBA."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


_PIL_MODES = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
              ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path):
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(path, "rb") as f:
        data = f.read()
    return cresset.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data):
    """Writes a 1-D uint8 tensor to filename."""
    with open(filename, "wb") as f:
        f.write(data.contiguous().numpy().tobytes())


def _mode(mode):
    if isinstance(mode, str):
        mode = ImageReadMode[mode.upper()]
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"mode should be an ImageReadMode or a str, got {type(mode)}")
    return mode


def _to_chw(img, mode):
    """PIL image -> uint8 (C, H, W) tensor in the requested channel layout."""
    mode = _mode(mode)
    if mode is ImageReadMode.UNCHANGED:
        if img.mode in ("1", "I", "I;16", "F"):
            img = img.convert("L")
        elif img.mode not in ("L", "LA", "RGB", "RGBA"):
            # Palette and other colour modes expand to RGB, or RGBA when they carry alpha.
            has_alpha = "A" in img.getbands() or "transparency" in img.info
            img = img.convert("RGBA" if has_alpha else "RGB")
    else:
        img = img.convert(_PIL_MODES[mode])
    arr = np.array(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return cresset.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decodes a PNG/JPEG/... given as a 1-D uint8 tensor of its bytes (or a path)."""
    if not isinstance(input, cresset.Tensor):
        return read_image(str(input), mode, apply_exif_orientation)
    if input.dtype != cresset.uint8 or input.ndim != 1:
        raise RuntimeError(f"Expected a 1-D uint8 tensor, got {input.ndim}-D {input.dtype}")
    img = Image.open(_io.BytesIO(input.contiguous().numpy().tobytes()))
    if apply_exif_orientation:
        img = ImageOps.exif_transpose(img)
    return _to_chw(img, mode)


decode_png = decode_image
decode_jpeg = decode_image


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Reads an image file into a uint8 (C, H, W) tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def _to_pil(input):
    if not isinstance(input, cresset.Tensor) or input.dtype != cresset.uint8 or input.ndim != 3:
        raise RuntimeError("Input tensor must be a uint8 tensor of shape (C, H, W)")
    channels = input.shape[0]
    if channels not in (1, 2, 3, 4):
        raise RuntimeError(f"Input tensor must have 1, 2, 3 or 4 channels, got {channels}")
    arr = np.ascontiguousarray(input.permute(1, 2, 0).contiguous().numpy())
    return Image.fromarray(arr[:, :, 0] if channels == 1 else arr)


def _encode(img, **save_args):
    buffer = _io.BytesIO()
    img.save(buffer, **save_args)
    return cresset.from_numpy(np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy())


def encode_png(input, compression_level=6):
    """PNG bytes (1-D uint8 tensor) of a uint8 (C, H, W) image."""
    if not 0 <= compression_level <= 9:
        raise ValueError(f"Compression level should be between 0 and 9, got {compression_level}")
    return _encode(_to_pil(input), format="PNG", compress_level=compression_level)


def write_png(input, filename, compression_level=6):
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality=75):
    """JPEG bytes (1-D uint8 tensor) of a uint8 (C, H, W) image with 1 or 3 channels."""
    if not 1 <= quality <= 100:
        raise ValueError(f"Image quality should be a positive number between 1 and 100, got {quality}")
    return _encode(_to_pil(input), format="JPEG", quality=quality)


def write_jpeg(input, filename, quality=75):
    write_file(filename, encode_jpeg(input, quality))
