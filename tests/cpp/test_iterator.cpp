// The strided iterator: broadcasting, coalescing, output layout, casting.
#include "check.h"
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

using namespace cresset;

int main() {
  // Contiguous same-shape operands coalesce into a single dim.
  Tensor a = ones({4, 5, 6}, DType::Float32), b = ones({4, 5, 6}, DType::Float32);
  TensorIter it = TensorIterConfig("add").add_output(Tensor()).add_input(a).add_input(b).build();
  CHECK(it.ndim() == 1);
  CHECK(it.shape()[0] == 120);
  CHECK(it.is_contiguous());

  // Broadcasting a row gives a stride-0 operand on the outer dim.
  Tensor row = ones({6}, DType::Float32);
  TensorIter it2 = TensorIterConfig("add").add_output(Tensor()).add_input(a).add_input(row).build();
  CHECK(it2.ndim() == 2);
  CHECK(it2.strides(2)[1] == 0);

  // A transposed input gives a transposed output (torch's layout propagation).
  Tensor t = ones({3, 4}, DType::Float32);
  Tensor tt = t.as_strided_view({4, 3}, {1, 4}, 0);
  Tensor r = exp(tt);
  CHECK(r.strides()[0] == 1 && r.strides()[1] == 4);

  // Mixed dtypes compute in the promoted dtype.
  Tensor i = ones({3}, DType::Int32);
  Tensor f = add(i, wrapped_scalar(Scalar(2.5)));
  CHECK(f.dtype() == DType::Float32);
  CHECK(*f.data<float>() == 3.5f);

  // Shapes that don't broadcast raise RuntimeError; writing into an expanded tensor too.
  CHECK_THROWS(add(ones({2, 3}, DType::Float32), ones({4}, DType::Float32)), RuntimeError);
  Tensor expanded = ones({1}, DType::Float32).as_strided_view({3}, {0}, 0);
  CHECK_THROWS(add_(expanded, ones({3}, DType::Float32)), RuntimeError);

  // Promotion table spot checks.
  CHECK(promote_types(DType::UInt8, DType::Int8) == DType::Int16);
  CHECK(promote_types(DType::Float16, DType::BFloat16) == DType::Float32);
  CHECK(promote_types(DType::Bool, DType::Int8) == DType::Int8);
  CHECK(promote_types(DType::Int64, DType::Float16) == DType::Float16);
  CHECK_DONE();
}
