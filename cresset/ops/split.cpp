// Splitting ops: split, split_with_sizes, tensor_split, chunk, unbind. Every piece is a view of
// the input (see Note [Views share storage] in view.cpp). split, split_with_sizes and unbind
// record one node for all their pieces, which torch forbids to modify in place; tensor_split's
// pieces are ordinary slices.
#include <algorithm>

#include "cresset/core/error.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

namespace {

// Entries [start, start + length) of dim d, as a view (not recorded).
Tensor piece(const Tensor& self, int64_t d, int64_t start, int64_t length) {
  DimVector sizes = self.sizes();
  sizes[d] = length;
  return self.alias_view(std::move(sizes), self.strides(),
                         self.storage_offset() + start * self.strides()[d]);
}

// Records `pieces` of self along dim d as outputs of one node `name`; the gradient is the
// pieces' gradients joined back (stacked for unbind, whose pieces lost dim d).
void record_pieces(const char* name, const Tensor& self, const std::vector<Tensor>& pieces,
                   int64_t d, bool stacked) {
  if (!self.requires_grad() || pieces.empty()) return;
  size_t n = pieces.size();
  autograd::record_views(
      name, self, pieces,
      [n, d, stacked](const autograd::Ctx& c) -> autograd::TensorList {
        std::vector<Tensor> grads;
        for (size_t i = 0; i < n; ++i) grads.push_back(c.grad(i));
        return {stacked ? stack(grads, d) : cat(grads, d)};
      },
      autograd::ViewCreation::MultipleOutputs);
}

}  // namespace

std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim) {
  CRESSET_CHECK(self.dim() > 0, RuntimeError, "split expects at least a 1-dimensional tensor");
  CRESSET_CHECK(split_size >= 0, RuntimeError,
                "split expects split_size be non-negative, but got split_size=", split_size);
  int64_t d = wrap_dim(dim, self.dim());
  int64_t size = self.sizes()[d];
  CRESSET_CHECK(split_size > 0 || size == 0, RuntimeError,
                "split_size can only be 0 if dimension size is 0, but got dimension size of ",
                size);
  // A split_size larger than the dim still gives one piece.
  int64_t n = split_size == 0 ? 1 : std::max<int64_t>((size + split_size - 1) / split_size, 1);
  std::vector<Tensor> out;
  for (int64_t i = 0; i < n; ++i) {
    int64_t len = i < n - 1 ? split_size : size - split_size * (n - 1);
    out.push_back(piece(self, d, i * split_size, len));
  }
  record_pieces("SplitBackward0", self, out, d, false);
  return out;
}

std::vector<Tensor> split_with_sizes(const Tensor& self, const DimVector& split_sizes,
                                     int64_t dim) {
  CRESSET_CHECK(self.dim() > 0, RuntimeError, "split expects at least a 1-dimensional tensor");
  int64_t d = wrap_dim(dim, self.dim());
  int64_t size = self.sizes()[d], total = 0;
  for (int64_t s : split_sizes) {
    CRESSET_CHECK(s >= 0, RuntimeError, "split_with_sizes expects split_sizes have only "
                  "non-negative entries, but got split_sizes=", shape_str(split_sizes));
    total += s;
  }
  CRESSET_CHECK(total == size, RuntimeError,
                "split_with_sizes expects split_sizes to sum exactly to ", size,
                " (input tensor's size at dimension ", d, "), but got split_sizes=",
                shape_str(split_sizes));
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    out.push_back(piece(self, d, start, s));
    start += s;
  }
  record_pieces("SplitWithSizesBackward0", self, out, d, false);
  return out;
}

std::vector<Tensor> tensor_split(const Tensor& self, int64_t sections, int64_t dim) {
  CRESSET_CHECK(self.dim() > 0, RuntimeError, "tensor_split expected at least a 1-dimensional "
                "tensor, but got a tensor with ", self.dim(), " dims");
  int64_t d = wrap_dim(dim, self.dim());
  CRESSET_CHECK(sections > 0, RuntimeError, "number of sections must be larger than 0, got ",
                sections);
  int64_t size = self.sizes()[d];
  int64_t base = size / sections, extra = size % sections, start = 0;
  std::vector<Tensor> out;
  for (int64_t i = 0; i < sections; ++i) {
    int64_t len = base + (i < extra ? 1 : 0);
    out.push_back(slice(self, d, start, start + len));
    start += len;
  }
  return out;
}

std::vector<Tensor> tensor_split_indices(const Tensor& self, const DimVector& indices,
                                         int64_t dim) {
  CRESSET_CHECK(self.dim() > 0, RuntimeError, "tensor_split expected at least a 1-dimensional "
                "tensor, but got a tensor with ", self.dim(), " dims");
  int64_t d = wrap_dim(dim, self.dim());
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t end : indices) {
    out.push_back(slice(self, d, start, end));
    start = end;
  }
  out.push_back(slice(self, d, start, self.sizes()[d]));
  return out;
}

std::vector<Tensor> tensor_split(const Tensor& self, const Tensor& indices_or_sections,
                                 int64_t dim) {
  const Tensor& ios = indices_or_sections;
  CRESSET_CHECK(ios.device().is_cpu(), RuntimeError, "tensor_split expected "
                "tensor_indices_or_sections to be on cpu, but it's on ", ios.device().str());
  CRESSET_CHECK(ios.dtype() == DType::Int64, RuntimeError, "tensor_split expected "
                "tensor_indices_or_sections to have dtype of long, but got ",
                dtype_display(ios.dtype()));
  CRESSET_CHECK(ios.dim() <= 1, RuntimeError, "tensor_split expected tensor_indices_or_sections to "
                "be a zero-dimensional or one-dimensional tensor, but got a tensor with ",
                ios.dim(), " dims");
  if (ios.dim() == 0) return tensor_split(self, *ios.data<int64_t>(), dim);
  DimVector indices;
  int64_t stride = ios.dim() ? ios.strides()[0] : 1;
  for (int64_t i = 0; i < ios.numel(); ++i) indices.push_back(ios.data<int64_t>()[i * stride]);
  return tensor_split_indices(self, indices, dim);
}

std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim) {
  CRESSET_CHECK(self.dim() > 0, RuntimeError, "chunk expects at least a 1-dimensional tensor");
  CRESSET_CHECK(chunks > 0, RuntimeError, "chunk expects `chunks` to be greater than 0, got: ",
                chunks);
  int64_t d = wrap_dim(dim, self.dim());
  int64_t size = self.sizes()[d];
  int64_t split_size = (size + chunks - 1) / chunks;
  // An empty dim still gives `chunks` empty pieces (split would give one).
  if (split_size == 0 && size == 0) return split_with_sizes(self, DimVector(size_t(chunks), 0), d);
  return split(self, split_size, d);
}

std::vector<Tensor> unbind(const Tensor& self, int64_t dim) {
  int64_t d = wrap_dim_strict(dim, self.dim());
  std::vector<Tensor> out;
  DimVector sizes = self.sizes(), strides = self.strides();
  sizes.erase(d);
  strides.erase(d);
  for (int64_t i = 0; i < self.sizes()[d]; ++i) {
    out.push_back(
        self.alias_view(sizes, strides, self.storage_offset() + i * self.strides()[d]));
  }
  record_pieces("UnbindBackward0", self, out, d, true);
  return out;
}

}  // namespace cresset
