#pragma once
// The index family of ops: Python-style indexing and index_put (ops/index.cpp), gathers and
// scatters along a dim (ops/scatter.cpp), masks and nonzero (ops/masked.cpp), sorted search
// (ops/search.cpp). Semantics, dtypes and error types follow torch 2.13.
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// A Python slice start:stop:step; a missing start or stop means the beginning or the end.
/// C++: `Slice()` is `:`, `Slice(1, None, 2)` is `1::2`.
struct Slice {
  std::optional<int64_t> start;
  std::optional<int64_t> stop;
  int64_t step = 1;

  Slice() = default;
  /// ValueError for a zero step, as Python's slice.
  explicit Slice(std::optional<int64_t> start, std::optional<int64_t> stop = std::nullopt,
                 std::optional<int64_t> step = std::nullopt);
};

/// Python's Ellipsis (`...`) in a C++ index list.
struct EllipsisIndexType {};
constexpr EllipsisIndexType Ellipsis{};
/// Python's None in a C++ index list (a new size-1 dim), or an absent slice bound.
constexpr std::nullopt_t None = std::nullopt;

/// One element of an index expression x[a, b, ...]: an int, a slice, None, Ellipsis, a Python
/// bool, or a tensor (integer indices, or a bool mask). Each converts implicitly, so C++ writes
/// `x.index({Slice(), None, 0, mask})`.
class TensorIndex {
 public:
  enum class Kind : int8_t { None, Ellipsis, Int, Bool, Slice, Tensor };

  TensorIndex(std::nullopt_t) : kind_(Kind::None) {}
  TensorIndex(EllipsisIndexType) : kind_(Kind::Ellipsis) {}
  TensorIndex(bool b) : kind_(Kind::Bool), int_(b) {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  TensorIndex(I i) : kind_(Kind::Int), int_(int64_t(i)) {}
  TensorIndex(Slice s) : kind_(Kind::Slice), slice_(s) {}
  TensorIndex(Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}

  static TensorIndex none() { return TensorIndex(std::nullopt); }
  static TensorIndex ellipsis() { return TensorIndex(Ellipsis); }
  static TensorIndex integer(int64_t i) { return TensorIndex(i); }
  static TensorIndex boolean(bool b) { return TensorIndex(b); }
  static TensorIndex slice(Slice s) { return TensorIndex(s); }
  static TensorIndex tensor(Tensor t) { return TensorIndex(std::move(t)); }

  Kind kind() const { return kind_; }
  int64_t integer() const { return int_; }
  bool boolean() const { return int_ != 0; }
  const Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t int_ = 0;
  Slice slice_;
  Tensor tensor_;
};

/// libtorch's spelling: `using namespace cresset::indexing;` brings Slice, None and Ellipsis.
namespace indexing {
using cresset::Ellipsis;
using cresset::None;
using cresset::Slice;
using cresset::TensorIndex;
}  // namespace indexing

// ---- Python indexing (ops/index.cpp) ----

/// Tensor.__getitem__: basic indexing (ints, slices, None, Ellipsis) returns a view; tensor and
/// Tensor.copy_: self = src (broadcast, cast); recorded as torch's CopyBackwards. Returns self.
Tensor copy_(const Tensor& self, const Tensor& src);
/// bool indices (advanced indexing) return a copy.
Tensor get_item(const Tensor& self, const std::vector<TensorIndex>& indices);
/// Tensor.__setitem__ with a tensor value (broadcast to the indexed shape, cast to self's dtype
/// for basic indexing). Bumps self's version.
void set_item(const Tensor& self, const std::vector<TensorIndex>& indices, const Tensor& value);
/// Tensor.__setitem__ with a number, converted to self's dtype (overflow is an error).
void set_item(const Tensor& self, const std::vector<TensorIndex>& indices, Scalar value);
/// aten::index: one optional index tensor per dim (undefined = the whole dim; a bool mask covers
/// as many dims as it has).
Tensor index(const Tensor& self, const std::vector<Tensor>& indices);
/// Tensor.index_put_: self[indices] = values (or += with accumulate). values has self's dtype.
Tensor index_put_(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& values,
                  bool accumulate = false);
/// torch.index_put: index_put_ on a copy of self.
Tensor index_put(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate = false);

// ---- Along one dim (ops/scatter.cpp) ----

/// torch.index_select: the slices of self along dim at the positions of a 1-D (or 0-dim) index.
Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index);
Tensor index_select_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& out);
/// torch.gather: out[i][j] = self[index[i][j]][j] (dim 0), out shaped like index.
Tensor gather(const Tensor& self, int64_t dim, const Tensor& index);
Tensor gather_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& out);

/// Tensor.scatter_: self[index[i][j]][j] = src[i][j] (dim 0). reduce: "" (assign), "add" or
/// "multiply" (the legacy argument). The Scalar forms write `value` instead of src.
Tensor scatter_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                const std::string& reduce = "");
Tensor scatter_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
                const std::string& reduce = "");
/// torch.scatter: scatter_ on a copy of self.
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
               const std::string& reduce = "");
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
               const std::string& reduce = "");
Tensor scatter_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                   const std::string& reduce, const Tensor& out);
Tensor scatter_out(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
                   const std::string& reduce, const Tensor& out);
/// Tensor.scatter_add_: self[index[i][j]][j] += src[i][j] (dim 0); duplicates accumulate.
Tensor scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                       const Tensor& out);
/// Tensor.scatter_reduce_: reduce is "sum", "prod", "mean", "amax" or "amin"; with include_self
/// false the scattered-to positions start from the reduction's identity instead of self.
Tensor scatter_reduce_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                       const std::string& reduce, bool include_self = true);
Tensor scatter_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                      const std::string& reduce, bool include_self = true);
Tensor scatter_reduce_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                          const std::string& reduce, bool include_self, const Tensor& out);

/// Tensor.index_reduce_: self.select(dim, index[i]) reduced with source.select(dim, i); reduce is
/// "prod", "mean", "amax" or "amin" (include_self as in scatter_reduce_).
Tensor index_reduce_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                     const std::string& reduce, bool include_self = true);
Tensor index_reduce(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                    const std::string& reduce, bool include_self = true);
Tensor index_reduce_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                        const std::string& reduce, bool include_self, const Tensor& out);
/// Tensor.index_add_: self.select(dim, index[i]) += alpha * source.select(dim, i).
Tensor index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                  Scalar alpha = Scalar(int64_t(1)));
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                 Scalar alpha = Scalar(int64_t(1)));
Tensor index_add_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                     Scalar alpha, const Tensor& out);
/// Tensor.index_copy_: self.select(dim, index[i]) = source.select(dim, i).
Tensor index_copy_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source);
Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source);
Tensor index_copy_out(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                      const Tensor& out);
/// Tensor.index_fill_: self.select(dim, index[i]) = value (a number or a 0-dim tensor).
Tensor index_fill_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value);
Tensor index_fill_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value);
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, Scalar value);
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& value);

/// torch.take: self read as 1-D at `index` (negative indices count from the end), shaped like
/// index.
Tensor take(const Tensor& self, const Tensor& index);
Tensor take_out(const Tensor& self, const Tensor& index, const Tensor& out);
/// Tensor.put_: self read as 1-D, self[index] = source (or += with accumulate).
Tensor put_(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate = false);
Tensor put(const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate = false);
/// torch.take_along_dim: gather after broadcasting self and indices except along dim; without a
/// dim, take on the flattened tensor.
Tensor take_along_dim(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim);
Tensor take_along_dim_out(const Tensor& self, const Tensor& indices, std::optional<int64_t> dim,
                          const Tensor& out);

// ---- Masks (ops/masked.cpp) ----

/// Tensor.masked_fill_: self = value where mask (bool, broadcast to self) is true.
Tensor masked_fill_(const Tensor& self, const Tensor& mask, Scalar value);
/// The same with a 0-dim tensor value.
Tensor masked_fill_(const Tensor& self, const Tensor& mask, const Tensor& value);
/// torch.masked_fill: on a contiguous copy of self and mask broadcast together.
Tensor masked_fill(const Tensor& self, const Tensor& mask, Scalar value);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value);
/// torch.masked_select: the 1-D tensor of self's elements where mask is true (both broadcast).
Tensor masked_select(const Tensor& self, const Tensor& mask);
Tensor masked_select_out(const Tensor& self, const Tensor& mask, const Tensor& out);
/// Tensor.masked_scatter_: self's elements where mask is true take source's elements in order.
Tensor masked_scatter_(const Tensor& self, const Tensor& mask, const Tensor& source);
Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source);
/// torch.nonzero: the (n, self.dim()) int64 coordinates of the nonzero elements, row-major.
Tensor nonzero(const Tensor& self);
Tensor nonzero_out(const Tensor& self, const Tensor& out);
/// torch.nonzero_static: nonzero's first `size` rows, padded with rows of fill_value up to size.
Tensor nonzero_static(const Tensor& self, int64_t size, int64_t fill_value = -1);
/// torch.nonzero(as_tuple=True): one 1-D index tensor per dim (one for a 0-dim self).
std::vector<Tensor> nonzero_tuple(const Tensor& self);
/// torch.argwhere: nonzero.
Tensor argwhere(const Tensor& self);

// ---- Sorted search (ops/search.cpp) ----

/// torch.searchsorted: insertion positions of `values` in the last dim of `sorted_sequence` (1-D,
/// or with leading dims matching values'). side "left"/"right" overrides right=False; `sorter`
/// (int64, optional) sorts an unsorted sequence. int64 result, int32 with out_int32.
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool out_int32 = false,
                    bool right = false, const std::optional<std::string>& side = std::nullopt,
                    const Tensor& sorter = Tensor());
/// searchsorted of one number: a 0-dim result.
Tensor searchsorted(const Tensor& sorted_sequence, Scalar value, bool out_int32 = false,
                    bool right = false, const std::optional<std::string>& side = std::nullopt,
                    const Tensor& sorter = Tensor());
Tensor searchsorted_out(const Tensor& sorted_sequence, const Tensor& values, bool out_int32,
                        bool right, const std::optional<std::string>& side, const Tensor& sorter,
                        const Tensor& out);
/// torch.bucketize: searchsorted with the arguments swapped and 1-D boundaries.
Tensor bucketize(const Tensor& input, const Tensor& boundaries, bool out_int32 = false,
                 bool right = false);
Tensor bucketize(Scalar input, const Tensor& boundaries, bool out_int32 = false,
                 bool right = false);
Tensor bucketize_out(const Tensor& input, const Tensor& boundaries, bool out_int32, bool right,
                     const Tensor& out);

}  // namespace cresset
