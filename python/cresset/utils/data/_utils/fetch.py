"""Fetchers: one batch (or sample) of a dataset for given indices."""
import cresset
from cresset.utils.data._utils import collate, shared


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    """Pulls the next batch_size samples of the dataset's iterator (raises StopIteration at the
    end, or for a short last batch with drop_last)."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(data)


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


class _MapDatasetFetcher(_BaseDatasetFetcher):
    """dataset.__getitems__(indices) when defined, else one __getitem__ per index, then collate.
    See Note [TensorDataset fast path]."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.rows = _row_source(dataset, collate_fn) if auto_collation else None

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        if self.rows is not None:
            tensors, maps = self.rows
            index = possibly_batched_index
            for indices in maps:
                index = [indices[i] for i in index]
            if _in_range(index, len(tensors[0])):
                return _gather_rows(tensors, index)
        if getattr(self.dataset, "__getitems__", None):
            data = self.dataset.__getitems__(possibly_batched_index)
        else:
            data = [self.dataset[idx] for idx in possibly_batched_index]
        return self.collate_fn(data)


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
