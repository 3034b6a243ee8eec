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
from cresset.utils.data._utils import shared

_worker_info = None
_ITERABLE_KIND = 1  # dataloader._DatasetKind.Iterable (that module imports this one)


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
class _IterableDatasetStopIteration:
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    pass


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


def _send(data_queue, idx, data, where):
    """Pickles (idx, data) here rather than in the queue's feeder thread, so that a batch that
    cannot be pickled reaches the main process as an error instead of vanishing (a hang)."""
    try:
        payload = ForkingPickler.dumps((idx, data))
    except Exception:  # noqa: BLE001
        payload = ForkingPickler.dumps((idx, ExceptionWrapper(where=where)))
    data_queue.put(bytes(payload))


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, fetcher_factory,
                 base_seed, init_fn, worker_id, num_workers, shm_prefix, parent_pid):
    """Runs in the worker: seeds cresset, `random` and NumPy with base_seed + worker_id, then
    answers (idx, index) requests with (idx, batch) until told to stop or orphaned."""
    global _worker_info
    try:
        cresset.set_num_threads(1)
        shared.set_prefix(shm_prefix)
        shared.register_reducer()
        seed = base_seed + worker_id
        _seed_all(seed, base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_factory(dataset)
        except Exception:  # noqa: BLE001
            init_exception = ExceptionWrapper(where=where)
        iteration_end = False
        while os.getppid() == parent_pid:
            try:
                r = index_queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if isinstance(r, _ResumeIteration):
                _send(data_queue, r, None, where)
                iteration_end = False
                if init_exception is None:
                    fetcher = fetcher_factory(dataset)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind != _ITERABLE_KIND:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:  # noqa: BLE001
                    data = ExceptionWrapper(where=where)
            _send(data_queue, idx, data, where)
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
