"""Embedding functions of torch.nn.functional (embedding, embedding_bag, one_hot)."""
import warnings

import cresset
from cresset import _C

__all__ = ["embedding", "embedding_bag", "one_hot"]

one_hot = _C._nn.one_hot


def _no_grad_embedding_renorm_(weight, input, max_norm, norm_type):
    with cresset.no_grad():
        cresset.embedding_renorm_(weight, input, max_norm, norm_type)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of weight at the indices in input."""
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        input = input.contiguous()
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    return cresset.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxes of bags of embeddings (composed of gathers and index reductions)."""
    if weight.dtype == cresset.long and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. "
                      "Usage `embedding_bag(weight, input, ...)` is deprecated, "
                      "and should now be `embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})")
    if not weight.dim() == 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")
        offsets = cresset.arange(0, input.numel(), input.size(1), dtype=input.dtype,
                                 device=input.device)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    if sparse:
        raise NotImplementedError("embedding_bag: sparse gradients (sparse=True) are not "
                                  "supported by cresset")
    if input.dtype not in (cresset.int64, cresset.int32) or offsets.dtype != input.dtype:
        raise RuntimeError("embedding_bag: expected input and offsets to be int64 or int32 "
                           f"tensors of the same dtype, got {input.dtype} and {offsets.dtype}")
    num_bags = offsets.numel() - (1 if include_last_offset else 0)
    if offsets.numel() > 0 and int(offsets[0]) != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {int(offsets[0])}")
    starts = offsets[:num_bags].long()
    # The bag of each index: the last bag whose start is <= its position.
    positions = cresset.arange(input.numel(), device=input.device)
    bag = cresset.searchsorted(starts, positions, right=True) - 1
    if include_last_offset and num_bags > 0:
        keep_tail = positions < int(offsets[-1])
        input, bag, positions = input[keep_tail], bag[keep_tail], positions[keep_tail]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights[keep_tail]
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += weight.size(0)
        keep = input != padding_idx
        input, bag = input[keep], bag[keep]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights[keep]
    rows = cresset.embedding(weight, input, -1, scale_grad_by_freq)
    dim = weight.size(1)
    if mode == "max":
        out = cresset.zeros(num_bags, dim, dtype=weight.dtype, device=weight.device)
        return out.scatter_reduce(0, bag[:, None].expand(-1, dim), rows, "amax",
                                  include_self=False)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    out = cresset.zeros(num_bags, dim, dtype=weight.dtype, device=weight.device)
    out = out.index_add(0, bag, rows)
    if mode == "mean":
        counts = cresset.zeros(num_bags, dtype=weight.dtype, device=weight.device)
        counts = counts.index_add(0, bag, cresset.ones(bag.numel(), dtype=weight.dtype))
        out = out / counts.clamp_min(1)[:, None]
    return out
