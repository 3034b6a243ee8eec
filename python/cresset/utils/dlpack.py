"""DLPack exchange (torch.utils.dlpack): tensors shared zero-copy with NumPy, torch, JAX, CuPy ...

Producers export a capsule through ``obj.__dlpack__()``; ``from_dlpack`` consumes it (or a bare
capsule) into a tensor that owns the producer's memory until it dies.
"""
import enum

from cresset import _C

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


def to_dlpack(tensor):
    """An unversioned ("dltensor") capsule sharing the tensor's memory; consume it once."""
    return _C._to_dlpack(tensor)


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """A tensor sharing the memory of ``ext_tensor``: an object with ``__dlpack__`` or a DLPack
    capsule. ``copy=True`` asks for a copy; ``device`` moves the result (copying)."""
    if not hasattr(ext_tensor, "__dlpack__"):
        if device is not None or copy is not None:
            raise AssertionError("device and copy kwargs not supported when ext_tensor is "
                                 "already a DLPack capsule.")
        return _C._from_dlpack(ext_tensor)
    # Ask for the newest protocol first and fall back for older producers.
    kwargs = {"max_version": (1, 0)}
    if copy is not None:
        kwargs["copy"] = copy
    capsule = None
    for drop in (None, "max_version", "copy"):
        kwargs.pop(drop, None)
        try:
            capsule = ext_tensor.__dlpack__(**kwargs)
            break
        except TypeError:
            if drop == "copy":
                raise
    tensor = _C._from_dlpack(capsule)
    if copy and "copy" not in kwargs:
        tensor = _C._copy_to(tensor)
    if device is not None and _C.device(device) != tensor.device:
        tensor = _C._copy_to(tensor, None, device)
    return tensor
