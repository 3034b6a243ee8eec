"""torch.utils.data.dataloader: DataLoader, and the iterators that produce its batches in the
main process or through a pool of worker processes."""
import functools
import math
import multiprocessing
import os
import pickle
import queue
import signal
import time
import warnings
from typing import Generic, TypeVar

import cresset
from cresset.utils.data._utils import MP_STATUS_CHECK_INTERVAL, collate, fetch, shared, worker
from cresset.utils.data.dataset import IterableDataset
from cresset.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

default_collate = collate.default_collate
default_convert = collate.default_convert
get_worker_info = worker.get_worker_info
_T_co = TypeVar("_T_co", covariant=True)


class _DatasetKind:
    """Whether a loader reads its dataset by index (Map) or as a stream (Iterable)."""
    Map = 0
    Iterable = 1


class _InfiniteConstantSampler(Sampler):
    """None forever: the index stream of an IterableDataset, which ignores indices."""

    def __iter__(self):
        while True:
            yield None


def _accelerator_available():
    cuda = getattr(cresset, "cuda", None)
    return bool(cuda is not None and cuda.is_available())


def _checked_worker_options(num_workers, timeout, prefetch_factor, persistent_workers):
    """Raises torch's errors for bad worker options; returns the effective prefetch_factor."""
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0:
        if prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if persistent_workers:
            raise ValueError("persistent_workers option needs num_workers > 0")
        return None
    if prefetch_factor is None:
        return 2
    if prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    return prefetch_factor


class _SamplerChoice:
    """Validates the sampling arguments (torch's errors, in torch's order) and settles what
    the loader draws indices from: a sampler, and a batch sampler unless batching is off."""

    def __init__(self, dataset, streaming, batch_size, shuffle, sampler, batch_sampler,
                 drop_last, generator):
        if streaming:  # a stream has no indices to sample
            for name, value, given in (("shuffle", shuffle, shuffle not in (None, False)),
                                       ("sampler", sampler, sampler is not None),
                                       ("batch_sampler", batch_sampler, batch_sampler is not None)):
                if given:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = (_InfiniteConstantSampler() if streaming
                       else RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.batch_size, self.drop_last = batch_size, drop_last


class DataLoader(Generic[_T_co]):
    """Iterates over batches of a dataset: samples chosen by a sampler, collated by collate_fn,
    loaded in the main process or in num_workers worker processes."""

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        prefetch_factor = _checked_worker_options(num_workers, timeout, prefetch_factor,
                                                  persistent_workers)
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        streaming = isinstance(dataset, IterableDataset)
        self._dataset_kind = _DatasetKind.Iterable if streaming else _DatasetKind.Map
        choice = _SamplerChoice(dataset, streaming, batch_size, shuffle, sampler, batch_sampler,
                                drop_last, generator)
        self.batch_size = choice.batch_size
        self.drop_last = choice.drop_last
        self.sampler = choice.sampler
        self.batch_sampler = choice.batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None  # torch's name: len() of a stream, once asked
        self._iterator = None  # the persistent workers' iterator
        self.check_worker_number_rationality()

    def _get_iterator(self):
        if self.num_workers == 0:
            return _InlineIter(self)
        self.check_worker_number_rationality()
        return _PooledIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers <= 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
            if isinstance(multiprocessing_context, str):
                valid_start_methods = multiprocessing.get_all_start_methods()
                if multiprocessing_context not in valid_start_methods:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     f"start method in {valid_start_methods!r}, but got "
                                     f"multiprocessing_context={multiprocessing_context!r}")
                multiprocessing_context = multiprocessing.get_context(multiprocessing_context)
            if not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context "
                                "object or a string specifying the start method, but got "
                                f"multiprocessing_context={multiprocessing_context}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler",
                                           "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def __iter__(self):
        if not (self.persistent_workers and self.num_workers > 0):
            return self._get_iterator()
        # Persistent workers: one pooled iterator serves every epoch while its pool lives.
        if self._iterator is not None and self._iterator._start_epoch(self):
            return self._iterator
        self._iterator = self._get_iterator()
        return self._iterator

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = (length // self.batch_size if self.drop_last
                          else math.ceil(length / self.batch_size))
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warns, as torch does, when more workers are asked for than CPUs are usable."""
        if not self.num_workers:
            return
        cpuset_checked = hasattr(os, "sched_getaffinity")
        max_workers = len(os.sched_getaffinity(0)) if cpuset_checked else os.cpu_count()
        if max_workers is not None and self.num_workers <= max_workers:
            return
        cpuset_note = "" if cpuset_checked else " (`cpuset` is not taken into account)"
        suggested = ("DataLoader is not able to compute a suggested max number of worker in "
                     "current system." if max_workers is None else
                     "Our suggested max number of worker in current system is "
                     f"{max_workers}{cpuset_note}, which is smaller than what this DataLoader is "
                     "going to create.")
        warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                      f"total. {suggested} Please be aware that excessive worker creation might "
                      "get DataLoader running slow or even freeze, lower the worker number to "
                      "avoid potential slowness/freeze if necessary.", stacklevel=2)



class _BatchPlan:
    """The index sampler's output as numbered work items: take() gives (number, key) in sampler
    order (key: a list of indices, one index, or None for a stream) and None when exhausted."""

    def __init__(self, index_sampler):
        self._sampler = index_sampler
        self._items = None
        self.restart()

    def restart(self):
        self._items = enumerate(iter(self._sampler))

    def take(self):
        return next(self._items, None)


def _reader_factory(loader):
    """dataset -> reader for this loader's settings (a partial, so it can travel to workers)."""
    return functools.partial(fetch.make_reader, loader._dataset_kind == _DatasetKind.Iterable,
                             loader._auto_collation, loader.collate_fn, loader.drop_last)


class _LoaderIter:
    """What both iterators share: the plan, the workers' base seed, and the check that an
    IterableDataset does not yield more batches than the len() it reported."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._streaming = loader._dataset_kind == _DatasetKind.Iterable
        self._plan = _BatchPlan(loader._index_sampler)
        self._length_of_plan = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        if loader.pin_memory and not _accelerator_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        # Drawn from the loader's generator (or the global one) once per iterator, as torch does.
        self._base_seed = cresset.empty((), dtype=cresset.int64).random_(
            generator=loader.generator).item()
        self._promised = loader._IterableDataset_len_called
        self._delivered = 0

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._length_of_plan)

    def __getstate__(self):
        raise NotImplementedError("{} cannot be pickled", self.__class__.__name__)

    def _restart(self, loader):
        self._plan.restart()
        self._promised = loader._IterableDataset_len_called
        self._delivered = 0

    def _produce(self):
        """The next batch; StopIteration at the end of the epoch."""
        raise NotImplementedError

    def __next__(self):
        batch = self._produce()
        self._delivered += 1
        if self._streaming and self._promised is not None and self._delivered > self._promised:
            self._warn_overrun()
        return batch

    def _warn_overrun(self):
        msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._promised}"
               f"(when accessing len(dataloader)), but {self._delivered} samples have been "
               "fetched. ")
        if self._num_workers > 0:
            msg += ("For multiprocessing data-loading, this could be caused by not properly "
                    "configuring the IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data."
                    "IterableDataset for examples.")
        warnings.warn(msg, stacklevel=3)


class _InlineIter(_LoaderIter):
    """num_workers=0: each batch is read and collated in the calling process."""

    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:  # torch's observable error (its iterator's class name)
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._reader = _reader_factory(loader)(self._dataset)

    def _produce(self):
        item = self._plan.take()
        if item is None:
            raise StopIteration
        try:
            return self._reader.read(item[1])
        except fetch._EndOfStream:
            raise StopIteration from None


def _exit_reason(process):
    code = process.exitcode
    if code is None or code >= 0:
        return f"exit code {code}"
    try:
        return f"killed by signal {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"


class _Epoch:
    """The bookkeeping of one pass over the plan: which worker holds each unanswered work item,
    answers waiting for their turn, where delivery stands, and which workers still have data.
    Items are numbered consecutively and each is pending, waiting or delivered, so when nothing
    is pending, the item whose turn it is is waiting unless everything was delivered."""

    def __init__(self, number, num_workers):
        self.number = number
        self.pending = {}  # work item number -> worker id
        self.waiting = {}  # work item number -> (kind, payload), until its turn (in order)
        self.turn = 0  # the item number delivered next, in order
        self.live = [True] * num_workers  # False once a worker's stream ran dry
        self.next_worker = 0
        self.plan_done = False

    def load(self, worker_id):
        return sum(1 for w in self.pending.values() if w == worker_id)


class _WorkerPool:
    """Worker processes, one task queue each and one shared result queue.

    At most `window` (prefetch_factor * num_workers) work items are out at once, counting those
    answered but not yet delivered; each delivery lets one more go. Items go round robin to the
    workers whose stream has not run dry. In order, answers wait in the epoch's `waiting` dict
    until every earlier item was delivered. Every wait polls with a short timeout so that a dead
    worker or the user's timeout raises instead of hanging (_watch). close() is the one way down.
    """

    def __init__(self, loader, base_seed):
        self._closed = True  # until there is something to close
        self._num_workers = loader.num_workers
        self._window = loader.prefetch_factor * loader.num_workers
        self._in_order = loader.in_order
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        self._epoch, self._plan = None, None  # set by begin_epoch
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._shm_prefix = shared.new_prefix()
        shared.register_reducer()
        self._results = ctx.Queue()
        self._stop = ctx.Event()
        self._epoch_counter = ctx.Value("q", 0, lock=False)
        self.processes, self._task_queues = [], []
        self._closed = False
        setup = worker.WorkerSetup(
            dataset=loader.dataset, make_reader=_reader_factory(loader), base_seed=base_seed,
            init_fn=loader.worker_init_fn, num_workers=self._num_workers,
            shm_prefix=self._shm_prefix, parent_pid=os.getpid())
        try:
            for worker_id in range(self._num_workers):
                tasks = ctx.Queue()
                tasks.cancel_join_thread()  # never block this process's exit on a dead worker
                process = ctx.Process(target=worker.serve, daemon=True, args=(
                    setup, worker_id, tasks, self._results, self._stop, self._epoch_counter))
                process.start()
                self._task_queues.append(tasks)
                self.processes.append(process)
        except BaseException:
            self.close(graceful=False)
            raise

    @property
    def closed(self):
        return self._closed

    def begin_epoch(self, plan):
        """Starts a pass over `plan`; anything still out from an earlier pass is ignored."""
        if self._epoch is not None:  # workers now drop the items of the pass before
            self._epoch_counter.value += 1
        self._epoch = _Epoch(self._epoch_counter.value, self._num_workers)
        self._plan = plan
        self._top_up()

    def next_batch(self):
        """The next batch (raising a worker's exception in its place); StopIteration when the
        pass is over, after which a non-persistent pool closes itself."""
        if self._closed:  # stopped by an error (dead worker, timeout): nothing more comes
            raise StopIteration
        epoch = self._epoch
        while True:
            answer = epoch.waiting.pop(epoch.turn, None) if self._in_order else None
            if answer is not None:
                epoch.turn += 1
                if answer[0] != worker.DRAINED:
                    return self._hand_over(answer)
                continue
            self._top_up()
            if not epoch.pending:  # (in order, nothing can be waiting then: see _Epoch)
                if not self._persistent:
                    self.close()
                raise StopIteration
            (item_epoch, number, worker_id), kind, payload = self._receive()
            if item_epoch != epoch.number or number not in epoch.pending:
                continue  # an answer to an abandoned pass
            del epoch.pending[number]
            if kind == worker.DRAINED:
                epoch.live[worker_id] = False
            if self._in_order:
                epoch.waiting[number] = (kind, payload)
            elif kind != worker.DRAINED:
                return self._hand_over((kind, payload))

    def _hand_over(self, answer):
        self._top_up()
        kind, payload = answer
        if kind == worker.FAILED:
            payload.reraise()
        return payload

    def _top_up(self):
        epoch = self._epoch
        while (not epoch.plan_done and len(epoch.pending) + len(epoch.waiting) < self._window):
            worker_id = self._pick_worker()
            if worker_id is None:
                return
            item = self._plan.take()
            if item is None:
                epoch.plan_done = True
                return
            number, key = item
            self._task_queues[worker_id].put((epoch.number, number, key))
            epoch.pending[number] = worker_id

    def _pick_worker(self):
        """The next worker in round-robin order that can take an item, or None."""
        epoch = self._epoch
        live = sum(epoch.live)
        for step in range(self._num_workers):
            candidate = (epoch.next_worker + step) % self._num_workers
            if not epoch.live[candidate]:
                continue
            # Out of order, a slow worker must not hoard the window.
            if not self._in_order and epoch.load(candidate) >= self._window // live:
                continue
            epoch.next_worker = (candidate + 1) % self._num_workers
            return candidate
        return None

    def _receive(self):
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = MP_STATUS_CHECK_INTERVAL
            if deadline is not None:
                wait = max(min(wait, deadline - time.monotonic()), 0)
            try:
                return pickle.loads(self._results.get(timeout=wait))  # see worker._post
            except queue.Empty:
                self._watch(deadline)

    def _watch(self, deadline):
        """Raises (after closing the pool) if a worker died or the user's timeout passed."""
        dead = [(i, p) for i, p in enumerate(self.processes) if p.exitcode is not None]
        if dead:
            self.close(graceful=False)
            pids = ", ".join(str(p.pid) for _, p in dead)
            reasons = "; ".join(f"worker {i} {_exit_reason(p)}" for i, p in dead)
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly "
                               f"({reasons})")
        if deadline is not None and time.monotonic() >= deadline:
            self.close(graceful=False)
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def close(self, graceful=True):
        """Stops the workers, closes the queues and unlinks every shared-memory segment nobody
        received. Graceful: workers get a second to finish. After an error there is no waiting:
        a dead worker may have died holding the result queue's lock."""
        if self._closed:
            return
        self._closed = True
        try:
            self._stop.set()
            for tasks in self._task_queues:
                tasks.put(None)  # wakes a waiting worker now rather than at its next poll
            give_up = time.monotonic() + (1.0 if graceful else 0.0)
            for process in self.processes:
                process.join(timeout=max(give_up - time.monotonic(), 0))
            for tasks in self._task_queues:
                tasks.close()
        finally:
            for process in self.processes:
                if process.is_alive():
                    process.terminate()
                    process.join(timeout=1.0)
            self._results.cancel_join_thread()
            self._results.close()
            shared.remove_segments(self._shm_prefix)

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001, S110  (interpreter teardown: daemon workers die anyway)
            pass


class _PooledIter(_LoaderIter):
    """num_workers > 0: batches come from a _WorkerPool. With persistent workers the DataLoader
    keeps this iterator and restarts it each epoch (_start_epoch)."""

    def __init__(self, loader):
        super().__init__(loader)
        self._pool = _WorkerPool(loader, self._base_seed)
        self._pool.begin_epoch(self._plan)

    @property
    def _workers(self):
        return self._pool.processes

    def _start_epoch(self, loader):
        """Starts another pass with the same workers; False if they are gone."""
        if self._pool.closed:
            return False
        self._restart(loader)
        self._pool.begin_epoch(self._plan)
        return True

    def _produce(self):
        return self._pool.next_batch()

    def _shutdown_workers(self):
        self._pool.close()
