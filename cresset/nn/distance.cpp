// Distances, composed of differentiable ops as torch's are (its node names follow: the result of
// cosine_similarity is a sum, pairwise_distance's a norm).
#include "cresset/nn/distance.h"

#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset {

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  DType common = result_type({x1, x2});
  CRESSET_CHECK(is_floating(common), RuntimeError,
                "[cosine_similarity] expected common dtype to be floating point, yet common dtype "
                "is ",
                dtype_display(common));
  auto as_float = [&](const Tensor& x) {
    return is_floating(x.dtype()) ? x : to(x, common, x.device());
  };
  // Operands of different shapes are both expanded to the common one, also the one already of it
  // (torch's ExpandBackward0 edges).
  const DimVector shape = broadcast_shapes(x1.sizes(), x2.sizes());
  const bool same = x1.sizes() == x2.sizes();
  const Tensor b[2] = {same ? as_float(x1) : expand(as_float(x1), shape),
                       same ? as_float(x2) : expand(as_float(x2), shape)};
  // Each operand is divided by its norm first (more stable; keeps the result in [-1, 1]); the
  // norms are clamped to eps outside the graph, like torch.
  const DimVector dims{dim};
  Tensor n1 = clone(norm(b[0], 2, dims, true)), n2 = clone(norm(b[1], 2, dims, true));
  {
    autograd::AutoGradMode off(false);
    clamp_(n1, Scalar(eps), std::nullopt);
    clamp_(n2, Scalar(eps), std::nullopt);
  }
  return sum((b[0] / n1) * (b[1] / n2), dims);
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  int64_t last = std::max(x1.dim(), x2.dim()) - 1;
  return at_norm(x1 - x2 + eps, p, DimVector{last}, keepdim);
}

Tensor pdist(const Tensor& self, double p) {
  CRESSET_CHECK(self.dim() == 2, RuntimeError,
                "[pdist] pdist only supports 2D tensors, got: ", self.dim(), "D");
  CRESSET_CHECK(self.is_floating_point(), RuntimeError,
                "[pdist] pdist only supports floating-point dtypes");
  CRESSET_CHECK(p >= 0, RuntimeError, "[pdist] pdist only supports non-negative p values");
  int64_t n = self.sizes()[0];
  std::vector<int64_t> first, second;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      first.push_back(i);
      second.push_back(j);
    }
  }
  auto index = [](const std::vector<int64_t>& v) {
    Tensor t = empty_tensor({int64_t(v.size())}, DType::Int64);
    std::copy(v.begin(), v.end(), t.data<int64_t>());
    return t;
  };
  Tensor i = to(index(first), DType::Int64, self.device()),
         j = to(index(second), DType::Int64, self.device());
  return norm(index_select(self, 0, i) - index_select(self, 0, j), p, DimVector{1});
}

}  // namespace cresset
