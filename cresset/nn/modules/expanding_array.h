#pragma once
// ExpandingArray<D>: D sizes given as one number for every dim (`3` is {3, 3} for D = 2) or as
// D numbers, as the kernel_size / stride / padding options of libtorch's conv and pool layers.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "cresset/core/error.h"
#include "cresset/core/shape.h"

namespace cresset::nn {

template <size_t D>
class ExpandingArray {
 public:
  ExpandingArray(int64_t value) { values_.fill(value); }  // NOLINT: implicit, as libtorch's
  ExpandingArray(std::initializer_list<int64_t> list)
      : ExpandingArray(std::vector<int64_t>(list)) {}
  ExpandingArray(const std::vector<int64_t>& list) {  // NOLINT: implicit
    CRESSET_CHECK(list.size() == D, ValueError, "[ExpandingArray] expected ", D,
                  " values, got ", list.size());
    for (size_t i = 0; i < D; ++i) values_[i] = list[i];
  }
  int64_t operator[](size_t i) const { return values_[i]; }
  static constexpr size_t size() { return D; }
  /// The sizes as the functional ops take them.
  DimVector vec() const { return DimVector(values_.data(), D); }
  bool operator==(const ExpandingArray& o) const { return values_ == o.values_; }

 private:
  std::array<int64_t, D> values_;
};

/// Prints "[3, 3]".
template <size_t D>
std::ostream& operator<<(std::ostream& stream, const ExpandingArray<D>& a) {
  return stream << shape_str(a.vec());
}

}  // namespace cresset::nn
