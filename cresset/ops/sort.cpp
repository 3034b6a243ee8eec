// Sorting and selection ops: argument checks with torch's errors, output layouts, then the
// backend's kernel (see Note [Sort order]).
#include "cresset/ops/sort.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/sort.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/reduce_backward.h"
#include "cresset/ops/reduce_common.h"

namespace cresset {

namespace {

using namespace reduce_detail;

// Calls the CPU or CUDA version of a kernel.
#define CRESSET_SORT_KERNEL(device, name, ...) \
  ((device).is_cuda() ? cuda::name(__VA_ARGS__) : cpu::name(__VA_ARGS__))

// A 0-dim tensor seen as one element along dim 0 (sort-like ops treat it as a line of one).
Tensor as_1d(const Tensor& t) {
  return t.dim() == 0 ? t.as_strided_view({1}, {1}, t.storage_offset()) : t;
}

// torch.empty_like's strides: the input's own when it is non-overlapping and dense, otherwise
// dense strides in the input's memory order (stride-0 dims keep the row-major place).
DimVector like_strides(const Tensor& t) {
  const int64_t nd = t.dim();
  const DimVector& size = t.sizes();
  const DimVector& stride = t.strides();
  std::vector<int64_t> perm(nd);
  std::iota(perm.begin(), perm.end(), 0);
  std::sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    if (size[a] < 2) return false;
    if (size[b] < 2) return true;
    return stride[a] < stride[b];
  });
  bool dense = true;
  int64_t require = 1;
  for (int64_t d : perm) {
    if (size[d] < 2) break;
    if (stride[d] != require) {
      dense = false;
      break;
    }
    require *= size[d];
  }
  if (dense) return stride;
  // Insertion sort, innermost first; a stride-0 dim never moves (torch's infer_dense_strides).
  std::vector<int64_t> order(nd);
  for (int64_t i = 0; i < nd; ++i) order[i] = nd - 1 - i;
  for (int64_t i = 1; i < nd; ++i) {
    for (int64_t j = i; j > 0; --j) {
      int64_t a = order[j - 1], b = order[j];
      if (stride[a] == 0 || stride[b] == 0) continue;
      bool swap = stride[a] > stride[b] || (stride[a] == stride[b] && size[a] > size[b]);
      if (!swap) break;
      std::swap(order[j - 1], order[j]);
    }
  }
  DimVector out(nd);
  int64_t s = 1;
  for (int64_t d : order) {
    out[d] = s;
    if (size[d] > 1) s *= size[d];
  }
  return out;
}

// Both outputs of a (values, indices) op with the given shape and strides.
std::pair<Tensor, Tensor> value_index_pair(const DimVector& shape, const DimVector& strides,
                                           DType dtype, Device device) {
  return {empty_strided_tensor(shape, strides, dtype, device),
          empty_strided_tensor(shape, strides, DType::Int64, device)};
}

// Views results computed on as_1d(self) with the original (0-dim) shape.
Tensor shaped_like(const Tensor& r, const Tensor& self) {
  return self.dim() == 0 ? r.as_strided_view({}, {}, r.storage_offset()) : r;
}

std::pair<Tensor, Tensor> deliver_pair(std::pair<Tensor, Tensor> r, const Tensor& out_values,
                                       const Tensor& out_indices) {
  return {deliver(r.first, out_values, true), deliver(r.second, out_indices, true)};
}

// kthvalue, median, nanmedian and mode along a dim: one pick per line into keepdim outputs.
std::pair<Tensor, Tensor> select_dim(const char* op, const char* node, SelectKind kind,
                                     const Tensor& self, int64_t k, int64_t dim, bool keepdim,
                                     const Tensor& out_values, const Tensor& out_indices) {
  bool grad = wants_grad(op, self, out_values, out_indices);
  CRESSET_CHECK(self.dtype() != DType::Bool || kind == SelectKind::Mode, NotImplementedError, "\"",
                kind == SelectKind::Kth ? "kthvalue_cpu" : "median_out",
                "\" not implemented for 'Bool'");
  int64_t d = wrap_dim(dim, self.dim());
  Tensor in = as_1d(self);
  CRESSET_CHECK(in.sizes()[d] != 0, IndexError, op, "(): Expected reduction dim ", d,
                " to have non-zero size.");
  if (kind == SelectKind::Kth) {
    CRESSET_CHECK(k >= 1 && k <= in.sizes()[d], RuntimeError,
                  "kthvalue(): selected number k out of range for dimension ", d);
  }
  DimVector keep = in.sizes();
  keep[d] = 1;
  auto r = value_index_pair(keep, contiguous_strides(keep), self.dtype(), self.device());
  CRESSET_SORT_KERNEL(self.device(), select_kernel, in, d, kind, k, r.first, r.second);
  DimVector shape = reduced_shape(self.sizes(), dim_mask(d, self.dim()), keepdim);
  r.first = r.first.as_strided_view(shape, contiguous_strides(shape), 0);
  r.second = r.second.as_strided_view(shape, contiguous_strides(shape), 0);
  r = deliver_pair(r, out_values, out_indices);
  if (grad) record_value_selection(node, self, r.first, r.second, d, keepdim);
  return r;
}

// median and nanmedian of every element: the pick of the flattened input.
Tensor select_all_values(SelectKind kind, const Tensor& self) {
  CRESSET_CHECK(self.dtype() != DType::Bool, NotImplementedError,
                "\"median_cpu\" not implemented for 'Bool'");
  if (self.numel() == 0) {
    CRESSET_CHECK(self.is_floating_point(), RuntimeError,
                  "median() of an empty tensor needs a floating dtype (the result is NaN)");
    return full({}, Scalar(double(NAN)), self.dtype(), self.device());
  }
  Tensor flat = contiguous(self);
  flat = flat.as_strided_view({self.numel()}, {1}, flat.storage_offset());
  Tensor values = empty_tensor({1}, self.dtype(), self.device());
  CRESSET_SORT_KERNEL(self.device(), select_kernel, flat, 0, kind, 1, values, Tensor());
  return values.as_strided_view({}, {}, 0);
}

// median and nanmedian of every element, recorded (the gradient split among equal elements).
Tensor select_all(SelectKind kind, const Tensor& self) {
  const char* node = kind == SelectKind::Median ? "MedianBackward0" : "NanmedianBackward0";
  bool grad = wants_grad(kind == SelectKind::Median ? "median" : "nanmedian", self);
  Tensor r = select_all_values(kind, self);
  if (grad) record_evenly_distributed(node, self, r);
  return r;
}

UniqueResult unique_impl(const Tensor& self, std::optional<int64_t> dim, bool consecutive) {
  const Device dev = self.device();
  if (!dim) {
    Tensor flat = contiguous(self);
    flat = flat.as_strided_view({self.numel()}, {1}, flat.storage_offset());
    UniqueResult r = CRESSET_SORT_KERNEL(dev, unique_kernel, flat, consecutive);
    r.inverse = r.inverse.as_strided_view(self.sizes(), contiguous_strides(self.sizes()), 0);
    return r;
  }
  int64_t d = wrap_dim(*dim, self.dim());
  CRESSET_CHECK(self.dim() > 0, IndexError,
                "Dimension out of range (expected to be in range of "
                "[-1, 0], but got ",
                *dim, ")");
  const int64_t m = self.sizes()[d];
  if (self.numel() == 0) {
    CRESSET_CHECK(m == 0, RuntimeError,
                  "There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                  "applied");
    return {empty_tensor(self.sizes(), self.dtype(), dev), empty_tensor({0}, DType::Int64, dev),
            empty_tensor({0}, DType::Int64, dev)};
  }
  // Rows = slices along d: move d to the front and make them contiguous.
  DimVector psizes{m}, pstrides{self.strides()[d]};
  for (int64_t k = 0; k < self.dim(); ++k) {
    if (k == d) continue;
    psizes.push_back(self.sizes()[k]);
    pstrides.push_back(self.strides()[k]);
  }
  Tensor rows = contiguous(self.as_strided_view(psizes, pstrides, self.storage_offset()));
  UniqueResult r = CRESSET_SORT_KERNEL(dev, unique_rows_kernel, rows, consecutive);
  const int64_t groups = r.values.numel();
  DimVector gsizes = psizes;
  gsizes[0] = groups;
  Tensor picked;
  {
    autograd::AutoGradMode no_grad(false);
    picked = index_select(rows, 0, r.values);  // the group's first rows, on the rows' device
  }
  // Back to the original dim order, contiguous.
  DimVector osizes = self.sizes(), gstrides = contiguous_strides(gsizes), ostrides(self.dim());
  osizes[d] = groups;
  ostrides[d] = gstrides[0];
  for (int64_t k = 0, j = 1; k < self.dim(); ++k) {
    if (k != d) ostrides[k] = gstrides[j++];
  }
  r.values = contiguous(picked.as_strided_view(osizes, ostrides, 0));
  return r;
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& self, int64_t dim, bool descending,
                               std::optional<bool> stable, const Tensor& out_values,
                               const Tensor& out_indices) {
  bool grad = wants_grad("sort", self, out_values, out_indices);
  int64_t d = wrap_dim(dim, self.dim());
  Tensor in = as_1d(self);
  auto r = value_index_pair(in.sizes(), like_strides(in), self.dtype(), self.device());
  if (in.numel() > 0) {
    CRESSET_SORT_KERNEL(self.device(), sort_kernel, in, d, descending, r.first, r.second);
  }
  r = deliver_pair({shaped_like(r.first, self), shaped_like(r.second, self)}, out_values,
                   out_indices);
  if (grad) {
    record_value_selection(stable ? "SortBackward1" : "SortBackward0", self, r.first, r.second, d,
                           true);
  }
  return r;
}

Tensor argsort(const Tensor& self, int64_t dim, bool descending, bool stable) {
  autograd::AutoGradMode no_grad(false);  // indices only: nothing to record
  return sort(self, dim, descending, stable).second;
}

std::pair<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim, bool largest, bool,
                               const Tensor& out_values, const Tensor& out_indices) {
  bool grad = wants_grad("topk", self, out_values, out_indices);
  CRESSET_CHECK(self.dtype() != DType::Bool, RuntimeError,
                "topk does not support bool dtypes on CPU");
  int64_t d = wrap_dim(dim, self.dim());
  Tensor in = as_1d(self);
  CRESSET_CHECK(k >= 0 && k <= in.sizes()[d], RuntimeError, "selected index k out of range");
  DimVector shape = in.sizes();
  shape[d] = k;
  auto r = value_index_pair(shape, contiguous_strides(shape), self.dtype(), self.device());
  if (r.first.numel() > 0) {
    CRESSET_SORT_KERNEL(self.device(), topk_kernel, in, k, d, largest, r.first, r.second);
  }
  r = deliver_pair({shaped_like(r.first, self), shaped_like(r.second, self)}, out_values,
                   out_indices);
  if (grad) record_value_selection("TopkBackward0", self, r.first, r.second, d, true);
  return r;
}

std::pair<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim, bool keepdim,
                                   const Tensor& out_values, const Tensor& out_indices) {
  return select_dim("kthvalue", "KthvalueBackward0", SelectKind::Kth, self, k, dim, keepdim,
                    out_values, out_indices);
}

Tensor median(const Tensor& self) { return select_all(SelectKind::Median, self); }

Tensor nanmedian(const Tensor& self) { return select_all(SelectKind::NanMedian, self); }

std::pair<Tensor, Tensor> median(const Tensor& self, int64_t dim, bool keepdim,
                                 const Tensor& out_values, const Tensor& out_indices) {
  return select_dim("median", "MedianBackward1", SelectKind::Median, self, 0, dim, keepdim,
                    out_values, out_indices);
}

std::pair<Tensor, Tensor> nanmedian(const Tensor& self, int64_t dim, bool keepdim,
                                    const Tensor& out_values, const Tensor& out_indices) {
  return select_dim("nanmedian", "NanmedianBackward1", SelectKind::NanMedian, self, 0, dim, keepdim,
                    out_values, out_indices);
}

std::pair<Tensor, Tensor> mode(const Tensor& self, int64_t dim, bool keepdim,
                               const Tensor& out_values, const Tensor& out_indices) {
  return select_dim("mode", "ModeBackward0", SelectKind::Mode, self, 0, dim, keepdim, out_values,
                    out_indices);
}

UniqueResult unique(const Tensor& self, std::optional<int64_t> dim) {
  return unique_impl(self, dim, false);
}

UniqueResult unique_consecutive(const Tensor& self, std::optional<int64_t> dim) {
  return unique_impl(self, dim, true);
}

Tensor bincount(const Tensor& self, const Tensor& weights, int64_t minlength) {
  CRESSET_CHECK(is_integral(self.dtype(), false), NotImplementedError,
                "\"bincount_cpu\" not implemented for '", dtype_display(self.dtype()), "'");
  CRESSET_CHECK(self.dim() == 1, RuntimeError,
                "bincount only supports 1-d non-negative integral inputs.");
  CRESSET_CHECK(minlength >= 0, RuntimeError, "minlength should be >= 0");
  if (weights.defined()) {
    CRESSET_CHECK(weights.dim() == 1 && weights.numel() == self.numel(), RuntimeError,
                  "weights should be 1-d and have the same length as input");
  }
  Tensor in = contiguous(self.dtype() == DType::Int64 ? self : cast_tensor(self, DType::Int64));
  Tensor w;
  if (weights.defined()) {
    DType wd = weights.dtype() == DType::Float32 ? DType::Float32 : DType::Float64;
    w = contiguous(weights.dtype() == wd ? weights : cast_tensor(weights, wd));
  }
  return CRESSET_SORT_KERNEL(self.device(), bincount_kernel, in, w, minlength);
}

Tensor histc(const Tensor& self, int64_t bins, double min, double max, const Tensor& out) {
  CRESSET_CHECK(self.is_floating_point(), NotImplementedError,
                "\"histogram_cpu\" not implemented for '", dtype_display(self.dtype()), "'");
  CRESSET_CHECK(bins > 0, RuntimeError, "torch.histogram(): bins must be > 0, but got ", bins,
                " for dimension 0");
  double lo = min, hi = max;
  if (lo == hi && self.numel() > 0) {
    auto extrema = aminmax(self);
    lo = extrema.first.item<double>();  // item(): the extrema may be on a GPU
    hi = extrema.second.item<double>();
  }
  if (lo == hi) {
    lo -= 1;
    hi += 1;
  }
  CRESSET_CHECK(std::isfinite(lo) && std::isfinite(hi), RuntimeError, "torch.histc: range of [", lo,
                ", ", hi, "] is not finite");
  CRESSET_CHECK(lo < hi, RuntimeError, "torch.histc: max must be larger than min");
  Tensor r = output_for(out, {bins}, self.dtype(), self.device());
  CRESSET_SORT_KERNEL(self.device(), histc_kernel, contiguous(self), bins, lo, hi, r);
  return deliver(r, out, true);
}

}  // namespace cresset
