"""Tensors between processes through shared memory.

Note [DataLoader shared memory]: a worker stacks each batch tensor directly into a file under
/dev/shm (empty_shared) and the queue carries only (segment name, dtype, shape, strides). The
receiving process maps the segment, unlinks the file at once and wraps the mapping as a tensor
without copying; the mapping lives exactly as long as that tensor (tensor -> NumPy array -> mmap)
and no file outlives the hand-over. Names carry a per-iterator prefix so the main process can
unlink whatever a dead or interrupted worker left behind (remove_segments).
"""
import atexit
import itertools
import mmap
import os
import tempfile
import weakref
from multiprocessing.reduction import ForkingPickler

import numpy as np

import cresset

# Memory-backed on Linux; elsewhere a temporary directory's files map just as well.
SHM_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
_counter = itertools.count()
_prefix = None
# Base address of each live segment this process created -> [name, nbytes, sent, mapping ref].
_segments = {}
_registered = False


def set_prefix(prefix):
    """Names this process's new segments <prefix>_<pid>_<n> (a worker sets its loader's)."""
    global _prefix
    _prefix = prefix


def ensure_prefix():
    """Gives a process that is not a worker a prefix of its own (its segments removed at exit)."""
    if _prefix is None:
        set_prefix(new_prefix())
        atexit.register(remove_segments, _prefix)


def new_prefix():
    """A fresh segment-name prefix for one DataLoader iterator."""
    return f"cresset_dl_{os.getpid()}_{next(_counter)}"


def remove_segments(prefix):
    """Unlinks every segment whose name starts with `prefix` (what no process received)."""
    try:
        names = os.listdir(SHM_DIR)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix + "_"):
            try:
                os.unlink(os.path.join(SHM_DIR, name))
            except OSError:
                pass


_np_dtypes = {}


def _np_dtype(dtype):
    # float16's NumPy twin is exact; bfloat16 has none, so its bits travel as int16.
    if dtype not in _np_dtypes:
        _np_dtypes[dtype] = (np.dtype(np.int16) if dtype == cresset.bfloat16
                             else cresset.empty(0, dtype=dtype).numpy().dtype)
    return _np_dtypes[dtype]


def _as_tensor(array, dtype):
    t = cresset.from_numpy(array)
    return t.view(dtype) if dtype == cresset.bfloat16 else t


def _release(base, entry):
    # mmap's dealloc unmaps before it runs this, so a newer segment may already own `base`.
    if _segments.get(base) is entry:
        del _segments[base]
    if not entry[2]:
        try:  # never handed over: nobody else will unlink it
            os.unlink(os.path.join(SHM_DIR, entry[0]))
        except OSError:
            pass


def empty_shared(shape, dtype):
    """An uninitialised contiguous tensor stored in a new /dev/shm segment of this process."""
    np_dtype = _np_dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize
    if nbytes == 0 or _prefix is None:
        return cresset.empty(shape, dtype=dtype)
    name = f"{_prefix}_{os.getpid()}_{next(_counter)}"
    fd = os.open(os.path.join(SHM_DIR, name), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, nbytes)
        mapping = mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)
    array = np.ndarray(shape, np_dtype, buffer=mapping)
    base = array.__array_interface__["data"][0]
    entry = [name, nbytes, False, weakref.ref(mapping)]
    _segments[base] = entry
    weakref.finalize(mapping, _release, base, entry)
    return _as_tensor(array, dtype)


def _segment_of(tensor):
    """(base, entry) of the live segment holding tensor's data, or None."""
    ptr = tensor.data_ptr()
    for base, entry in list(_segments.items()):  # the queue's feeder thread reads it too
        # A dying mapping reads as dead: its address may already belong to a newer segment.
        if base <= ptr < base + entry[1] and entry[3]() is not None:
            return base, entry
    return None


def share_storage(tensor):
    """Moves tensor's storage into a new segment (Tensor.share_memory_): every view follows."""
    ensure_prefix()
    segment = empty_shared((cresset._C._storage_nbytes(tensor),), cresset.uint8)
    cresset._C._move_storage(tensor, segment)


def is_shared(tensor):
    """True when tensor's data lies in a live segment of this process."""
    return tensor.numel() > 0 and _segment_of(tensor) is not None


def _rebuild(name, nbytes, offset, dtype, shape, strides, requires_grad):
    path = os.path.join(SHM_DIR, name)
    fd = os.open(path, os.O_RDWR)
    try:
        mapping = mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)
        os.unlink(path)  # the mapping stays valid; the name is no longer needed
    array = np.ndarray(shape, _np_dtype(dtype), buffer=mapping, offset=offset, strides=strides)
    t = _as_tensor(array, dtype)
    return t.requires_grad_() if requires_grad else t


def _rebuild_empty(dtype, shape, requires_grad):
    return cresset.empty(shape, dtype=dtype, requires_grad=requires_grad)


def _reduce_tensor(tensor):
    if tensor.numel() == 0:
        return _rebuild_empty, (tensor.dtype, tuple(tensor.shape), tensor.requires_grad)
    ensure_prefix()  # a process other than a worker may send tensors (spawn's arguments)
    found = _segment_of(tensor)
    # A segment is handed over once (the receiver unlinks its name); a tensor not stacked in
    # place, or a second view of a segment already sent, costs one copy into a new segment.
    if found is None or found[1][2]:
        shared = empty_shared(tuple(tensor.shape), tensor.dtype)
        shared.copy_(tensor.detach())
        tensor_data, found = shared, _segment_of(shared)
    else:
        tensor_data = tensor
    base, entry = found
    entry[2] = True
    itemsize = tensor_data.element_size()
    offset = tensor_data.data_ptr() - base
    strides = tuple(s * itemsize for s in tensor_data.stride())
    return _rebuild, (entry[0], entry[1], offset, tensor.dtype, tuple(tensor.shape), strides,
                      tensor.requires_grad)


def register_reducer():
    """Makes multiprocessing queues send cresset tensors through shared memory."""
    global _registered
    if not _registered:
        ForkingPickler.register(cresset.Tensor, _reduce_tensor)
        _registered = True
