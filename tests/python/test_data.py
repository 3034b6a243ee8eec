"""cresset.utils.data datasets, samplers and collation against torch.utils.data."""
import collections
import warnings

import cresset.utils.data as D
import numpy as np
import pytest
import torch
import torch.utils.data as TD
from utils import assert_same, to_cresset

import cresset

Point = collections.namedtuple("Point", "x y")


def assert_same_error(fn_ours, fn_theirs, exc_type):
    """Both raise exc_type with the same message."""
    with pytest.raises(exc_type) as theirs:
        fn_theirs()
    with pytest.raises(exc_type) as ours:
        fn_ours()
    assert str(ours.value) == str(theirs.value)


def assert_same_batch(ours, theirs):
    """Same structure, container types, and tensors of equal dtype, shape and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, cresset.Tensor), type(ours)
        assert_same(ours, theirs)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            assert_same_batch(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same_batch(a, b)
    else:
        assert ours == theirs


def both(make):
    """make(lib) for cresset and torch."""
    return make(cresset, D), make(torch, TD)


# --- datasets ---------------------------------------------------------------------------------

def test_tensor_dataset():
    x = torch.randn(5, 3)
    y = torch.arange(5)
    ours = D.TensorDataset(to_cresset(x), to_cresset(y))
    theirs = TD.TensorDataset(x, y)
    assert len(ours) == len(theirs) == 5
    for i in (0, 4, -1):
        assert_same_batch(list(ours[i]), list(theirs[i]))
    assert_same_batch(list(ours[1:3]), list(theirs[1:3]))
    assert_same_error(lambda: D.TensorDataset(cresset.zeros(3), cresset.zeros(4)),
                      lambda: TD.TensorDataset(torch.zeros(3), torch.zeros(4)), AssertionError)


def test_concat_and_subset():
    ours = D.ConcatDataset([list(range(3)), list(range(10, 14))])
    theirs = TD.ConcatDataset([list(range(3)), list(range(10, 14))])
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [3, 7]
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]
    assert_same_error(lambda: ours[-8], lambda: theirs[-8], ValueError)
    assert_same_error(lambda: D.ConcatDataset([]), lambda: TD.ConcatDataset([]), AssertionError)
    ds = D.TensorDataset(cresset.arange(6))
    assert isinstance(ds + ds, D.ConcatDataset) and len(ds + ds) == 12
    sub = D.Subset(list(range(10, 20)), [5, 1, 7])
    assert len(sub) == 3 and sub[0] == 15 and sub.__getitems__([2, 1]) == [17, 11]

    def bad(base):
        class Bad(base):
            def __getitem__(self, idx):
                return idx
        return Bad

    assert_same_error(lambda: bad(D.Subset)([1], [0]), lambda: bad(TD.Subset)([1], [0]),
                      NotImplementedError)


def test_stack_dataset():
    ours = D.StackDataset(list(range(3)), ["a", "b", "c"])
    theirs = TD.StackDataset(list(range(3)), ["a", "b", "c"])
    assert ours[1] == theirs[1] and ours.__getitems__([0, 2]) == theirs.__getitems__([0, 2])
    ours = D.StackDataset(n=list(range(3)), s="abc")
    theirs = TD.StackDataset(n=list(range(3)), s="abc")
    assert ours[2] == theirs[2] and ours.__getitems__([1]) == theirs.__getitems__([1])
    assert_same_error(lambda: D.StackDataset([1], [1, 2]), lambda: TD.StackDataset([1], [1, 2]),
                      ValueError)
    assert_same_error(lambda: D.StackDataset([1], b=[1]), lambda: TD.StackDataset([1], b=[1]),
                      ValueError)
    assert_same_error(D.StackDataset, TD.StackDataset, ValueError)


class Stream(D.IterableDataset):
    """0..n-1; in a DataLoader worker, every num_workers-th of them from its id."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = D.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def test_chain_dataset():
    chain = Stream(2) + Stream(3)
    assert isinstance(chain, D.ChainDataset)
    assert list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(D.ChainDataset([[1, 2]]))
    with pytest.raises(NotImplementedError):
        D.Dataset()[0]


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.3, 0.4], [0.5, 0.5], [0.34, 0.33, 0.33],
                                     [1.0, 0.0]])
def test_random_split_lengths(lengths):
    with warnings.catch_warnings(record=True) as w_ours:
        warnings.simplefilter("always")
        ours = D.random_split(range(10), lengths, generator=cresset.Generator().manual_seed(0))
    with warnings.catch_warnings(record=True) as w_theirs:
        warnings.simplefilter("always")
        theirs = TD.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert [str(w.message) for w in w_ours] == [str(w.message) for w in w_theirs]
    everything = sorted(i for s in ours for i in s)
    assert everything == list(range(10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = D.random_split(range(10), lengths, generator=cresset.Generator().manual_seed(0))
    assert [list(s) for s in again] == [list(s) for s in ours]


def test_random_split_errors():
    assert_same_error(lambda: D.random_split(range(10), [3, 3]),
                      lambda: TD.random_split(range(10), [3, 3]), ValueError)
    assert_same_error(lambda: D.random_split(range(10), [1.5, -0.5]),
                      lambda: TD.random_split(range(10), [1.5, -0.5]), ValueError)
    cresset.manual_seed(3)
    a = [list(s) for s in D.random_split(range(6), [2, 4])]
    cresset.manual_seed(3)
    assert [list(s) for s in D.random_split(range(6), [2, 4])] == a


# --- samplers ---------------------------------------------------------------------------------

def test_sequential_and_batch_sampler():
    assert list(D.SequentialSampler(range(4))) == [0, 1, 2, 3]
    for n, bs, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (0, 2, False)]:
        ours = D.BatchSampler(D.SequentialSampler(range(n)), bs, drop)
        theirs = TD.BatchSampler(TD.SequentialSampler(range(n)), bs, drop)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    for bad in (0, -1, True, 2.0):
        assert_same_error(lambda b=bad: D.BatchSampler([], b, False),
                          lambda b=bad: TD.BatchSampler([], b, False), ValueError)
    assert_same_error(lambda: D.BatchSampler([], 2, 1), lambda: TD.BatchSampler([], 2, 1),
                      ValueError)


@pytest.mark.parametrize("replacement,num_samples", [(False, None), (False, 25), (False, 4),
                                                     (True, None), (True, 70)])
def test_random_sampler(replacement, num_samples):
    data = range(10)
    ours = D.RandomSampler(data, replacement, num_samples,
                           generator=cresset.Generator().manual_seed(1))
    theirs = TD.RandomSampler(data, replacement, num_samples)
    got = list(ours)
    assert len(ours) == len(theirs) == len(got) == len(list(theirs))
    assert all(0 <= i < 10 for i in got)
    if not replacement:  # each full pass is a permutation
        for k in range(len(got) // 10):
            assert sorted(got[10 * k:10 * k + 10]) == list(range(10))
    again = D.RandomSampler(data, replacement, num_samples,
                            generator=cresset.Generator().manual_seed(1))
    assert list(again) == got


def test_random_sampler_default_generator_and_errors():
    cresset.manual_seed(5)
    a = list(D.RandomSampler(range(20)))
    cresset.manual_seed(5)
    assert list(D.RandomSampler(range(20))) == a and sorted(a) == list(range(20))
    assert_same_error(lambda: D.RandomSampler(range(3), replacement=1),
                      lambda: TD.RandomSampler(range(3), replacement=1), TypeError)
    assert_same_error(lambda: D.RandomSampler(range(3), num_samples=0),
                      lambda: TD.RandomSampler(range(3), num_samples=0), ValueError)
    assert_same_error(lambda: D.RandomSampler([]), lambda: TD.RandomSampler([]), ValueError)


def test_subset_and_weighted_samplers():
    ours = D.SubsetRandomSampler([5, 7, 9], generator=cresset.Generator().manual_seed(0))
    assert sorted(ours) == [5, 7, 9] and len(ours) == 3
    w = D.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 50, generator=cresset.Generator())
    got = list(w)
    assert len(got) == len(w) == 50 and set(got) <= {1, 3}
    w = D.WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False)
    assert sorted(w) == [0, 1, 2]
    assert isinstance(w.weights, cresset.Tensor) and w.weights.dtype == cresset.float64
    for args in [([1.0], 0), ([1.0], True), ([[1.0]], 1)]:
        assert_same_error(lambda a=args: D.WeightedRandomSampler(*a),
                          lambda a=args: TD.WeightedRandomSampler(*a), ValueError)
    assert_same_error(lambda: D.WeightedRandomSampler([1.0], 1, replacement=None),
                      lambda: TD.WeightedRandomSampler([1.0], 1, replacement=None), ValueError)


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (2, 5, False),
                                                  (12, 4, False), (12, 4, True)])
def test_distributed_sampler_structure(n, replicas, drop_last):
    from torch.utils.data.distributed import DistributedSampler as TorchDS
    for shuffle in (False, True):
        ours = [D.DistributedSampler(range(n), replicas, r, shuffle=shuffle, drop_last=drop_last)
                for r in range(replicas)]
        theirs = [TorchDS(range(n), replicas, r, shuffle=shuffle, drop_last=drop_last)
                  for r in range(replicas)]
        for o, t in zip(ours, theirs):
            assert len(o) == len(t) and o.total_size == t.total_size
            if not shuffle:  # no randomness: identical to torch, padding included
                assert list(o) == list(t)
        # Together the replicas cover the epoch's order (all indices unless dropped).
        union = sorted(i for o in ours for i in o)
        if not drop_last:
            assert set(union) == set(range(n))


def test_distributed_sampler_epochs_and_errors():
    s = D.DistributedSampler(range(20), num_replicas=2, rank=1, seed=7)
    first = list(s)
    assert list(s) == first
    s.set_epoch(1)
    assert list(s) != first and s.epoch == 1
    other = D.DistributedSampler(range(20), num_replicas=2, rank=0, seed=7)
    other.set_epoch(1)
    assert sorted(list(s) + list(other)) == list(range(20))
    from torch.utils.data.distributed import DistributedSampler as TorchDS
    assert_same_error(lambda: D.DistributedSampler(range(3), 2, 2),
                      lambda: TorchDS(range(3), 2, 2), ValueError)
    assert_same_error(lambda: D.DistributedSampler(range(3), 2, -1),
                      lambda: TorchDS(range(3), 2, -1), ValueError)


# --- collation --------------------------------------------------------------------------------

def samples(lib):
    """The same list of samples built with lib's tensors."""
    return [
        {"img": lib.tensor([[1.0, 2.0], [3.0, 4.0]]) * k, "label": k, "w": 0.5 * k,
         "flag": bool(k % 2), "name": f"s{k}", "raw": b"x",
         "np": np.arange(3, dtype=np.int32) + k, "npf": np.float32(k), "npb": np.bool_(k),
         "pair": (k, lib.tensor(k, dtype=lib.int16)), "list": [k, 2 * k],
         "pt": Point(k, lib.tensor([k, k], dtype=lib.float64))}
        for k in range(3)]


def test_default_collate_matches_torch():
    assert_same_batch(D.default_collate(samples(cresset)), TD.default_collate(samples(torch)))


@pytest.mark.parametrize("batch", [
    [1, 2, 3], [1.5, 2.0], [True, False], ["a", "b"], [(1, "a"), (2, "b")], [[1, 2], [3, 4]],
    [np.array([1.0, 2.0]), np.array([3.0, 4.0])], [np.int64(3), np.int64(4)],
    [np.float64(1.5)], [{"a": {"b": 1}}, {"a": {"b": 2}}],
    [np.zeros((2, 0), np.float32), np.zeros((2, 0), np.float32)]])
def test_default_collate_plain(batch):
    assert_same_batch(D.default_collate(batch), TD.default_collate(batch))


def test_default_collate_tensor_dtypes_and_noncontiguous():
    for dtype in ("float32", "float64", "int64", "uint8", "bool", "float16"):
        t = torch.arange(12).reshape(3, 4).t().to(getattr(torch, dtype))
        batch_t = [t[i] for i in range(4)]
        batch_o = [to_cresset(x) for x in batch_t]
        assert_same_batch(D.default_collate(batch_o), TD.default_collate(batch_t))


def test_default_collate_errors():
    assert_same_error(lambda: D.default_collate([object()]),
                      lambda: TD.default_collate([object()]), TypeError)
    assert_same_error(lambda: D.default_collate([[1, 2], [3]]),
                      lambda: TD.default_collate([[1, 2], [3]]), RuntimeError)
    strs = [np.array(["a"]), np.array(["b"])]
    assert_same_error(lambda: D.default_collate(strs), lambda: TD.default_collate(strs),
                      TypeError)
    assert_same_error(lambda: D.default_collate([cresset.zeros(2), cresset.zeros(3)]),
                      lambda: TD.default_collate([torch.zeros(2), torch.zeros(3)]), RuntimeError)


def test_default_convert_matches_torch():
    data = {"a": np.arange(3), "b": (np.float32(2.0), "s"), "c": [np.ones((2, 2)), 1],
            "p": Point(np.int16(3), 1.5), "str": np.array(["x"])}
    ours = D.default_convert(data)
    theirs = TD.default_convert(data)
    assert_same_batch({k: v for k, v in ours.items() if k != "str"},
                      {k: v for k, v in theirs.items() if k != "str"})
    assert ours["str"] is data["str"]
    assert isinstance(ours["p"], Point)
    t = cresset.ones(2)
    assert D.default_convert(t) is t
