"""One DataLoader epoch over a 60000x1x28x28 float32 TensorDataset (batch 64, shuffled), cresset
vs torch, num_workers 0 and 2. Prints seconds per epoch (median of repeats) and the ratio."""
import statistics
import sys
import time

import numpy as np
import torch
import torch.utils.data as TD

import cresset
import cresset.utils.data as D


def epoch_time(loader_cls, dataset, num_workers, repeats):
    times = []
    for _ in range(repeats):
        loader = loader_cls(dataset, batch_size=64, shuffle=True, num_workers=num_workers)
        start = time.perf_counter()
        n = 0
        for x, y in loader:
            n += x.shape[0]
        times.append(time.perf_counter() - start)
        assert n == len(dataset)
    return statistics.median(times)


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    torch.set_num_threads(1)
    cresset.set_num_threads(1)
    images = np.random.rand(60000, 1, 28, 28).astype(np.float32)
    labels = np.random.randint(0, 10, 60000).astype(np.int64)
    ours = D.TensorDataset(cresset.from_numpy(images), cresset.from_numpy(labels))
    theirs = TD.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    for workers in (0, 2):
        t_ours = epoch_time(D.DataLoader, ours, workers, repeats)
        t_theirs = epoch_time(TD.DataLoader, theirs, workers, repeats)
        print(f"num_workers={workers}: cresset {t_ours:.3f} s  torch {t_theirs:.3f} s  "
              f"speedup x{t_theirs / t_ours:.1f}")


if __name__ == "__main__":
    main()
