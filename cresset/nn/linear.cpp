#include "cresset/nn/linear.h"

#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  CRESSET_CHECK(input.dim() > 0 && weight.dim() > 0, RuntimeError,
                "[linear] both arguments to linear need to be at least 1D, but they are ", input.dim(),
                "D and ", weight.dim(), "D");
  Tensor wt = t(weight);
  if (!bias.defined()) return matmul(input, wt);
  if (input.dim() == 2) return addmm(bias, input, wt);
  if (input.is_contiguous() && weight.dim() == 2) {
    // Leading dims fold into the rows of one addmm; the result views back.
    DimVector sizes = input.sizes();
    size_t last = sizes.size() - 1;
    int64_t rows = 1;
    for (size_t i = 0; i < last; ++i) rows *= sizes[i];
    Tensor out = addmm(bias, view(input, DimVector{rows, sizes[last]}), wt);
    sizes[last] = out.size(1);
    return view(out, sizes);
  }
  return add(matmul(input, wt), bias);
}

}  // namespace cresset
