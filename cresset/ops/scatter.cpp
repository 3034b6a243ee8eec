// Gathers and scatters along one dim: gather, index_select, take, take_along_dim (read through
// index_kernel), scatter, scatter_add, scatter_reduce, index_add, index_copy (scatter_kernel),
// index_fill and put_ (index_put_kernel).
//
// Note [Ops along a dim as gathers and scatters]
// Everything here is one of three kernels. Reads are advanced indexing with one index: self is
// viewed with the index's shape and stride 0 along dim, and the index operand adds index * stride.
// index_select is a gather whose 1-D index is viewed with stride 0 in every other dim, so no
// expanded index is ever materialised. Writes that may meet duplicate indices (scatter*,
// index_add, index_copy) use scatter_kernel, which iterates every dim but `dim` in parallel and
// walks `dim` serially: duplicates then apply in index order and never race.
//
// Each public op records its backward (See Note [Index family autograd]) over the forward in an
// internal function: *_values for reads, *_into for writes.
#include <limits>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/index_internal.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/out.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/sort.h"
#include "cresset/ops/view.h"

namespace cresset {

using namespace index_detail;

namespace {

// 0-dim tensors behave as 1-D tensors of one element in these ops.
Tensor at_least_1d(const Tensor& t) { return atleast_nd(t, 1); }

int64_t nonempty_dim(const Tensor& t) { return t.dim() > 0 ? t.dim() : 1; }

bool is_index_dtype(DType t) { return t == DType::Int64 || t == DType::Int32; }

// DimVector without element `d` (a "slice shape").
DimVector without(const DimVector& v, int64_t d) {
  DimVector r = v;
  if (d < int64_t(r.size())) r.erase(size_t(d));
  return r;
}

// out = self[index] along dim, out shaped like index (all at least 1-D, index int64 in range).
void run_gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  DimVector strides = self.strides();
  strides[dim] = 0;
  Tensor src = self.as_strided_view(index.sizes(), strides, self.storage_offset());
  IndexedDims dims;
  dims.count = 1;
  dims.sizes[0] = self.sizes()[dim];
  dims.strides[0] = self.strides()[dim] * self.itemsize();
  TensorIter it = TensorIterConfig("gather")
                      .add_output(out)
                      .add_input(src)
                      .add_input(index)
                      .promote_inputs(false)
                      .output_dtype(out.dtype())
                      .build();
  if (it.numel() > 0) CRESSET_INDEX_KERNEL(self.device(), index_kernel, it, dims);
}

// self[index] op= src along dim (See Note [Ops along a dim as gathers and scatters]). index and
// src cover the same positions (src may be broadcast); all at least 1-D, index int64 in range.
void run_scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                 ScatterOp op, Scalar alpha) {
  if (index.numel() == 0 || self.numel() == 0) return;
  DimVector sizes = index.sizes();
  sizes[dim] = 1;
  auto across = [&](const Tensor& t) {
    return t.as_strided_view(sizes, t.strides(), t.storage_offset());
  };
  TensorIter it = TensorIterConfig("scatter")
                      .add_input(across(self))
                      .add_input(across(index))
                      .add_input(across(src))
                      .promote_inputs(false)
                      .build();
  ScatterDim d;
  d.length = index.sizes()[dim];
  d.index_stride = index.strides()[dim] * index.itemsize();
  d.self_stride = self.strides()[dim] * self.itemsize();
  d.src_stride = src.strides()[dim] * src.itemsize();
  if (it.numel() > 0) CRESSET_INDEX_KERNEL(self.device(), scatter_kernel, it, d, op, alpha);
}

// A 1-D index along `dim`, viewed in `sizes` (stride 0 elsewhere).
Tensor index_along(const Tensor& index, int64_t dim, const DimVector& sizes) {
  DimVector strides(sizes.size(), 0);
  strides[dim] = index.dim() > 0 ? index.strides()[0] : 0;
  return index.as_strided_view(sizes, strides, index.storage_offset());
}

void check_range(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  if (auto bad = find_out_of_range(index, 0, size)) {
    throw RuntimeError(str_cat("[", op, "] index ", *bad, " is out of bounds for dimension ", dim,
                               " with size ", size));
  }
}

// The checks torch's scatter family makes (scatter_gather_dtype_check, scatter_shape_check).
void check_scatter_args(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                        const char* op) {
  CRESSET_CHECK(is_index_dtype(index.dtype()), RuntimeError, "[", op,
                "] scatter(): Expected dtype int32/int64 for index");
  if (src) {
    CRESSET_CHECK(self.dtype() == src->dtype(), RuntimeError, "[", op,
                  "] scatter(): Expected self.dtype to be equal to src.dtype");
  }
  if (index.numel() == 0) return;
  CRESSET_CHECK(nonempty_dim(self) == nonempty_dim(index), RuntimeError, "[", op,
                "] Index tensor must have the same number of dimensions as self tensor");
  if (src) {
    CRESSET_CHECK(nonempty_dim(*src) == nonempty_dim(index), RuntimeError, "[", op,
                  "] Index tensor must have the same number of dimensions as src tensor");
  }
  Tensor s1 = at_least_1d(self), i1 = at_least_1d(index);
  for (int64_t d = 0; d < i1.dim(); ++d) {
    bool fits = d == dim || i1.sizes()[d] <= s1.sizes()[d];
    if (src) fits = fits && i1.sizes()[d] <= at_least_1d(*src).sizes()[d];
    CRESSET_CHECK(fits, RuntimeError, "[", op, "] Expected index ", shape_str(index.sizes()),
                  " to be no larger than self ", shape_str(self.sizes()), " apart from dimension ",
                  dim,
                  src ? str_cat(" and to be no larger size than src ", shape_str(src->sizes()))
                      : std::string());
  }
}

// The scatter family's shared path: checks, then self[index] op= src (or value). No version bump.
void scatter_impl(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                  Scalar value, ScatterOp op, const char* op_name) {
  dim = wrap_dim(dim, self.dim());
  check_scatter_args(self, dim, index, src, op_name);
  if (index.numel() == 0) return;
  check_no_internal_overlap(self, op_name);
  check_no_overlap(self, index, op_name);
  if (src) check_no_overlap(self, *src, op_name);
  Tensor s1 = at_least_1d(self), i1 = as_int64(at_least_1d(index));
  check_range(i1, s1.sizes()[dim], dim, op_name);
  Tensor source =
      src ? at_least_1d(*src)
          : expand(checked_scalar_tensor(value, self.dtype(), self.device()), i1.sizes());
  run_scatter(s1, dim, i1, source, op, Scalar(int64_t(1)));
}

// torch 2.13's take_along_dim along a dim reads indices modulo its size (-1 is the last, size + 1
// the second); a copy is only made when some index needs it.
Tensor modulo_indices(const Tensor& indices, int64_t size) {
  if (size <= 0 || !find_out_of_range(indices, 0, size)) return indices;
  TensorIter it = TensorIterConfig("take_along_dim")
                      .add_output(Tensor())
                      .add_input(indices)
                      .promote_inputs(false)
                      .output_dtype(DType::Int64)
                      .build();
  if (indices.device().is_cpu()) {
    cpu::modulo_index_kernel(it, size);
  } else {
    cuda::modulo_index_kernel(it, size);
  }
  return it.release_output();
}

ScatterOp legacy_reduce(const std::string& reduce) {
  if (reduce.empty()) return ScatterOp::Assign;
  if (reduce == "add") return ScatterOp::Add;
  CRESSET_CHECK(reduce == "multiply", RuntimeError,
                "[scatter_] reduce argument must be either add or multiply.");
  return ScatterOp::Mul;
}

}  // namespace

// ---- reads ----

namespace {

Tensor gather_values(const Tensor& self, int64_t dim, const Tensor& index) {
  CRESSET_CHECK(is_index_dtype(index.dtype()), RuntimeError,
                "[gather] gather(): Expected dtype int32/int64 for index");
  dim = wrap_dim(dim, self.dim());
  Tensor out = empty_tensor(index.sizes(), self.dtype(), self.device());
  if (index.numel() == 0) return out;
  CRESSET_CHECK(nonempty_dim(self) == nonempty_dim(index), RuntimeError,
                "[gather] Index tensor must have the same number of dimensions as input tensor");
  Tensor s1 = at_least_1d(self), i1 = as_int64(at_least_1d(index));
  for (int64_t d = 0; d < i1.dim(); ++d) {
    CRESSET_CHECK(d == dim || i1.sizes()[d] <= s1.sizes()[d], RuntimeError,
                  "[gather] Size does not match at dimension ", d, " expected index ",
                  shape_str(index.sizes()), " to be no larger than self ", shape_str(self.sizes()),
                  " apart from dimension ", dim);
  }
  check_range(i1, s1.sizes()[dim], dim, "gather");
  run_gather(at_least_1d(out), s1, dim, i1);
  return out;
}

Tensor index_select_values(const Tensor& self, int64_t dim, const Tensor& index) {
  CRESSET_CHECK(is_index_dtype(index.dtype()), RuntimeError,
                "[index_select] index_select(): Expected dtype int32 or int64 for index");
  CRESSET_CHECK(index.dim() <= 1, IndexError,
                "[index_select] index_select(): Index is supposed to be a vector");
  dim = wrap_dim(dim, self.dim());
  if (self.dim() == 0) {
    CRESSET_CHECK(index.numel() == 1, RuntimeError,
                  "[index_select] index_select(): Index to scalar can have only 1 value, got ",
                  index.numel(), " value(s)");
  }
  Tensor s1 = at_least_1d(self), i1 = as_int64(at_least_1d(index));
  const int64_t size = s1.sizes()[dim];
  // torch's error depends on its code path: dim 1 of a matrix-or-more has its own kernel.
  std::optional<int64_t> bad = find_out_of_range(i1, 0, size);
  if (self.dim() > 1 && self.numel() == 0) {
    CRESSET_CHECK(size > 0 || index.numel() == 0, RuntimeError,
                  "[index_select] index_select(): self indexing axis dim should be positive");
  }
  if (self.dim() > 1 && (dim == 1 || self.numel() == 0)) {
    CRESSET_CHECK(!bad, RuntimeError,
                  "[index_select] INDICES element is out of DATA bounds, id=", bad.value_or(0),
                  " axis_dim=", size);
  } else {
    CRESSET_CHECK(!bad, IndexError, "[index_select] index out of range in self");
  }
  DimVector sizes = self.sizes();
  if (self.dim() > 0) sizes[dim] = index.numel();
  Tensor out = empty_tensor(sizes, self.dtype(), self.device());
  if (out.numel() == 0) return out;
  Tensor o1 = at_least_1d(out);
  run_gather(o1, s1, dim, index_along(i1, dim, o1.sizes()));
  return out;
}

Tensor take_values(const Tensor& self, const Tensor& index) {
  CRESSET_CHECK(index.dtype() == DType::Int64, RuntimeError,
                "[take] take(): Expected a long tensor for index, but got ",
                dtype_display(index.dtype()));
  const int64_t n = self.numel();
  CRESSET_CHECK(n > 0 || index.numel() == 0, IndexError,
                "[take] take(): tried to take from an empty tensor");
  if (auto bad = find_out_of_range(index, -n, n)) {
    throw IndexError(str_cat("[take] out of range: tried to access index ", *bad,
                             " on a tensor of ", n, " elements."));
  }
  Tensor out = empty_tensor(index.sizes(), self.dtype(), self.device());
  if (out.numel() == 0) return out;
  Tensor flat = contiguous(self);
  IndexedDims dims;
  dims.count = 1;
  dims.sizes[0] = n;
  dims.strides[0] = flat.itemsize();
  Tensor src =
      flat.as_strided_view(index.sizes(), DimVector(size_t(index.dim()), 0), flat.storage_offset());
  TensorIter it = TensorIterConfig("take")
                      .add_output(out)
                      .add_input(src)
                      .add_input(index)
                      .promote_inputs(false)
                      .output_dtype(out.dtype())
                      .build();
  CRESSET_INDEX_KERNEL(self.device(), index_kernel, it, dims);
  return out;
}

}  // namespace

// ---- scatters ----

namespace {

void scatter_reduce_into(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                         const std::string& reduce, bool include_self) {
  ScatterOp op;
  if (reduce == "sum" || reduce == "mean") {
    op = ScatterOp::Add;
  } else if (reduce == "prod") {
    op = ScatterOp::Mul;
  } else if (reduce == "amax") {
    op = ScatterOp::Max;
  } else if (reduce == "amin") {
    op = ScatterOp::Min;
  } else {
    throw RuntimeError(
        str_cat("[scatter_reduce_] reduce argument must be either sum, prod, mean, "
                "amax or amin, got ",
                reduce));
  }
  const bool mean = reduce == "mean";
  CRESSET_CHECK(!(mean && self.dtype() == DType::Bool), NotImplementedError,
                "[scatter_reduce_] \"scatter_gather_tensor_cpu_reduce_mean\" not implemented for "
                "'Bool'");
  if (!include_self) {
    // The scattered-to positions start from the reduction's identity.
    Scalar identity(int64_t(0));
    if (op == ScatterOp::Mul) identity = Scalar(int64_t(1));
    if (op == ScatterOp::Max || op == ScatterOp::Min) {
      bool max = op == ScatterOp::Max;
      if (is_floating(self.dtype())) {
        identity = Scalar(max ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::infinity());
      } else {
        CRESSET_DISPATCH_INTEGRAL_BOOL("scatter_reduce_", self.dtype(), [&] {
          using L = std::numeric_limits<scalar_t>;
          identity = Scalar(int64_t(max ? L::lowest() : L::max()));
        });
      }
    }
    scatter_impl(self, dim, index, nullptr, identity, ScatterOp::Assign, "scatter_reduce_");
  }
  scatter_impl(self, dim, index, &src, Scalar(), op, "scatter_reduce_");
  if (mean && index.numel() > 0) {
    Tensor count =
        full(self.sizes(), Scalar(int64_t(include_self ? 1 : 0)), self.dtype(), self.device());
    scatter_impl(count, dim, index, nullptr, Scalar(int64_t(1)), ScatterOp::Add, "scatter_reduce_");
    TensorIter it = TensorIterConfig("scatter_reduce_")
                        .add_output(self)
                        .add_input(count)
                        .is_inplace(true)
                        .build();
    if (it.numel() > 0) {
      if (self.device().is_cpu()) {
        cpu::scatter_mean_kernel(it);
      } else {
        cuda::scatter_mean_kernel(it);
      }
    }
  }
}

}  // namespace

// ---- along a dim with a 1-D index, and put ----

namespace {

// torch's checks of the ops that take slices of source to the positions of a 1-D index along
// dim (index_add_, index_reduce_); `op` names the op in the messages.
void check_index_source(const char* op, const Tensor& self, int64_t dim, const Tensor& index,
                        const Tensor& source) {
  CRESSET_CHECK(index.dim() <= 1, IndexError, "[", op, "] ", op,
                "(): Index is supposed to be a vector, but got dim: ", index.dim(), " with type: ",
                dtype_display(index.dtype()), " and size: ", shape_str(index.sizes()));
  CRESSET_CHECK(is_index_dtype(index.dtype()), RuntimeError, "[", op, "] ", op,
                "(): Expected dtype int32/int64 for index but got: ",
                dtype_display(index.dtype()));
  CRESSET_CHECK(self.dtype() == source.dtype(), RuntimeError, "[", op, "] ", op, "(): self (",
                dtype_display(self.dtype()), ") and source (", dtype_display(source.dtype()),
                ") must have the same scalar type");
  CRESSET_CHECK(dim == 0 || dim < source.dim(), RuntimeError, "[", op, "] ", op,
                "(): Indexing dim ", dim, " is out of bounds of the source tensor with dim ",
                source.dim());
  // torch formats source.size(dim) into this message even for a 0-dim source, which raises.
  CRESSET_CHECK(source.dim() > 0 || index.numel() == 1, IndexError, "[", op,
                "] Dimension specified as 0 but tensor has no dimensions");
  const int64_t source_len = source.dim() == 0 ? 1 : source.sizes()[dim];
  CRESSET_CHECK(index.numel() == source_len, RuntimeError, "[", op, "] ", op,
                "(): Number of indices (", index.numel(),
                ") should be equal to source.size(dim): (", source_len, "), for dim: ", dim);
  const bool both_dims = source.dim() != 0 && self.dim() != 0;
  CRESSET_CHECK(both_dims ? without(self.sizes(), dim) == without(source.sizes(), dim)
                          : self.sizes() == source.sizes(),
                RuntimeError, "[", op,
                "] source tensor shape must match self tensor shape, excluding the specified "
                "dimension. Got self.shape = ",
                shape_str(self.sizes()), " source.shape = ", shape_str(source.sizes()));
}

void index_add_into(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                    Scalar alpha) {
  dim = wrap_dim(dim, self.dim());
  check_index_source("index_add_", self, dim, index, source);
  check_no_internal_overlap(self, "index_add_");
  check_no_overlap(self, index, "index_add_");
  check_no_overlap(self, source, "index_add_");
  Tensor s1 = at_least_1d(self), src1 = at_least_1d(source), i1 = as_int64(at_least_1d(index));
  // torch's error depends on its code path: a scatter_add for an int64 index along the first or
  // last dim of a non-empty matrix-or-more (nothing to check when empty), else a loop over slices.
  const bool scatter_path =
      self.dim() > 1 && index.dtype() == DType::Int64 && (dim == 0 || dim == self.dim() - 1);
  if (!scatter_path && (self.dim() <= 1 || self.numel() > 0)) {
    CRESSET_CHECK(!find_out_of_range(i1, 0, s1.sizes()[dim]), IndexError,
                  "[index_add_] index out of range in self");
  } else if (self.numel() > 0) {
    check_range(i1, s1.sizes()[dim], dim, "index_add_");
  }
  run_scatter(s1, dim, index_along(i1, dim, src1.sizes()), src1, ScatterOp::Add, alpha);
}

void index_copy_into(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
  dim = wrap_dim(dim, self.dim());
  CRESSET_CHECK(index.dim() < 2, IndexError,
                "[index_copy_] index_copy_(): Index should have dimension 1 or 0 (got ",
                index.dim(), ")");
  if (source.dim() == 0) {
    CRESSET_CHECK(index.numel() == 1, IndexError,
                  "[index_copy_] index_copy_(): When source is "
                  "scalar, index should have one element (got ",
                  index.numel(), ")");
  } else {
    CRESSET_CHECK(source.dim() == self.dim() || self.dim() == 0, IndexError,
                  "[index_copy_] index_copy_(): When source and destination are not scalars, "
                  "their dimensionality must match. Source dimensionality (",
                  source.dim(), "), destination dimensionality (", self.dim(), ")");
  }
  CRESSET_CHECK(index.dtype() == DType::Int64, RuntimeError,
                "[index_copy_] index_copy_(): Expected a long tensor for index, but got ",
                dtype_display(index.dtype()));
  CRESSET_CHECK(self.dtype() == source.dtype(), RuntimeError,
                "[index_copy_] index_copy_(): self and source expected to have the same dtype, "
                "but got (self) ",
                dtype_display(self.dtype()), " and (source) ", dtype_display(source.dtype()));
  DimVector self_slice = without(self.sizes(), dim), source_slice = without(source.sizes(), dim);
  CRESSET_CHECK(self_slice == source_slice, RuntimeError,
                "[index_copy_] index_copy_(): Source/destination tensor must have same slice "
                "shapes. Destination slice shape: ",
                shape_str(self_slice), " at dimension ", dim,
                " and source slice shape: ", shape_str(source_slice), " at dimension 0.");
  CRESSET_CHECK(source.dim() == 0 || index.numel() == source.sizes()[dim], IndexError,
                "[index_copy_] index_copy_(): Number of indices (", index.numel(),
                ") should be equal to source.size(dim) (", source.sizes()[dim], ")");
  check_no_internal_overlap(self, "index_copy_");
  check_no_overlap(self, index, "index_copy_");
  check_no_overlap(self, source, "index_copy_");
  Tensor s1 = at_least_1d(self), src1 = at_least_1d(source), i1 = at_least_1d(index);
  // torch views an empty self with the source's shape before copying, which fails as a
  // RuntimeError; otherwise it checks indices as it reads them.
  CRESSET_CHECK(self.numel() > 0 || source.numel() == 0, RuntimeError,
                "[index_copy_] index_copy_(): cannot copy ", source.numel(),
                " elements into an empty tensor of shape ", shape_str(self.sizes()));
  std::optional<int64_t> bad;
  if (source.numel() > 0) bad = find_out_of_range(i1, 0, s1.sizes()[dim]);
  if (bad) {
    throw IndexError(str_cat("[index_copy_] index_copy_(): index ", *bad,
                             " is out of bounds for dimension ", dim, " with size ",
                             s1.sizes()[dim]));
  }
  run_scatter(s1, dim, index_along(i1, dim, src1.sizes()), src1, ScatterOp::Assign,
              Scalar(int64_t(1)));
}

void index_fill_into(const Tensor& self, int64_t dim, const Tensor& index, Scalar value) {
  CRESSET_CHECK(index.dtype() == DType::Int64, IndexError,
                "[index_fill_] index_fill_(): Expected dtype int64 for index.");
  CRESSET_CHECK(index.dim() <= 1, RuntimeError, "[index_fill_] Index has to be a vector/scalar");
  dim = wrap_dim(dim, self.dim());
  check_no_internal_overlap(self, "index_fill_");
  check_no_overlap(self, index, "index_fill_");
  Tensor s1 = at_least_1d(self), i1 = at_least_1d(index);
  const int64_t size = s1.sizes()[dim];
  // torch views self with the index's length along dim before filling: that fails as a
  // RuntimeError when self is empty but the view is not; otherwise it checks indices as it writes.
  int64_t filled = i1.numel();
  for (int64_t d = 0; d < s1.dim(); ++d) filled *= d == dim ? 1 : s1.sizes()[d];
  CRESSET_CHECK(self.numel() > 0 || filled == 0, RuntimeError,
                "[index_fill_] index_fill_(): "
                "cannot fill ",
                filled, " elements of an empty tensor of shape ", shape_str(self.sizes()));
  std::optional<int64_t> bad;
  if (self.numel() > 0) bad = find_out_of_range(i1, -size, size);
  if (bad) {
    throw IndexError(str_cat("[index_fill_] index ", *bad, " is out of bounds for dimension ", dim,
                             " with size ", size));
  }
  Tensor v = checked_scalar_tensor(value, self.dtype(), self.device());
  // self[..., index, ...] = value: index_put along dim (negative indices allowed).
  DimVector sizes = s1.sizes(), strides = s1.strides();
  sizes[dim] = i1.numel();
  strides[dim] = 0;
  Tensor dst = s1.as_strided_view(sizes, strides, s1.storage_offset());
  IndexedDims dims;
  dims.count = 1;
  dims.sizes[0] = size;
  dims.strides[0] = s1.strides()[dim] * s1.itemsize();
  TensorIter it = TensorIterConfig("index_fill_")
                      .add_input(dst)
                      .add_input(v)
                      .add_input(index_along(i1, dim, sizes))
                      .promote_inputs(false)
                      .build();
  if (it.numel() > 0 && self.numel() > 0) {
    CRESSET_INDEX_KERNEL(self.device(), index_put_kernel, it, dims, false);
  }
}

void put_into(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate) {
  CRESSET_CHECK(index.dtype() == DType::Int64, RuntimeError,
                "[put_] put_(): Expected a long tensor for index, but got ",
                dtype_display(index.dtype()));
  CRESSET_CHECK(self.dtype() == source.dtype(), RuntimeError,
                "[put_] put_(): self and source expected to have the same dtype, but got "
                "self.dtype = ",
                dtype_display(self.dtype()), " and source.dtype = ", dtype_display(source.dtype()));
  CRESSET_CHECK(source.numel() == index.numel(), IndexError,
                "[put_] put_(): Expected source and index to have the same number of elements, "
                "but got source.numel() = ",
                source.numel(), ", index.numel() = ", index.numel());
  const int64_t n = self.numel(), count = index.numel();
  CRESSET_CHECK(n > 0 || count == 0, IndexError,
                "[put_] put_(): Tried to put elements into an empty tensor");
  if (auto bad = find_out_of_range(index, -n, n)) {
    throw IndexError(str_cat("[put_] out of range: tried to access index ", *bad,
                             " on a tensor of ", n, " elements."));
  }
  check_no_internal_overlap(self, "put_");
  check_no_overlap(self, index, "put_");
  check_no_overlap(self, source, "put_");
  if (count > 0) {
    // Write into self read as 1-D: itself when contiguous, else a copy written back after.
    Tensor flat = contiguous(self);
    Tensor idx = contiguous(index), src = contiguous(source);
    IndexedDims dims;
    dims.count = 1;
    dims.sizes[0] = n;
    dims.strides[0] = flat.itemsize();
    TensorIter it = TensorIterConfig("put_")
                        .add_input(flat.as_strided_view({count}, {0}, flat.storage_offset()))
                        .add_input(src.as_strided_view({count}, {1}, src.storage_offset()))
                        .add_input(idx.as_strided_view({count}, {1}, idx.storage_offset()))
                        .promote_inputs(false)
                        .build();
    CRESSET_INDEX_KERNEL(self.device(), index_put_kernel, it, dims, accumulate);
    if (!flat.is_same(self)) copy_into(self, flat);
  }
}

}  // namespace

// ---- autograd (See Note [Index family autograd]) ----

namespace {

Tensor zeros_as(const DimVector& shape, const Tensor& like) {
  return zeros(shape, like.dtype(), like.device());
}

Tensor scalar_eq(const Tensor& t, double v) { return eq(t, wrapped_scalar(Scalar(v))); }

// `grad` (shaped like the forward's result) read back with source's shape: the ops along a dim
// with a 1-D index give a 0-dim source a 1-element gradient.
Tensor like_source(const Tensor& grad, const DimVector& source_shape) {
  return grad.sizes() == source_shape ? grad : reshape(grad, source_shape);
}

// Records result = gather(self, dim, index) as GatherBackward0. Like torch, self is saved
// (version-checked) although only its shape is read.
void record_gather(const Tensor& self, const Tensor& result, int64_t dim, const Tensor& index) {
  autograd::record("GatherBackward0", {self}, {result}, {index, self},
                   [dim](const autograd::Ctx& c) -> autograd::TensorList {
                     const DimVector shape = c.saved(1).sizes();
                     return {scatter_add_(zeros_as(shape, c.grad()), dim, c.saved(0), c.grad())};
                   });
}

// Records result = scatter(self, dim, index, src) (src null: the value form) with the legacy
// reduce `op`, for which torch has no derivative.
void record_scatter(const Tensor& self, const Tensor* src, const Tensor& result, int64_t dim,
                    const Tensor& index, ScatterOp op) {
  autograd::TensorList inputs{self};
  if (src) inputs.push_back(*src);
  if (op != ScatterOp::Assign) {
    autograd::record("torch::autograd::NotImplemented", inputs, {result}, {},
                     [](const autograd::Ctx&) -> autograd::TensorList {
                       throw RuntimeError("derivative for aten::scatter is not implemented");
                     });
    return;
  }
  dim = wrap_dim(dim, self.dim());
  autograd::record(src ? "ScatterBackward0" : "ScatterBackward1", inputs, {result}, {index},
                   [dim](const autograd::Ctx& c) -> autograd::TensorList {
                     const Tensor& g = c.grad();
                     Tensor index = c.saved(0), self_grad, src_grad;
                     if (c.needs_input_grad(0)) self_grad = scatter(g, dim, index, Scalar(0.0));
                     if (c.needs_input_grad(1)) src_grad = gather(g, dim, index);
                     return {self_grad, src_grad};
                   });
}

void record_scatter_add(const Tensor& self, const Tensor& src, const Tensor& result, int64_t dim,
                        const Tensor& index) {
  dim = wrap_dim(dim, self.dim());
  autograd::record("ScatterAddBackward0", {self, src}, {result}, {index},
                   [dim](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor src_grad;
                     if (c.needs_input_grad(1)) src_grad = gather(c.grad(), dim, c.saved(0));
                     return {c.grad(), src_grad};
                   });
}

// torch's scatter_reduce_backward: sum and mean spread the gradient like scatter_add; prod divides
// the result by each factor (with care for zeros); amax/amin share it evenly among the elements
// equal to the result.
autograd::TensorList scatter_reduce_grads(const autograd::Ctx& c, int64_t dim,
                                          const std::string& reduce, bool include_self) {
  const Tensor& grad = c.grad();
  Tensor self = c.saved(0), index = c.saved(1), src = c.saved(2), result = c.saved(3);
  Tensor self_grad, src_grad;
  if (reduce == "sum") {
    self_grad = grad;
    src_grad = gather(grad, dim, index);
  } else if (reduce == "prod") {
    Tensor masked_self = masked_fill(self, scalar_eq(self, 0), Scalar(1.0));
    Tensor masked_self_result = scatter_reduce(masked_self, dim, index, src, reduce, include_self);
    self_grad = grad * masked_self_result / masked_self;
    Tensor src_zero = scalar_eq(src, 0);
    Tensor src_num_zeros = gather(
        scatter_add(zeros_as(self.sizes(), self), dim, index, cast_tensor(src_zero, self.dtype())),
        dim, index);
    Tensor src_single_zero = logical_and(src_zero, scalar_eq(src_num_zeros, 1));
    // Where src holds the only zero of its group, the product of the others is the gradient.
    Tensor masked_src = masked_fill(src, src_single_zero, Scalar(1.0));
    Tensor masked_src_result = scatter_reduce(self, dim, index, masked_src, reduce, include_self);
    src_grad = where(src_single_zero, gather(grad * masked_src_result, dim, index),
                     gather(grad * result, dim, index) / masked_fill(src, src_zero, Scalar(1.0)));
  } else if (reduce == "mean") {
    Tensor n = full(grad.sizes(), Scalar(include_self ? 1.0 : 0.0), grad.dtype(), grad.device());
    n = scatter_add(n, dim, index, full(src.sizes(), Scalar(1.0), grad.dtype(), grad.device()));
    n = masked_fill(n, scalar_eq(n, 0), Scalar(1.0));
    self_grad = grad / n;
    src_grad = gather(grad, dim, index) / gather(n, dim, index);
  } else {  // amax, amin
    Tensor value = gather(result, dim, index);
    Tensor self_is_result = eq(self, result), src_is_result = eq(src, value);
    Tensor count = scatter_add(cast_tensor(self_is_result, self.dtype()), dim, index,
                               cast_tensor(src_is_result, self.dtype()));
    Tensor distributed = grad / count;
    self_grad = self_is_result * distributed;
    src_grad = src_is_result * gather(distributed, dim, index);
  }
  if (!include_self) self_grad = scatter(self_grad, dim, index, Scalar(0.0));
  return {c.needs_input_grad(0) ? self_grad : Tensor(),
          c.needs_input_grad(1) ? src_grad : Tensor()};
}

// Records result = scatter_reduce(self, ...); `self` is self's value before the op (the formulas
// of prod, amax and amin read it).
void record_scatter_reduce(const char* name, const Tensor& self_edge, const Tensor& self,
                           const Tensor& src, const Tensor& result, int64_t dim,
                           const Tensor& index, const std::string& reduce, bool include_self) {
  dim = wrap_dim(dim, self.dim());
  autograd::record(name, {self_edge, src}, {result}, {self, index, src, result},
                   [dim, reduce, include_self](const autograd::Ctx& c) {
                     return scatter_reduce_grads(c, dim, reduce, include_self);
                   });
}

// index_add, index_copy and put save source, like torch (version-checked).
void record_index_add(const Tensor& self, const Tensor& source, const Tensor& result, int64_t dim,
                      const Tensor& index, Scalar alpha) {
  dim = wrap_dim(dim, self.dim());
  const bool scaled = alpha.to_double() != 1.0;
  autograd::record("IndexAddBackward0", {self, source}, {result}, {index, source},
                   [dim, scaled, alpha](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor source_grad;
                     if (c.needs_input_grad(1)) {
                       source_grad =
                           like_source(index_select(c.grad(), dim, c.saved(0)), c.saved(1).sizes());
                       if (scaled) source_grad = source_grad * alpha;
                     }
                     return {c.grad(), source_grad};
                   });
}

void record_index_copy(const Tensor& self, const Tensor& source, const Tensor& result, int64_t dim,
                       const Tensor& index) {
  dim = wrap_dim(dim, self.dim());
  autograd::record("IndexCopyBackward0", {self, source}, {result}, {index, source},
                   [dim](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor index = c.saved(0), self_grad, source_grad;
                     if (c.needs_input_grad(0)) {
                       self_grad = index_fill(c.grad(), dim, index, Scalar(0.0));
                     }
                     if (c.needs_input_grad(1)) {
                       source_grad =
                           like_source(index_select(c.grad(), dim, index), c.saved(1).sizes());
                     }
                     return {self_grad, source_grad};
                   });
}

// Records result = index_fill(self, dim, index, value); `value` is null for a number (node 0) or
// a 0-dim tensor (node 1, whose gradient sums the filled positions, each once).
void record_index_fill(const Tensor& self, const Tensor* value, const Tensor& result, int64_t dim,
                       const Tensor& index) {
  dim = wrap_dim(dim, self.dim());
  autograd::TensorList inputs{self};
  if (value) inputs.push_back(*value);
  autograd::record(value ? "IndexFillBackward1" : "IndexFillBackward0", inputs, {result}, {index},
                   [dim](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor index = c.saved(0), self_grad, value_grad;
                     if (c.needs_input_grad(0))
                       self_grad = index_fill(c.grad(), dim, index, Scalar(0.0));
                     if (c.needs_input_grad(1)) {
                       value_grad = sum(index_select(c.grad(), dim, unique(index).values));
                     }
                     return {self_grad, value_grad};
                   });
}

void record_put(const Tensor& self, const Tensor& source, const Tensor& result, const Tensor& index,
                bool accumulate) {
  autograd::record("PutBackward0", {self, source}, {result}, {index, source},
                   [accumulate](const autograd::Ctx& c) -> autograd::TensorList {
                     const Tensor& g = c.grad();
                     Tensor index = c.saved(0), source = c.saved(1), self_grad, source_grad;
                     if (c.needs_input_grad(0)) {
                       self_grad =
                           accumulate ? g : put(g, index, zeros_as(source.sizes(), g), false);
                     }
                     if (c.needs_input_grad(1))
                       source_grad = reshape(take(g, index), source.sizes());
                     return {self_grad, source_grad};
                   });
}

}  // namespace

// ---- reads ----

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index) {
  Tensor out = without_grad([&] { return gather_values(self, dim, index); });
  if (autograd::needs_grad({self})) {
    record_gather(self, out, wrap_dim(dim, self.dim()), index);
  }
  return out;
}

Tensor gather_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& out) {
  return write_out("gather", out, gather(self, dim, index), OutDtype::Exact);
}

Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index) {
  Tensor out = without_grad([&] { return index_select_values(self, dim, index); });
  if (autograd::needs_grad({self})) {
    DimVector shape = self.sizes();
    dim = wrap_dim(dim, self.dim());
    autograd::record("IndexSelectBackward0", {self}, {out}, {index},
                     [shape, dim](const autograd::Ctx& c) -> autograd::TensorList {
                       return {index_add_(zeros_as(shape, c.grad()), dim, c.saved(0), c.grad())};
                     });
  }
  return out;
}

Tensor index_select_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& out) {
  return write_out("index_select", out, index_select(self, dim, index), OutDtype::Exact);
}

Tensor take(const Tensor& self, const Tensor& index) {
  Tensor out = without_grad([&] { return take_values(self, index); });
  if (autograd::needs_grad({self})) {
    autograd::record("TakeBackward0", {self}, {out}, {index, self},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor zero = zeros_as(c.saved(1).sizes(), c.grad());
                       return {put_(zero, c.saved(0), c.grad(), true)};
                     });
  }
  return out;
}

Tensor take_out(const Tensor& self, const Tensor& index, const Tensor& out) {
  return write_out("take", out, take(self, index), OutDtype::Exact);
}

Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim) {
  CRESSET_CHECK(indices.dtype() == DType::Int64, RuntimeError,
                "[take_along_dim] torch.take_along_dim(): dtype of indices should be Long but got ",
                dtype_display(indices.dtype()));
  // A gather from self flattened (no dim) or expanded to broadcast with indices but along d.
  int64_t d = 0;
  DimVector source_shape;
  Tensor index, out;
  without_grad([&] {
    if (!dim) {
      Tensor flat = contiguous(self), flat_idx = contiguous(indices);
      flat = flat.as_strided_view({flat.numel()}, {1}, flat.storage_offset());
      index = flat_idx.as_strided_view({flat_idx.numel()}, {1}, flat_idx.storage_offset());
      source_shape = flat.sizes();
      out = gather_values(flat, 0, index);
      return;
    }
    CRESSET_CHECK(self.dim() == indices.dim(), RuntimeError,
                  "[take_along_dim] torch.take_along_dim(): input and indices should have the same "
                  "number of dimensions, but got ",
                  self.dim(), " dimensions for input, and ", indices.dim(),
                  " dimensions for indices");
    CRESSET_CHECK(self.dim() > 0, IndexError,
                  "[take_along_dim] Dimension specified as 0 but tensor has no dimensions");
    d = wrap_dim(*dim, self.dim());
    DimVector self_sizes = self.sizes(), idx_sizes = indices.sizes();
    self_sizes[d] = indices.sizes()[d];
    DimVector idx_shape = broadcast_shapes(self_sizes, indices.sizes());
    idx_sizes[d] = self.sizes()[d];
    source_shape = broadcast_shapes(idx_sizes, self.sizes());
    index = modulo_indices(expand(indices, idx_shape), self.sizes()[d]);
    out = gather_values(expand(self, source_shape), d, index);
  });
  // The gather reads self flattened (a view) or expanded, also to its own shape: torch's
  // ViewBackward0 or ExpandBackward0 below GatherBackward0.
  if (autograd::needs_grad({self})) {
    record_gather(dim ? expand(self, source_shape) : reshape(self, {self.numel()}), out, d, index);
  }
  return out;
}

Tensor take_along_dim_out(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim,
                          const Tensor& out) {
  return write_out("take_along_dim", out, take_along_dim(self, indices, dim), OutDtype::Exact);
}

// ---- scatters ----

Tensor scatter_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                const std::string& reduce) {
  const bool grad = inplace_needs_grad(self, {src});
  const ScatterOp op = legacy_reduce(reduce);
  without_grad([&] { scatter_impl(self, dim, index, &src, Scalar(), op, "scatter_"); });
  self.bump_version();
  if (grad) record_scatter(self, &src, self, dim, index, op);
  return self;
}

Tensor scatter_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
                const std::string& reduce) {
  const bool grad = inplace_needs_grad(self);
  const ScatterOp op = legacy_reduce(reduce);
  without_grad([&] { scatter_impl(self, dim, index, nullptr, value, op, "scatter_"); });
  self.bump_version();
  if (grad) record_scatter(self, nullptr, self, dim, index, op);
  return self;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
               const std::string& reduce) {
  Tensor r = without_grad([&] { return scatter_(clone(self), dim, index, src, reduce); });
  if (autograd::needs_grad({self, src})) {
    record_scatter(self, &src, r, dim, index, legacy_reduce(reduce));
  }
  return r;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
               const std::string& reduce) {
  Tensor r = without_grad([&] { return scatter_(clone(self), dim, index, value, reduce); });
  if (autograd::needs_grad({self})) {
    record_scatter(self, nullptr, r, dim, index, legacy_reduce(reduce));
  }
  return r;
}

Tensor scatter_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                   const std::string& reduce, const Tensor& out) {
  return write_out("scatter", out, scatter(self, dim, index, src, reduce), OutDtype::Exact);
}

Tensor scatter_out(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
                   const std::string& reduce, const Tensor& out) {
  return write_out("scatter", out, scatter(self, dim, index, value, reduce), OutDtype::Exact);
}

Tensor scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  const bool grad = inplace_needs_grad(self, {src});
  without_grad(
      [&] { scatter_impl(self, dim, index, &src, Scalar(), ScatterOp::Add, "scatter_add_"); });
  self.bump_version();
  if (grad) record_scatter_add(self, src, self, dim, index);
  return self;
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor r = without_grad([&] { return scatter_add_(clone(self), dim, index, src); });
  if (autograd::needs_grad({self, src})) record_scatter_add(self, src, r, dim, index);
  return r;
}

Tensor scatter_add_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                       const Tensor& out) {
  return write_out("scatter_add", out, scatter_add(self, dim, index, src), OutDtype::Exact);
}

namespace {

// scatter_reduce_ and index_reduce_ (which scatters along an expanded index): self reduced in
// place with src at index, recorded as `name`.
Tensor reduce_inplace(const char* name, const Tensor& self, int64_t dim, const Tensor& index,
                      const Tensor& src, const std::string& reduce, bool include_self) {
  const bool grad = inplace_needs_grad(self, {src});
  Tensor before = self;
  without_grad([&] {
    if (grad && reduce != "sum" && reduce != "mean") before = clone(self);
    scatter_reduce_into(self, dim, index, src, reduce, include_self);
  });
  self.bump_version();
  if (grad) record_scatter_reduce(name, self, before, src, self, dim, index, reduce, include_self);
  return self;
}

// scatter_reduce and index_reduce: reduce_inplace on a copy of self.
Tensor reduce_copy(const char* name, const Tensor& self, int64_t dim, const Tensor& index,
                   const Tensor& src, const std::string& reduce, bool include_self) {
  Tensor r = without_grad([&] {
    Tensor out = clone(self);
    scatter_reduce_into(out, dim, index, src, reduce, include_self);
    return out;
  });
  if (autograd::needs_grad({self, src})) {
    record_scatter_reduce(name, self, self, src, r, dim, index, reduce, include_self);
  }
  return r;
}

}  // namespace

Tensor scatter_reduce_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                       const std::string& reduce, bool include_self) {
  return reduce_inplace("ScatterReduceBackward0", self, dim, index, src, reduce, include_self);
}

Tensor scatter_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                      const std::string& reduce, bool include_self) {
  return reduce_copy("ScatterReduceBackward0", self, dim, index, src, reduce, include_self);
}

Tensor scatter_reduce_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                          const std::string& reduce, bool include_self, const Tensor& out) {
  return write_out("scatter_reduce", out,
                   scatter_reduce(self, dim, index, src, reduce, include_self), OutDtype::Exact);
}

// ---- index_reduce: scatter_reduce with the 1-D index along dim ----

namespace {

// torch's checks of index_reduce, then its index expanded over source's shape (scatter_reduce's
// index).
Tensor index_reduce_index(const Tensor& self, int64_t dim, const Tensor& index,
                          const Tensor& source, const std::string& reduce) {
  CRESSET_CHECK(reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin",
                RuntimeError,
                "[index_reduce] index_reduce(): Expected reduce to be one of prod, mean, amax or "
                "amin but got ",
                reduce, ".");
  int64_t d = wrap_dim(dim, self.dim());
  check_index_source("index_reduce_", self, d, index, source);
  CRESSET_CHECK(!find_out_of_range(index, 0, at_least_1d(self).sizes()[d]), IndexError,
                "[index_reduce_] index out of range in self");
  return index_along(index, d, at_least_1d(source).sizes());
}

}  // namespace

Tensor index_reduce_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                     const std::string& reduce, bool include_self) {
  Tensor along = index_reduce_index(self, dim, index, source, reduce);
  return reduce_inplace("IndexReduceBackward0", self, dim, along, source, reduce, include_self);
}

Tensor index_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                    const std::string& reduce, bool include_self) {
  Tensor along = index_reduce_index(self, dim, index, source, reduce);
  return reduce_copy("IndexReduceBackward0", self, dim, along, source, reduce, include_self);
}

Tensor index_reduce_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                        const std::string& reduce, bool include_self, const Tensor& out) {
  return write_out("index_reduce", out,
                   index_reduce(self, dim, index, source, reduce, include_self), OutDtype::Exact);
}

// ---- along a dim with a 1-D index ----

Tensor index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                  Scalar alpha) {
  const bool grad = inplace_needs_grad(self, {source});
  without_grad([&] { index_add_into(self, dim, index, source, alpha); });
  self.bump_version();
  if (grad) record_index_add(self, source, self, dim, index, alpha);
  return self;
}

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                 Scalar alpha) {
  Tensor r = without_grad([&] { return index_add_(clone(self), dim, index, source, alpha); });
  if (autograd::needs_grad({self, source})) record_index_add(self, source, r, dim, index, alpha);
  return r;
}

Tensor index_add_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                     Scalar alpha, const Tensor& out) {
  return write_out("index_add", out, index_add(self, dim, index, source, alpha), OutDtype::Exact);
}

Tensor index_copy_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
  const bool grad = inplace_needs_grad(self, {source});
  without_grad([&] { index_copy_into(self, dim, index, source); });
  self.bump_version();
  if (grad) record_index_copy(self, source, self, dim, index);
  return self;
}

Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
  Tensor r = without_grad([&] { return index_copy_(clone(self), dim, index, source); });
  if (autograd::needs_grad({self, source})) record_index_copy(self, source, r, dim, index);
  return r;
}

Tensor index_copy_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                      const Tensor& out) {
  return write_out("index_copy", out, index_copy(self, dim, index, source), OutDtype::Exact);
}

Tensor index_fill_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value) {
  const bool grad = inplace_needs_grad(self);
  without_grad([&] { index_fill_into(self, dim, index, value); });
  self.bump_version();
  if (grad) record_index_fill(self, nullptr, self, dim, index);
  return self;
}

Tensor index_fill_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value) {
  CRESSET_CHECK(value.dim() == 0, RuntimeError,
                "[index_fill_] index_fill_ only supports a 0-dimensional value tensor, but got "
                "tensor with ",
                value.dim(), " dimension(s).");
  const bool grad = inplace_needs_grad(self, {value});
  without_grad([&] { index_fill_into(self, dim, index, item_scalar(value)); });
  self.bump_version();
  if (grad) record_index_fill(self, &value, self, dim, index);
  return self;
}

Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, Scalar value) {
  Tensor r = without_grad([&] { return index_fill_(clone(self), dim, index, value); });
  if (autograd::needs_grad({self})) record_index_fill(self, nullptr, r, dim, index);
  return r;
}

Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value) {
  Tensor r = without_grad([&] { return index_fill_(clone(self), dim, index, value); });
  if (autograd::needs_grad({self, value})) record_index_fill(self, &value, r, dim, index);
  return r;
}

// ---- put ----

Tensor put_(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate) {
  const bool grad = inplace_needs_grad(self, {source});
  without_grad([&] { put_into(self, index, source, accumulate); });
  self.bump_version();
  if (grad) record_put(self, source, self, index, accumulate);
  return self;
}

Tensor put(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate) {
  Tensor r = without_grad([&] { return put_(clone(self), index, source, accumulate); });
  if (autograd::needs_grad({self, source})) record_put(self, source, r, index, accumulate);
  return r;
}

}  // namespace cresset
