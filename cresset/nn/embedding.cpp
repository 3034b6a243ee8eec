// Embedding lookups: a row gather forward (index_select) and EmbeddingBackward0, whose weight
// gradient is an index_add of the output gradient's rows (written in ops: double backward works).
#include "cresset/nn/embedding.h"

#include "cresset/autograd/function.h"
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
