// Views written into copies (the *_scatter ops, fill_diagonal_) and views copied out (the *_copy
// ops, unsafe_split). Each is a view op of view.cpp applied once, generically: the forward runs
// the view without grad, and the backward puts gradients back where the view reads
// (view_autograd.h: scatter_into_view, record_embedding).
#include <algorithm>

#include "cresset/autograd/engine.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/index_internal.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

Tensor slice_scatter(const Tensor& self, const Tensor& src, int64_t dim,
                     std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  return autograd::scatter_into_view(
      "slice_scatter", "SliceScatterBackward0", self, src,
      [dim, start, end, step](const Tensor& t) { return slice(t, dim, start, end, step); });
}

Tensor select_scatter(const Tensor& self, const Tensor& src, int64_t dim, int64_t index) {
  return autograd::scatter_into_view(
      "select_scatter", "SelectScatterBackward0", self, src,
      [dim, index](const Tensor& t) { return select(t, dim, index); });
}

Tensor diagonal_scatter(const Tensor& self, const Tensor& src, int64_t offset, int64_t dim1,
                        int64_t dim2) {
  return autograd::scatter_into_view(
      "diagonal_scatter", "DiagonalScatterBackward0", self, src,
      [offset, dim1, dim2](const Tensor& t) { return diagonal(t, offset, dim1, dim2); });
}

Tensor as_strided_scatter(const Tensor& self, const Tensor& src, const DimVector& size,
                          const DimVector& stride, std::optional<int64_t> storage_offset) {
  // As in torch, the view addresses the storage as self's layout does (offsets count from self's
  // storage); the result is a copy of self in preserve_format, and a gradient of another layout
  // is first laid out the same way.
  DimVector layout = preserve_format_strides(self);
  int64_t rel = storage_offset.value_or(self.storage_offset()) - self.storage_offset();
  return autograd::scatter_into_view(
      "as_strided_scatter", "AsStridedScatterBackward0", self, src,
      [layout, size, stride, rel](const Tensor& t) {
        Tensor base = t;
        if (t.strides() != layout) {
          base = empty_strided_tensor(t.sizes(), layout, t.dtype(), t.device());
          copy_(base, t);
        }
        return as_strided(base, size, stride, base.storage_offset() + rel);
      });
}

Tensor fill_diagonal_(const Tensor& self, Scalar fill_value, bool wrap) {
  int64_t n = self.dim();
  CRESSET_CHECK(n >= 2, RuntimeError, "[fill_diagonal_] dimensions must larger than 1");
  int64_t rows = self.sizes()[0], cols = self.sizes()[1];
  if (n > 2) {
    for (int64_t d = 1; d < n; ++d) {
      CRESSET_CHECK(self.sizes()[d] == rows, RuntimeError,
                    "[fill_diagonal_] all dimensions of input must be of equal length");
    }
  }
  if (autograd::needs_grad({self})) autograd::check_inplace(self);
  // Like torch, a value that overflows self's dtype is an error (-1 still wraps into uint8).
  check_scalar_fits(fill_value, self.dtype());
  int64_t step = 0;
  for (int64_t s : self.strides()) step += s;
  // A tall matrix with wrap: the diagonal restarts every cols + 1 rows (NumPy's rule).
  int64_t period = wrap && n == 2 ? cols + 1 : std::max<int64_t>(rows, 1);
  for (int64_t start = 0; start < rows; start += period) {
    int64_t length = std::min(rows - start, cols);
    Tensor diag =
        as_strided(self, {length}, {step}, self.storage_offset() + start * self.strides()[0]);
    fill_(diag, fill_value);
  }
  return self;
}

std::vector<Tensor> copy_views(const char* name, const Tensor& self,
                               const std::function<std::vector<Tensor>(const Tensor&)>& views) {
  std::vector<Tensor> out;
  {
    autograd::AutoGradMode off(false);
    for (const Tensor& v : views(self)) out.push_back(clone(v, MemoryFormat::Contiguous));
  }
  if (autograd::needs_grad({self})) autograd::record_embedding(name, self, out, views);
  return out;
}

Tensor detach_copy(const Tensor& self) {
  Tensor out = clone(detach(self), MemoryFormat::Contiguous);
  if (autograd::needs_grad({self})) {
    autograd::record("torch::autograd::NotImplemented", {self}, {out}, {},
                     [](const autograd::Ctx&) -> autograd::TensorList {
                       throw RuntimeError("derivative for aten::detach_copy is not implemented");
                     });
  }
  return out;
}

std::vector<Tensor> unsafe_views(const char* name, const Tensor& self,
                                 const std::function<std::vector<Tensor>(const Tensor&)>& views) {
  std::vector<Tensor> out;
  {
    autograd::AutoGradMode off(false);
    for (const Tensor& v : views(self)) {
      out.push_back(v.as_strided_view(v.sizes(), v.strides(), v.storage_offset()));
    }
  }
  if (autograd::needs_grad({self})) autograd::record_embedding(name, self, out, views);
  return out;
}

}  // namespace cresset
