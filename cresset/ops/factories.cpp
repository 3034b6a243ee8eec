// The C++ frontend's factories (see ops/factories.h): TensorOptions resolved into the dtype and
// device arguments of the creation and random ops.
#include "cresset/ops/factories.h"

#include "cresset/autograd/autograd_meta.h"
#include "cresset/core/generator.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/random.h"
#include "cresset/ops/windows.h"

namespace cresset {

TensorData::TensorData(std::initializer_list<TensorData> rows) {
  sizes_ = DimVector{int64_t(rows.size())};
  if (rows.size() == 0) return;
  const TensorData& first = *rows.begin();
  for (int64_t s : first.sizes_) sizes_.push_back(s);
  for (const TensorData& row : rows) {
    CRESSET_CHECK(row.sizes_ == first.sizes_, ValueError, "[tensor] expected sequence of shape ",
                  shape_str(first.sizes_), " at dim 1 (got ", shape_str(row.sizes_), ")");
    values_.insert(values_.end(), row.values_.begin(), row.values_.end());
    if (row.dtype_) dtype_ = dtype_ ? promote_types(*dtype_, *row.dtype_) : *row.dtype_;
  }
}

DType TensorData::inferred_dtype() const {
  if (dtype_) return *dtype_;
  if (values_.empty()) return default_dtype();
  bool any_int = false;
  for (const Scalar& v : values_) {
    if (v.is_float()) return default_dtype();
    any_int = any_int || v.is_int();
  }
  return any_int ? DType::Int64 : DType::Bool;
}

namespace {

// Applies options.requires_grad to a fresh factory result.
Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) autograd::set_requires_grad(t, true);
  return t;
}

// Options for a *_like factory: self's dtype and device unless set.
DType like_dtype(const Tensor& self, const TensorOptions& o) {
  return o.dtype_opt().value_or(self.dtype());
}
Device like_device(const Tensor& self, const TensorOptions& o) {
  return o.device_opt().value_or(self.device());
}

}  // namespace

Tensor tensor(const TensorData& data, const TensorOptions& options) {
  DType dtype = options.dtype_opt().value_or(data.inferred_dtype());
  Tensor out = empty_tensor(data.sizes(), dtype);
  const std::vector<Scalar>& values = data.values();
  CRESSET_DISPATCH_ALL("tensor", dtype, [&] {
    auto* p = out.data<scalar_t>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = values[i].to<scalar_t>();
  });
  return finish(to(out, dtype, options.device()), options);
}

Tensor empty(const DimVector& sizes, const TensorOptions& options) {
  return finish(empty_tensor(sizes, options.dtype(), options.device()), options);
}

Tensor zeros(const DimVector& sizes, const TensorOptions& options) {
  return finish(zeros(sizes, options.dtype(), options.device()), options);
}

Tensor ones(const DimVector& sizes, const TensorOptions& options) {
  return finish(ones(sizes, options.dtype(), options.device()), options);
}

Tensor full(const DimVector& sizes, Scalar value, const TensorOptions& options) {
  DType natural = value.is_float() ? default_dtype() : value.natural_dtype();
  return finish(full(sizes, value, options.dtype_opt().value_or(natural), options.device()),
                options);
}

Tensor rand(const DimVector& sizes, const TensorOptions& options) {
  return finish(rand(sizes, options.dtype(), options.device()), options);
}

Tensor randn(const DimVector& sizes, const TensorOptions& options) {
  return finish(randn(sizes, options.dtype(), options.device()), options);
}

Tensor randint(int64_t high, const DimVector& sizes, const TensorOptions& options) {
  return randint(0, high, sizes, options);
}

Tensor randint(int64_t low, int64_t high, const DimVector& sizes, const TensorOptions& options) {
  return finish(randint(low, high, sizes, options.dtype_opt().value_or(DType::Int64),
                        options.device()),
                options);
}

Tensor randperm(int64_t n, const TensorOptions& options) {
  return finish(randperm(n, options.dtype_opt().value_or(DType::Int64), options.device()),
                options);
}

Tensor arange(Scalar end, const TensorOptions& options) {
  return arange(Scalar(int64_t(0)), end, Scalar(int64_t(1)), options);
}

Tensor arange(Scalar start, Scalar end, const TensorOptions& options) {
  return arange(start, end, Scalar(int64_t(1)), options);
}

Tensor arange(Scalar start, Scalar end, Scalar step, const TensorOptions& options) {
  DType dtype = options.dtype_opt().value_or(arange_dtype(start, end, step));
  return finish(arange(start, end, step, dtype, options.device()), options);
}

Tensor linspace(Scalar start, Scalar end, int64_t steps, const TensorOptions& options) {
  return finish(linspace(start, end, steps, options.dtype(), options.device()), options);
}

Tensor eye(int64_t n, const TensorOptions& options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, const TensorOptions& options) {
  return finish(eye(n, m, options.dtype(), options.device()), options);
}

Tensor hann_window(int64_t length, bool periodic, const TensorOptions& options) {
  return finish(hann_window(length, periodic, options.dtype(), options.device()), options);
}

Tensor hamming_window(int64_t length, bool periodic, double alpha, double beta,
                      const TensorOptions& options) {
  return finish(hamming_window(length, periodic, alpha, beta, options.dtype(), options.device()),
                options);
}

Tensor blackman_window(int64_t length, bool periodic, const TensorOptions& options) {
  return finish(blackman_window(length, periodic, options.dtype(), options.device()), options);
}

Tensor bartlett_window(int64_t length, bool periodic, const TensorOptions& options) {
  return finish(bartlett_window(length, periodic, options.dtype(), options.device()), options);
}

Tensor kaiser_window(int64_t length, bool periodic, double beta, const TensorOptions& options) {
  return finish(kaiser_window(length, periodic, beta, options.dtype(), options.device()), options);
}

Tensor empty_like(const Tensor& self, const TensorOptions& options) {
  return finish(empty_like(self, like_dtype(self, options), like_device(self, options)), options);
}

Tensor zeros_like(const Tensor& self, const TensorOptions& options) {
  return full_like(self, Scalar(int64_t(0)), options);
}

Tensor ones_like(const Tensor& self, const TensorOptions& options) {
  return full_like(self, Scalar(int64_t(1)), options);
}

Tensor full_like(const Tensor& self, Scalar value, const TensorOptions& options) {
  return finish(full_like(self, value, like_dtype(self, options), like_device(self, options)),
                options);
}

Tensor rand_like(const Tensor& self, const TensorOptions& options) {
  Tensor out = empty_like(self, like_dtype(self, options), like_device(self, options));
  return finish(uniform_(out), options);
}

Tensor randn_like(const Tensor& self, const TensorOptions& options) {
  Tensor out = empty_like(self, like_dtype(self, options), like_device(self, options));
  return finish(normal_(out), options);
}

}  // namespace cresset
