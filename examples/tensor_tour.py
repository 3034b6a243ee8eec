"""A tour of cresset as a NumPy replacement, mirroring PyTorch's "Tensors" tutorial."""
import cresset as torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
print("from data:", x_data.tolist(), x_data.dtype)

x_ones = torch.ones(2, 2)
x_full = torch.full((2, 2), 0.5)
print("ones + full:", (x_ones + x_full).tolist())

shape = (2, 3)
t = torch.zeros(shape)
print("shape:", t.shape, "dtype:", t.dtype, "device:", t.device)

t += 1
print("after t += 1:", t.tolist())
print("exp:", torch.exp(torch.tensor([0.0, 1.0])).tolist())
print("promotion int + float:", (torch.tensor([1, 2]) + 2.5).dtype)
