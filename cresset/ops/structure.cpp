// Structural composites (see ops/structure.h).
#include "cresset/ops/structure.h"

#include <string>

#include "cresset/core/error.h"
#include "cresset/ops/named_composite.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

// hsplit/vsplit/dsplit: `dim` once the input has `min_dim` dims (hsplit of a 1-D tensor: dim 0).
int64_t split_dim(const char* op, const Tensor& self, int64_t min_dim, int64_t dim) {
  CRESSET_CHECK(self.dim() >= min_dim, RuntimeError, "torch.", op, " requires a tensor with at least ",
                min_dim, " dimension, but got a tensor with ", self.dim(), " dimensions!");
  return dim;
}

std::vector<Tensor> sections_split(const char* op, const Tensor& self, int64_t dim,
                                   int64_t sections) {
  CRESSET_CHECK(sections != 0 && self.size(dim) % sections == 0, RuntimeError, "torch.", op,
                " attempted to split along dimension ", dim,
                ", but the size of the dimension ", self.size(dim),
                " is not divisible by the split_size ", sections, "!");
  return tensor_split(self, sections, dim);
}

int64_t hsplit_dim(const Tensor& self) {
  return split_dim("hsplit", self, 1, self.dim() == 1 ? 0 : 1);
}

// Host-built index tensors.
Tensor int64_vector(const std::vector<int64_t>& values, DimVector sizes) {
  Tensor t = empty_tensor(sizes, DType::Int64);
  int64_t* p = t.data<int64_t>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}

Tensor triangle_indices(int64_t row, int64_t col, int64_t offset, bool lower, DType dtype,
                        Device device, const char* op) {
  CRESSET_CHECK(row >= 0, RuntimeError, op, "row must be non-negative, got", row);
  CRESSET_CHECK(col >= 0, RuntimeError, op, "col must be non-negative, got", col);
  std::vector<int64_t> rows, cols;
  for (int64_t i = 0; i < row; ++i) {
    for (int64_t j = 0; j < col; ++j) {
      if (lower ? j - i <= offset : j - i >= offset) {
        rows.push_back(i);
        cols.push_back(j);
      }
    }
  }
  const int64_t n = int64_t(rows.size());
  rows.insert(rows.end(), cols.begin(), cols.end());
  return to(int64_vector(rows, {2, n}), dtype, device);
}

}  // namespace

std::vector<Tensor> hsplit(const Tensor& self, int64_t sections) {
  return sections_split("hsplit", self, hsplit_dim(self), sections);
}
std::vector<Tensor> vsplit(const Tensor& self, int64_t sections) {
  return sections_split("vsplit", self, split_dim("vsplit", self, 2, 0), sections);
}
std::vector<Tensor> dsplit(const Tensor& self, int64_t sections) {
  return sections_split("dsplit", self, split_dim("dsplit", self, 3, 2), sections);
}
std::vector<Tensor> hsplit(const Tensor& self, const DimVector& indices) {
  return tensor_split_indices(self, indices, hsplit_dim(self));
}
std::vector<Tensor> vsplit(const Tensor& self, const DimVector& indices) {
  return tensor_split_indices(self, indices, split_dim("vsplit", self, 2, 0));
}
std::vector<Tensor> dsplit(const Tensor& self, const DimVector& indices) {
  return tensor_split_indices(self, indices, split_dim("dsplit", self, 3, 2));
}

Tensor block_diag(const std::vector<Tensor>& tensors) {
  if (tensors.empty()) return empty_tensor({1, 0}, default_dtype());
  DType dtype = tensors[0].dtype();
  std::vector<Tensor> mats;
  int64_t cols = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    CRESSET_CHECK(t.dim() <= 2, RuntimeError,
                  "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ", i,
                  " has ", t.dim(), " dimensions");
    dtype = promote_types(dtype, t.dtype());
    mats.push_back(t.dim() == 2 ? t : reshape(t, {1, t.dim() == 0 ? 1 : t.size(0)}));
    cols += mats.back().size(1);
  }
  auto forward = [&] {
    std::vector<Tensor> rows;
    int64_t before = 0;
    for (const Tensor& m : mats) {
      const int64_t r = m.size(0), c = m.size(1);
      Device d = m.device();
      rows.push_back(cat({zeros({r, before}, dtype, d), to(m, dtype, d),
                          zeros({r, cols - before - c}, dtype, d)}, 1));
      before += c;
    }
    return cat(rows, 0);
  };
  // Each input's gradient is its block of the output's, in its own shape.
  std::vector<DimVector> shapes;
  for (const Tensor& t : tensors) shapes.push_back(t.sizes());
  return named_composite("BlockDiagBackward0", autograd::TensorSpan(tensors.data(), tensors.size()),
                         {}, forward,
                         [shapes](const autograd::Ctx& c) -> autograd::TensorList {
                           autograd::TensorList grads;
                           int64_t row = 0, col = 0;
                           for (const DimVector& shape : shapes) {
                             const int64_t r = shape.size() == 2 ? shape[0] : 1;
                             const int64_t k = shape.size() == 2 ? shape[1]
                                               : shape.size() == 1 ? shape[0] : 1;
                             Tensor block = narrow(narrow(c.grad(), 0, row, r), 1, col, k);
                             grads.push_back(reshape(block, shape));
                             row += r;
                             col += k;
                           }
                           return grads;
                         });
}

Tensor cartesian_prod(const std::vector<Tensor>& tensors) {
  for (const Tensor& t : tensors) {
    CRESSET_CHECK(t.dim() == 1, RuntimeError, "Expect a 1D vector, but got shape ",
                  shape_str(t.sizes()));
  }
  if (tensors.size() == 1) return tensors[0];
  std::vector<Tensor> grids = meshgrid(tensors, "ij");
  for (Tensor& g : grids) g = flatten(g);
  return stack(grids, 1);
}

Tensor combinations(const Tensor& self, int64_t r, bool with_replacement) {
  CRESSET_CHECK(self.dim() == 1, RuntimeError,
                "Expect a 1D vector, but got shape ", shape_str(self.sizes()));
  CRESSET_CHECK(r >= 0, RuntimeError, "Expect a non-negative number, but got ", r);
  if (r == 0) return empty_tensor({0}, self.dtype(), self.device());
  const int64_t n = self.size(0);
  // Index tuples in lexicographic order: strictly increasing, or non-decreasing with replacement.
  std::vector<int64_t> flat, idx(size_t(r), 0);
  if (!with_replacement) {
    for (int64_t k = 0; k < r; ++k) idx[size_t(k)] = k;
  }
  int64_t count = 0;
  while (n > 0 && idx[size_t(r - 1)] < n) {
    flat.insert(flat.end(), idx.begin(), idx.end());
    ++count;
    int64_t k = r - 1;
    // The last position that can still advance.
    while (k >= 0 && idx[size_t(k)] >= (with_replacement ? n - 1 : n - r + k)) --k;
    if (k < 0) break;
    ++idx[size_t(k)];
    for (int64_t j = k + 1; j < r; ++j) {
      idx[size_t(j)] = with_replacement ? idx[size_t(k)] : idx[size_t(j - 1)] + 1;
    }
  }
  Tensor index = int64_vector(flat, {count * r});
  return reshape(index_select(self, 0, to(index, DType::Int64, self.device())), {count, r});
}

Tensor diagflat(const Tensor& self, int64_t offset) { return diag(flatten(self), offset); }

Tensor tril_indices(int64_t row, int64_t col, int64_t offset, DType dtype, Device device) {
  return triangle_indices(row, col, offset, true, dtype, device, "tril_indices");
}
Tensor triu_indices(int64_t row, int64_t col, int64_t offset, DType dtype, Device device) {
  return triangle_indices(row, col, offset, false, dtype, device, "triu_indices");
}

Tensor vander(const Tensor& x, std::optional<int64_t> n, bool increasing) {
  CRESSET_CHECK(x.dim() == 1, RuntimeError, "x must be a one-dimensional tensor.");
  const int64_t cols = n.value_or(x.size(0));
  CRESSET_CHECK(cols >= 0, RuntimeError, "N must be non-negative.");
  DType dtype = promote_types(x.dtype(), DType::Int64);
  Tensor xs = to(x, dtype, x.device());
  Tensor result = ones({x.size(0), cols}, dtype, x.device());
  if (cols > 1) {
    Tensor powers = cumprod(expand(unsqueeze(xs, 1), {x.size(0), cols - 1}), 1);
    result = cat({narrow(result, 1, 0, 1), powers}, 1);
  }
  return increasing ? result : flip(result, {1});
}

std::vector<Tensor> unravel_index(const Tensor& indices, const DimVector& shape) {
  CRESSET_CHECK(is_integral(indices.dtype(), false), TypeError,
                "expected 'indices' to be integer dtype, but got torch.", dtype_name(indices.dtype()));
  int64_t total = 1;
  for (int64_t s : shape) {
    CRESSET_CHECK(s >= 0, ValueError, "'shape' cannot have negative values, but got ",
                  shape_str(shape));
    total *= s;
  }
  Tensor flat = to(indices, DType::Int64, indices.device());
  flat = where(flat < 0, flat + total, flat);
  std::vector<Tensor> coords(shape.size());
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    Tensor size = wrapped_scalar(Scalar(shape[size_t(d)]));
    coords[size_t(d)] = remainder(flat, size);
    flat = floor_divide(flat, size);
  }
  return coords;
}

}  // namespace cresset
