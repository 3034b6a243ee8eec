// Embedding lookups: a row gather forward (index_select) and EmbeddingBackward0, whose weight
// gradient is an index_add of the output gradient's rows (written in ops: double backward works);
// embedding_bag, a kernel (backend/cpu/embedding_bag.h) with its own EmbeddingBagBackward0.
#include "cresset/nn/embedding.h"

#include <memory>

#include "cresset/autograd/function.h"
#include "cresset/backend/cpu/embedding_bag.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

void check_indices(const char* op, const Tensor& indices, const char* arg) {
  DType t = indices.dtype();
  CRESSET_CHECK(t == DType::Int64 || t == DType::Int32, RuntimeError, "[", op,
                "] Expected tensor for argument #1 '", arg,
                "' to have one of the following scalar types: Long, Int; but got ",
                dtype_display(t), " instead (while checking arguments for ", op, ")");
}

// EmbeddingBackward0's weight gradient: grad's rows added at their indices, the padding row's
// left out, each divided by its index's count when scale_grad_by_freq.
Tensor embedding_weight_grad(const Tensor& grad, const Tensor& idx, int64_t num_weights,
                             int64_t padding_idx, bool scale_grad_by_freq) {
  int64_t dim = grad.sizes().back();
  Tensor rows = reshape(grad, {idx.numel(), dim});
  Tensor keep;
  if (padding_idx >= 0) keep = ne(idx, wrapped_scalar(Scalar(padding_idx)));
  if (scale_grad_by_freq) {
    Tensor counts = index_add(zeros({num_weights}, grad.dtype(), grad.device()), 0, idx,
                              ones({idx.numel()}, grad.dtype(), grad.device()));
    Tensor scale = 1 / index_select(counts, 0, idx);
    rows = rows * unsqueeze(keep.defined() ? scale * keep : scale, 1);
  } else if (keep.defined()) {
    rows = rows * unsqueeze(keep, 1);
  }
  return index_add(zeros({num_weights, dim}, grad.dtype(), grad.device()), 0, idx, rows);
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                 bool scale_grad_by_freq, bool sparse) {
  CRESSET_CHECK(weight.dim() == 2, RuntimeError, "[embedding] 'weight' must be 2-D");
  check_indices("embedding", indices, "indices");
  CRESSET_CHECK(!sparse, NotImplementedError,
                "[embedding] sparse gradients (sparse=True) are not supported by cresset");
  Tensor idx = reshape(indices, {indices.numel()});
  Tensor out;
  {
    autograd::AutoGradMode off(false);
    DimVector shape = indices.sizes();
    shape.push_back(weight.sizes()[1]);
    out = reshape(index_select(weight, 0, idx), shape);
  }
  if (autograd::needs_grad({weight})) {
    int64_t num_weights = weight.sizes()[0];
    autograd::record("EmbeddingBackward0", {weight}, {out}, {idx},
                     [num_weights, padding_idx,
                      scale_grad_by_freq](const autograd::Ctx& c) -> autograd::TensorList {
                       return {embedding_weight_grad(c.grad(), c.saved(0), num_weights, padding_idx,
                                                     scale_grad_by_freq)};
                     });
  }
  return out;
}

namespace {

// The bag boundaries of embedding_bag, with torch's checks of offsets and of the indices' range.
std::vector<int64_t> bag_starts(const Tensor& idx, const Tensor& offsets, bool include_last_offset,
                                int64_t num_weights) {
  Tensor offs = contiguous(to(offsets, DType::Int64, offsets.device()));
  const int64_t* o = offs.data<int64_t>();
  const int64_t n = idx.numel(), m = offs.numel();
  std::vector<int64_t> starts(o, o + m);
  if (!include_last_offset || m == 0) starts.push_back(n);
  CRESSET_CHECK(m == 0 || o[0] == 0, RuntimeError,
                "[embedding_bag] offsets[0] has to be 0, i.e., the first sequence in the "
                "mini-batch has to start from position 0. However, got ",
                o[0]);
  CRESSET_CHECK(m == 0 || o[m - 1] <= n, RuntimeError,
                "[embedding_bag] offsets[-1] can not be greater than input's length ", n,
                " but got offsets[-1] of ", m > 0 ? o[m - 1] : 0);
  for (size_t b = 1; b < starts.size(); ++b) {
    CRESSET_CHECK(starts[b - 1] <= starts[b], RuntimeError,
                  "[embedding_bag] offsets must be non-decreasing; got ", starts[b - 1],
                  " before ", starts[b]);
  }
  const int64_t* i = idx.data<int64_t>();
  for (int64_t j = 0; j < starts.back(); ++j) {
    CRESSET_CHECK(i[j] >= 0 && i[j] < num_weights, RuntimeError, "[embedding_bag] Index ", j,
                  " of input takes value ", i[j], " which is not in the valid range [0, ",
                  num_weights, ")");
  }
  return starts;
}

}  // namespace

Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                     bool scale_grad_by_freq, int64_t mode, const Tensor& per_sample_weights,
                     bool include_last_offset, int64_t padding_idx) {
  CRESSET_CHECK(weight.dim() == 2, ValueError,
                "[embedding_bag] weight has to be a 2D Tensor, but got Tensor of dimension ",
                weight.dim());
  CRESSET_CHECK(indices.dim() == 1 && offsets.dim() == 1, ValueError,
                "[embedding_bag] expected 1-D indices and offsets; got ", describe(indices),
                " and ", describe(offsets));
  check_indices("embedding_bag", indices, "indices");
  check_indices("embedding_bag", offsets, "offsets");
  CRESSET_CHECK(mode >= 0 && mode <= 2, ValueError,
                "[embedding_bag] mode has to be one of sum, mean or max");
  CRESSET_CHECK(is_floating(weight.dtype()), RuntimeError,
                "[embedding_bag] expected a floating point weight; got ", describe(weight));
  CRESSET_CHECK(weight.device().is_cpu(), NotImplementedError,
                "[embedding_bag] only CPU tensors are supported; got ", describe(weight));
  const bool weighted = per_sample_weights.defined();
  if (weighted) {
    CRESSET_CHECK(per_sample_weights.dtype() == weight.dtype(), RuntimeError,
                  "[embedding_bag] Expected tensor for argument #1 'weight' to have the same type "
                  "as tensor for argument #1 'per_sample_weights'; but type ",
                  describe(weight), " does not equal ", describe(per_sample_weights),
                  " (while checking arguments for embedding_bag)");
    CRESSET_CHECK(per_sample_weights.sizes() == indices.sizes(), ValueError,
                  "[embedding_bag] per_sample_weights ", describe(per_sample_weights),
                  " must have the same shape as the input ", describe(indices));
    CRESSET_CHECK(mode == 0, NotImplementedError,
                  "[embedding_bag] per_sample_weights is only supported for mode='sum'");
  }
  const int64_t num_weights = weight.sizes()[0], dim = weight.sizes()[1];
  auto bags = std::make_shared<cpu::EmbeddingBags>();
  bags->indices = contiguous(to(indices, DType::Int64, indices.device()));
  bags->starts = bag_starts(bags->indices, offsets, include_last_offset, num_weights);
  bags->mode = mode;
  bags->padding_idx = padding_idx;
  if (weighted) bags->per_sample_weights = contiguous(per_sample_weights);
  const Tensor w = contiguous(weight);
  const int64_t num_bags = bags->num_bags();
  Tensor out = empty_tensor({num_bags, dim}, weight.dtype(), weight.device());
  Tensor argmax;
  if (mode == 2) argmax = empty_tensor({num_bags, dim}, DType::Int64, weight.device());
  cpu::embedding_bag_forward(out, argmax, w, *bags);
  if (autograd::needs_grad({weight, per_sample_weights})) {
    autograd::record(
        "EmbeddingBagBackward0", {weight, per_sample_weights}, {out}, {w},
        [bags, argmax, scale_grad_by_freq, num_weights,
         dim](const autograd::Ctx& c) -> autograd::TensorList {
          const Tensor g = contiguous(c.grad());
          Tensor gw, gpsw;
          if (c.needs_input_grad(0)) {
            gw = zeros({num_weights, dim}, g.dtype(), g.device());
            cpu::embedding_bag_weight_grad(gw, g, argmax, *bags, scale_grad_by_freq);
          }
          if (c.needs_input_grad(1)) {
            gpsw = empty_tensor({bags->indices.numel()}, g.dtype(), g.device());
            cpu::embedding_bag_sample_weight_grad(gpsw, g, c.saved(0), *bags);
          }
          // torch defines no derivative of this backward: differentiating it again raises.
          if (autograd::needs_grad({c.grad()})) {
            autograd::TensorList made;
            for (const Tensor& t : {gw, gpsw}) {
              if (t.defined()) made.push_back(t);
            }
            autograd::record("EmbeddingBagBackwardBackward0", {c.grad()}, made, {},
                             [](const autograd::Ctx&) -> autograd::TensorList {
                               throw NotImplementedError(
                                   "the derivative for '_embedding_bag_backward' is not "
                                   "implemented.");
                             });
          }
          return {gw, gpsw};
        });
  }
  return out;
}

Tensor embedding_renorm_(const Tensor& self, const Tensor& indices, double max_norm,
                         double norm_type) {
  CRESSET_CHECK(self.dim() == 2, RuntimeError, "[embedding_renorm_] 'self' must be 2-D");
  check_indices("embedding_renorm_", indices, "indices");
  autograd::AutoGradMode off(false);
  Tensor idx = reshape(indices, {indices.numel()});
  Tensor rows = index_select(self, 0, idx);
  Tensor norms = norm(rows, norm_type, DimVector{1}, true);
  // torch's factor max_norm / (norm + 1e-7), for the rows above max_norm only; a repeated index
  // writes the same row twice.
  Tensor scale = where(norms > max_norm, max_norm / (norms + 1e-7),
                       full_like(norms, Scalar(1), norms.dtype(), norms.device()));
  index_copy_(self, 0, idx, rows * scale);
  return self;
}

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  CRESSET_CHECK(self.dtype() == DType::Int64, RuntimeError,
                "[one_hot] one_hot is only applicable to index tensor of type LongTensor.");
  DimVector shape = self.sizes();
  if (self.numel() == 0) {
    CRESSET_CHECK(num_classes != -1, RuntimeError,
                  "[one_hot] Can not infer total number of classes from empty tensor.");
    shape.push_back(num_classes);
    return zeros(shape, DType::Int64, self.device());
  }
  CRESSET_CHECK(item_scalar(min(self)).to_int() >= 0, RuntimeError,
                "[one_hot] Class values must be non-negative.");
  int64_t top = item_scalar(max(self)).to_int();
  if (num_classes == -1) {
    num_classes = top + 1;
  } else {
    CRESSET_CHECK(top < num_classes, RuntimeError,
                  "[one_hot] Class values must be smaller than num_classes.");
  }
  shape.push_back(num_classes);
  return scatter_(zeros(shape, DType::Int64, self.device()), -1, unsqueeze(self, -1), Scalar(1));
}

}  // namespace cresset
