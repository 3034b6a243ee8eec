// Tensors, printing and autograd from C++: the first steps of the Python tutorial.
#include <cresset/cresset.h>

#include <iostream>

int main() {
  using namespace cresset::indexing;
  cresset::Tensor x = cresset::tensor({{1., 2.}, {3., 4.}}, cresset::requires_grad());
  cresset::Tensor y = (x * x + 2).sum();
  y.backward();
  std::cout << x << "\n" << y << "\n" << x.grad() << "\n";      // the gradient is 2 * x
  std::cout << cresset::arange(10).view({2, 5}).index({Slice(), Slice(1, None, 2)}) << "\n";
  return x.grad().allclose(2 * x.detach()) ? 0 : 1;
}
