#pragma once
// The random family of ops (cresset/ops/random.cpp). Every op takes an optional generator;
// nullptr means the default generator of the output's device. See Note [Random number
// generation] in cresset/core/generator.h.
#include <optional>

#include "cresset/core/generator.h"
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

// ---- in-place samplers (return self) ----
/// Tensor.uniform_: uniform on [from, to).
Tensor uniform_(const Tensor& self, double from = 0, double to = 1, Generator* gen = nullptr);
/// Tensor.normal_.
Tensor normal_(const Tensor& self, double mean = 0, double std = 1, Generator* gen = nullptr);
/// Tensor.random_(from, to): integers in [from, to); to = nullopt means the dtype's maximum + 1
/// (2^digits + 1 for floating dtypes).
Tensor random_(const Tensor& self, int64_t from, std::optional<int64_t> to,
               Generator* gen = nullptr);
/// Tensor.random_(): integers in [0, max] of the dtype ([0, 2^digits] for floating dtypes).
Tensor random_(const Tensor& self, Generator* gen = nullptr);
/// Tensor.bernoulli_(p): 1 with probability p, else 0.
Tensor bernoulli_(const Tensor& self, double p = 0.5, Generator* gen = nullptr);
/// Tensor.bernoulli_(p tensor): per-element probabilities, broadcast to self's shape.
Tensor bernoulli_(const Tensor& self, const Tensor& p, Generator* gen = nullptr);
/// Tensor.exponential_: rate lambd.
Tensor exponential_(const Tensor& self, double lambd = 1, Generator* gen = nullptr);
/// Tensor.geometric_: number of Bernoulli(p) trials up to the first success (>= 1).
Tensor geometric_(const Tensor& self, double p, Generator* gen = nullptr);
/// Tensor.log_normal_: exp of Normal(mean, std).
Tensor log_normal_(const Tensor& self, double mean = 1, double std = 2, Generator* gen = nullptr);
/// Tensor.cauchy_.
Tensor cauchy_(const Tensor& self, double median = 0, double sigma = 1, Generator* gen = nullptr);

// ---- factories ----
/// torch.rand: uniform on [0, 1) (floating dtypes only).
Tensor rand(const DimVector& sizes, DType dtype, Device device = Device(),
            Generator* gen = nullptr);
/// torch.randn: standard normal (floating dtypes only).
Tensor randn(const DimVector& sizes, DType dtype, Device device = Device(),
             Generator* gen = nullptr);
/// torch.randint: integers in [low, high).
Tensor randint(int64_t low, int64_t high, const DimVector& sizes, DType dtype,
               Device device = Device(), Generator* gen = nullptr);
/// torch.randperm: a random permutation of 0 .. n-1.
Tensor randperm(int64_t n, DType dtype, Device device = Device(), Generator* gen = nullptr);
/// torch.randperm(out=): resizes out to n and fills it.
Tensor randperm_out(int64_t n, const Tensor& out, Generator* gen = nullptr);

// ---- distributions with tensor parameters ----
/// torch.normal(mean, std) with tensors broadcast together.
Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen = nullptr);
Tensor normal(const Tensor& mean, double std, Generator* gen = nullptr);
Tensor normal(double mean, const Tensor& std, Generator* gen = nullptr);
/// torch.normal(mean, std, size).
Tensor normal(double mean, double std, const DimVector& sizes, DType dtype,
              Device device = Device(), Generator* gen = nullptr);
/// torch.bernoulli(input): 1 with probability input[i].
Tensor bernoulli(const Tensor& input, Generator* gen = nullptr);
/// torch.bernoulli(input, p): input's shape and dtype, probability p everywhere.
Tensor bernoulli(const Tensor& input, double p, Generator* gen = nullptr);
/// torch.multinomial: indices sampled from the rows of `input` (1-D or 2-D weights).
Tensor multinomial(const Tensor& input, int64_t num_samples, bool replacement = false,
                   Generator* gen = nullptr);
/// torch.multinomial(..., out=): out must be int64; torch resizes it without the out= warning.
Tensor multinomial_out(const Tensor& input, int64_t num_samples, bool replacement, Generator* gen,
                       const Tensor& out);
/// torch.poisson: samples with rates `input`.
Tensor poisson(const Tensor& input, Generator* gen = nullptr);

// ---- gamma-based samplers and their reparameterized gradients (cresset/ops/random_gamma.cpp) --
/// torch._standard_gamma: Gamma(alpha, 1) samples; differentiable in alpha.
Tensor standard_gamma(const Tensor& alpha, Generator* gen = nullptr);
/// torch._standard_gamma_grad: d sample / d alpha of Gamma(alpha, 1) samples x (broadcast).
Tensor standard_gamma_grad(const Tensor& alpha, const Tensor& x);
/// torch._sample_dirichlet: Dirichlet samples over the last dim of `alpha`.
Tensor sample_dirichlet(const Tensor& alpha, Generator* gen = nullptr);
/// torch._dirichlet_grad: d x / d alpha of Beta(alpha, total - alpha) samples x, over (1 - x).
Tensor dirichlet_grad(const Tensor& x, const Tensor& alpha, const Tensor& total);
/// torch.binomial: successes in `count` trials of probability `prob` (broadcast).
Tensor binomial(const Tensor& count, const Tensor& prob, Generator* gen = nullptr);

}  // namespace cresset
