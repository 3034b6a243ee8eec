// Sorted search: searchsorted and bucketize.
#include "cresset/backend/copy.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/index_internal.h"
#include "cresset/ops/out.h"
#include "cresset/ops/view.h"

namespace cresset {

using namespace index_detail;

namespace {

// The whole of torch's searchsorted_pre_check except the output dtype; returns `right` after
// resolving `side`.
bool check_search_args(const Tensor& boundaries, const Tensor& values, bool right,
                       const std::optional<std::string>& side, const Tensor& sorter) {
  if (side) {
    CRESSET_CHECK(*side == "left" || *side == "right", RuntimeError,
                  "[searchsorted] torch.searchsorted(): side can only be 'left' or 'right' but "
                  "got ",
                  *side);
    CRESSET_CHECK(!(right && *side == "left"), RuntimeError,
                  "[searchsorted] torch.searchsorted(): side and right can't be set to opposites, "
                  "got side of left while right was True");
    right = *side == "right";
  }
  CRESSET_CHECK(boundaries.device() == values.device(), RuntimeError,
                "[searchsorted] torch.searchsorted(): boundaries and input value tensors should "
                "have same device type, but got boundaries tensor device type ",
                boundaries.device().str(), " and input value tensor device type ",
                values.device().str());
  if (sorter.defined()) {
    CRESSET_CHECK(sorter.sizes() == boundaries.sizes(), RuntimeError,
                  "[searchsorted] torch.searchsorted(): boundary and sorter must have the same "
                  "size, but got boundary tensor ",
                  shape_str(boundaries.sizes()), "and got sorter tensor ",
                  shape_str(sorter.sizes()));
  }
  CRESSET_CHECK(values.dim() > 0 || boundaries.dim() == 1, RuntimeError,
                "[searchsorted] torch.searchsorted(): input value can be a scalar only when "
                "boundaries tensor dimension is 1, but we got boundaries tensor dim(",
                boundaries.dim(), ") and input value's dim(", values.dim(), ") numel(",
                values.numel(), ")");
  CRESSET_CHECK(boundaries.dim() != 0, RuntimeError,
                "[searchsorted] torch.searchsorted(): boundaries tensor should have positive "
                "dimension, but got 0 dimension");
  bool leading_match = boundaries.dim() == values.dim();
  for (int64_t d = 0; leading_match && d + 1 < boundaries.dim(); ++d) {
    leading_match = boundaries.sizes()[d] == values.sizes()[d];
  }
  CRESSET_CHECK(boundaries.dim() == 1 || leading_match, RuntimeError,
                "[searchsorted] torch.searchsorted(): boundaries tensor should be 1 dimension or "
                "the first N-1 dimensions of boundaries tensor and input value tensor must match, "
                "but we got boundaries tensor ",
                shape_str(boundaries.sizes()), " and input value tensor ",
                shape_str(values.sizes()));
  if (sorter.defined()) {
    CRESSET_CHECK(sorter.dtype() == DType::Int64, RuntimeError,
                  "[searchsorted] torch.searchsorted(): sorter must be a tensor of long dtype but "
                  "got dtype ",
                  dtype_display(sorter.dtype()));
    CRESSET_CHECK(!find_out_of_range(sorter, 0, boundaries.sizes().back()), RuntimeError,
                  "[searchsorted] torch.searchsorted(): sorter index out of range");
  }
  return right;
}

}  // namespace

Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool out_int32, bool right,
                    const std::optional<std::string>& side, const Tensor& sorter) {
  right = check_search_args(sorted_sequence, values, right, side, sorter);
  const DType common = promote_types(sorted_sequence.dtype(), values.dtype());
  CRESSET_CHECK(common != DType::Bool, NotImplementedError,
                "[searchsorted] \"searchsorted_out_cpu\" not implemented for 'Bool'");
  auto prepare = [&](const Tensor& t) {
    return contiguous(t.dtype() == common ? t : cast_tensor(t, common));
  };
  Tensor out =
      empty_tensor(values.sizes(), out_int32 ? DType::Int32 : DType::Int64, values.device());
  if (out.numel() == 0) return out;
  Tensor seq = prepare(sorted_sequence), vals = prepare(values);
  Tensor order = sorter.defined() ? contiguous(sorter) : Tensor();
  if (values.device().is_cpu()) {
    cpu::searchsorted_kernel(out, seq, vals, order, right);
  } else {
    cuda::searchsorted_kernel(out, seq, vals, order, right);
  }
  return out;
}

Tensor searchsorted(const Tensor& sorted_sequence, Scalar value, bool out_int32, bool right,
                    const std::optional<std::string>& side, const Tensor& sorter) {
  return searchsorted(sorted_sequence,
                      scalar_tensor(value, value.natural_dtype(), sorted_sequence.device()),
                      out_int32, right, side, sorter);
}

Tensor searchsorted_out(const Tensor& sorted_sequence, const Tensor& values, bool out_int32,
                        bool right, const std::optional<std::string>& side, const Tensor& sorter,
                        const Tensor& out) {
  const DType expected = out_int32 ? DType::Int32 : DType::Int64;
  CRESSET_CHECK(out.dtype() == expected, RuntimeError,
                "[searchsorted] torch.searchsorted(): output tensor's dtype is wrong, it can only "
                "be Int(int32) or Long(int64) depending on whether out_int32 flag is True, but we "
                "got output tensor's dtype ",
                dtype_display(out.dtype()), " and out_int32 flag is ",
                out_int32 ? "True" : "False");
  return write_out("searchsorted", out,
                   searchsorted(sorted_sequence, values, out_int32, right, side, sorter),
                   OutDtype::Exact);
}

Tensor bucketize(const Tensor& input, const Tensor& boundaries, bool out_int32, bool right) {
  CRESSET_CHECK(boundaries.dim() == 1, RuntimeError,
                "[bucketize] boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(),
                ")");
  return searchsorted(boundaries, input, out_int32, right);
}

Tensor bucketize(Scalar input, const Tensor& boundaries, bool out_int32, bool right) {
  return bucketize(scalar_tensor(input, input.natural_dtype(), boundaries.device()), boundaries,
                   out_int32, right);
}

Tensor bucketize_out(const Tensor& input, const Tensor& boundaries, bool out_int32, bool right,
                     const Tensor& out) {
  CRESSET_CHECK(boundaries.dim() == 1, RuntimeError,
                "[bucketize] boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(),
                ")");
  return searchsorted_out(boundaries, input, out_int32, right, std::nullopt, Tensor(), out);
}

}  // namespace cresset
