// The op methods of Tensor (see Note [Tensor methods] in core/tensor.h): each forwards to the
// free function of the same name, so the semantics live in one place.
#include "cresset/ops/ops.h"

namespace cresset {

Scalar Tensor::item() const { return item_scalar(*this); }

// Methods that forward to the free function of their name with self first.
#define CRESSET_METHOD0(name) \
  Tensor Tensor::name() const { return cresset::name(*this); }
#define CRESSET_METHOD1(name, Arg) \
  Tensor Tensor::name(Arg a) const { return cresset::name(*this, a); }
// A binary op whose number operand becomes a Scalar argument (Python-number promotion, torch's
// Scalar-overload node).
#define CRESSET_METHOD_BINARY(name)                                                      \
  Tensor Tensor::name(const Tensor& other) const { return cresset::name(*this, other); } \
  Tensor Tensor::name(Scalar other) const { return cresset::name(*this, scalar_argument(other)); }

Tensor Tensor::add(const Tensor& other, Scalar alpha) const { return cresset::add(*this, other, alpha); }
Tensor Tensor::add(Scalar other, Scalar alpha) const {
  return cresset::add(*this, scalar_argument(other), alpha);
}
Tensor Tensor::add_(const Tensor& other, Scalar alpha) const {
  return cresset::add_(*this, other, alpha);
}
Tensor Tensor::add_(Scalar other, Scalar alpha) const {
  return cresset::add_(*this, scalar_argument(other), alpha);
}
Tensor Tensor::sub(const Tensor& other, Scalar alpha) const { return cresset::sub(*this, other, alpha); }
Tensor Tensor::sub(Scalar other, Scalar alpha) const {
  return cresset::sub(*this, scalar_argument(other), alpha);
}
Tensor Tensor::sub_(const Tensor& other, Scalar alpha) const {
  return cresset::sub_(*this, other, alpha);
}
Tensor Tensor::sub_(Scalar other, Scalar alpha) const {
  return cresset::sub_(*this, scalar_argument(other), alpha);
}
CRESSET_METHOD_BINARY(mul)
CRESSET_METHOD_BINARY(mul_)
CRESSET_METHOD_BINARY(div)
CRESSET_METHOD_BINARY(div_)
CRESSET_METHOD_BINARY(pow)
CRESSET_METHOD_BINARY(eq)
CRESSET_METHOD_BINARY(ne)
CRESSET_METHOD_BINARY(lt)
CRESSET_METHOD_BINARY(le)
CRESSET_METHOD_BINARY(gt)
CRESSET_METHOD_BINARY(ge)

Tensor& Tensor::operator+=(const Tensor& other) { add_(other); return *this; }
Tensor& Tensor::operator+=(Scalar other) { add_(other); return *this; }
Tensor& Tensor::operator-=(const Tensor& other) { sub_(other); return *this; }
Tensor& Tensor::operator-=(Scalar other) { sub_(other); return *this; }
Tensor& Tensor::operator*=(const Tensor& other) { mul_(other); return *this; }
Tensor& Tensor::operator*=(Scalar other) { mul_(other); return *this; }
Tensor& Tensor::operator/=(const Tensor& other) { div_(other); return *this; }
Tensor& Tensor::operator/=(Scalar other) { div_(other); return *this; }

CRESSET_METHOD0(neg)
CRESSET_METHOD0(abs)
CRESSET_METHOD0(exp)
CRESSET_METHOD0(log)
CRESSET_METHOD0(sqrt)
CRESSET_METHOD0(rsqrt)
CRESSET_METHOD0(square)
CRESSET_METHOD0(sin)
CRESSET_METHOD0(cos)
CRESSET_METHOD0(tanh)
CRESSET_METHOD0(sigmoid)
CRESSET_METHOD0(relu)
CRESSET_METHOD0(relu_)
CRESSET_METHOD0(floor)
CRESSET_METHOD0(ceil)
CRESSET_METHOD0(round)
CRESSET_METHOD0(sign)
CRESSET_METHOD0(reciprocal)
CRESSET_METHOD0(logical_not)
CRESSET_METHOD0(isnan)
CRESSET_METHOD1(maximum, const Tensor&)
CRESSET_METHOD1(minimum, const Tensor&)
CRESSET_METHOD1(logical_and, const Tensor&)
CRESSET_METHOD1(logical_or, const Tensor&)

Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const {
  return cresset::clamp(*this, min, max);
}
Tensor Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) const {
  return cresset::clamp_(*this, min, max);
}
Tensor Tensor::softmax(int64_t dim) const { return cresset::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return cresset::log_softmax(*this, dim); }

bool Tensor::equal(const Tensor& other) const { return cresset::equal(*this, other); }
bool Tensor::allclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return cresset::allclose(*this, other, rtol, atol, equal_nan);
}
Tensor Tensor::isclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return cresset::isclose(*this, other, rtol, atol, equal_nan);
}

// ---- reductions ----
Tensor Tensor::sum(std::optional<DType> dtype) const {
  return cresset::sum(*this, std::nullopt, false, dtype);
}
Tensor Tensor::sum(int64_t dim, bool keepdim, std::optional<DType> dtype) const {
  return cresset::sum(*this, DimVector{dim}, keepdim, dtype);
}
Tensor Tensor::sum(const DimVector& dim, bool keepdim, std::optional<DType> dtype) const {
  return cresset::sum(*this, dim, keepdim, dtype);
}
Tensor Tensor::mean(std::optional<DType> dtype) const {
  return cresset::mean(*this, std::nullopt, false, dtype);
}
Tensor Tensor::mean(int64_t dim, bool keepdim, std::optional<DType> dtype) const {
  return cresset::mean(*this, DimVector{dim}, keepdim, dtype);
}
Tensor Tensor::mean(const DimVector& dim, bool keepdim, std::optional<DType> dtype) const {
  return cresset::mean(*this, dim, keepdim, dtype);
}
Tensor Tensor::prod(std::optional<DType> dtype) const {
  return cresset::prod(*this, std::nullopt, false, dtype);
}
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<DType> dtype) const {
  return cresset::prod(*this, dim, keepdim, dtype);
}
Tensor Tensor::var(std::optional<DimVector> dim, double correction, bool keepdim) const {
  return cresset::var(*this, dim, correction, keepdim);
}
Tensor Tensor::norm(double p) const { return cresset::norm(*this, p); }
Tensor Tensor::max() const { return cresset::max(*this); }
Tensor Tensor::min() const { return cresset::min(*this); }
std::pair<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return cresset::max(*this, dim, keepdim);
}
std::pair<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return cresset::min(*this, dim, keepdim);
}
Tensor Tensor::amax(const DimVector& dim, bool keepdim) const {
  return cresset::amax(*this, dim, keepdim);
}
Tensor Tensor::amin(const DimVector& dim, bool keepdim) const {
  return cresset::amin(*this, dim, keepdim);
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  return cresset::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  return cresset::argmin(*this, dim, keepdim);
}
Tensor Tensor::all() const { return cresset::all(*this); }
Tensor Tensor::all(int64_t dim, bool keepdim) const {
  return cresset::all(*this, DimVector{dim}, keepdim);
}
Tensor Tensor::any() const { return cresset::any(*this); }
Tensor Tensor::any(int64_t dim, bool keepdim) const {
  return cresset::any(*this, DimVector{dim}, keepdim);
}
Tensor Tensor::cumsum(int64_t dim, std::optional<DType> dtype) const {
  return cresset::cumsum(*this, dim, dtype);
}
Tensor Tensor::logsumexp(const DimVector& dim, bool keepdim) const {
  return cresset::logsumexp(*this, dim, keepdim);
}
std::pair<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return cresset::sort(*this, dim, descending);
}
std::pair<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return cresset::topk(*this, k, dim, largest, sorted);
}

// ---- linear algebra ----
CRESSET_METHOD1(matmul, const Tensor&)
CRESSET_METHOD1(mm, const Tensor&)
CRESSET_METHOD1(bmm, const Tensor&)
CRESSET_METHOD1(mv, const Tensor&)
CRESSET_METHOD1(dot, const Tensor&)

// ---- views and layout ----
Tensor Tensor::operator[](int64_t index) const { return cresset::select(*this, 0, index); }
CRESSET_METHOD1(view, const DimVector&)
Tensor Tensor::view(DType dtype) const { return view_dtype(*this, dtype); }
Tensor Tensor::view_as(const Tensor& other) const { return cresset::view(*this, other.sizes()); }
CRESSET_METHOD1(reshape, const DimVector&)
Tensor Tensor::reshape_as(const Tensor& other) const {
  return cresset::reshape(*this, other.sizes());
}
CRESSET_METHOD0(t)
Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  return cresset::transpose(*this, dim0, dim1);
}
CRESSET_METHOD1(permute, const DimVector&)
CRESSET_METHOD1(unsqueeze, int64_t)
CRESSET_METHOD0(squeeze)
CRESSET_METHOD1(squeeze, int64_t)
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return cresset::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::unflatten(int64_t dim, const DimVector& sizes) const {
  return cresset::unflatten(*this, dim, sizes);
}
CRESSET_METHOD1(expand, const DimVector&)
CRESSET_METHOD1(expand_as, const Tensor&)
Tensor Tensor::select(int64_t dim, int64_t index) const {
  return cresset::select(*this, dim, index);
}
Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
                     int64_t step) const {
  return cresset::slice(*this, dim, start, end, step);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return cresset::narrow(*this, dim, start, length);
}
std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim) const {
  return cresset::chunk(*this, chunks, dim);
}
std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim) const {
  return cresset::split(*this, split_size, dim);
}
std::vector<Tensor> Tensor::unbind(int64_t dim) const { return cresset::unbind(*this, dim); }
CRESSET_METHOD1(repeat, const DimVector&)
CRESSET_METHOD1(flip, const DimVector&)
Tensor Tensor::contiguous() const { return cresset::contiguous(*this); }
Tensor Tensor::clone() const { return cresset::clone(*this); }
CRESSET_METHOD0(detach)
CRESSET_METHOD0(detach_)

// ---- indexing ----
Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  return get_item(*this, indices);
}
Tensor Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& value) const {
  set_item(*this, indices, value);
  return *this;
}
Tensor Tensor::index_put_(const std::vector<TensorIndex>& indices, Scalar value) const {
  set_item(*this, indices, value);
  return *this;
}
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return cresset::index_select(*this, dim, index);
}
Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  return cresset::gather(*this, dim, index);
}
Tensor Tensor::scatter_(int64_t dim, const Tensor& index, const Tensor& src) const {
  return cresset::scatter_(*this, dim, index, src);
}
Tensor Tensor::masked_fill(const Tensor& mask, Scalar value) const {
  return cresset::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_fill_(const Tensor& mask, Scalar value) const {
  return cresset::masked_fill_(*this, mask, value);
}
CRESSET_METHOD1(masked_select, const Tensor&)
CRESSET_METHOD0(nonzero)

// ---- conversion and filling (non_blocking is accepted for libtorch's signature; copies are
// synchronous) ----
Tensor Tensor::to(DType dtype, bool, bool copy) const {
  return cresset::to(*this, dtype, device(), copy);
}
Tensor Tensor::to(Device device, bool, bool copy) const {
  return cresset::to(*this, dtype(), device, copy);
}
Tensor Tensor::to(DeviceType device, bool, bool copy) const {
  return cresset::to(*this, dtype(), Device(device), copy);
}
Tensor Tensor::to(Device device, DType dtype, bool, bool copy) const {
  return cresset::to(*this, dtype, device, copy);
}
Tensor Tensor::to(const TensorOptions& options, bool, bool copy) const {
  return cresset::to(*this, options.dtype_opt().value_or(dtype()), options.device(), copy);
}
Tensor Tensor::to(const Tensor& other, bool, bool copy) const {
  return cresset::to(*this, other.dtype(), other.device(), copy);
}
Tensor Tensor::cpu() const { return to(Device(DeviceType::CPU)); }
Tensor Tensor::cuda() const { return to(Device(DeviceType::CUDA)); }
CRESSET_METHOD1(fill_, Scalar)
CRESSET_METHOD0(zero_)
CRESSET_METHOD1(copy_, const Tensor&)
Tensor Tensor::uniform_(double from, double to) const { return cresset::uniform_(*this, from, to); }
Tensor Tensor::normal_(double mean, double std_dev) const {
  return cresset::normal_(*this, mean, std_dev);
}

#undef CRESSET_METHOD0
#undef CRESSET_METHOD1
#undef CRESSET_METHOD_BINARY

}  // namespace cresset
