"""torch.nn.utils.rnn: padding and packing of variable-length sequences, composed from cresset
ops (so gradients flow through them)."""
from collections import namedtuple

import cresset

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence(namedtuple("PackedSequence_",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences packed time step by time step: data holds step t's batch_sizes[t] rows."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            data, batch_sizes = data[0], data[1]
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = (lambda t: None if t is None else t.to(data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def double(self):
        return self.to(dtype=cresset.float64)

    def float(self):
        return self.to(dtype=cresset.float32)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The inverse of a permutation of 0..n-1 (None stays None)."""
    if permutation is None:
        return None
    output = cresset.empty_like(permutation)
    output.scatter_(0, permutation, cresset.arange(0, permutation.numel(),
                                                   device=permutation.device))
    return output


def _batch_sizes(lengths):
    """batch_sizes[t] = number of sequences longer than t (lengths sorted decreasing)."""
    sizes = []
    for t in range(lengths[0]):
        sizes.append(sum(1 for n in lengths if n > t))
    return sizes


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded (T, B, *) batch (B, T, * with batch_first) of sequences of `lengths`."""
    if not isinstance(lengths, cresset.Tensor):
        lengths = cresset.tensor(lengths, dtype=cresset.int64)
    lengths = lengths.to(cresset.int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = cresset.sort(lengths, descending=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    values = [int(n) for n in lengths.tolist()]
    if any(n <= 0 for n in values):
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if any(a < b for a, b in zip(values, values[1:])):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if batch_first:
        input = input.transpose(0, 1)
    if values[0] > input.size(0):
        raise RuntimeError(f"pack_padded_sequence: a length of {values[0]} exceeds the "
                           f"sequence dim {input.size(0)}")
    sizes = _batch_sizes(values)
    data = cresset.cat([input[t, :bs] for t, bs in enumerate(sizes)])
    batch_sizes = cresset.tensor(sizes, dtype=cresset.int64)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpacks a PackedSequence into (padded, lengths), the inverse of pack_padded_sequence."""
    data, batch_sizes = sequence.data, [int(b) for b in sequence.batch_sizes.tolist()]
    max_seq_length = len(batch_sizes)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_seq_length}")
        max_seq_length = total_length
    batch = batch_sizes[0]
    trailing = tuple(data.shape[1:])
    steps, offset = [], 0
    for t in range(max_seq_length):
        bs = batch_sizes[t] if t < len(batch_sizes) else 0
        piece = data[offset:offset + bs]
        offset += bs
        if bs < batch:
            pad = cresset.full((batch - bs,) + trailing, padding_value, dtype=data.dtype,
                               device=data.device)
            piece = cresset.cat([piece, pad])
        steps.append(piece)
    padded = cresset.stack(steps, 1 if batch_first else 0)
    lengths = cresset.tensor([sum(1 for b in batch_sizes if b > i) for i in range(batch)],
                             dtype=cresset.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks sequences of shape (L_i, *) into (T, B, *) (or (B, T, *)), padding to the
    longest."""
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if isinstance(sequences, cresset.Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(s.size(0) for s in sequences)
    padded = []
    for s in sequences:
        missing = max_len - s.size(0)
        if missing:
            pad = cresset.full((missing,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype,
                               device=s.device)
            s = cresset.cat([s, pad] if padding_side == "right" else [pad, s])
        padded.append(s)
    return cresset.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences of a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, lengths)]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of variable-length sequences."""
    lengths = cresset.tensor([v.size(0) for v in sequences], dtype=cresset.int64)
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences of a PackedSequence."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
