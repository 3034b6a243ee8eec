// Masks and nonzero: masked_fill, masked_select, masked_scatter, nonzero, argwhere.
//
// masked_select, masked_scatter and nonzero depend on row-major order. They run in two parallel
// passes over the same chunks of the row-major range: count the mask's true elements per chunk,
// then each chunk writes from the prefix sum of the counts before it. The result is the same for
// any thread count.
#include <algorithm>
#include <vector>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/index_internal.h"
#include "cresset/ops/out.h"
#include "cresset/ops/reduce.h"
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

namespace {

// Records result = masked_fill(self, mask, value); `value` is null for a number (node 0) or a 0-dim
// tensor (node 1, whose gradient sums the masked positions).
void record_masked_fill(const Tensor& self, const Tensor* value, const Tensor& result,
                        const Tensor& mask) {
  autograd::TensorList inputs{self};
  if (value) inputs.push_back(*value);
  autograd::record(value ? "MaskedFillBackward1" : "MaskedFillBackward0", inputs, {result}, {mask},
                   [](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor mask = c.saved(0), self_grad, value_grad;
                     if (c.needs_input_grad(0))
                       self_grad = masked_fill(c.grad(), mask, Scalar(0.0));
                     if (c.needs_input_grad(1)) value_grad = sum(masked_select(c.grad(), mask));
                     return {self_grad, value_grad};
                   });
}

// Records result = masked_scatter(self, mask, source): source's gradient is the masked gradient
// in order, padded with zeros for the elements of source that were not used.
void record_masked_scatter(const Tensor& self, const Tensor& source, const Tensor& result,
                           const Tensor& mask) {
  DimVector source_shape = source.sizes();
  autograd::record("MaskedScatterBackward0", {self, source}, {result}, {mask},
                   [source_shape](const autograd::Ctx& c) -> autograd::TensorList {
                     const Tensor& g = c.grad();
                     Tensor mask = c.saved(0), self_grad, source_grad;
                     if (c.needs_input_grad(0)) self_grad = masked_fill(g, mask, Scalar(0.0));
                     if (c.needs_input_grad(1)) {
                       Tensor selected = masked_select(g, mask);
                       const int64_t missing = shape_numel(source_shape) - selected.numel();
                       if (missing > 0) {
                         selected = cat({selected, zeros({missing}, g.dtype(), g.device())}, 0);
                       }
                       source_grad = reshape(selected, source_shape);
                     }
                     return {self_grad, source_grad};
                   });
}

Tensor masked_fill_values(const Tensor& self, const Tensor& mask, Scalar value) {
  check_bool_mask(mask, "masked_fill_");
  DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
  Tensor result = clone(expand(self, shape), MemoryFormat::Contiguous);
  masked_fill_into(result, mask, value);
  return result;
}

void check_0dim_value(const Tensor& value, const char* op) {
  CRESSET_CHECK(value.dim() == 0, RuntimeError, "[", op,
                "] masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
                value.dim(), " dimension(s).");
}

void masked_scatter_into(const Tensor& self, const Tensor& mask, const Tensor& source) {
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
}

}  // namespace

Tensor masked_fill_(const Tensor& self, const Tensor& mask, Scalar value) {
  const bool grad = inplace_needs_grad(self);
  without_grad([&] { masked_fill_into(self, mask, value); });
  self.bump_version();
  if (grad) record_masked_fill(self, nullptr, self, mask);
  return self;
}

Tensor masked_fill_(const Tensor& self, const Tensor& mask, const Tensor& value) {
  check_0dim_value(value, "masked_fill_");
  const bool grad = inplace_needs_grad(self, {value});
  without_grad([&] { masked_fill_into(self, mask, item_scalar(value)); });
  self.bump_version();
  if (grad) record_masked_fill(self, &value, self, mask);
  return self;
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, Scalar value) {
  Tensor result = without_grad([&] { return masked_fill_values(self, mask, value); });
  if (autograd::needs_grad({self})) record_masked_fill(self, nullptr, result, mask);
  return result;
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  check_0dim_value(value, "masked_fill");
  Tensor result = without_grad([&] { return masked_fill_values(self, mask, item_scalar(value)); });
  if (autograd::needs_grad({self, value})) record_masked_fill(self, &value, result, mask);
  return result;
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  CRESSET_CHECK(mask.dtype() == DType::Bool, RuntimeError,
                "[masked_select] masked_select: expected BoolTensor for mask");
  DimVector shape = broadcast_shapes(mask.sizes(), self.sizes());
  Tensor out = without_grad([&] {
    Tensor self_b = expand(self, shape), mask_b = expand(mask, shape);
    std::vector<int64_t> counts;
    const int64_t total = count_chunks(mask_b, counts);
    Tensor r = empty_tensor({total}, self.dtype(), self.device());
    if (total > 0) {
      CRESSET_INDEX_KERNEL(self.device(), masked_select_kernel, r, self_b, mask_b, counts.data(),
                           int64_t(counts.size()));
    }
    return r;
  });
  if (autograd::needs_grad({self})) {
    // The gradient scattered back into the broadcast shape; the engine sums it to self's. Self
    // is saved like torch does (version-checked), though only its shape is read.
    autograd::record("MaskedSelectBackward0", {self}, {out}, {mask, self},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor& g = c.grad();
                       Tensor mask = c.saved(0);
                       DimVector shape = broadcast_shapes(c.saved(1).sizes(), mask.sizes());
                       return {masked_scatter_(zeros(shape, g.dtype(), g.device()), mask, g)};
                     });
  }
  return out;
}

Tensor masked_select_out(const Tensor& self, const Tensor& mask, const Tensor& out) {
  return write_out("masked_select", out, masked_select(self, mask), OutDtype::Exact);
}

Tensor masked_scatter_(const Tensor& self, const Tensor& mask, const Tensor& source) {
  const bool grad = inplace_needs_grad(self, {source});
  without_grad([&] { masked_scatter_into(self, mask, source); });
  self.bump_version();
  if (grad) record_masked_scatter(self, source, self, mask);
  return self;
}

Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  Tensor result = without_grad([&] {
    DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
    Tensor r = clone(expand(self, shape), MemoryFormat::Contiguous);
    masked_scatter_into(r, expand(mask, shape), source);
    return r;
  });
  if (autograd::needs_grad({self, source})) record_masked_scatter(self, source, result, mask);
  return result;
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

Tensor nonzero_static(const Tensor& self, int64_t size, int64_t fill_value) {
  CRESSET_CHECK(size >= 0, RuntimeError, "[nonzero_static] nonzero_static: 'size' must be an non-negative "
                "integer");
  Tensor found = nonzero(self);
  int64_t n = std::min(found.sizes()[0], size);
  Tensor out = full({size, self.dim()}, Scalar(fill_value), DType::Int64, self.device());
  copy_into(narrow(out, 0, 0, n), narrow(found, 0, 0, n));
  return out;
}

Tensor nonzero_out(const Tensor& self, const Tensor& out) {
  return write_out("nonzero", out, nonzero(self), OutDtype::Exact);
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
