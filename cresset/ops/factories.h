#pragma once
// The C++ frontend's factories: torch.tensor from nested initializer lists and the factories
// taking TensorOptions (`cresset::zeros({5, 3}, cresset::kLong)`, `cresset::rand({2, 2},
// cresset::requires_grad())`). They infer dtypes like Python's: ints give int64, floats the
// default dtype, bools bool; `full` and `arange` infer from their values. The *_like factories
// keep their input's dtype and device unless the options set them.
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// The data of cresset::tensor: a number, a nested initializer list of numbers
/// (`{{1, 2}, {3, 4}}`), or a std::vector (1-D, of the vector's element type).
class TensorData {
 public:
  TensorData(bool v) : values_{Scalar(v)} {}
  TensorData(double v) : values_{Scalar(v)} {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  TensorData(I v) : values_{Scalar(int64_t(v))} {}
  /// Rows of equal shape; ValueError otherwise.
  TensorData(std::initializer_list<TensorData> rows);
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  TensorData(const std::vector<T>& values) : sizes_{int64_t(values.size())}, dtype_(DTypeOf<T>::value) {
    values_.reserve(values.size());
    for (T v : values) values_.push_back(scalar_of(v));
  }

  const DimVector& sizes() const { return sizes_; }
  const std::vector<Scalar>& values() const { return values_; }
  /// The dtype torch.tensor infers: the vector's element type, else from the numbers' kinds.
  DType inferred_dtype() const;

 private:
  template <typename T>
  static Scalar scalar_of(T v) {
    if constexpr (std::is_same_v<T, bool>) {
      return Scalar(v);
    } else if constexpr (std::is_integral_v<T>) {
      return Scalar(int64_t(v));
    } else {
      return Scalar(double(v));
    }
  }

  DimVector sizes_;
  std::vector<Scalar> values_;
  std::optional<DType> dtype_;
};

/// torch.tensor: a new tensor holding `data`.
Tensor tensor(const TensorData& data, const TensorOptions& options = {});

/// torch.empty: uninitialised.
Tensor empty(const DimVector& sizes, const TensorOptions& options = {});
/// torch.zeros.
Tensor zeros(const DimVector& sizes, const TensorOptions& options = {});
/// torch.ones.
Tensor ones(const DimVector& sizes, const TensorOptions& options = {});
/// torch.full: the dtype follows `value` (bool, int64 or the default float) unless set.
Tensor full(const DimVector& sizes, Scalar value, const TensorOptions& options = {});
/// torch.rand: uniform on [0, 1).
Tensor rand(const DimVector& sizes, const TensorOptions& options = {});
/// torch.randn: standard normal.
Tensor randn(const DimVector& sizes, const TensorOptions& options = {});
/// torch.randint(high, size): integers in [0, high), int64 unless set.
Tensor randint(int64_t high, const DimVector& sizes, const TensorOptions& options = {});
/// torch.randint(low, high, size).
Tensor randint(int64_t low, int64_t high, const DimVector& sizes,
               const TensorOptions& options = {});
/// torch.randperm: int64 unless set.
Tensor randperm(int64_t n, const TensorOptions& options = {});
/// torch.arange(end).
Tensor arange(Scalar end, const TensorOptions& options = {});
/// torch.arange(start, end).
Tensor arange(Scalar start, Scalar end, const TensorOptions& options = {});
/// torch.arange(start, end, step): int64 when all are integers, else the default float.
Tensor arange(Scalar start, Scalar end, Scalar step, const TensorOptions& options = {});
/// torch.linspace.
Tensor linspace(Scalar start, Scalar end, int64_t steps, const TensorOptions& options = {});
/// torch.eye(n).
Tensor eye(int64_t n, const TensorOptions& options = {});
/// torch.eye(n, m).
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});
/// torch.hann_window (periodic unless told otherwise; see cresset/ops/windows.h).
Tensor hann_window(int64_t length, bool periodic = true, const TensorOptions& options = {});
/// torch.hamming_window.
Tensor hamming_window(int64_t length, bool periodic = true, double alpha = 0.54,
                      double beta = 0.46, const TensorOptions& options = {});
/// torch.blackman_window.
Tensor blackman_window(int64_t length, bool periodic = true, const TensorOptions& options = {});
/// torch.bartlett_window.
Tensor bartlett_window(int64_t length, bool periodic = true, const TensorOptions& options = {});
/// torch.kaiser_window.
Tensor kaiser_window(int64_t length, bool periodic = true, double beta = 12.0,
                     const TensorOptions& options = {});

/// torch.empty_like.
Tensor empty_like(const Tensor& self, const TensorOptions& options = {});
/// torch.zeros_like.
Tensor zeros_like(const Tensor& self, const TensorOptions& options = {});
/// torch.ones_like.
Tensor ones_like(const Tensor& self, const TensorOptions& options = {});
/// torch.full_like.
Tensor full_like(const Tensor& self, Scalar value, const TensorOptions& options = {});
/// torch.rand_like.
Tensor rand_like(const Tensor& self, const TensorOptions& options = {});
/// torch.randn_like.
Tensor randn_like(const Tensor& self, const TensorOptions& options = {});

}  // namespace cresset
