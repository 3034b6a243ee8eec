"""F.linear (C++: cresset/nn/linear.cpp) and F.bilinear, composed from matmul ops."""
import cresset
from cresset import _C

__all__ = ["bilinear", "linear"]

linear = _C._nn.linear


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]."""
    if input1.dim() != input2.dim():
        raise RuntimeError("bilinear(): input dimensions do not match: got "
                           f"{input1.dim()} and {input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.size(i) != input2.size(i):
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {input1.size(i)} and {input2.size(i)}")
    out_features, in1, in2 = weight.size(0), weight.size(1), weight.size(2)
    if input1.size(-1) != in1:
        raise RuntimeError("bilinear(): input1 size does not match weight size: got "
                           f"{input1.size(-1)} but expected {in1}")
    if input2.size(-1) != in2:
        raise RuntimeError("bilinear(): input2 size does not match weight size: got "
                           f"{input2.size(-1)} but expected {in2}")
    if bias is not None and bias.size(0) != out_features:
        raise RuntimeError("bilinear(): bias size does not match weight size: got "
                           f"{bias.size(0)} but expected {out_features}")
    batch = tuple(input1.shape[:-1])
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out * in2) -> (N, out, in2), then contract in2 with input2.
    t = cresset.matmul(input1.reshape(-1, in1),
                       weight.permute(1, 0, 2).reshape(in1, out_features * in2))
    y = (t.view(-1, out_features, in2) * x2.unsqueeze(1)).sum(-1).reshape(batch + (out_features,))
    return y if bias is None else y + bias
