// Resolving tensor lists into raw buffers for the fused optimizer kernels.
#include "cresset/optim/fused_batch.h"

#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/optim_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/ops/index.h"
#include "cresset/ops/view.h"

namespace cresset::optim_detail {

namespace {

bool same_layout(const Tensor& a, const Tensor& b) {
  return a.sizes() == b.sizes() && a.strides() == b.strides();
}

// Elements occupy exactly [raw_data, raw_data + numel): then an elementwise update may walk the
// memory linearly whatever the strides (a transposed parameter and its state line up).
bool dense(const Tensor& t) {
  for (int64_t s : t.strides()) {
    if (s < 0) return false;
  }
  return storage_span(t.sizes(), t.strides()) == t.numel();
}

// A CPU copy of a (CUDA) tensor, for reading a one-element state.
Tensor host_copy(const Tensor& t) {
  Tensor h = empty_tensor(t.sizes(), t.dtype(), Device());
  copy_into(h, t);
  return h;
}

const Tensor& one_element(const char* op, const Tensor& t) {
  CRESSET_CHECK(
      t.defined() && t.numel() == 1 && (t.dtype() == DType::Float32 || t.dtype() == DType::Float64),
      RuntimeError, "[", op, "] expected a one-element float state tensor; got ",
      t.defined() ? describe(t) : std::string("None"));
  return t;
}

}  // namespace

FusedBatch::FusedBatch(const char* op, const std::vector<Tensor>& params,
                       const std::vector<Tensor>& grads)
    : op_(op), ts_(params.size()), slots_(params.size()) {
  CRESSET_CHECK(grads.size() == params.size(), ValueError, "[", op, "] got ", params.size(),
                " params but ", grads.size(), " grads");
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    const Tensor& g = grads[i];
    CRESSET_CHECK(p.defined() && g.defined(), ValueError, "[", op, "] undefined param or grad");
    CRESSET_CHECK(is_floating(p.dtype()), TypeError, "[", op,
                  "] expected floating point params; got ", describe(p));
    if (i == 0) dtype_ = p.dtype();
    CRESSET_CHECK(p.dtype() == dtype_, TypeError, "[", op,
                  "] params of one fused call must share a dtype; got ", describe(params[0]),
                  " and ", describe(p));
    CRESSET_CHECK(p.device() == params[0].device() && g.device() == p.device(), RuntimeError, "[",
                  op, "] expected all tensors on one device; got ", describe(params[0]), ", ",
                  describe(p), " and grad ", describe(g));
    CRESSET_CHECK(g.dtype() == p.dtype() && g.sizes() == p.sizes(), RuntimeError, "[", op,
                  "] grad ", describe(g), " does not match param ", describe(p));
    slots_[i].resize(kOptimBuffers);
    slots_[i][0] = p;
    slots_[i][1] = g;
    ts_[i].numel = p.numel();
  }
}

void FusedBatch::add_state(int slot, const std::vector<Tensor>& list) {
  CRESSET_CHECK(list.size() == ts_.size(), ValueError, "[", op_, "] got ", ts_.size(),
                " params but ", list.size(), " state tensors");
  for (size_t i = 0; i < list.size(); ++i) {
    const Tensor& s = list[i];
    const Tensor& p = slots_[i][0];
    CRESSET_CHECK(
        s.defined() && s.dtype() == p.dtype() && s.sizes() == p.sizes() && s.device() == p.device(),
        RuntimeError, "[", op_, "] state ", s.defined() ? describe(s) : "None",
        " does not match param ", describe(p));
    slots_[i][slot] = s;
  }
}

// Note [CUDA optimizer updates]
// CUDA params are updated on their device: FusedBatch resolves the same per-tensor records as for
// the CPU (buffer pointers, numel, the per-tensor scalars computed here in double) and
// cuda::optim_kernel applies the kind's rule to all of them in one multi-tensor launch on the
// current stream (backend/cuda/optim.cu), with the CPU's arithmetic (see
// Note [Optimizer update rules]): a CUDA model trains as the same model on the CPU, bit for bit.
// Nothing of the params, grads or states crosses to the host; a param, grad or state that is not
// dense in the param's layout is worked on through a contiguous copy on the device, as on the CPU.
// The 0-dim states stay where torch keeps them: 'step' (and NAdam's mu_product) on the CPU unless
// capturable or fused, so reading and counting it costs no transfer; ASGD's step, eta and mu on
// the param's device, read and written through small copies (torch's ASGD syncs there too).
void FusedBatch::run(OptimKind kind, const OptimOptions& h) {
  autograd::AutoGradMode no_grad(false);
  std::vector<std::pair<Tensor, Tensor>> write_back;  // (original, contiguous working copy)
  std::vector<Tensor> keep_alive;                     // read-only contiguous copies of grads
  for (size_t i = 0; i < ts_.size(); ++i) {
    const std::vector<Tensor>& slot = slots_[i];
    bool flat = dense(slot[0]);
    for (const Tensor& t : slot) flat = flat && (!t.defined() || same_layout(t, slot[0]));
    for (int k = 0; k < kOptimBuffers; ++k) {
      const Tensor& t = slot[k];
      if (!t.defined()) continue;
      if (flat) {
        ts_[i].buf[k] = t.raw_data();
        continue;
      }
      Tensor work = contiguous(t);
      // Only the grad (slot 1) is read-only; other copies carry results back.
      if (!work.is_same(t)) {
        if (k == 1) {
          keep_alive.push_back(work);
        } else {
          write_back.emplace_back(t, work);
        }
      }
      ts_[i].buf[k] = work.raw_data();
    }
  }
  const Device device = slots_.empty() ? Device() : slots_[0][0].device();
  if (device.is_cuda()) {
    cuda::optim_kernel(kind, dtype_, device.index, ts_, h);
  } else {
    CRESSET_CPU_DISPATCH(optim_kernel, kind, dtype_, ts_, h);
  }
  for (auto& [orig, work] : write_back) copy_(orig, work);
  for (size_t i = 0; i < ts_.size(); ++i) {
    for (int k = 0; k < kOptimBuffers; ++k) {
      if (k != 1 && slots_[i][k].defined()) slots_[i][k].bump_version();
    }
  }
}

double increment_step(const char* op, const Tensor& step) {
  double v = scalar_value(op, step) + 1;
  set_scalar_value(step, v);
  return scalar_value(op, step);
}

double scalar_value(const char* op, const Tensor& t) {
  one_element(op, t);
  const Tensor h = t.device().is_cpu() ? t : host_copy(t);
  return h.dtype() == DType::Float64 ? *h.data<double>() : double(*h.data<float>());
}

void set_scalar_value(const Tensor& t, double value) {
  const Tensor h = t.device().is_cpu() ? t : empty_tensor(t.sizes(), t.dtype(), Device());
  if (h.dtype() == DType::Float64) {
    *h.data<double>() = value;
  } else {
    *h.data<float>() = float(value);
  }
  if (!h.is_same(t)) copy_into(t, h);
  t.bump_version();
}

}  // namespace cresset::optim_detail
