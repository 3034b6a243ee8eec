// The helpers the index family's op files share (index_internal.h): argument checks, the out=
// convention, overlap checks, scalar conversion, autograd checks.
#include "cresset/ops/index_internal.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/engine.h"
#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace index_detail {

Tensor as_int64(const Tensor& index) {
  return index.dtype() == DType::Int64 ? index : cast_tensor(index, DType::Int64);
}

std::optional<int64_t> find_out_of_range(const Tensor& index, int64_t lo, int64_t hi) {
  if (index.numel() == 0) return std::nullopt;
  int64_t bad = 0;
  bool found = index.device().is_cpu() ? cpu::find_out_of_range(index, lo, hi, &bad)
                                       : cuda::find_out_of_range(index, lo, hi, &bad);
  if (!found) return std::nullopt;
  return bad;
}

int64_t row_major_chunks(int64_t numel) {
  if (numel <= kGrainSize || in_parallel_region()) return 1;
  return std::min<int64_t>(get_num_threads(), (numel + kGrainSize - 1) / kGrainSize);
}

void check_no_internal_overlap(const Tensor& t, const char* op) {
  for (int64_t d = 0; d < t.dim(); ++d) {
    CRESSET_CHECK(t.strides()[d] != 0 || t.sizes()[d] <= 1, RuntimeError, "[", op,
                  "] unsupported operation: more than one element of the written-to tensor refers "
                  "to a single memory location. Please clone() the tensor before performing the "
                  "operation.");
  }
}

namespace {

// torch's is_non_overlapping_and_dense: some permutation of the dims is contiguous.
bool non_overlapping_and_dense(const Tensor& t) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (t.sizes()[d] >= 2) dims.push_back(d);
  }
  std::sort(dims.begin(), dims.end(),
            [&](int64_t a, int64_t b) { return t.strides()[a] < t.strides()[b]; });
  int64_t expected = 1;
  for (int64_t d : dims) {
    if (t.strides()[d] != expected) return false;
    expected *= t.sizes()[d];
  }
  return true;
}

}  // namespace

void check_no_overlap(const Tensor& written, const Tensor& read, const char* op,
                      bool allow_same_layout) {
  if (written.numel() == 0 || read.numel() == 0) return;
  if (written.impl()->storage() != read.impl()->storage()) return;
  if (!non_overlapping_and_dense(written) || !non_overlapping_and_dense(read)) return;
  const char* a = static_cast<const char*>(written.raw_data());
  const char* b = static_cast<const char*>(read.raw_data());
  const char* a_end = a + written.nbytes();
  const char* b_end = b + read.nbytes();
  bool same = a == b && a_end == b_end && written.strides() == read.strides();
  bool overlap = a < b_end && b < a_end;
  CRESSET_CHECK(!overlap || (same && allow_same_layout), RuntimeError, "[", op,
                "] unsupported operation: some elements of the input tensor and the written-to "
                "tensor refer to a single memory location. Please clone() the tensor before "
                "performing the operation.");
}

bool inplace_needs_grad(const Tensor& self, std::initializer_list<TensorRef> others) {
  self.check_inplace_allowed();
  if (!autograd::GradMode::is_enabled()) return false;
  bool any = self.requires_grad();
  for (TensorRef t : others) any = any || (t->defined() && t->requires_grad());
  if (!any) return false;
  CRESSET_CHECK(!(self.requires_grad() && autograd::is_leaf(self)), RuntimeError,
                "a leaf Variable that requires grad is being used in an in-place operation.");
  return true;
}

Tensor reduce_to_value(const Tensor& grad, const DimVector& shape) {
  size_t lead = 0;
  while (lead < shape.size() && shape[lead] == 1) ++lead;
  DimVector stripped(shape.data() + lead, shape.size() - lead);
  Tensor g = autograd::sum_to(grad, stripped);
  return lead == 0 ? g : reshape(g, shape);
}


}  // namespace index_detail

}  // namespace cresset
