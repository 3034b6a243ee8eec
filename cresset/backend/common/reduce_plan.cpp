#include "cresset/backend/common/reduce_plan.h"

#include <algorithm>
#include <vector>

namespace cresset {

namespace {

struct PlanDim {
  int64_t size, in_stride, out_stride;
};

// Merges dim i+1 into dim i (innermost-first) when both step through memory as one.
std::vector<PlanDim> coalesce(const std::vector<PlanDim>& dims) {
  std::vector<PlanDim> out;
  for (const PlanDim& d : dims) {
    if (!out.empty()) {
      PlanDim& in = out.back();
      if (in.in_stride * in.size == d.in_stride && in.out_stride * in.size == d.out_stride) {
        in.size *= d.size;
        continue;
      }
    }
    out.push_back(d);
  }
  return out;
}

}  // namespace

ReducePlan make_reduce_plan(const Tensor& in, uint64_t mask, bool logical_order) {
  const int64_t nd = in.dim();
  DimVector keep_shape = in.sizes();
  for (int64_t d = 0; d < nd; ++d) {
    if (mask >> d & 1) keep_shape[d] = 1;
  }
  DimVector out_strides = contiguous_strides(keep_shape);
  std::vector<PlanDim> kept, red;
  bool empty_reduction = false;
  for (int64_t d = nd - 1; d >= 0; --d) {  // innermost-first
    int64_t size = in.sizes()[d];
    if (mask >> d & 1) {
      empty_reduction |= size == 0;
      if (size != 1) red.push_back({size, in.strides()[d], 0});
    } else if (size != 1) {
      kept.push_back({size, in.strides()[d], out_strides[d]});
    }
  }
  // Walk kept dims in the input's memory order: the output is small, the input is what streams.
  auto by_stride = [](const PlanDim& a, const PlanDim& b) { return a.in_stride < b.in_stride; };
  std::stable_sort(kept.begin(), kept.end(), by_stride);
  if (!logical_order) std::stable_sort(red.begin(), red.end(), by_stride);
  kept = coalesce(kept);
  red = coalesce(red);

  ReducePlan p;
  for (const PlanDim& d : kept) {
    p.kept_sizes.push_back(d.size);
    p.kept_in_strides.push_back(d.in_stride);
    p.kept_out_strides.push_back(d.out_stride);
    p.num_outputs *= d.size;
  }
  for (const PlanDim& d : red) {
    p.red_sizes.push_back(d.size);
    p.red_strides.push_back(d.in_stride);
    p.reduce_size *= d.size;
  }
  if (empty_reduction) p.reduce_size = 0;
  return p;
}

DType reduce_compute_dtype(ReduceKind kind, DType t) {
  const bool half = t == DType::Float16 || t == DType::BFloat16;
  switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      return t == DType::Bool || is_floating(t) ? t : DType::Int64;
    case ReduceKind::Max:
    case ReduceKind::Min:
      return t == DType::UInt8 || is_floating(t) ? t : DType::Int64;
    case ReduceKind::All:
    case ReduceKind::Any:
      return DType::Bool;
    default:
      return half ? DType::Float32 : is_floating(t) ? t : DType::Int64;
  }
}

DType reduce_output_dtype(ReduceKind kind, DType t, int k) {
  switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::NanSum:
    case ReduceKind::Prod:
      return is_floating(t) ? t : DType::Int64;
    case ReduceKind::ArgMax:
    case ReduceKind::ArgMin:
      return k == 0 ? DType::Int64 : t;
    case ReduceKind::All:
    case ReduceKind::Any:
      return DType::Bool;
    default:
      return t;
  }
}

}  // namespace cresset
