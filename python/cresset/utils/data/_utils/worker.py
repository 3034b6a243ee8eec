"""The DataLoader worker process: seeding, get_worker_info, and the fetch loop."""
import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler

import cresset
from cresset.utils.data._utils import fetch, shared

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """What get_worker_info() returns inside a worker: its id, the worker count, the seed its
    generators were given, and its own copy of the dataset."""
    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """The WorkerInfo of this DataLoader worker process, or None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class WorkerSetup:
    """Everything a worker process starts from (pickled to it under the spawn method)."""
    dataset: object
    make_reader: object  # dataset -> reader with .read(key)
    base_seed: int
    init_fn: object
    num_workers: int
    shm_prefix: str
    parent_pid: int


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError prints the traceback text readably."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception's type and formatted traceback, sent from a worker and raised again in the
    main process as "Caught X in DataLoader worker process N. Original Traceback ..."."""

    def __init__(self, exc_info=None, where="in background"):
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_name = self.exc_type.__name__
        try:
            pickle.dumps(self.exc_type)
        except Exception:  # noqa: BLE001  (a local class: re-raised as RuntimeError)
            self.exc_type = RuntimeError
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # noqa: BLE001
            raise RuntimeError(msg) from None
        raise exception


def _numpy_seed(base_seed, worker_id):
    """NumPy's 128-bit seed for a worker (torch's _generate_state: SeedSequence-style hashing of
    [worker_id, base_seed low, base_seed high, 0]), so NumPy streams differ across workers."""
    mask = 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    hash_const = 1135663077

    def hash_(value):
        nonlocal hash_const
        value = (value ^ hash_const) & mask
        hash_const = hash_const * 2468251765 & mask
        value = value * hash_const & mask
        return (value ^ value >> 16) & mask

    def mix(x, y):
        result = (3389127133 * x & mask) - (1232336661 * y & mask) & mask
        return (result ^ result >> 16) & mask

    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_b = 2337405405
    state = []
    for value in pool:
        value = (value ^ hash_b) & mask
        hash_b = hash_b * 1492356589 & mask
        value = value * hash_b & mask
        state.append((value ^ value >> 16) & mask)
    return state


def _seed_all(seed, base_seed, worker_id):
    import numpy as np
    random.seed(seed)
    cresset.manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))


# What a worker answers for one work item.
BATCH, FAILED, DRAINED = "batch", "failed", "drained"


def _post(results, head, kind, payload, where):
    """Puts (head, kind, payload) on the result queue, pickled here rather than in the queue's
    feeder thread: a batch that cannot be pickled then reaches the main process as an error
    instead of silently vanishing (a hang)."""
    try:
        blob = ForkingPickler.dumps((head, kind, payload))
    except Exception:  # noqa: BLE001
        blob = ForkingPickler.dumps((head, FAILED, ExceptionWrapper(where=where)))
    results.put(bytes(blob))


def serve(setup, worker_id, tasks, results, stop, epoch):
    """A worker process's body. `setup` is a WorkerSetup. Seeds cresset, `random` and NumPy
    from base_seed + worker_id, runs the user's init function, then answers every work item
    (epoch, number, key) of the current epoch with ((epoch, number, worker_id), kind, payload)
    until `stop` is set, a None arrives, or the parent process is gone. Items of an epoch the
    main process has left (`epoch` is a shared counter) are dropped unanswered; the first item
    of a new epoch gets a fresh reader (an iterable dataset starts over)."""
    global _worker_info
    parent = setup.parent_pid
    try:
        cresset.set_num_threads(1)
        shared.set_prefix(setup.shm_prefix)
        shared.register_reducer()
        seed = setup.base_seed + worker_id
        _seed_all(seed, setup.base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=setup.num_workers, seed=seed,
                                  dataset=setup.dataset)
        where = f"in DataLoader worker process {worker_id}"
        broken = None  # an init_fn failure: the answer to everything
        try:
            if setup.init_fn is not None:
                setup.init_fn(worker_id)
        except Exception:  # noqa: BLE001
            broken = ExceptionWrapper(where=where)
        reader, reader_epoch = None, None
        while not stop.is_set() and os.getppid() == parent:
            try:
                item = tasks.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                break
            item_epoch, number, key = item
            if item_epoch != epoch.value:
                continue
            head = (item_epoch, number, worker_id)
            if broken is not None:
                _post(results, head, FAILED, broken, where)
                continue
            if reader_epoch != item_epoch:
                reader, reader_epoch = None, item_epoch
            try:
                if reader is None:
                    reader = setup.make_reader(setup.dataset)
                answer = (BATCH, reader.read(key))
            except fetch._EndOfStream:
                answer = (DRAINED, None)
            except Exception:  # noqa: BLE001
                answer = (FAILED, ExceptionWrapper(where=where))
            _post(results, head, *answer, where)
            del answer, item, key
    except KeyboardInterrupt:
        pass
    if stop.is_set():  # nobody will read what is still buffered: don't wait to flush it
        results.cancel_join_thread()
        results.close()
