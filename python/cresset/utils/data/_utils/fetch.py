"""Turning one work item (a list of indices, a single index, or a stream request) into data."""
import cresset
from cresset.utils.data._utils import collate, shared


class _EndOfStream(Exception):
    """Raised by StreamReader.read when its dataset's iterator has nothing more to give."""


class IndexedReader:
    """Reads a map-style dataset: `read(indices)` returns the collated samples at `indices`
    (or, without batching, the converted sample at one index). See Note [TensorDataset fast
    path]."""

    def __init__(self, dataset, batched, collate_fn):
        self._dataset = dataset
        self._batched = batched
        self._collate = collate_fn
        self._rows = _row_source(dataset, collate_fn) if batched else None

    def read(self, key):
        if not self._batched:
            return self._collate(self._dataset[key])
        gathered = self._read_rows(key)
        if gathered is not None:
            return gathered
        many = getattr(self._dataset, "__getitems__", None)
        samples = many(key) if many else [self._dataset[k] for k in key]
        return self._collate(samples)

    def _read_rows(self, key):
        if self._rows is None:
            return None
        tensors, subset_maps = self._rows
        for mapping in subset_maps:
            key = [mapping[k] for k in key]
        return _gather_rows(tensors, key) if _in_range(key, len(tensors[0])) else None


class StreamReader:
    """Reads an iterable dataset front to back: `read(slots)` collates the next len(slots)
    samples (or converts the next one without batching). Raises _EndOfStream once the stream
    is used up, and for a short final batch when drop_last asks to discard it."""

    def __init__(self, dataset, batched, collate_fn, drop_last):
        self._source = iter(dataset)
        self._batched = batched
        self._collate = collate_fn
        self._drop_last = drop_last
        self._finished = False

    def read(self, slots):
        if self._finished:
            raise _EndOfStream
        if not self._batched:
            try:
                sample = next(self._source)
            except StopIteration:
                self._finished = True
                raise _EndOfStream from None
            return self._collate(sample)
        wanted = len(slots)
        samples = []
        while len(samples) < wanted:
            try:
                samples.append(next(self._source))
            except StopIteration:
                self._finished = True
                break
        if not samples or (self._drop_last and len(samples) < wanted):
            raise _EndOfStream
        return self._collate(samples)


def make_reader(is_stream, batched, collate_fn, drop_last, dataset):
    """The reader for `dataset` (dataset last, so a partial of the rest travels to workers)."""
    if is_stream:
        return StreamReader(dataset, batched, collate_fn, drop_last)
    return IndexedReader(dataset, batched, collate_fn)


def _row_source(dataset, collate_fn):
    """(tensors, index maps outermost first) when a default-collated batch of `dataset` is the
    rows of its tensors: a plain TensorDataset of tensors that need no gradient, possibly inside
    plain Subsets (random_split's). None otherwise."""
    from cresset.utils.data.dataset import Subset, TensorDataset
    if collate_fn is not collate.default_collate:
        return None
    maps = []
    while type(dataset) is Subset:
        maps.append(dataset.indices)
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or not all(
            isinstance(t, cresset.Tensor) and not t.requires_grad for t in dataset.tensors):
        return None
    return dataset.tensors, maps


# Note [TensorDataset fast path]: default_collate over [(t0[i], t1[i]) for i in batch] is
# [stack(t0[i] ...), stack(t1[i] ...)], which is exactly [t0[batch], t1[batch]]: one gather per
# tensor instead of len(batch) indexings and a stack. A Subset maps the batch's indices first. Inside a worker the gather writes straight
# into shared memory (Note [DataLoader shared memory]).
def _in_range(indices, n):
    # Anything else (negative or bad indices, an empty batch) takes the per-sample path and
    # fails or wraps exactly as it would there.
    return (len(indices) > 0 and all(type(i) is int for i in indices)
            and 0 <= min(indices) and max(indices) < n)


def _gather_rows(tensors, indices):
    n = len(indices)
    index = cresset.tensor(indices, dtype=cresset.int64)
    in_worker = cresset.utils.data.get_worker_info() is not None
    out = []
    for t in tensors:
        if in_worker:
            dest = shared.empty_shared((n, *t.shape[1:]), t.dtype)
            out.append(cresset.index_select(t, 0, index, out=dest))
        else:
            out.append(cresset.index_select(t, 0, index))
    return out
