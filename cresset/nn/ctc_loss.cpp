// torch.ctc_loss: validation, the fused alpha/beta recursions (backend/cpu/loss.cpp) recorded as
// CtcLossBackward0, then zero_infinity and the reduction as ops (torch's ctc_loss_impl).
#include <limits>

#include "cresset/autograd/function.h"
#include "cresset/backend/cpu/loss.h"
#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/nn/loss.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

// Where each sample's target starts, checking lengths against targets' layout.
std::vector<int64_t> target_offsets(const Tensor& targets, const std::vector<int64_t>& lengths,
                                    int64_t batch) {
  std::vector<int64_t> offsets(static_cast<size_t>(batch));
  int64_t max_len = 0, pos = 0;
  for (int64_t n = 0; n < batch; ++n) {
    CRESSET_CHECK(lengths[n] >= 0, RuntimeError,
                  "Expected target_lengths to have value at least 0, but got value ", lengths[n],
                  " (while checking arguments for ctc_loss_cpu)");
    max_len = std::max(max_len, lengths[n]);
  }
  if (targets.dim() == 1) {
    for (int64_t n = 0; n < batch; ++n) {
      offsets[n] = pos;
      pos += lengths[n];
    }
    CRESSET_CHECK(targets.size(0) >= pos, RuntimeError, "Expected tensor to have size at least ",
                  pos, " at dimension 0, but got size ", targets.size(0),
                  " for argument #2 'targets' (while checking arguments for ctc_loss_cpu)");
  } else {
    CRESSET_CHECK(targets.dim() == 2 && targets.size(0) == batch, RuntimeError,
                  "[ctc_loss] expected targets of shape (N, S) with N = ", batch,
                  " or concatenated 1-D targets; got ", shape_str(targets.sizes()));
    for (int64_t n = 0; n < batch; ++n) offsets[n] = n * targets.size(1);
    CRESSET_CHECK(targets.size(1) >= max_len, RuntimeError,
                  "Expected tensor to have size at least ", max_len,
                  " at dimension 1, but got size ", targets.size(1),
                  " for argument #2 'targets' (while checking arguments for ctc_loss_cpu)");
  }
  return offsets;
}

}  // namespace

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets,
                const std::vector<int64_t>& input_lengths,
                const std::vector<int64_t>& target_lengths, int64_t blank, int64_t reduction,
                bool zero_infinity) {
  CRESSET_CHECK(log_probs.dim() == 3 || log_probs.dim() == 2, RuntimeError,
                "[ctc_loss] expected log_probs of shape (T, N, C) or (T, C); got ",
                shape_str(log_probs.sizes()));
  CRESSET_CHECK(log_probs.device().is_cpu(), NotImplementedError,
                "[ctc_loss] only CPU tensors are supported; got ", describe(log_probs));
  if (!log_probs.is_floating_point()) dispatch_fail("ctc_loss_cpu", log_probs.dtype());
  const bool batched = log_probs.dim() == 3;
  const Tensor lp3 = batched ? log_probs : unsqueeze(log_probs, 1);
  const Tensor tg_in = batched ? targets : unsqueeze(targets, 0);
  const int64_t max_t = lp3.size(0), batch = lp3.size(1), classes = lp3.size(2);
  CRESSET_CHECK(blank >= 0 && blank < classes, RuntimeError, "blank must be in label range");
  CRESSET_CHECK(int64_t(input_lengths.size()) == batch, RuntimeError,
                "input_lengths must be of size batch_size");
  CRESSET_CHECK(int64_t(target_lengths.size()) == batch, RuntimeError,
                "target_lengths must be of size batch_size");
  for (int64_t n = 0; n < batch; ++n) {
    CRESSET_CHECK(input_lengths[n] >= 0 && input_lengths[n] <= max_t, RuntimeError,
                  "Expected input_lengths to have value at most ", max_t, ", but got value ",
                  input_lengths[n], " (while checking arguments for ctc_loss_cpu)");
  }
  // Any dtype is read as int64 class indices, as torch's targets.to(kLong).
  const Tensor tg = contiguous(to(tg_in, DType::Int64, tg_in.device()));
  const std::vector<int64_t> offsets = target_offsets(tg, target_lengths, batch);
  int64_t max_s = 0;
  const int64_t* tp = tg.data<int64_t>();
  for (int64_t n = 0; n < batch; ++n) {
    max_s = std::max(max_s, target_lengths[n]);
    for (int64_t i = 0; i < target_lengths[n]; ++i) {
      const int64_t v = tp[offsets[n] + i];
      CRESSET_CHECK(v >= 0 && v < classes, IndexError, "[ctc_loss] target ", v, " of sample ", n,
                    " is out of bounds for ", classes, " classes");
    }
  }
  const Tensor lp = contiguous(detach(lp3));
  Tensor nll = empty_tensor({batch}, lp.dtype());
  Tensor log_alpha = empty_tensor({batch, max_t, 2 * max_s + 1}, lp.dtype());
  cpu::ctc_loss_forward(nll, log_alpha, lp, tg, offsets, input_lengths, target_lengths, blank);
  if (autograd::needs_grad({lp3})) {
    // nll is saved through record (an output captured by value would keep its own node alive);
    // log_probs is saved too, so that modifying it in place before backward raises.
    autograd::record("CtcLossBackward0", {lp3}, {nll}, {nll, lp3},
                     [=](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor go = contiguous(c.grad());
                       const Tensor lp = contiguous(detach(c.saved(1)));
                       Tensor grad = empty_tensor(lp.sizes(), lp.dtype());
                       cpu::ctc_loss_backward(grad, go, lp, tg, offsets, input_lengths,
                                              target_lengths, c.saved(0), log_alpha, blank,
                                              zero_infinity);
                       return {grad};
                     });
  }
  Tensor res = nll;
  if (zero_infinity) {
    res = where(eq(res, wrapped_scalar(std::numeric_limits<double>::infinity())),
                zeros({}, res.dtype()), res);
  }
  if (reduction == kReductionMean) {
    Tensor tl = empty_tensor({batch}, DType::Int64);
    std::copy(target_lengths.begin(), target_lengths.end(), tl.data<int64_t>());
    return mean(res / clamp_bound(to(tl, res.dtype(), res.device()), 1.0, true, {}, false));
  }
  if (reduction == kReductionSum) return sum(res);
  return batched ? res : squeeze(res, 0);
}

}  // namespace cresset
