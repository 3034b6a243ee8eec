#include "cresset/backend/common/tensor_iter.h"

#include <algorithm>
#include <cstring>

#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/core/out.h"

namespace cresset {

namespace {

// torch's combine_categories: a lower-ranked operand only matters when its category is higher.
// kNone stands for "no operand of this rank".
constexpr int kNone = -1;

int combine_categories(int higher, int lower) {
  if (higher == kNone) return lower;
  if (lower == kNone) return higher;
  DType h = DType(higher), l = DType(lower);
  if (is_floating(h)) return higher;
  if (h == DType::Bool || is_floating(l)) return int(promote_types(h, l));
  return higher;
}

int promote_into(int acc, DType t) { return acc == kNone ? int(t) : int(promote_types(DType(acc), t)); }

// Accumulates operands by rank category; see result_type.
class ResultType {
 public:
  void add(const Tensor& t) {
    if (!t.defined()) return;
    DType d = t.dtype();
    if (t.impl()->is_wrapped_number()) {
      if (is_floating(d)) d = default_dtype();
      wrapped_ = promote_into(wrapped_, d);
    } else if (t.dim() == 0) {
      zero_ = promote_into(zero_, d);
    } else {
      dim_ = promote_into(dim_, d);
    }
  }
  DType get() const {
    int r = combine_categories(dim_, combine_categories(zero_, wrapped_));
    return r == kNone ? default_dtype() : DType(r);
  }

 private:
  int dim_ = kNone, zero_ = kNone, wrapped_ = kNone;
};

}  // namespace

DType result_type(const Tensor* const* operands, int n) {
  ResultType r;
  for (int i = 0; i < n; ++i) r.add(*operands[i]);
  return r.get();
}

DType result_type(const std::vector<Tensor>& operands) {
  ResultType r;
  for (const Tensor& t : operands) r.add(t);
  return r.get();
}

DType result_type(std::initializer_list<TensorRef> operands) {
  ResultType r;
  for (TensorRef t : operands) r.add(*t);
  return r.get();
}

const Tensor& TensorIterConfig::keep(Tensor&& t) {
  CRESSET_CHECK(nkept_ < kMaxIterOperands, RuntimeError, "[", op_, "] too many operands");
  kept_[nkept_] = std::move(t);
  return kept_[nkept_++];
}

TensorIterConfig& TensorIterConfig::add_output(const Tensor& t) {
  CRESSET_CHECK(noutputs_ < kMaxIterOutputs, RuntimeError, "[", op_, "] too many outputs");
  outputs_[noutputs_++] = &t;
  return *this;
}

TensorIterConfig& TensorIterConfig::add_input(const Tensor& t) {
  CRESSET_CHECK(ninputs_ + noutputs_ < kMaxIterOperands, RuntimeError, "[", op_,
                "] too many operands");
  inputs_[ninputs_++] = &t;
  return *this;
}

namespace {

// Orders dims innermost-first by the operands' strides (torch's reorder_dimensions): a dim goes
// inside another when the first operand that has non-zero strides on both says it is faster.
DimVector stride_order(const Tensor* const* ops, int nops, const DimVector& shape) {
  int nd = int(shape.size());
  DimVector perm(nd);
  for (int i = 0; i < nd; ++i) perm[i] = nd - 1 - i;  // default: row-major, innermost first
  // Only broadcast dims read as stride 0; a size-1 dim of a size-1 result keeps its stride.
  auto stride_of = [&](const Tensor& t, int64_t d) -> int64_t {
    int off = nd - int(t.dim());
    if (d < off) return 0;
    return t.sizes()[d - off] == 1 && shape[d] != 1 ? 0 : t.strides()[d - off];
  };
  // torch's should_swap: 1 when dim0 (now inside dim1) belongs outside it, -1 when it belongs
  // inside, 0 when no operand decides.
  auto should_swap = [&](int64_t dim0, int64_t dim1) -> int {
    for (int k = 0; k < nops; ++k) {
      const Tensor& t = *ops[k];
      if (!t.defined()) continue;
      int64_t s0 = stride_of(t, dim0), s1 = stride_of(t, dim1);
      if (s0 == 0 || s1 == 0) continue;
      if (s0 != s1) return s0 < s1 ? -1 : 1;
      if (shape[dim0] > shape[dim1]) return 1;
    }
    return 0;
  };
  // torch's insertion sort: an undecided comparison doesn't stop a dim from moving further out.
  for (int i = 1; i < nd; ++i) {
    int dim1 = i;
    for (int dim0 = i - 1; dim0 >= 0; --dim0) {
      int c = should_swap(perm[dim0], perm[dim1]);
      if (c > 0) {
        std::swap(perm[dim0], perm[dim1]);
        dim1 = dim0;
      } else if (c < 0) {
        break;
      }
    }
  }
  return perm;
}

bool has_internal_overlap(const Tensor& t) {
  if (t.numel() == 0) return false;  // nothing is written (torch: empty tensors are dense)
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (t.strides()[d] == 0 && t.sizes()[d] > 1) return true;
  }
  return false;
}

// Allocates an output of `shape` whose memory order follows `perm` (innermost-first).
// Like torch: the row-major order gets contiguous strides, any other order plain running products
// (so dims outside an empty one get stride 0).
Tensor alloc_like_order(const DimVector& shape, const DimVector& perm, DType dtype,
                        Device device) {
  bool row_major = true;
  for (size_t i = 0; i < perm.size(); ++i) row_major &= perm[i] == int64_t(perm.size() - 1 - i);
  if (row_major) return empty_tensor(shape, dtype, device);
  DimVector strides(shape.size());
  int64_t s = 1;
  for (int64_t d : perm) {
    strides[d] = s;
    s *= shape[d];
  }
  return empty_strided_tensor(shape, strides, dtype, device);
}

}  // namespace

// Appends the inputs after the `nops` outputs, cast to the compute dtype where promotion asks.
void TensorIterConfig::hand_over(TensorIter& it, int k, const Tensor* t) {
  if (t >= kept_ && t < kept_ + nkept_) {
    it.owned_[k] = std::move(kept_[t - kept_]);
  } else {
    it.borrowed_[k] = t;
  }
}

void TensorIterConfig::finish_operands(TensorIter& it, int nops, DType common) {
  for (int i = 0; i < ninputs_; ++i, ++nops) {
    const Tensor& in = *inputs_[i];
    if (promote_inputs_ && in.dtype() != common) {
      it.owned_[nops] = cast_tensor(in, common);
    } else {
      hand_over(it, nops, inputs_[i]);
    }
  }
  it.ntensors_ = nops;
  it.noutputs_ = noutputs_;
}

// Fast path: every input is either contiguous with one common shape or a 0-dim tensor, outputs
// are missing or contiguous with that shape and the right dtype. Then there is nothing to
// broadcast, permute or coalesce: one flat dim. Most ops in a training loop take this path.
bool TensorIterConfig::try_fast_build(TensorIter& it, DType common, DType out_dtype) {
  const DimVector* shape = nullptr;
  Device device;
  for (int i = 0; i < ninputs_; ++i) {
    const Tensor& t = *inputs_[i];
    if (!t.defined() || t.device() != inputs_[0]->device()) return false;
    if (t.dim() == 0) continue;
    if (!t.is_contiguous() || (shape && t.sizes() != *shape)) return false;
    if (t.dtype() != common && promote_inputs_) return false;
    shape = &t.sizes();
  }
  static const DimVector kScalarShape{};
  if (!shape) shape = ninputs_ > 0 ? &kScalarShape : &outputs_[0]->sizes();
  device = ninputs_ > 0 ? inputs_[0]->device() : outputs_[0]->device();
  for (int i = 0; i < noutputs_; ++i) {
    const Tensor& t = *outputs_[i];
    if (t.defined() && (!t.is_contiguous() || t.sizes() != *shape || t.dtype() != out_dtype ||
                        t.device() != device || has_internal_overlap(t)))
      return false;
  }
  // `shape` may belong to a kept temporary: it is read before the operands change hands.
  it.numel_ = shape_numel(*shape);
  const bool scalar_shape = shape->empty();
  for (int i = 0; i < noutputs_; ++i) {
    if (!outputs_[i]->defined()) it.owned_[i] = empty_tensor(*shape, out_dtype, device);
  }
  for (int i = 0; i < noutputs_; ++i) {
    if (outputs_[i]->defined()) hand_over(it, i, outputs_[i]);
  }
  finish_operands(it, noutputs_, common);
  it.common_dtype_ = common;
  it.shape_ = DimVector(1, it.numel_);
  for (int k = 0; k < it.ntensors_; ++k) {
    const Tensor& t = it.operand(k);
    it.strides_[k] = DimVector(1, t.dim() == 0 && !scalar_shape ? 0 : t.itemsize());
  }
  return true;
}

TensorIter TensorIterConfig::build() {
  TensorIter it;
  it.inputs_by_value_ = inputs_by_value_;
  DType common = has_compute_dtype_ ? compute_dtype_
                 : ninputs_ == 0    ? outputs_[0]->dtype()  // fills write in the output's dtype
                                    : result_type(inputs_, ninputs_);
  if (int_to_float_ && !is_floating(common)) common = default_dtype();
  DType out_dtype = has_output_dtype_ ? output_dtype_ : common;
  if (try_fast_build(it, common, out_dtype)) return it;
  // Device: every operand on the same device (wrapped numbers are CPU scalars and go anywhere).
  Device device;
  bool have_device = false;
  for (int side = 0; side < 2; ++side) {
    const Tensor* const* list = side == 0 ? outputs_ : inputs_;
    int count = side == 0 ? noutputs_ : ninputs_;
    for (int i = 0; i < count; ++i) {
      const Tensor& t = *list[i];
      if (!t.defined() || t.impl()->is_wrapped_number() || (t.dim() == 0 && t.device().is_cpu()))
        continue;
      if (!have_device) {
        device = t.device();
        have_device = true;
      } else {
        CRESSET_CHECK(t.device() == device, RuntimeError, "[", op_,
                      "] Expected all tensors to be on the same device, but found at least two "
                      "devices, ",
                      device.str(), " and ", t.device().str(), "!");
      }
    }
  }
  for (int i = 0; i < ninputs_ && !have_device; ++i) {
    if (inputs_[i]->defined()) {
      device = inputs_[i]->device();
      have_device = true;
    }
  }

  // Shape.
  DimVector shape;
  // In-place ops (and copies) broadcast their inputs to the output, which keeps its shape.
  if (ninputs_ == 1 && !inplace_) {
    shape = inputs_[0]->sizes();
  } else {
    if (inplace_ || ninputs_ == 0) shape = outputs_[0]->sizes();
    for (int i = 0; i < ninputs_; ++i) shape = broadcast_shapes(shape, inputs_[i]->sizes());
  }
  for (int i = 0; i < noutputs_; ++i) {
    const Tensor& t = *outputs_[i];
    if (!t.defined()) continue;
    if (inplace_) {
      CRESSET_CHECK(t.sizes() == shape, RuntimeError, "[", op_, "] output with shape ",
                    shape_str(t.sizes()), " doesn't match the broadcast shape ", shape_str(shape));
    }
    CRESSET_CHECK(!has_internal_overlap(t), RuntimeError, "[", op_,
                  "] unsupported operation: more than one element of the written-to tensor refers "
                  "to a single memory location. Please clone() the tensor before performing the "
                  "operation.");
  }

  it.common_dtype_ = common;

  // Operands: outputs (allocated or validated), then inputs cast to the compute dtype.
  DimVector perm = stride_order(inputs_, ninputs_, shape);
  for (int i = 0; i < noutputs_; ++i) {
    const Tensor& out = *outputs_[i];
    if (!out.defined()) {
      it.owned_[i] = alloc_like_order(shape, perm, out_dtype, device);
      continue;
    }
    check_out(op_, out, shape, out_dtype, device, out_rule_);
    if (out.dtype() == out_dtype) {
      hand_over(it, i, outputs_[i]);
    } else {
      it.cast_back_[i] = out;
      it.owned_[i] = alloc_like_order(shape, perm, out_dtype, device);
    }
  }
  finish_operands(it, noutputs_, common);

  // Byte strides in the broadcast shape, permuted innermost-first.
  int nd = int(shape.size());
  const Tensor* operands[kMaxIterOperands];
  for (int k = 0; k < it.ntensors_; ++k) operands[k] = &it.operand(k);
  DimVector order = stride_order(operands, it.ntensors_, shape);
  it.shape_ = DimVector(nd);
  for (int i = 0; i < nd; ++i) it.shape_[i] = shape[order[i]];
  for (int k = 0; k < it.ntensors_; ++k) {
    const Tensor& t = it.operand(k);
    it.strides_[k] = DimVector(nd);
    int off = nd - int(t.dim());
    int64_t isz = t.itemsize();
    for (int i = 0; i < nd; ++i) {
      int64_t d = order[i];
      it.strides_[k][i] = (d < off || t.sizes()[d - off] == 1) ? 0 : t.strides()[d - off] * isz;
    }
  }
  it.numel_ = shape_numel(shape);

  // Coalesce: merge dim i+1 into dim i when every operand steps through both as one.
  if (nd > 1) {
    int w = 0;
    for (int r = 1; r < nd; ++r) {
      bool can = true;
      for (int k = 0; k < it.ntensors_ && can; ++k) {
        can = it.shape_[w] == 1 || it.shape_[r] == 1 ||
              it.strides_[k][w] * it.shape_[w] == it.strides_[k][r];
      }
      if (can) {
        for (int k = 0; k < it.ntensors_; ++k) {
          if (it.shape_[w] == 1) it.strides_[k][w] = it.strides_[k][r];
        }
        it.shape_[w] *= it.shape_[r];
      } else {
        ++w;
        it.shape_[w] = it.shape_[r];
        for (int k = 0; k < it.ntensors_; ++k) it.strides_[k][w] = it.strides_[k][r];
      }
    }
    it.shape_.resize(w + 1);
    for (int k = 0; k < it.ntensors_; ++k) it.strides_[k].resize(w + 1);
  }
  if (it.shape_.empty()) {  // 0-dim: one element
    it.shape_.push_back(1);
    for (int k = 0; k < it.ntensors_; ++k) it.strides_[k].push_back(0);
  }
  return it;
}

bool TensorIter::is_contiguous() const {
  if (shape_.size() != 1) return false;
  for (int k = 0; k < ntensors_; ++k) {
    if (strides_[k][0] != operand(k).itemsize()) return false;
  }
  return true;
}

// Note [Broadcast inner runs]
// An input that is stride-0 along the inner dim (a 0-dim or expanded operand: `x *
// s.expand(...)`, `where(m, x, 0.)`, a [n, 1] column) would send the loops to their strided scalar
// path. When every other operand is contiguous along the run, the run goes to the loop in chunks
// with that input pointing at a buffer filled with its value, so the loop's contiguous
// (vectorized) path runs. Only for iterators whose kernels read inputs by value
// (TensorIterConfig::inputs_by_value: elementwise ops, copies); others use input pointers as base
// addresses (indexing) or write through them.
namespace {

constexpr int64_t kBroadcastChunk = 256;
constexpr int kMaxBroadcastInputs = 4;
constexpr int64_t kMinBroadcastRun = 16;

// Fills `n` items of `size` bytes (1, 2, 4 or 8) at dst with the item at src.
void fill_items(char* dst, const char* src, int64_t size, int64_t n) {
  switch (size) {
    case 1:
      std::memset(dst, *src, size_t(n));
      break;
    case 2:
      std::fill_n(reinterpret_cast<uint16_t*>(dst), n, *reinterpret_cast<const uint16_t*>(src));
      break;
    case 4:
      std::fill_n(reinterpret_cast<uint32_t*>(dst), n, *reinterpret_cast<const uint32_t*>(src));
      break;
    default:
      std::fill_n(reinterpret_cast<uint64_t*>(dst), n, *reinterpret_cast<const uint64_t*>(src));
  }
}

}  // namespace

// Which inputs get buffered (bit k for operand k), or 0 when the inner runs aren't eligible.
unsigned TensorIter::broadcast_inputs() const {
  if (!inputs_by_value_ || noutputs_ == 0 || shape_[0] < kMinBroadcastRun) return 0;
  unsigned mask = 0;
  int count = 0;
  for (int k = 0; k < ntensors_; ++k) {
    int64_t s = strides_[k][0];
    if (k >= noutputs_ && s == 0) {
      mask |= 1u << k;
      ++count;
    } else if (s != operand(k).itemsize()) {
      return 0;
    }
  }
  return count <= kMaxBroadcastInputs ? mask : 0;
}

// Runs the loop over one inner run of n elements at ptrs, see Note [Broadcast inner runs].
void TensorIter::run_inner(Loop loop, const void* ctx, char** ptrs, const int64_t* strides,
                           int64_t n, unsigned broadcast) const {
  if (!broadcast || n < kMinBroadcastRun) {
    loop(ctx, ptrs, strides, n);
    return;
  }
  alignas(64) char buf[kMaxBroadcastInputs][kBroadcastChunk * 8];
  char* p[kMaxIterOperands];
  int64_t s[kMaxIterOperands];
  int64_t first = std::min(n, kBroadcastChunk);
  for (int k = 0, b = 0; k < ntensors_; ++k) {
    s[k] = operand(k).itemsize();
    if (broadcast & (1u << k)) {
      fill_items(buf[b], ptrs[k], s[k], first);
      p[k] = buf[b++];
    }
  }
  for (int64_t done = 0; done < n; done += kBroadcastChunk) {
    for (int k = 0; k < ntensors_; ++k) {
      if (!(broadcast & (1u << k))) p[k] = ptrs[k] + done * s[k];
    }
    loop(ctx, p, s, std::min(kBroadcastChunk, n - done));
  }
}

void TensorIter::serial_impl(Loop loop, const void* ctx, int64_t begin, int64_t end) const {
  if (begin >= end) return;
  int nd = int(shape_.size());
  const unsigned broadcast = broadcast_inputs();
  char* base[kMaxIterOperands];
  for (int k = 0; k < ntensors_; ++k) base[k] = data_ptr(k);
  int64_t inner[kMaxIterOperands];
  for (int k = 0; k < ntensors_; ++k) inner[k] = strides_[k][0];
  if (nd == 1) {
    char* ptrs[kMaxIterOperands];
    for (int k = 0; k < ntensors_; ++k) ptrs[k] = base[k] + begin * inner[k];
    run_inner(loop, ctx, ptrs, inner, end - begin, broadcast);
    return;
  }
  // Multi-index of `begin` over the outer dims; walk inner runs until `end`.
  DimVector idx(nd);
  int64_t rem = begin;
  for (int d = 0; d < nd; ++d) {
    idx[d] = rem % shape_[d];
    rem /= shape_[d];
  }
  int64_t pos = begin;
  char* ptrs[kMaxIterOperands];
  while (pos < end) {
    int64_t n = std::min(shape_[0] - idx[0], end - pos);
    for (int k = 0; k < ntensors_; ++k) {
      int64_t o = 0;
      for (int d = 0; d < nd; ++d) o += idx[d] * strides_[k][d];
      ptrs[k] = base[k] + o;
    }
    run_inner(loop, ctx, ptrs, inner, n, broadcast);
    pos += n;
    idx[0] += n;
    for (int d = 0; d < nd - 1 && idx[d] == shape_[d]; ++d) {
      idx[d] = 0;
      ++idx[d + 1];
    }
  }
}

void TensorIter::for_each_impl(Loop loop, const void* ctx, int64_t grain) {
  if (numel_ == 0) return;
  parallel_for(0, numel_, grain,
               [&](int64_t b, int64_t e) { serial_impl(loop, ctx, b, e); });
}

void TensorIter::finish() {
  for (int k = 0; k < noutputs_; ++k) {
    if (cast_back_[k].defined()) copy_into(cast_back_[k], operand(k));
  }
}

Tensor TensorIter::release_output() {
  if (cast_back_[0].defined()) return std::move(cast_back_[0]);
  if (owned_[0].defined()) return std::move(owned_[0]);
  return *borrowed_[0];
}

}  // namespace cresset
