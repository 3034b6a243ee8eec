// torch.linalg's small composites, each as torch writes it (torch's error messages included).
#include "cresset/ops/linalg_composite.h"

#include <functional>
#include <limits>

#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/factories.h"
#include "cresset/ops/linalg.h"
#include "cresset/ops/linalg_solve.h"
#include "cresset/ops/linalg_util.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

int64_t product(const int64_t* begin, const int64_t* end) {
  int64_t p = 1;
  for (const int64_t* s = begin; s != end; ++s) p *= *s;
  return p;
}

}  // namespace

Tensor linalg_diagonal(const Tensor& A, int64_t offset, int64_t dim1, int64_t dim2) {
  return diagonal(A, offset, dim1, dim2);
}

Tensor linalg_vecdot(const Tensor& x, const Tensor& y, int64_t dim) {
  CRESSET_CHECK(x.dtype() == y.dtype(), RuntimeError,
                "[linalg.vecdot] linalg.vecdot: Expected x and y to have the same dtype, but "
                "found x of type ",
                dtype_display(x.dtype()), " and y of type ", dtype_display(y.dtype()), " instead");
  return sum(x * y, DimVector{dim});
}

Tensor linalg_multi_dot(const std::vector<Tensor>& tensors) {
  const int64_t n = int64_t(tensors.size());
  CRESSET_CHECK(n >= 2, RuntimeError,
                "[linalg.multi_dot] multi_dot(): expected at least 2 tensors but got ", n);
  std::vector<Tensor> mats(tensors);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t d = mats[size_t(i)].dim();
    const bool end = i == 0 || i == n - 1;
    CRESSET_CHECK(d == 2 || (end && d == 1), RuntimeError, "[linalg.multi_dot] multi_dot(): ",
                  i == 0 ? "the first tensor must be 1D or 2D"
                  : end  ? "the last tensor must be 1D or 2D"
                         : str_cat("tensor ", i, " must be 2D"),
                  " but got ", d, "D");
    CRESSET_CHECK(mats[size_t(i)].dtype() == mats[0].dtype(), RuntimeError,
                  "[linalg.multi_dot] multi_dot(): all tensors must have be the same dtype but "
                  "tensor 0 is ",
                  dtype_display(mats[0].dtype()), " and tensor ", i, " ",
                  dtype_display(mats[size_t(i)].dtype()));
  }
  const bool row = mats.front().dim() == 1, col = mats.back().dim() == 1;
  if (row) mats.front() = unsqueeze(mats.front(), 0);
  if (col) mats.back() = unsqueeze(mats.back(), -1);
  for (int64_t i = 0; i + 1 < n; ++i) {
    const Tensor &a = mats[size_t(i)], &b = mats[size_t(i + 1)];
    CRESSET_CHECK(a.size(1) == b.size(0), RuntimeError, "[linalg.multi_dot] multi_dot(): tensors ",
                  i, " and ", i + 1, " with shapes ", shape_str(tensors[size_t(i)].sizes()),
                  " and ", shape_str(tensors[size_t(i + 1)].sizes()), " cannot be multiplied");
  }
  // The matrix-chain order: cost[i][j] the fewest multiplications for mats i..j.
  std::vector<int64_t> dims{mats[0].size(0)};
  for (const Tensor& t : mats) dims.push_back(t.size(1));
  std::vector<std::vector<int64_t>> cost(size_t(n), std::vector<int64_t>(size_t(n), 0));
  std::vector<std::vector<int64_t>> split = cost;
  for (int64_t len = 1; len < n; ++len) {
    for (int64_t i = 0; i + len < n; ++i) {
      const int64_t j = i + len;
      cost[size_t(i)][size_t(j)] = std::numeric_limits<int64_t>::max();
      for (int64_t k = i; k < j; ++k) {
        const int64_t c = cost[size_t(i)][size_t(k)] + cost[size_t(k + 1)][size_t(j)] +
                          dims[size_t(i)] * dims[size_t(k + 1)] * dims[size_t(j + 1)];
        if (c < cost[size_t(i)][size_t(j)]) {
          cost[size_t(i)][size_t(j)] = c;
          split[size_t(i)][size_t(j)] = k;
        }
      }
    }
  }
  std::function<Tensor(int64_t, int64_t)> chain = [&](int64_t i, int64_t j) {
    if (i == j) return mats[size_t(i)];
    const int64_t k = split[size_t(i)][size_t(j)];
    return mm(chain(i, k), chain(k + 1, j));
  };
  Tensor r = chain(0, n - 1);
  if (col) r = squeeze(r, -1);
  if (row) r = squeeze(r, 0);
  return r;
}

Tensor linalg_vander(const Tensor& x, std::optional<int64_t> N) {
  CRESSET_CHECK(x.dtype() != DType::Bool, RuntimeError,
                "[linalg.vander] linalg.vander supports floating point, complex, and integer "
                "tensors, but got Bool");
  const int64_t n = N ? *N : (x.dim() > 0 ? x.size(-1) : 1);
  CRESSET_CHECK(n > 1, RuntimeError, "[linalg.vander] N must be greater than 1.");
  // Integers compute in Int64, as torch's.
  const Tensor col =
      unsqueeze(is_floating(x.dtype()) ? x : linalg_util::as_dtype(x, DType::Int64), -1);
  DimVector sizes = col.sizes();
  sizes[sizes.size() - 1] = n - 1;
  return cat({ones_like(col), cumprod(expand(col, sizes), -1)}, -1);
}

Tensor linalg_tensorinv(const Tensor& A, int64_t ind) {
  CRESSET_CHECK(ind > 0, RuntimeError,
                "[linalg.tensorinv] Expected a strictly positive integer for 'ind', but got ", ind);
  const int64_t* s = A.sizes().data();
  const int64_t split = std::min<int64_t>(ind, A.dim());
  const int64_t rows = product(s, s + split), cols = product(s + split, s + A.dim());
  CRESSET_CHECK(
      rows == cols, RuntimeError,
      "[linalg.tensorinv] Expected self to satisfy the requirement prod(self.shape[ind:]) "
      "== prod(self.shape[:ind]), but got ",
      cols, " != ", rows);
  DimVector shape(s + split, size_t(A.dim() - split));
  for (int64_t i = 0; i < split; ++i) shape.push_back(s[i]);
  return reshape(linalg_inv(reshape(A, {rows, cols})), shape);
}

Tensor linalg_tensorsolve(const Tensor& A, const Tensor& B, const std::optional<DimVector>& dims) {
  Tensor a = A;
  if (dims) {
    DimVector to;
    for (size_t i = 0; i < dims->size(); ++i) to.push_back(A.dim() - int64_t(dims->size() - i));
    a = movedim(A, *dims, to);
  }
  const int64_t* s = a.sizes().data();
  const int64_t lead = std::min<int64_t>(B.dim(), a.dim());
  const DimVector result_shape(s + lead, size_t(a.dim() - lead));
  const int64_t result_product = product(s + lead, s + a.dim());
  CRESSET_CHECK(result_product == B.numel(), RuntimeError,
                "[linalg.tensorsolve] Expected self to satisfy the requirement "
                "prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), but got ",
                result_product, " != ", B.numel());
  const Tensor x = linalg_solve(reshape(a, {B.numel(), result_product}), flatten(B));
  return reshape(x, result_shape);
}

}  // namespace cresset
