"""default_collate and default_convert: turning lists of samples into batches."""
import collections.abc
import copy
import re

import cresset

# NumPy dtype kinds that cannot become tensors: bytes, unicode, object.
np_str_obj_array_pattern = re.compile("[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}")


def _is_numpy(obj):
    return type(obj).__module__ == "numpy"


def _rebuild_like(template, values):
    """A container of template's type holding `values`, or a plain list/dict if that type cannot
    be built from them."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(values)
            return clone
        if isinstance(template, collections.abc.Mapping):
            return type(template)(values)
        if isinstance(template, collections.abc.MutableSequence):
            clone = copy.copy(template)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(template)(values)
    except TypeError:
        return dict(values) if isinstance(template, collections.abc.Mapping) else list(values)


def default_convert(data):
    """Converts NumPy arrays and scalars inside `data` to tensors, keeping the structure; used
    when the DataLoader does not batch."""
    elem_type = type(data)
    if isinstance(data, cresset.Tensor):
        return data
    if _is_numpy(data) and elem_type.__name__ not in ("str_", "string_"):
        if (elem_type.__name__ == "ndarray"
                and np_str_obj_array_pattern.search(data.dtype.str) is not None):
            return data
        return cresset.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collates a list of samples: a handler from collate_fn_map for the first element's type
    (exact type first, then isinstance), else mappings, namedtuples and sequences are transposed
    and collated field by field."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_like(elem, {key: collate([d[key] for d in batch],
                                                 collate_fn_map=collate_fn_map) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if not all(len(e) == elem_size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(samples, collate_fn_map=collate_fn_map)
                   for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        return _rebuild_like(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stacks tensors along a new first dimension; inside a DataLoader worker the result is
    allocated in shared memory so it reaches the main process without a copy."""
    elem = batch[0]
    out = None
    if cresset.utils.data.get_worker_info() is not None:
        shape = (len(batch), *elem.shape)
        out = cresset.utils.data._utils.shared.empty_shared(shape, elem.dtype)
    return cresset.stack(batch, 0, out=out)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([cresset.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return cresset.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return cresset.tensor(batch, dtype=cresset.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return cresset.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {cresset.Tensor: collate_tensor_fn}


def _register_numpy_handlers():
    # NumPy is optional: its handlers exist only when it is installed.
    try:
        import numpy as np
    except ImportError:
        return
    default_collate_fn_map[np.ndarray] = collate_numpy_array_fn
    default_collate_fn_map[(np.bool_, np.number, np.object_)] = collate_numpy_scalar_fn


_register_numpy_handlers()
default_collate_fn_map[float] = collate_float_fn
default_collate_fn_map[int] = collate_int_fn
default_collate_fn_map[str] = collate_str_fn
default_collate_fn_map[bytes] = collate_str_fn


def default_collate(batch):
    """Batches a list of samples the way torch does: tensors stacked, NumPy arrays and numbers
    made tensors (float -> float64, int -> int64, bool -> bool), strings kept as lists, and
    dicts, namedtuples, tuples and lists collated element-wise."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


