"""cresset.utils.data: datasets, samplers and the DataLoader (torch.utils.data)."""
from cresset.utils.data._utils.collate import default_collate, default_convert
from cresset.utils.data._utils.worker import get_worker_info
from cresset.utils.data.dataloader import DataLoader, _DatasetKind  # noqa: F401
from cresset.utils.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from cresset.utils.data.distributed import DistributedSampler
from cresset.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "DistributedSampler", "IterableDataset", "RandomSampler", "Sampler",
           "SequentialSampler", "StackDataset", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "default_collate", "default_convert", "get_worker_info",
           "random_split"]
