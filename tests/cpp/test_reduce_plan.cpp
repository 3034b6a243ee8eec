// The reduction plan (see Note [Reduction plan]): which dims are kept and reduced, in what order,
// coalesced how; and the pairwise tree's independence from the thread count.
#include "check.h"
#include "cresset/backend/common/reduce_plan.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/ops.h"

using namespace cresset;

int main() {
  // Contiguous [2, 3, 4] over the last dim: one row of 4 per output, outputs coalesced into 6.
  Tensor x = zeros({2, 3, 4}, DType::Float32);
  ReducePlan p = make_reduce_plan(x, 0b100, false);
  CHECK((p.red_sizes == DimVector{4} && p.red_strides == DimVector{1}));
  CHECK((p.kept_sizes == DimVector{6} && p.kept_in_strides == DimVector{4}));
  CHECK((p.kept_out_strides == DimVector{1}));
  CHECK(p.num_outputs == 6 && p.reduce_size == 4);

  // Over dim 0: the kept dims are contiguous in the input (a column walk), reduced stride 12.
  p = make_reduce_plan(x, 0b001, false);
  CHECK((p.kept_sizes == DimVector{12} && p.kept_in_strides == DimVector{1}));
  CHECK((p.red_sizes == DimVector{2} && p.red_strides == DimVector{12}));

  // A full reduction of a contiguous tensor is one row; of a transposed one, reduced dims are
  // reordered by stride and still coalesce, unless arg ops ask for the logical order.
  p = make_reduce_plan(x, 0b111, false);
  CHECK((p.red_sizes == DimVector{24} && p.kept_sizes.empty() && p.num_outputs == 1));
  Tensor t = x.as_strided_view({4, 3, 2}, {1, 4, 12}, 0);
  p = make_reduce_plan(t, 0b111, false);
  CHECK((p.red_sizes == DimVector{24} && p.red_strides == DimVector{1}));
  p = make_reduce_plan(t, 0b111, true);
  CHECK((p.red_sizes == DimVector{2, 3, 4} && p.red_strides == DimVector{12, 4, 1}));

  // Size-1 dims vanish; an empty reduced dim makes an empty reduction; an expanded dim keeps
  // its zero stride.
  p = make_reduce_plan(zeros({1, 5, 1}, DType::Float32), 0b010, false);
  CHECK((p.red_sizes == DimVector{5} && p.kept_sizes.empty()));
  p = make_reduce_plan(zeros({3, 0}, DType::Float32), 0b10, false);
  CHECK(p.reduce_size == 0 && p.num_outputs == 3);
  Tensor e = zeros({5}, DType::Float32).as_strided_view({4, 5}, {0, 1}, 0);
  p = make_reduce_plan(e, 0b01, false);
  CHECK((p.red_strides == DimVector{0} && p.kept_in_strides == DimVector{1}));

  // The same sum whatever the thread count (the tree's split points depend only on the size).
  Tensor big = empty_tensor({1 << 20}, DType::Float32);
  float* d = big.data<float>();
  for (int i = 0; i < (1 << 20); ++i) d[i] = 1.0f / float(1 + i % 977);
  int threads = get_num_threads();
  set_num_threads(1);
  float one = sum(big).data<float>()[0];
  float col1 = sum(big.as_strided_view({4096, 256}, {256, 1}, 0), DimVector{0}).data<float>()[7];
  set_num_threads(3);
  CHECK(sum(big).data<float>()[0] == one);
  CHECK(sum(big.as_strided_view({4096, 256}, {256, 1}, 0), DimVector{0}).data<float>()[7] == col1);
  set_num_threads(threads);

  // Errors carry torch's exception types.
  CHECK_THROWS(sum(x, DimVector{3}), IndexError);
  CHECK_THROWS(sum(x, DimVector{0, -3}), RuntimeError);
  CHECK_THROWS(amax(zeros({0}, DType::Float32)), RuntimeError);
  CHECK_THROWS(max(zeros({0, 2}, DType::Float32), 0), IndexError);
  CHECK_THROWS(mean(zeros({2}, DType::Int64)), RuntimeError);
  CHECK_DONE();
}
