"""F.linear and F.bilinear, composed from matmul ops (addmm on the 2-D path, as torch)."""
import cresset

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias."""
    if bias is not None and input.dim() == 2:
        return cresset.addmm(bias, input, weight.t())
    out = cresset.matmul(input, weight.t())
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]."""
    if input1.dim() != input2.dim():
        raise RuntimeError("bilinear(): input dimensions do not match: got "
                           f"{input1.dim()} and {input2.dim()}")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError("bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape)} and {list(input2.shape)}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional; got {weight.dim()}")
    out_features, in1, in2 = weight.shape
    if input1.size(-1) != in1:
        raise RuntimeError("bilinear(): input1 size does not match weight size: got "
                           f"{input1.size(-1)} but expected {in1}")
    if input2.size(-1) != in2:
        raise RuntimeError("bilinear(): input2 size does not match weight size: got "
                           f"{input2.size(-1)} but expected {in2}")
    batch = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out * in2) -> (N, out, in2), then contract in2 with input2.
    t = cresset.matmul(x1, weight.permute(1, 0, 2).reshape(in1, out_features * in2))
    y = (t.view(-1, out_features, in2) * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(batch + (out_features,))
