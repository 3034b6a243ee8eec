"""cresset.cuda: devices, streams, events and the caching allocator (torch.cuda).

Importing it touches no GPU: the driver is first called by is_available() or device_count().
In a build without CUDA every query reports no device and the rest raises torch's
``AssertionError: Torch not compiled with CUDA enabled``.
"""
import contextlib

import cresset
from cresset import _C
from cresset._legacy import _TYPES, tensortype

_cuda = _C._cuda

__all__ = [
    "is_available", "is_initialized", "device_count", "current_device", "set_device", "device",
    "device_of", "get_device_name", "get_device_properties", "get_device_capability",
    "synchronize", "manual_seed", "manual_seed_all",
    "Stream", "Event", "current_stream", "default_stream", "set_stream", "stream",
    "StreamContext", "memory_allocated", "max_memory_allocated", "memory_reserved",
    "max_memory_reserved", "reset_peak_memory_stats", "empty_cache", "memory_summary",
    "memory_stats", "mem_get_info", "get_arch_list", "is_bf16_supported", "init",
    "OutOfMemoryError", "get_rng_state", "get_rng_state_all", "set_rng_state",
    "set_rng_state_all", "seed", "seed_all", "initial_seed", "memory_cached", "max_memory_cached",
    "reset_max_memory_allocated", "reset_max_memory_cached",
]

OutOfMemoryError = cresset.OutOfMemoryError

_initialized = False


def _lazy_init():
    global _initialized
    if not _cuda.is_built():
        raise AssertionError("Torch not compiled with CUDA enabled")
    if _cuda.device_count() == 0:
        raise RuntimeError("No CUDA GPUs are available")
    _initialized = True


def _index(device, optional=True):
    """The device index of an int, str, cresset.device or None (the current device)."""
    if device is None:
        return current_device()
    if isinstance(device, str):
        device = cresset.device(device)
    if isinstance(device, cresset.device):
        if device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        return current_device() if device.index is None else device.index
    if isinstance(device, int):
        return current_device() if device < 0 and optional else device
    raise ValueError(f"Expected a cuda device, but got: {device!r}")


def is_available():
    """True when cresset was built with CUDA and at least one GPU is usable."""
    return _cuda.is_built() and _cuda.device_count() > 0


def is_initialized():
    return _initialized


def init():
    _lazy_init()


def device_count():
    return _cuda.device_count()


def current_device():
    _lazy_init()
    return _cuda.current_device()


def set_device(device):
    index = _index(device)
    if index >= 0:
        _lazy_init()
        _cuda.set_device(index)


class device:
    """Context manager that makes `device` the current GPU (-1 or None: no change)."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device, optional=False)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx >= 0:
            self.prev_idx = current_device()
            if self.prev_idx != self.idx:
                _cuda.set_device(self.idx)

    def __exit__(self, *exc):
        if self.prev_idx >= 0 and self.prev_idx != self.idx:
            _cuda.set_device(self.prev_idx)
        return False


class device_of(device):
    """device(...) of a tensor's GPU; no change for a CPU tensor."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


class _CudaDeviceProperties:
    def __init__(self, props):
        self.__dict__.update(props)

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    _lazy_init()
    index = _index(device)
    _cuda.check_device(index)
    return _CudaDeviceProperties(_cuda.device_properties(index))


def get_device_name(device=None):
    return get_device_properties(device).name


def get_device_capability(device=None):
    p = get_device_properties(device)
    return (p.major, p.minor)


def get_arch_list():
    if not is_available():
        return []
    return ["sm_80", "sm_90", "compute_90"]


def is_bf16_supported(including_emulation=True):
    return is_available() and get_device_capability()[0] >= 8


def synchronize(device=None):
    _lazy_init()
    _cuda.synchronize(_index(device))


# Random numbers: each GPU has a default generator drawing the same Philox streams as the CPU's
# (see Note [Random number generation]), so equal seeds give equal values on every device.
def manual_seed(seed):
    """Seeds the current GPU's default generator (silently nothing without a GPU, like torch)."""
    if is_available():
        _cuda.manual_seed(current_device(), int(seed) & 0xFFFFFFFFFFFFFFFF)


def manual_seed_all(seed):
    for index in range(device_count() if is_available() else 0):
        _cuda.manual_seed(index, int(seed) & 0xFFFFFFFFFFFFFFFF)


def _generator(device):
    _lazy_init()
    return _cuda.default_generator(_index(device))


def __getattr__(name):
    # torch.cuda.default_generators: one per GPU, made on first use (importing starts no CUDA).
    if name == "default_generators":
        return tuple(_cuda.default_generator(i) for i in range(device_count()))
    raise AttributeError(f"module 'cresset.cuda' has no attribute '{name}'")


def get_rng_state(device="cuda"):
    """The state of a GPU's default generator, as a CPU uint8 tensor."""
    return _generator(device).get_state()


def get_rng_state_all():
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state(new_state, device="cuda"):
    _generator(device).set_state(new_state)


def set_rng_state_all(new_states):
    for index, state in enumerate(new_states):
        set_rng_state(state, index)


def seed():
    """Seeds the current GPU's default generator from a random number (nothing without a GPU)."""
    if is_available():
        _generator(None).seed()


def seed_all():
    """Seeds every GPU's default generator with one random number (nothing without a GPU)."""
    if is_available():
        manual_seed_all(_generator(0).seed())


def initial_seed():
    return _generator(None).initial_seed()


class Stream:
    """A CUDA stream of one device (torch.cuda.Stream)."""

    def __init__(self, device=None, priority=0, **kwargs):
        if not _cuda.is_built():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        _lazy_init()
        if "stream_ptr" in kwargs:
            self.device_index, self.cuda_stream = _index(device), int(kwargs["stream_ptr"])
            self._owned = False
        else:
            self.device_index, self.cuda_stream = _cuda.create_stream(_index(device), priority)
            self._owned = True

    @classmethod
    def _wrap(cls, device_index, handle):
        s = cls.__new__(cls)
        s.device_index, s.cuda_stream, s._owned = device_index, handle, False
        return s

    @property
    def device(self):
        return cresset.device("cuda", self.device_index)

    def synchronize(self):
        _cuda.stream_synchronize(self.device_index, self.cuda_stream)

    def query(self):
        return _cuda.stream_query(self.device_index, self.cuda_stream)

    def wait_event(self, event):
        event._ensure(self.device_index)
        _cuda.stream_wait_event(self.device_index, self.cuda_stream, event.cuda_event)

    def wait_stream(self, stream):
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def __eq__(self, other):
        return (isinstance(other, Stream) and self.device_index == other.device_index
                and self.cuda_stream == other.cuda_stream)

    def __hash__(self):
        return hash((self.cuda_stream, self.device_index))

    def __repr__(self):
        return (f"<torch.cuda.Stream device={self.device} "
                f"cuda_stream={hex(self.cuda_stream)}>")

    def __del__(self):
        if getattr(self, "_owned", False):
            _cuda.destroy_stream(self.device_index, self.cuda_stream)


class Event:
    """A CUDA event (torch.cuda.Event): records a point in a stream; with enable_timing=True,
    elapsed_time between two recorded events in milliseconds."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if not _cuda.is_built():
            raise RuntimeError("Tried to instantiate dummy base class Event")
        self.enable_timing, self.blocking, self.interprocess = enable_timing, blocking, interprocess
        self.cuda_event = 0  # created on first record, on the recording stream's device
        self._device = -1

    def _ensure(self, device_index):
        if not self.cuda_event:
            self.cuda_event = _cuda.create_event(device_index, self.enable_timing,
                                                 self.blocking, self.interprocess)
            self._device = device_index

    def record(self, stream=None):
        stream = current_stream() if stream is None else stream
        self._ensure(stream.device_index)
        _cuda.record_event(self.cuda_event, stream.device_index, stream.cuda_stream)

    def wait(self, stream=None):
        stream = current_stream() if stream is None else stream
        stream.wait_event(self)

    def query(self):
        return True if not self.cuda_event else _cuda.event_query(self.cuda_event)

    def synchronize(self):
        if self.cuda_event:
            _cuda.event_synchronize(self.cuda_event)

    def elapsed_time(self, end_event):
        if not self.cuda_event or not end_event.cuda_event:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return _cuda.event_elapsed_ms(self.cuda_event, end_event.cuda_event)

    def __repr__(self):
        return f"<torch.cuda.Event {hex(self.cuda_event) if self.cuda_event else 'uninitialized'}>"

    def __del__(self):
        if getattr(self, "cuda_event", 0):
            _cuda.destroy_event(self.cuda_event)


def current_stream(device=None):
    _lazy_init()
    return Stream._wrap(*_cuda.current_stream(_index(device)))


def default_stream(device=None):
    _lazy_init()
    return Stream._wrap(_index(device), 0)


def set_stream(stream):
    if stream is not None:
        _cuda.set_current_stream(stream.device_index, stream.cuda_stream)


class StreamContext:
    """Makes `stream` current on its device (and its device current) inside the block."""

    def __init__(self, stream):
        self.stream = stream
        self._prev = None
        self._device = None

    def __enter__(self):
        if self.stream is None or not is_available():
            return
        self._device = device(self.stream.device_index)
        self._device.__enter__()
        self._prev = current_stream(self.stream.device_index)
        set_stream(self.stream)

    def __exit__(self, *exc):
        if self._prev is not None:
            set_stream(self._prev)
            self._device.__exit__(*exc)
        return False


def stream(stream):
    return StreamContext(stream)


# ---- memory ----
def _stats(device):
    if not _cuda.is_loaded() or not is_available():  # no CUDA memory before the backend loads
        return {}
    return _cuda.memory_stats(_index(device))


def memory_stats(device=None):
    return dict(sorted(_stats(device).items()))


def memory_allocated(device=None):
    return _stats(device).get("allocated_bytes.all.current", 0)


def max_memory_allocated(device=None):
    return _stats(device).get("allocated_bytes.all.peak", 0)


def memory_reserved(device=None):
    return _stats(device).get("reserved_bytes.all.current", 0)


def max_memory_reserved(device=None):
    return _stats(device).get("reserved_bytes.all.peak", 0)


def _renamed(old, new):
    import warnings
    warnings.warn(f"torch.cuda.{old} has been renamed to torch.cuda.{new}", FutureWarning,
                  stacklevel=3)


def memory_cached(device=None):
    _renamed("memory_cached", "memory_reserved")
    return memory_reserved(device)


def max_memory_cached(device=None):
    _renamed("max_memory_cached", "max_memory_reserved")
    return max_memory_reserved(device)


def reset_max_memory_allocated(device=None):
    _renamed("reset_max_memory_allocated", "reset_peak_memory_stats")
    reset_peak_memory_stats(device)


def reset_max_memory_cached(device=None):
    _renamed("reset_max_memory_cached", "reset_peak_memory_stats")
    reset_peak_memory_stats(device)


def reset_peak_memory_stats(device=None):
    _lazy_init()
    _cuda.reset_peak_memory_stats(_index(device))


def empty_cache():
    if _cuda.is_loaded():
        _cuda.empty_cache()


def memory_summary(device=None, abbreviated=False):
    _lazy_init()
    return _cuda.memory_summary(_index(device))


def mem_get_info(device=None):
    _lazy_init()
    return _cuda.mem_get_info(_index(device))


# ---- legacy typed tensors: torch.cuda.FloatTensor, ... ----
class _CudaTensorType(tensortype):
    def __instancecheck__(cls, obj):
        return (isinstance(obj, cresset.Tensor) and obj.dtype is cls.dtype
                and obj.device.type == "cuda")

    def __call__(cls, *args, **kwargs):
        if not is_available():
            raise TypeError(f"type torch.cuda.{cls.__name__} not available. "
                            "Torch not compiled with CUDA enabled."
                            if not _cuda.is_built() else
                            f"type torch.cuda.{cls.__name__} not available: no CUDA GPU found.")
        return _C._legacy_new(cls.dtype, *args, **kwargs).cuda()

    def __repr__(cls):
        return f"<class 'torch.cuda.{cls.__name__}'>"


for _name, _dtype_name in _TYPES:
    globals()[_name] = _CudaTensorType(
        _name, (), {"dtype": getattr(cresset, _dtype_name), "is_cuda": True,
                    "is_sparse": False, "__module__": "cresset.cuda"})
del _name, _dtype_name
