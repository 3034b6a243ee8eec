// Layout arithmetic of the view family: view strides, dense-layout inference, aliasing.
#include "check.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

using namespace cresset;

int main() {
  // view_strides: merges and splits within contiguous chunks only.
  CHECK((*view_strides({2, 3, 4}, {12, 4, 1}, {6, 4}) == DimVector{4, 1}));
  CHECK((*view_strides({4, 3}, {1, 4}, {4, 3, 1}) == DimVector{1, 4, 4}));
  CHECK(!view_strides({4, 3}, {1, 4}, {12}).has_value());
  CHECK((*view_strides({2, 3, 4}, {0, 4, 1}, {2, 12}) == DimVector{0, 1}));
  CHECK(!view_strides({2, 3, 4}, {0, 4, 1}, {6, 4}).has_value());
  CHECK((*view_strides({}, {}, {1, 1}) == DimVector{1, 1}));
  CHECK((*view_strides({0, 3}, {1, 5}, {3, 0}) == DimVector{1, 1}));
  CHECK((infer_size({-1, 4}, 12) == DimVector{3, 4}));
  CHECK_THROWS(infer_size({-1, -1}, 12), RuntimeError);
  CHECK_THROWS(infer_size({-1, 0}, 0), RuntimeError);

  // Dense layouts are kept by clone(); others get dense strides in the same dim order.
  CHECK(is_non_overlapping_and_dense({2, 3}, {1, 2}));
  CHECK(!is_non_overlapping_and_dense({2, 3}, {1, 5}));
  CHECK(!is_non_overlapping_and_dense({2, 3}, {0, 1}));
  CHECK((infer_dense_strides({2, 3}, {1, 5}) == DimVector{1, 2}));
  CHECK((infer_dense_strides({3, 4}, {0, 1}) == DimVector{4, 1}));

  // Views alias; writes through a flipped/sliced/diagonal view reach the base.
  Tensor base = zeros({3, 4}, DType::Float32);
  Tensor d = diagonal(slice(base, 1, 1, std::nullopt, 1));
  CHECK(d.sizes() == DimVector{3} && d.strides() == DimVector{5} && d.storage_offset() == 1);
  fill_(d, Scalar(1.0));
  CHECK(base.data<float>()[1] == 1.0f && base.data<float>()[6] == 1.0f);
  CHECK(reshape(transpose(base, 0, 1), {12}).impl()->storage() != base.impl()->storage());
  CHECK(reshape(base, {2, 6}).impl()->storage() == base.impl()->storage());
  Tensor r = flip(base, {1});
  CHECK(r.data<float>()[2] == 1.0f && r.data<float>()[5] == 1.0f);
  CHECK_THROWS(select(base, 0, 3), IndexError);
  CHECK_THROWS(view(transpose(base, 0, 1), {12}), RuntimeError);

  // dim_order: outermost first; ties of size-1 dims follow torch's elementwise order.
  CHECK((dim_order(transpose(base, 0, 1)) == DimVector{1, 0}));
  CHECK((dim_order(empty_strided_tensor({2, 1, 3, 4}, {12, 1, 4, 1}, DType::Float32)) ==
         DimVector{0, 2, 3, 1}));
  // The *_copy ops copy into new contiguous storage; unsafe_split's pieces alias without a base.
  auto halves = [](const Tensor& t) { return split(t, 2, 1); };
  std::vector<Tensor> copies = copy_views("SplitBackward0_copy", base, halves);
  CHECK(copies.size() == 2 && copies[1].is_contiguous() &&
        copies[1].impl()->storage() != base.impl()->storage());
  std::vector<Tensor> pieces = unsafe_views("UnsafeSplitBackward0", base, halves);
  CHECK(pieces[1].impl()->storage() == base.impl()->storage() && pieces[1].storage_offset() == 2 &&
        !pieces[1].impl()->view_base());
  // as_strided_scatter addresses self's storage: offsets count from self's own.
  Tensor flat = arange(0, 6, 1, DType::Float32);
  Tensor scattered = as_strided_scatter(slice(flat, 0, 2, std::nullopt, 1),
                                        full({1}, Scalar(-1.0), DType::Float32), {1}, {1}, 3);
  CHECK(scattered.data<float>()[1] == -1.0f && scattered.data<float>()[0] == 2.0f);
  CHECK_DONE();
}
