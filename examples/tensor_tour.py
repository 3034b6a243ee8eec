"""A tour of cresset, mirroring PyTorch's "Tensors" and "Autograd" tutorials."""
import cresset as torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
print("from data:\n", x_data)

x_ones = torch.ones_like(x_data)
x_rand = torch.rand_like(x_data, dtype=torch.float)
print("ones_like:\n", x_ones)
print("rand_like has shape", x_rand.shape, "and dtype", x_rand.dtype)

shape = (2, 3)
print("zeros:\n", torch.zeros(shape))

tensor = torch.ones(4, 4)
tensor[:, 1] = 0
print("first row:", tensor[0], "last column:", tensor[..., -1])
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print("cat shape:", t1.shape)
print("matmul:\n", tensor @ tensor.T)
print("sum:", tensor.sum().item())

n = torch.ones(5).numpy()
t = torch.from_numpy(n)
t.add_(1)
print("numpy shares memory:", n)

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
out = (y * y * 3).mean()
out.backward()
print("y.grad_fn:", y.grad_fn.name(), " x.grad:\n", x.grad)
