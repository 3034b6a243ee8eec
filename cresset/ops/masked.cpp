// Masks and nonzero: masked_fill, masked_select, masked_scatter, nonzero, argwhere.
//
// masked_select, masked_scatter and nonzero depend on row-major order. They run in two parallel
// passes over the same chunks of the row-major range: count the mask's true elements per chunk,
// then each chunk writes from the prefix sum of the counts before it. The result is the same for
// any thread count.
#include <vector>

#include "cresset/backend/copy.h"
#include "cresset/ops/index.h"
#include "cresset/ops/index_internal.h"
#include "cresset/ops/view.h"

namespace cresset {

using namespace index_detail;

namespace {

// Per-chunk nonzero counts of `t` over row_major_chunks(t.numel()) chunks; returns the total.
int64_t count_chunks(const Tensor& t, std::vector<int64_t>& counts) {
  counts.assign(size_t(row_major_chunks(t.numel())), 0);
  if (t.numel() == 0) return 0;
  CRESSET_INDEX_KERNEL(t.device(), count_nonzero_kernel, t, int64_t(counts.size()), counts.data());
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  return total;
}

void check_bool_mask(const Tensor& mask, const char* op) {
  CRESSET_CHECK(mask.dtype() == DType::Bool, RuntimeError, "[", op, "] ", op,
                " only supports boolean masks, but got mask with dtype ", dtype_name(mask.dtype()));
}

}  // namespace

namespace index_detail {

void masked_fill_into(const Tensor& self, const Tensor& mask, Scalar value) {
  check_bool_mask(mask, "masked_fill_");
  check_scalar_fits(value, self.dtype());
  CRESSET_CHECK(broadcast_shapes(self.sizes(), mask.sizes()) == self.sizes(), RuntimeError,
                "[masked_fill_] output with shape ", shape_str(self.sizes()),
                " doesn't match the broadcast shape ",
                shape_str(broadcast_shapes(self.sizes(), mask.sizes())));
  TensorIter it = TensorIterConfig("masked_fill_")
                      .add_output(self)
                      .add_input(expand(mask, self.sizes()))
                      .promote_inputs(false)
                      .output_dtype(self.dtype())
                      .is_inplace(true)
                      .build();
  if (it.numel() > 0) CRESSET_INDEX_KERNEL(self.device(), masked_fill_kernel, it, value);
}

}  // namespace index_detail

Tensor masked_fill_(const Tensor& self, const Tensor& mask, Scalar value) {
  masked_fill_into(self, mask, value);
  self.bump_version();
  return self;
}

Tensor masked_fill_(const Tensor& self, const Tensor& mask, const Tensor& value) {
  CRESSET_CHECK(value.dim() == 0, RuntimeError,
                "[masked_fill_] masked_fill_ only supports a 0-dimensional value tensor, but got "
                "tensor with ",
                value.dim(), " dimension(s).");
  return masked_fill_(self, mask, item(value));
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, Scalar value) {
  check_bool_mask(mask, "masked_fill_");
  DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
  Tensor result = clone(expand(self, shape), MemoryFormat::Contiguous);
  masked_fill_into(result, mask, value);
  return result;
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  CRESSET_CHECK(value.dim() == 0, RuntimeError,
                "[masked_fill] masked_fill_ only supports a 0-dimensional value tensor, but got "
                "tensor with ",
                value.dim(), " dimension(s).");
  return masked_fill(self, mask, item(value));
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  CRESSET_CHECK(mask.dtype() == DType::Bool, RuntimeError,
                "[masked_select] masked_select: expected BoolTensor for mask");
  DimVector shape = broadcast_shapes(mask.sizes(), self.sizes());
  Tensor self_b = expand(self, shape), mask_b = expand(mask, shape);
  std::vector<int64_t> counts;
  const int64_t total = count_chunks(mask_b, counts);
  Tensor out = empty_tensor({total}, self.dtype(), self.device());
  if (total > 0) {
    CRESSET_INDEX_KERNEL(self.device(), masked_select_kernel, out, self_b, mask_b, counts.data(),
                         int64_t(counts.size()));
  }
  return out;
}

Tensor masked_select_out(const Tensor& self, const Tensor& mask, const Tensor& out) {
  return write_out(out, masked_select(self, mask), "masked_select");
}

Tensor masked_scatter_(const Tensor& self, const Tensor& mask, const Tensor& source) {
  CRESSET_CHECK(mask.dtype() == DType::Bool, RuntimeError,
                "[masked_scatter_] masked_scatter_ only supports boolean masks, but got mask with "
                "dtype ",
                dtype_display(mask.dtype()));
  CRESSET_CHECK(self.dtype() == source.dtype(), RuntimeError,
                "[masked_scatter_] masked_scatter: expected self and source to have same dtypes "
                "but got ",
                dtype_display(self.dtype()), " and ", dtype_display(source.dtype()));
  Tensor mask_b = expand(mask, self.sizes());
  check_no_internal_overlap(self, "masked_scatter_");
  std::vector<int64_t> counts;
  const int64_t total = count_chunks(mask_b, counts);
  CRESSET_CHECK(total <= source.numel(), RuntimeError,
                "[masked_scatter_] Number of elements of source < number of ones in mask");
  if (total > 0) {
    CRESSET_INDEX_KERNEL(self.device(), masked_scatter_kernel, self, mask_b, contiguous(source),
                         counts.data(), int64_t(counts.size()));
  }
  self.bump_version();
  return self;
}

Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
  return masked_scatter_(clone(expand(self, shape), MemoryFormat::Contiguous), expand(mask, shape),
                         source);
}

Tensor nonzero(const Tensor& self) {
  std::vector<int64_t> counts;
  const int64_t total = count_chunks(self, counts);
  // Column-major like torch: each coordinate column is contiguous.
  Tensor out = empty_strided_tensor({total, self.dim()}, {1, total}, DType::Int64, self.device());
  if (total > 0) {
    CRESSET_INDEX_KERNEL(self.device(), nonzero_kernel, out, self, counts.data(),
                         int64_t(counts.size()));
  }
  return out;
}

Tensor nonzero_out(const Tensor& self, const Tensor& out) {
  return write_out(out, nonzero(self), "nonzero");
}

std::vector<Tensor> nonzero_tuple(const Tensor& self) {
  Tensor coords =
      nonzero(self.dim() > 0 ? self : self.as_strided_view({1}, {1}, self.storage_offset()));
  const int64_t n = coords.sizes()[0];
  std::vector<Tensor> columns;
  for (int64_t j = 0; j < coords.sizes()[1]; ++j) {
    columns.push_back(coords.as_strided_view({n}, {1}, j * n));
  }
  return columns;
}

Tensor argwhere(const Tensor& self) { return nonzero(self); }

}  // namespace cresset
