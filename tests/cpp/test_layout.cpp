// Stride arithmetic, views and aliasing in the core.
#include "check.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

using namespace cresset;

int main() {
  CHECK((contiguous_strides({2, 3, 4}) == DimVector{12, 4, 1}));
  CHECK((contiguous_strides({2, 0, 3}) == DimVector{3, 3, 1}));  // torch: size-0 dims count as 1
  CHECK(wrap_dim(-1, 3) == 2);
  CHECK(wrap_dim(0, 0) == 0);
  CHECK_THROWS(wrap_dim(3, 3), IndexError);

  // A view shares storage and the version counter.
  Tensor base = zeros({3, 4}, DType::Float32);
  Tensor view = base.as_strided_view({4, 3}, {1, 4}, 0);
  CHECK(!view.is_contiguous());
  fill_(view, Scalar(2.0));
  CHECK(*base.data<float>() == 2.0f);
  CHECK(base.impl()->storage()->version() == view.impl()->storage()->version());

  // DimVector spills to the heap past its inline capacity and keeps its values.
  DimVector big;
  for (int i = 0; i < 20; ++i) big.push_back(i);
  DimVector moved = std::move(big);
  CHECK(moved.size() == 20 && moved[19] == 19);
  CHECK(storage_span({2, 3}, {3, 1}) == 6);
  CHECK(storage_span({2, 0}, {3, 1}) == 0);
  CHECK_THROWS(empty_tensor({-1}, DType::Float32), RuntimeError);
  CHECK_DONE();
}
