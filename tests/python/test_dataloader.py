"""cresset.utils.data.DataLoader against torch.utils.data.DataLoader: arguments, batches, worker
processes (seeding, errors, deaths, timeouts) and shared-memory transfer."""
import multiprocessing
import os
import random
import signal
import time
import warnings

import cresset.utils.data as D
import numpy as np
import pytest
import torch
import torch.utils.data as TD
from test_data import Stream, assert_same_batch, assert_same_error
from utils import to_cresset

import cresset

SHM = "/dev/shm"


def shm_segments():
    # Only this process's loaders: other test processes (xdist workers) share /dev/shm.
    mine = f"cresset_dl_{os.getpid()}_"
    return {n for n in os.listdir(SHM) if n.startswith(mine)}


@pytest.fixture(autouse=True)
def no_shm_leaks():
    """Every test leaves /dev/shm as it found it."""
    before = shm_segments()
    yield
    if shm_segments() - before:
        import gc
        gc.collect()
    assert shm_segments() - before == set()


def as_torch(batch):
    """A batch of cresset tensors with torch tensors in their place, to compare two of ours."""
    if isinstance(batch, cresset.Tensor):
        return torch.from_numpy(batch.numpy().copy())
    if isinstance(batch, dict):
        return {k: as_torch(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(as_torch(v) for v in batch)
    return batch


def pair(n=10, dtype=torch.float32):
    x = torch.arange(n * 6).reshape(n, 2, 3).to(dtype)
    y = torch.arange(n) % 3
    return D.TensorDataset(to_cresset(x), to_cresset(y)), TD.TensorDataset(x, y)


# --- arguments --------------------------------------------------------------------------------

class TorchStream(TD.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


BAD_ARGS = [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1}, {"persistent_workers": True},
    {"shuffle": True, "sampler": [0, 1]}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True}, {"batch_sampler": [[0]], "drop_last": True},
    {"batch_sampler": [[0]], "sampler": [0]}, {"batch_size": None, "drop_last": True},
    {"multiprocessing_context": "fork"}, {"num_workers": 1, "multiprocessing_context": "nope"},
]


@pytest.mark.parametrize("kwargs", BAD_ARGS)
def test_argument_errors(kwargs):
    ours, theirs = pair()
    assert_same_error(lambda: D.DataLoader(ours, **kwargs),
                      lambda: TD.DataLoader(theirs, **kwargs), ValueError)


def test_argument_errors_iterable_and_context_type():
    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError) as theirs:
            TD.DataLoader(TorchStream(3), **kwargs)
        with pytest.raises(ValueError) as ours:
            D.DataLoader(Stream(3), **kwargs)
        assert str(ours.value).split(", but got")[0] == str(theirs.value).split(", but got")[0]
    assert_same_error(lambda: D.DataLoader([1], num_workers=1, multiprocessing_context=3),
                      lambda: TD.DataLoader([1], num_workers=1, multiprocessing_context=3),
                      TypeError)
    dl = D.DataLoader([1, 2])
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        dl.batch_size = 3


def test_timeout_needs_workers_like_torch():
    assert_same_error(lambda: list(D.DataLoader([1, 2], timeout=1)),
                      lambda: list(TD.DataLoader([1, 2], timeout=1)), AssertionError)


def test_reachable_as_attribute_after_import():
    import subprocess
    import sys
    code = "import cresset; print(cresset.utils.data.DataLoader.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         timeout=60, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.stdout.strip() == "DataLoader", out.stderr


def test_pin_memory_warns_like_torch():
    ours, theirs = pair()
    with warnings.catch_warnings(record=True) as w_theirs:
        warnings.simplefilter("always")
        list(TD.DataLoader(theirs, pin_memory=True))
    with warnings.catch_warnings(record=True) as w_ours:
        warnings.simplefilter("always")
        batches = list(D.DataLoader(ours, pin_memory=True))
    assert [str(w.message) for w in w_ours] == [str(w.message) for w in w_theirs]
    assert len(batches) == 10


# --- single process ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True},
                                    {"batch_size": None}, {"batch_size": 20}])
def test_single_process_matches_torch(kwargs):
    ours, theirs = pair()
    o = list(D.DataLoader(ours, **kwargs))
    t = list(TD.DataLoader(theirs, **kwargs))
    assert len(D.DataLoader(ours, **kwargs)) == len(TD.DataLoader(theirs, **kwargs)) == len(t)
    assert_same_batch(o, t)


def test_generic_datasets_match_torch():
    data = [{"x": np.full((2,), i, np.float32), "y": i, "s": str(i)} for i in range(7)]
    assert_same_batch(list(D.DataLoader(data, batch_size=3)),
                      list(TD.DataLoader(data, batch_size=3)))
    assert_same_batch(list(D.DataLoader(data, batch_size=None)),
                      list(TD.DataLoader(data, batch_size=None)))
    bs = [[3, 1], [0, 2, 4]]
    assert_same_batch(list(D.DataLoader(list(range(5)), batch_sampler=bs)),
                      list(TD.DataLoader(list(range(5)), batch_sampler=bs)))
    for kwargs in ({"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {"batch_size": None}):
        o = D.DataLoader(Stream(5), **kwargs)
        t = TD.DataLoader(TorchStream(5), **kwargs)
        assert len(o) == len(t)
        assert_same_batch(list(o), list(t))


def test_getitems_and_fast_path_semantics():
    calls = []

    class Batched(D.Dataset):
        def __getitem__(self, i):
            raise AssertionError("__getitems__ should be used")

        def __getitems__(self, indices):
            calls.append(list(indices))
            return [cresset.tensor(float(i)) for i in indices]

        def __len__(self):
            return 5

    out = list(D.DataLoader(Batched(), batch_size=2))
    assert calls == [[0, 1], [2, 3], [4]] and out[2].tolist() == [4.0]
    # A TensorDataset subclass overriding __getitem__ is called per index (no gather).

    class Doubled(D.TensorDataset):
        def __getitem__(self, i):
            return tuple(2 * t[i] for t in self.tensors)

    got = list(D.DataLoader(Doubled(cresset.arange(4.0)), batch_size=2))
    assert [b[0].tolist() for b in got] == [[0.0, 2.0], [4.0, 6.0]]
    ours, theirs = pair()
    idx = [[9, 0, 9], [3]]
    assert_same_batch(list(D.DataLoader(ours, sampler=[9, 0, 9, 3], batch_size=3)),
                      list(TD.DataLoader(theirs, sampler=[9, 0, 9, 3], batch_size=3)))
    assert_same_batch(list(D.DataLoader(ours, batch_sampler=idx)),
                      list(TD.DataLoader(theirs, batch_sampler=idx)))
    assert_same_batch(list(D.DataLoader(ours, sampler=[-1, 2], batch_size=2)),
                      list(TD.DataLoader(theirs, sampler=[-1, 2], batch_size=2)))
    with pytest.raises(IndexError):
        list(D.DataLoader(ours, sampler=[10], batch_size=2))
    # Through (nested) Subsets, as random_split makes them.
    sub_o = D.Subset(D.Subset(ours, [9, 3, 1, 2, -1]), [4, 0, 2, 3])
    sub_t = TD.Subset(TD.Subset(theirs, [9, 3, 1, 2, -1]), [4, 0, 2, 3])
    for workers in (0, 1):
        assert_same_batch(list(D.DataLoader(sub_o, batch_size=3, num_workers=workers)),
                          list(TD.DataLoader(sub_t, batch_size=3)))
    with pytest.raises(IndexError):
        list(D.DataLoader(D.Subset(ours, [0, 1]), sampler=[2], batch_size=1))


def test_shuffle_repeats_under_manual_seed():
    ours, _ = pair(20)
    cresset.manual_seed(0)
    a = [b[1].tolist() for b in D.DataLoader(ours, batch_size=5, shuffle=True)]
    cresset.manual_seed(0)
    b = [b[1].tolist() for b in D.DataLoader(ours, batch_size=5, shuffle=True)]
    assert a == b
    g = cresset.Generator().manual_seed(3)
    first = [x.tolist() for x, _ in D.DataLoader(ours, batch_size=20, shuffle=True, generator=g)]
    assert sorted(first[0][i][0][0] for i in range(20)) == [6.0 * i for i in range(20)]


# --- worker processes -------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                    {"batch_size": None}, {"batch_size": 4, "prefetch_factor": 1}])
def test_workers_match_single_process(kwargs):
    ours, theirs = pair(11)
    o = list(D.DataLoader(ours, num_workers=2, timeout=30, **kwargs))
    kwargs.pop("prefetch_factor", None)
    assert_same_batch(o, list(TD.DataLoader(theirs, **kwargs)))
    data = [{"x": np.full((2,), i, np.float64), "t": (cresset.tensor(i), str(i))} for i in range(7)]
    assert_same_batch(list(D.DataLoader(data, batch_size=2, num_workers=2, timeout=30)),
                      as_torch(list(D.DataLoader(data, batch_size=2))))


class Slow(D.Dataset):
    """Sample i takes longer when i is even, so workers finish out of order."""

    def __getitem__(self, i):
        time.sleep(0.02 if i % 2 == 0 else 0)
        return cresset.tensor(i)

    def __len__(self):
        return 12


def test_workers_keep_sampler_order():
    got = [b.tolist() for b in D.DataLoader(Slow(), batch_size=1, num_workers=2, timeout=30,
                                              sampler=list(range(11, -1, -1)))]
    assert got == [[i] for i in range(11, -1, -1)]


class Draws(D.Dataset):
    """Each sample draws from random, NumPy and cresset, and reports its worker."""

    def __getitem__(self, i):
        info = D.get_worker_info()
        return {"py": random.random(), "np": np.random.rand(), "cr": cresset.rand(1).item(),
                "wid": info.id, "nw": info.num_workers, "seed": info.seed,
                "same": info.dataset is self}

    def __len__(self):
        return 8


def run_draws(**kwargs):
    return list(D.DataLoader(Draws(), batch_size=2, num_workers=2, timeout=30, **kwargs))


def test_worker_seeding_repeats_and_differs():
    cresset.manual_seed(123)
    a = run_draws()
    cresset.manual_seed(123)
    b = run_draws()
    assert_same_batch(a, as_torch(b))
    cresset.manual_seed(124)
    assert a[0]["py"].tolist() != run_draws()[0]["py"].tolist()
    # Worker i is seeded base_seed + i; batch k comes from worker k % 2.
    assert [batch["wid"].tolist() for batch in a] == [[0, 0], [1, 1], [0, 0], [1, 1]]
    assert all(batch["nw"].tolist() == [2, 2] and batch["same"].tolist() == [True, True]
               for batch in a)
    assert a[1]["seed"][0].item() == a[0]["seed"][0].item() + 1
    assert a[0]["py"].tolist() != a[1]["py"].tolist()
    assert a[0]["np"].tolist() != a[1]["np"].tolist()
    assert a[0]["cr"].tolist() != a[1]["cr"].tolist()
    g1 = cresset.Generator().manual_seed(9)
    g2 = cresset.Generator().manual_seed(9)
    assert_same_batch(run_draws(generator=g1), as_torch(run_draws(generator=g2)))
    assert D.get_worker_info() is None


def test_numpy_worker_seed_is_torchs():
    from cresset.utils.data._utils.worker import _numpy_seed
    from torch.utils.data._utils.worker import _generate_state
    for base_seed in (0, 1, 2**40 + 5, 2**63 - 1):
        for worker_id in (0, 3):
            assert _numpy_seed(base_seed, worker_id) == _generate_state(base_seed, worker_id)


def test_worker_init_fn_and_iterable_split():
    def init(worker_id):
        info = D.get_worker_info()
        info.dataset.n = 10 + worker_id  # each worker's own copy

    got = list(D.DataLoader(Stream(10), batch_size=3, num_workers=2, timeout=30,
                            worker_init_fn=init))
    values = sorted(v for b in got for v in b.tolist())
    assert values == sorted(list(range(0, 10, 2)) + list(range(1, 11, 2)))
    cpus = len(os.sched_getaffinity(0))
    with pytest.warns(UserWarning, match=f"This DataLoader will create {cpus + 1} worker"):
        got = list(D.DataLoader(Stream(9), batch_size=2, num_workers=cpus + 1, timeout=30,
                                drop_last=True))
    shares = [list(range(w, 9, cpus + 1)) for w in range(cpus + 1)]
    expected = [share[i:i + 2] for share in shares for i in range(0, len(share) - 1, 2)]
    assert sorted(b.tolist() for b in got) == sorted(expected)


class Fails(D.Dataset):
    def __getitem__(self, i):
        if i == 3:
            raise ValueError("sample three is broken")
        if i == 5:
            raise KeyError("missing")
        return i

    def __len__(self):
        return 8


def test_worker_exception_reraised_with_traceback():
    it = iter(D.DataLoader(Fails(), batch_size=1, num_workers=2, timeout=30))
    assert [next(it).tolist() for _ in range(3)] == [[0], [1], [2]]
    with pytest.raises(ValueError) as err:
        next(it)
    msg = str(err.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\n"
                          "Original Traceback (most recent call last):")
    assert 'raise ValueError("sample three is broken")' in msg
    assert msg.rstrip().endswith("ValueError: sample three is broken")
    assert next(it).tolist() == [4]
    with pytest.raises(KeyError) as err:
        next(it)
    assert "Caught KeyError in DataLoader worker process 1" in str(err.value)
    del it


def test_unpicklable_batches_and_local_exceptions_raise():
    class Local(Exception):
        pass

    class Odd(D.Dataset):
        def __getitem__(self, i):
            if i == 0:
                return lambda: i  # cannot be pickled
            raise Local("local failure")

        def __len__(self):
            return 2

    it = iter(D.DataLoader(Odd(), batch_size=None, num_workers=1, timeout=30))
    with pytest.raises(AttributeError, match="(?s)Caught AttributeError in DataLoader worker "
                                             "process 0.*Can't pickle local object"):
        next(it)
    with pytest.raises(RuntimeError, match="Caught Local in DataLoader worker process 0"):
        next(it)
    del it


def test_worker_init_fn_exception():
    def init(worker_id):
        raise RuntimeError(f"init failed in {worker_id}")

    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process 0"):
        list(D.DataLoader(list(range(4)), num_workers=2, worker_init_fn=init, timeout=30))


class Dies(D.Dataset):
    def __init__(self, how):
        self.how = how

    def __getitem__(self, i):
        if i == 2:
            if self.how == "exit":
                os._exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return i

    def __len__(self):
        return 6


@pytest.mark.parametrize("how,detail", [("exit", "exit code 3"),
                                        ("kill", "killed by signal SIGKILL")])
def test_dead_worker_raises_quickly(how, detail):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           rf"unexpectedly \(worker 0 {detail}\)"):
        list(D.DataLoader(Dies(how), num_workers=2))
    assert time.monotonic() - start < 20


class Stalls(D.Dataset):
    def __getitem__(self, i):
        if i == 1:
            time.sleep(60)
        return i

    def __len__(self):
        return 4


def test_timeout_raises():
    start = time.monotonic()
    with pytest.raises(RuntimeError) as err:
        list(D.DataLoader(Stalls(), num_workers=1, timeout=0.5))
    assert str(err.value) == "DataLoader timed out after 0.5 seconds"
    assert time.monotonic() - start < 20


def test_persistent_workers_reuse_processes():
    class Pids(D.Dataset):
        def __getitem__(self, i):
            return cresset.tensor([i, os.getpid()])

        def __len__(self):
            return 4

    dl = D.DataLoader(Pids(), batch_size=2, num_workers=2, persistent_workers=True, timeout=30)
    epochs = [[b.tolist() for b in dl] for _ in range(3)]
    assert all([[r[0] for r in b] for b in e] == [[0, 1], [2, 3]] for e in epochs)
    pids = [{r[1] for b in e for r in b} for e in epochs]
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2
    it = dl._iterator
    del dl
    it._shutdown_workers()
    assert not any(w.is_alive() for w in it._workers)


def test_persistent_workers_iterable_and_out_of_order():
    dl = D.DataLoader(Stream(7), batch_size=2, num_workers=2, persistent_workers=True,
                      timeout=30)
    for _ in range(2):
        got = sorted(v for b in dl for v in b.tolist())
        assert got == list(range(7))
    dl._iterator._shutdown_workers()
    got = [b.item() for b in D.DataLoader(Slow(), num_workers=2, in_order=False, timeout=30)]
    assert sorted(got) == list(range(12))


def test_persistent_workers_restart_after_breaking_out():
    ours, theirs = pair(30)
    dl = D.DataLoader(ours, batch_size=2, num_workers=2, persistent_workers=True, timeout=30)
    it = iter(dl)
    assert_same_batch([next(it)], list(TD.DataLoader(theirs, batch_size=2))[:1])
    time.sleep(0.2)  # answers of the abandoned epoch wait in the result queue
    assert_same_batch(list(dl), list(TD.DataLoader(theirs, batch_size=2)))
    assert iter(dl) is it
    dl._iterator._shutdown_workers()


def test_iterable_uneven_workers_in_and_out_of_order():
    class Uneven(D.IterableDataset):
        def __iter__(self):
            info = D.get_worker_info()
            return iter(range(100 * info.id, 100 * info.id + 3 + 4 * info.id))

    for in_order in (True, False):
        got = list(D.DataLoader(Uneven(), batch_size=2, num_workers=2, timeout=30,
                                in_order=in_order))
        assert sorted(v for b in got for v in b.tolist()) == [0, 1, 2, *range(100, 107)]
        assert len(got) == 2 + 4


def test_map_dataset_out_of_order_delivers_everything_once():
    got = [b.tolist() for b in D.DataLoader(Slow(), batch_size=3, num_workers=2,
                                              in_order=False, timeout=30)]
    assert sorted(got) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]


def test_iterable_length_overrun_warns_like_torch():
    class Liar(D.IterableDataset):
        def __iter__(self):
            return iter(range(3))

        def __len__(self):
            return 2

    class TLiar(TD.IterableDataset):
        def __iter__(self):
            return iter(range(3))

        def __len__(self):
            return 2

    def messages(loader):
        len(loader)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            list(loader)
        return [str(w.message).replace("TLiar", "Liar") for w in caught]

    ours = [m.split(" was reported")[1] for m in messages(D.DataLoader(Liar()))]
    theirs = [m.split(" was reported")[1] for m in messages(TD.DataLoader(TLiar()))]
    assert ours == theirs and len(ours) == 1


def test_prefetch_factor_bounds_requests():
    counter = multiprocessing.get_context("fork").Value("i", 0)

    class Counted(D.Dataset):
        def __getitem__(self, i):
            with counter.get_lock():
                counter.value += 1
            return i

        def __len__(self):
            return 40

    it = iter(D.DataLoader(Counted(), num_workers=2, prefetch_factor=2, timeout=30))
    next(it)
    time.sleep(0.3)
    assert counter.value <= 2 * 2 + 1  # in flight: prefetch_factor per worker, plus one refill
    del it


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "bool", "uint8", "int32", "float64"])
def test_worker_batches_of_every_dtype(dtype):
    ours, theirs = pair(5, getattr(torch, dtype))
    got = list(D.DataLoader(ours, batch_size=2, num_workers=1, timeout=30))
    assert_same_batch(got, list(TD.DataLoader(theirs, batch_size=2)))
    empty = D.TensorDataset(cresset.zeros(4, 0, dtype=getattr(cresset, dtype)))
    got = list(D.DataLoader(empty, batch_size=3, num_workers=1, timeout=30))
    assert [tuple(b[0].shape) for b in got] == [(3, 0), (1, 0)]


def test_spawn_context():
    ours, theirs = pair(6)
    got = list(D.DataLoader(ours, batch_size=4, num_workers=1, timeout=60,
                            multiprocessing_context="spawn"))
    assert_same_batch(got, list(TD.DataLoader(theirs, batch_size=4)))


# --- shared memory ----------------------------------------------------------------------------

def mapped_segments():
    with open("/proc/self/maps") as f:
        return {line.split()[-2].rsplit("/", 1)[-1] for line in f
                if "/dev/shm/cresset_dl_" in line}


def test_batches_are_shared_memory_mappings_released_with_the_tensor():
    ours, _ = pair(8)
    earlier = mapped_segments()  # batches of other tests still alive
    dl = D.DataLoader(ours, batch_size=4, num_workers=1, timeout=30)
    batches = list(dl)
    assert shm_segments() == set()  # names unlinked as soon as mapped
    assert len(mapped_segments() - earlier) == 4  # two tensors per batch, each a live mapping
    x = batches[0][0]
    view = x[1:, 0]
    del batches, x
    import gc
    gc.collect()
    assert len(mapped_segments() - earlier) == 1  # the view keeps its batch's mapping alive
    assert view.tolist() == [[6.0, 7.0, 8.0], [12.0, 13.0, 14.0], [18.0, 19.0, 20.0]]
    del view
    gc.collect()
    assert mapped_segments() - earlier == set()


def test_breaking_out_early_leaves_nothing_behind():
    ours, _ = pair(40)
    dl = D.DataLoader(ours, batch_size=2, num_workers=2, timeout=30)
    it = iter(dl)
    next(it)
    time.sleep(0.2)  # let the workers fill the queue with unreceived batches
    workers = it._workers
    del it
    import gc
    gc.collect()
    assert not any(w.is_alive() for w in workers)
    # The autouse fixture checks that no segment was left in /dev/shm.
