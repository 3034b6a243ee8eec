#pragma once
// Numeric composites of torch's API: finite differences and trapezoid integrals, the
// elementwise functions cresset writes in other ops (logaddexp, sinc, gcd ...), and repeated
// matrix products. Autograd comes from the ops they are written in, or from one named node
// (Note [Named composites]).
#include <utility>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.diff: the n-th forward difference along `dim` (prepend/append, if defined, first join
/// the input along dim); bool inputs differ by xor.
Tensor diff(const Tensor& self, int64_t n = 1, int64_t dim = -1, const Tensor& prepend = Tensor(),
            const Tensor& append = Tensor());
/// torch.trapezoid with sample points x (undefined: spacing dx) along dim.
Tensor trapezoid(const Tensor& y, const Tensor& x, int64_t dim = -1);
Tensor trapezoid(const Tensor& y, double dx = 1.0, int64_t dim = -1);
/// torch.cumulative_trapezoid: the running trapezoid integral along dim.
Tensor cumulative_trapezoid(const Tensor& y, const Tensor& x, int64_t dim = -1);
Tensor cumulative_trapezoid(const Tensor& y, double dx = 1.0, int64_t dim = -1);

/// torch.ldexp: self * 2^other (integers compute in the default float dtype).
Tensor ldexp(const Tensor& self, const Tensor& other);
/// Tensor.ldexp_ (and likewise sinc_, heaviside_, gcd_, lcm_, nextafter_, i0_, polygamma_,
/// mvlgamma_): self takes the result, recorded as the one node torch records.
Tensor ldexp_(const Tensor& self, const Tensor& other);
/// torch.logaddexp / logaddexp2: log(e^a + e^b), log2(2^a + 2^b) without overflow.
Tensor logaddexp(const Tensor& self, const Tensor& other);
Tensor logaddexp2(const Tensor& self, const Tensor& other);
/// torch.sinc: sin(pi x) / (pi x), 1 at 0.
Tensor sinc(const Tensor& self);
Tensor sinc_(const Tensor& self);
/// torch.heaviside: values where self == 0, else 1 for positive and 0 otherwise (one dtype).
Tensor heaviside(const Tensor& self, const Tensor& values);
Tensor heaviside_(const Tensor& self, const Tensor& values);
/// torch.gcd / lcm of integer tensors (gcd(0, 0) = 0).
Tensor gcd(const Tensor& self, const Tensor& other);
Tensor lcm(const Tensor& self, const Tensor& other);
Tensor gcd_(const Tensor& self, const Tensor& other);
Tensor lcm_(const Tensor& self, const Tensor& other);
/// torch.nextafter: the next representable value after self towards other (floating dtypes).
Tensor nextafter(const Tensor& self, const Tensor& other);
Tensor nextafter_(const Tensor& self, const Tensor& other);
/// torch.frexp: (mantissa, exponent) with self = mantissa * 2^exponent, |mantissa| in [0.5, 1)
/// (0 and non-finite values: themselves and 0); the exponent is int32.
std::pair<Tensor, Tensor> frexp(const Tensor& self);
/// torch.i0: the modified Bessel function of the first kind, order 0.
Tensor i0(const Tensor& self);
Tensor i0_(const Tensor& self);
/// torch.polygamma: the n-th derivative of digamma (n >= 0).
Tensor polygamma(int64_t n, const Tensor& self);
Tensor polygamma_(const Tensor& self, int64_t n);
/// torch.mvlgamma: the multivariate log-gamma of dimension p.
Tensor mvlgamma(const Tensor& self, int64_t p);
Tensor mvlgamma_(const Tensor& self, int64_t p);

/// torch.matrix_power: a square matrix (or batch) to a non-negative integer power.
Tensor matrix_power(const Tensor& self, int64_t n);
/// torch.chain_matmul: the product of 2-D matrices, left to right.
Tensor chain_matmul(const std::vector<Tensor>& matrices);

}  // namespace cresset
