#include "cresset/data/batch.h"

#include <cstring>

#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset::data {

void check_index(size_t index, size_t size, const char* what) {
  CRESSET_CHECK(index < size, IndexError, "[", what, "] index ", index,
                " is out of range for a dataset of ", size, " examples");
}

Tensor gather_rows(const Tensor& source, const std::vector<size_t>& indices, const char* what) {
  CRESSET_CHECK(source.dim() >= 1, ValueError, "[", what, "] expected a tensor with a batch dim; got ",
                describe(source));
  const size_t rows = size_t(source.size(0));
  for (size_t i : indices) check_index(i, rows, what);
  DimVector sizes = source.sizes();
  sizes[0] = int64_t(indices.size());
  if (!source.is_contiguous() || !source.device().is_cpu()) {
    Tensor index = empty_tensor({int64_t(indices.size())}, DType::Int64);
    for (size_t k = 0; k < indices.size(); ++k) index.data<int64_t>()[k] = int64_t(indices[k]);
    return index_select(source, 0, index);
  }
  Tensor out = empty_tensor(sizes, source.dtype());
  const size_t row_bytes = rows ? size_t(source.nbytes()) / rows : 0;
  const char* from = static_cast<const char*>(source.raw_data());
  char* to = static_cast<char*>(out.raw_data());
  for (size_t k = 0; k < indices.size(); ++k) {
    std::memcpy(to + k * row_bytes, from + indices[k] * row_bytes, row_bytes);
  }
  return out;
}

}  // namespace cresset::data
