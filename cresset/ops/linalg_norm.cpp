// torch.linalg's norms. vector_norm is cresset's norm reduction (ops/reduce.cpp) behind torch's
// dtype checks; matrix_norm and norm are torch's composites, so their autograd nodes are torch's
// (LinalgVectorNormBackward0 for 'fro', AmaxBackward0 for 1, inf and 2, SumBackward1 for 'nuc').
#include "cresset/ops/linalg_norm.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/ops/linalg_spectral.h"
#include "cresset/ops/linalg_util.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

// torch's checks of a dtype= argument: floating, and not narrower than the input's.
void check_dtype_arg(const char* op, const Tensor& x, std::optional<DType> dtype) {
  if (!dtype) return;
  CRESSET_CHECK(is_floating(*dtype), RuntimeError, "[", op, "] ", op,
                ": dtype should be floating point or complex, but got ", dtype_display(*dtype));
  CRESSET_CHECK(!is_floating(x.dtype()) || promote_types(x.dtype(), *dtype) == *dtype, RuntimeError,
                "[", op, "] ", op, ": the dtype of the input (", dtype_display(x.dtype()),
                ") should be convertible without narrowing to the specified dtype (",
                dtype_display(*dtype), ")");
}

// matrix_norm's checks; returns the two dims wrapped.
DimVector check_matrix_norm(const Tensor& A, const DimVector& dim, std::optional<DType> dtype) {
  const char* op = "linalg.matrix_norm";
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[", op, "] ", op,
                ": The input tensor A must have at least 2 dimensions.");
  CRESSET_CHECK(is_floating(A.dtype()), RuntimeError, "[", op, "] ", op,
                ": Expected a floating point or complex tensor as input. Got ",
                dtype_display(A.dtype()));
  check_dtype_arg(op, A, dtype);
  CRESSET_CHECK(dim.size() == 2, RuntimeError, "[", op, "] ", op, ": dim must be a 2-tuple. Got ",
                shape_str(dim));
  DimVector d{wrap_dim(dim[0], A.dim()), wrap_dim(dim[1], A.dim())};
  CRESSET_CHECK(d[0] != d[1], RuntimeError, "[", op, "] ", op, ": dims must be different. Got (",
                dim[0], ", ", dim[1], ")");
  return d;
}

// f(svdvals) over the two dims d of A (moved last), reduced along the last dim; keepdim puts
// size-1 dims back where d were.
template <typename F>
Tensor over_singular_values(const Tensor& A, const DimVector& d, bool keepdim,
                            std::optional<DType> dtype, const F& reduce_last) {
  const Tensor a = dtype ? linalg_util::as_dtype(A, *dtype) : A;
  Tensor r = reduce_last(linalg_svdvals(movedim(a, d, {-2, -1})));
  if (!keepdim) return r;
  const DimVector lo = {std::min(d[0], d[1]), std::max(d[0], d[1])};
  return unsqueeze(unsqueeze(r, lo[0]), lo[1]);
}

}  // namespace

Tensor linalg_vector_norm(const Tensor& x, double ord, const OptDims& dim, bool keepdim,
                          std::optional<DType> dtype) {
  check_dtype_arg("linalg.vector_norm", x, dtype);
  return norm(x, ord, dim, keepdim, dtype);
}

Tensor linalg_matrix_norm(const Tensor& A, double ord, const DimVector& dim, bool keepdim,
                          std::optional<DType> dtype) {
  const double abs_ord = std::abs(ord);
  CRESSET_CHECK(abs_ord == 2 || abs_ord == 1 || std::isinf(ord), RuntimeError,
                "[linalg.matrix_norm] linalg.matrix_norm: Order ", ord, " not supported.");
  DimVector d = check_matrix_norm(A, dim, dtype);
  auto max_min = [ord, keepdim](const Tensor& t, int64_t along) {
    return ord > 0 ? amax(t, {along}, keepdim) : amin(t, {along}, keepdim);
  };
  if (abs_ord == 2) {
    return over_singular_values(A, d, keepdim, dtype, [ord](const Tensor& s) {
      return ord > 0 ? amax(s, {-1}) : amin(s, {-1});
    });
  }
  // The inf-norm is the 1-norm of the transpose: column sums of |A|, then their max or min.
  if (std::isinf(ord)) std::swap(d[0], d[1]);
  const int64_t second = !keepdim && d[0] < d[1] ? d[1] - 1 : d[1];
  return max_min(linalg_vector_norm(A, 1, DimVector{d[0]}, keepdim, dtype), second);
}

Tensor linalg_matrix_norm(const Tensor& A, const std::string& ord, const DimVector& dim,
                          bool keepdim, std::optional<DType> dtype) {
  CRESSET_CHECK(ord == "fro" || ord == "nuc", RuntimeError,
                "[linalg.matrix_norm] linalg.matrix_norm: Order ", ord, " not supported.");
  const DimVector d = check_matrix_norm(A, dim, dtype);
  if (ord == "fro") return linalg_vector_norm(A, 2, d, keepdim, dtype);
  return over_singular_values(A, d, keepdim, dtype,
                              [](const Tensor& s) { return sum(s, DimVector{-1}); });
}

Tensor linalg_norm(const Tensor& A, std::optional<double> ord, const OptDims& dim, bool keepdim,
                   std::optional<DType> dtype) {
  const char* op = "linalg.norm";
  if (dim) {
    CRESSET_CHECK(dim->size() == 1 || dim->size() == 2, RuntimeError, "[", op, "] ", op,
                  ": If dim is specified, it must be of length 1 or 2. Got ", shape_str(*dim));
  } else if (ord) {
    CRESSET_CHECK(A.dim() == 1 || A.dim() == 2, RuntimeError, "[", op, "] ", op,
                  ": If dim is not specified but ord is, the input must be 1D or 2D. Got ", A.dim(),
                  "D.");
  }
  if (ord && (dim ? dim->size() == 2 : A.dim() == 2)) {
    return linalg_matrix_norm(A, *ord, dim ? *dim : DimVector{0, 1}, keepdim, dtype);
  }
  return linalg_vector_norm(A, ord.value_or(2), dim, keepdim, dtype);
}

Tensor linalg_norm(const Tensor& A, const std::string& ord, const OptDims& dim, bool keepdim,
                   std::optional<DType> dtype) {
  const char* op = "linalg.norm";
  if (dim) {
    CRESSET_CHECK(dim->size() == 1 || dim->size() == 2, RuntimeError, "[", op, "] ", op,
                  ": If dim is specified, it must be of length 1 or 2. Got ", shape_str(*dim));
  } else {
    CRESSET_CHECK(A.dim() == 1 || A.dim() == 2, RuntimeError, "[", op, "] ", op,
                  ": If dim is not specified but ord is, the input must be 1D or 2D. Got ", A.dim(),
                  "D.");
  }
  return linalg_matrix_norm(A, ord, dim ? *dim : DimVector{0, 1}, keepdim, dtype);
}

}  // namespace cresset
