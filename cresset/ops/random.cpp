#include "cresset/ops/random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "cresset/autograd/function.h"
#include "cresset/backend/common/philox.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/random_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/out.h"
#include "cresset/ops/random_internal.h"

namespace cresset {

namespace {

using random_detail::check_floating;
using random_detail::cpu_doubles;

void check_continuous(const Tensor& t, const char* name) {
  CRESSET_CHECK(is_floating(t.dtype()), RuntimeError, name,
                " distribution is a continuous probability distribution. dtype must be a "
                "floating point but you specified ",
                dtype_display(t.dtype()));
}

// In-place writes into a tensor whose elements alias each other are rejected, like torch.
void check_no_internal_overlap(const Tensor& t, const char* op) {
  for (int64_t d = 0; d < t.dim(); ++d) {
    CRESSET_CHECK(t.strides()[d] != 0 || t.sizes()[d] < 2, RuntimeError, "[", op,
                  "] unsupported operation: more than one element of the written-to tensor "
                  "refers to a single memory location. Please clone() the tensor before "
                  "performing the operation.");
  }
}

// The Philox blocks a fill of `numel` elements reserves: whole batches.
uint64_t fill_blocks(const RandomSpec& spec, DType dtype, int64_t numel) {
  int64_t per_batch = random_batch_elements(spec, dtype);
  return uint64_t((numel + per_batch - 1) / per_batch) * kPhiloxBatch;
}

// Reserves the blocks `spec` needs from the generator and runs kernel(out, spec) on self, through
// a contiguous buffer when self isn't contiguous.
template <typename Kernel>
Tensor run_random(const Tensor& self, RandomSpec spec, Generator* gen, const char* op,
                  const Kernel& kernel) {
  check_no_internal_overlap(self, op);
  if (self.numel() == 0) return self;
  PhiloxState state =
      generator_for(gen, self.device(), op).reserve(fill_blocks(spec, self.dtype(), self.numel()));
  spec.seed = state.seed;
  spec.offset = state.offset;
  const bool direct = self.is_contiguous();
  Tensor buf = direct ? self : empty_tensor(self.sizes(), self.dtype(), self.device());
  kernel(buf, spec);
  if (!direct) copy_into(self, buf);
  self.bump_version();
  return self;
}

Tensor run_fill(const Tensor& self, const RandomSpec& spec, Generator* gen, const char* op) {
  return run_random(self, spec, gen, op, [](const Tensor& out, const RandomSpec& s) {
    if (out.device().is_cpu()) {
      cpu::random_fill(out, s);
    } else {
      cuda::random_fill_kernel(out, s);
    }
  });
}

RandomSpec spec_of(RandomDist dist, double a = 0, double b = 0) {
  RandomSpec s{};
  s.dist = dist;
  s.a = a;
  s.b = b;
  return s;
}

// Significand bits of a floating dtype: the integers random_ can produce exactly.
int float_digits(DType t) {
  switch (t) {
    case DType::Float16:
      return 11;
    case DType::BFloat16:
      return 8;
    case DType::Float32:
      return 24;
    default:
      return 53;
  }
}

// The largest value of an integral dtype and its smallest.
int64_t int_max(DType t) {
  switch (t) {
    case DType::Bool:
      return 1;
    case DType::UInt8:
      return 255;
    case DType::Int8:
      return 127;
    case DType::Int16:
      return 32767;
    case DType::Int32:
      return std::numeric_limits<int32_t>::max();
    default:
      return std::numeric_limits<int64_t>::max();
  }
}
int64_t int_min(DType t) {
  switch (t) {
    case DType::Bool:
    case DType::UInt8:
      return 0;
    case DType::Int8:
      return -128;
    case DType::Int16:
      return -32768;
    case DType::Int32:
      return std::numeric_limits<int32_t>::min();
    default:
      return std::numeric_limits<int64_t>::min();
  }
}

// Fills self with integers in [from, from + range) (range 0: all 2^64 values).
Tensor fill_int_range(const Tensor& self, int64_t from, uint64_t range, Generator* gen) {
  RandomSpec s = spec_of(RandomDist::IntRange);
  s.base = from;
  s.range = range;
  return run_fill(self, s, gen, "random_");
}

// `t` viewed with `sizes` by broadcasting (torch's expand rules; stride 0 on expanded dims).
Tensor broadcast_to(const Tensor& t, const DimVector& sizes, const char* op) {
  const int64_t nd = int64_t(sizes.size()), off = nd - t.dim();
  CRESSET_CHECK(off >= 0, RuntimeError, "[", op, "] can't broadcast ", shape_str(t.sizes()), " to ",
                shape_str(sizes));
  DimVector strides(size_t(nd), 0);
  for (int64_t d = 0; d < t.dim(); ++d) {
    const int64_t have = t.sizes()[d], want = sizes[d + off];
    CRESSET_CHECK(have == want || have == 1, RuntimeError, "[", op,
                  "] The expanded size of the "
                  "tensor (",
                  want, ") must match the existing size (", have, ") at non-singleton dimension ",
                  d + off, ".  Target sizes: ", shape_str(sizes),
                  ".  Tensor sizes: ", shape_str(t.sizes()));
    strides[d + off] = have == want ? t.strides()[d] : 0;
  }
  return t.as_strided_view(sizes, strides, t.storage_offset());
}

// ---- in-place samplers ------------------------------------------------------------------------

// Runs `sample` (which overwrites self) as an in-place op: on a tensor with history the gradient
// stops there (node `name` gives zeros, like torch); a leaf that requires grad is refused.
template <typename F>
Tensor sample_(const Tensor& self, const char* name, const F& sample) {
  const bool grad = begin_overwrite(self);
  sample();
  if (grad) record_overwrite(name, self);
  return self;
}

}  // namespace

void random_detail::check_floating(const Tensor& t, const char* kernel) {
  CRESSET_CHECK(is_floating(t.dtype()), NotImplementedError, "\"", kernel,
                "\" not implemented for '", dtype_display(t.dtype()), "'");
}

Tensor random_detail::cpu_doubles(const Tensor& t, const DimVector& sizes, const char* op) {
  Tensor out = empty_tensor(sizes, DType::Float64);
  copy_into(out, broadcast_to(t.device().is_cpu() ? t : to(t, t.dtype(), Device()), sizes, op));
  return out;
}

Tensor uniform_(const Tensor& self, double from, double to, Generator* gen) {
  return sample_(self, "UniformBackward0", [&] {
    check_floating(self, "check_uniform_bounds");
    const double max = self.dtype() == DType::Float16   ? 65504.0
                       : self.dtype() == DType::Float64 ? std::numeric_limits<double>::max()
                                                        : double(std::numeric_limits<float>::max());
    CRESSET_CHECK(std::fabs(from) <= max, RuntimeError, "[uniform_] from is out of bounds for ",
                  dtype_name(self.dtype()));
    CRESSET_CHECK(std::fabs(to) <= max, RuntimeError, "[uniform_] to is out of bounds for ",
                  dtype_name(self.dtype()));
    CRESSET_CHECK(from <= to, RuntimeError,
                  "[uniform_] uniform_ expects to return a [from, to) range, but found from=", from,
                  " > to=", to);
    CRESSET_CHECK(to - from <= max, RuntimeError, "[uniform_] uniform_ expects to-from <= ", max,
                  ", but found to=", to, " and from=", from);
    return run_fill(self, spec_of(RandomDist::Uniform, from, to), gen, "uniform_");
  });
}

Tensor normal_(const Tensor& self, double mean, double std, Generator* gen) {
  return sample_(self, "NormalBackward0", [&] {
    check_floating(self, "normal_kernel_cpu");
    CRESSET_CHECK(std >= 0.0, RuntimeError, "[normal_] normal expects std >= 0.0, but found std ",
                  std);
    return run_fill(self, spec_of(RandomDist::Normal, mean, std), gen, "normal_");
  });
}

namespace {

// random_(from, to) without recording (random_() and random_(from, to) record their own names).
Tensor random_range(const Tensor& self, int64_t from, std::optional<int64_t> to, Generator* gen) {
  const DType t = self.dtype();
  if (to) {
    CRESSET_CHECK(from < *to, RuntimeError,
                  "[random_] random_ expects 'from' to be less than 'to', but got from=", from,
                  " >= to=", *to);
  }
  if (!is_floating(t)) {
    CRESSET_CHECK(from >= int_min(t) && from <= int_max(t), RuntimeError,
                  "[random_] from is out of bounds for ", dtype_name(t));
    CRESSET_CHECK(!to || (*to - 1 >= int_min(t) && *to - 1 <= int_max(t)), RuntimeError,
                  "[random_] to - 1 is out of bounds for ", dtype_name(t));
  }
  if (to) {
    return fill_int_range(self, from, uint64_t(*to) - uint64_t(from), gen);
  }
  // Up to the dtype's largest exactly representable integer, inclusive.
  const int64_t to_inc = is_floating(t) ? (int64_t(1) << float_digits(t)) : int_max(t);
  CRESSET_CHECK(from <= to_inc, RuntimeError,
                "[random_] random_ expects 'from' casted to dtype to be less than or equal to "
                "'to_inc' casted to dtype, but got from=",
                from, " > to_inc=", to_inc);
  const uint64_t range = uint64_t(to_inc) - uint64_t(from) + 1;  // 0 when it spans all of int64
  return fill_int_range(self, from, range, gen);
}

}  // namespace

Tensor random_(const Tensor& self, int64_t from, std::optional<int64_t> to, Generator* gen) {
  return sample_(self, "RandomBackward0", [&] { random_range(self, from, to, gen); });
}

Tensor random_(const Tensor& self, Generator* gen) {
  return sample_(self, "RandomBackward2", [&] { random_range(self, 0, std::nullopt, gen); });
}

Tensor bernoulli_(const Tensor& self, double p, Generator* gen) {
  return sample_(self, "BernoulliBackward2", [&] {
    CRESSET_CHECK(p >= 0 && p <= 1, RuntimeError,
                  "[bernoulli_] bernoulli_ expects p to be in [0, 1], but got p=", p);
    return run_fill(self, spec_of(RandomDist::Bernoulli, p), gen, "bernoulli_");
  });
}

Tensor bernoulli_(const Tensor& self, const Tensor& p, Generator* gen) {
  const bool grad = begin_overwrite(self, p);
  Tensor prob = cpu_doubles(p, self.sizes(), "bernoulli_");
  const double* pd = prob.data<double>();
  for (int64_t i = 0; i < prob.numel(); ++i) {
    CRESSET_CHECK(pd[i] >= 0 && pd[i] <= 1, RuntimeError,
                  "[bernoulli_] Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  }
  run_random(self, spec_of(RandomDist::Bernoulli), gen, "bernoulli_",
             [&prob](const Tensor& out, const RandomSpec& s) {
               if (out.device().is_cpu()) {
                 cpu::bernoulli_tensor(out, prob, s);
               } else {
                 cuda::bernoulli_tensor_kernel(out, to(prob, DType::Float64, out.device()), s);
               }
             });
  if (grad) {
    // Samples carry no gradient, to self or to the probabilities.
    DimVector p_sizes = p.sizes();
    autograd::record("BernoulliBackward1", {self, p}, {self}, {},
                     [p_sizes](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor& g = c.grad();
                       return {zeros(g.sizes(), g.dtype(), g.device()),
                               zeros(p_sizes, g.dtype(), g.device())};
                     });
  }
  return self;
}

Tensor exponential_(const Tensor& self, double lambd, Generator* gen) {
  return sample_(self, "ExponentialBackward0", [&] {
    check_continuous(self, "Exponential");
    CRESSET_CHECK(lambd > 0.0, RuntimeError,
                  "[exponential_] exponential_ expects lambda > 0.0, but found lambda=", lambd);
    return run_fill(self, spec_of(RandomDist::Exponential, lambd), gen, "exponential_");
  });
}

Tensor geometric_(const Tensor& self, double p, Generator* gen) {
  return sample_(self, "GeometricBackward0", [&] {
    CRESSET_CHECK(self.dtype() != DType::Bool, NotImplementedError,
                  "\"geometric_cpu\" not implemented for 'Bool'");
    CRESSET_CHECK(p > 0 && p < 1, RuntimeError,
                  "[geometric_] geometric_ expects p to be in (0, 1), but got p=", p);
    return run_fill(self, spec_of(RandomDist::Geometric, p), gen, "geometric_");
  });
}

Tensor log_normal_(const Tensor& self, double mean, double std, Generator* gen) {
  return sample_(self, "LogNormalBackward0", [&] {
    check_floating(self, "log_normal_cpu");
    CRESSET_CHECK(std > 0.0, RuntimeError,
                  "[log_normal_] log_normal_ expects std > 0.0, but found std=", std);
    return run_fill(self, spec_of(RandomDist::LogNormal, mean, std), gen, "log_normal_");
  });
}

Tensor cauchy_(const Tensor& self, double median, double sigma, Generator* gen) {
  return sample_(self, "CauchyBackward0", [&] {
    check_continuous(self, "Cauchy");
    CRESSET_CHECK(sigma > 0.0, RuntimeError,
                  "[cauchy_] cauchy_ expects sigma > 0.0, but found sigma=", sigma);
    return run_fill(self, spec_of(RandomDist::Cauchy, median, sigma), gen, "cauchy_");
  });
}

// ---- factories --------------------------------------------------------------------------------

Tensor rand(const DimVector& sizes, DType dtype, Device device, Generator* gen) {
  return uniform_(empty_tensor(sizes, dtype, device), 0, 1, gen);
}

Tensor randn(const DimVector& sizes, DType dtype, Device device, Generator* gen) {
  return normal_(empty_tensor(sizes, dtype, device), 0, 1, gen);
}

Tensor randint(int64_t low, int64_t high, const DimVector& sizes, DType dtype, Device device,
               Generator* gen) {
  return random_(empty_tensor(sizes, dtype, device), low, high, gen);
}

Tensor randperm_out(int64_t n, const Tensor& out, Generator* gen) {
  CRESSET_CHECK(n >= 0, RuntimeError, "[randperm] n must be non-negative, got ", n);
  const DType t = out.dtype();
  CRESSET_CHECK(t != DType::Bool, NotImplementedError, "\"randperm\" not implemented for 'Bool'");
  const int64_t max = is_floating(t) ? (int64_t(1) << float_digits(t)) : int_max(t);
  CRESSET_CHECK(n == 0 || n - 1 <= max, RuntimeError,
                "[randperm] n is too large for result "
                "tensor type: '",
                dtype_name(t), "'");
  if (out.dim() != 1 || out.numel() != n) resize_tensor(out, {n});
  if (n == 0) return out;
  // Fisher-Yates from one Philox stream: inherently sequential, and cheap next to the copy.
  PhiloxState state = generator_for(gen, out.device(), "randperm").reserve(1);
  PhiloxStream stream(state.seed, state.offset);
  Tensor perm = empty_tensor({n}, DType::Int64);
  int64_t* p = perm.data<int64_t>();
  std::iota(p, p + n, int64_t(0));
  for (int64_t i = n - 1; i > 0; --i) {
    // A 64-bit draw scaled into [0, i] (multiply-high; the bias is below 2^-40 for any n here).
    uint64_t j = uint64_t((unsigned __int128)stream.next_u64() * uint64_t(i + 1) >> 64);
    std::swap(p[i], p[j]);
  }
  copy_into(out, perm);
  out.bump_version();
  return out;
}

Tensor randperm(int64_t n, DType dtype, Device device, Generator* gen) {
  return randperm_out(n, empty_tensor({0}, dtype, device), gen);
}

// ---- distributions with tensor parameters -----------------------------------------------------

namespace {

void check_std_nonnegative(const Tensor& std) {
  Tensor s = cpu_doubles(std, std.sizes(), "normal");
  const double* d = s.data<double>();
  for (int64_t i = 0; i < s.numel(); ++i) {
    CRESSET_CHECK(d[i] >= 0.0, RuntimeError, "[normal] normal expects all elements of std >= 0.0");
  }
}

}  // namespace

Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen) {
  check_std_nonnegative(std);
  DimVector shape = broadcast_shapes(mean.sizes(), std.sizes());
  Tensor out = normal_(empty_tensor(shape, mean.dtype(), mean.device()), 0, 1, gen);
  mul_(out, std);
  return add_(out, mean);
}

Tensor normal(const Tensor& mean, double std, Generator* gen) {
  CRESSET_CHECK(std >= 0.0, RuntimeError, "[normal] normal expects std >= 0.0, but found std ",
                std);
  Tensor out = normal_(empty_tensor(mean.sizes(), mean.dtype(), mean.device()), 0, std, gen);
  return add_(out, mean);
}

Tensor normal(double mean, const Tensor& std, Generator* gen) {
  check_std_nonnegative(std);
  Tensor out = normal_(empty_tensor(std.sizes(), std.dtype(), std.device()), 0, 1, gen);
  mul_(out, std);
  return add_(out, wrapped_scalar(Scalar(mean)));
}

Tensor normal(double mean, double std, const DimVector& sizes, DType dtype, Device device,
              Generator* gen) {
  return normal_(empty_tensor(sizes, dtype, device), mean, std, gen);
}

Tensor bernoulli(const Tensor& input, Generator* gen) {
  check_floating(input, "bernoulli_tensor_cpu_p_");
  return bernoulli_(empty_like(input, input.dtype(), input.device()), input, gen);
}

Tensor bernoulli(const Tensor& input, double p, Generator* gen) {
  return bernoulli_(empty_like(input, input.dtype(), input.device()), p, gen);
}

Tensor multinomial(const Tensor& input, int64_t num_samples, bool replacement, Generator* gen) {
  CRESSET_CHECK(is_floating(input.dtype()), RuntimeError,
                "[multinomial] multinomial only supports floating-point dtypes for input, got: ",
                dtype_display(input.dtype()));
  CRESSET_CHECK(input.dim() == 1 || input.dim() == 2, RuntimeError,
                "[multinomial] prob_dist must be 1 or 2 dim");
  const int64_t cats = input.size(-1);
  const int64_t rows = input.dim() == 2 ? input.size(0) : 1;
  CRESSET_CHECK(cats <= (int64_t(1) << 24), RuntimeError,
                "[multinomial] number of categories cannot exceed 2^24");
  CRESSET_CHECK(num_samples > 0, RuntimeError, "[multinomial] cannot sample n_sample <= 0 samples");
  CRESSET_CHECK(replacement || num_samples <= cats, RuntimeError,
                "[multinomial] cannot sample n_sample > prob_dist.size(-1) samples without "
                "replacement");
  Tensor probs = cpu_doubles(input, input.sizes(), "multinomial");
  const double* w = probs.data<double>();
  for (int64_t r = 0; r < rows; ++r) {
    double total = 0;
    for (int64_t c = 0; c < cats; ++c) {
      double v = w[r * cats + c];
      CRESSET_CHECK(std::isfinite(v) && v >= 0, RuntimeError,
                    "[multinomial] probability tensor contains either `inf`, `nan` or element < 0");
      total += v;
    }
    CRESSET_CHECK(total > 0, RuntimeError,
                  "[multinomial] invalid multinomial distribution (sum of probabilities <= 0)");
  }
  DimVector out_sizes = input.dim() == 2 ? DimVector{rows, num_samples} : DimVector{num_samples};
  Tensor result = empty_tensor(out_sizes, DType::Int64);
  int64_t* res = result.data<int64_t>();
  // Row r draws from its own stream (block offset + r), so rows run in parallel.
  PhiloxState state = generator_for(gen, input.device(), "multinomial").reserve(uint64_t(rows));
  parallel_for(0, rows, 1, [&](int64_t r0, int64_t r1) {
    std::vector<double> acc(static_cast<size_t>(cats));
    std::vector<int64_t> idx(static_cast<size_t>(cats));
    for (int64_t r = r0; r < r1; ++r) {
      const double* p = w + r * cats;
      int64_t* dst = res + r * num_samples;
      PhiloxStream stream(state.seed, state.offset + uint64_t(r));
      if (replacement) {
        // Inverse CDF: the first category whose cumulative weight exceeds u * total.
        std::partial_sum(p, p + cats, acc.begin());
        const double total = acc.back();
        int64_t last = cats - 1;
        while (p[last] == 0) --last;
        for (int64_t k = 0; k < num_samples; ++k) {
          double u = stream.next_open01() * total;
          int64_t c = std::upper_bound(acc.begin(), acc.end(), u) - acc.begin();
          dst[k] = std::min(c, last);
        }
      } else {
        // Without replacement: the num_samples largest p / Exp(1) keys (exponential race).
        for (int64_t c = 0; c < cats; ++c) acc[c] = p[c] / -std::log(stream.next_open01());
        std::iota(idx.begin(), idx.end(), int64_t(0));
        std::partial_sort(
            idx.begin(), idx.begin() + num_samples, idx.end(),
            [&](int64_t a, int64_t b) { return acc[a] > acc[b] || (acc[a] == acc[b] && a < b); });
        std::copy(idx.begin(), idx.begin() + num_samples, dst);
      }
    }
  });
  return input.device().is_cpu() ? result : to(result, DType::Int64, input.device());
}

namespace {

// One Poisson(lambda) sample: multiplication of uniforms for small rates, Hormann's PTRS
// transformed rejection for rates >= 10.
double poisson_sample(double lambda, PhiloxStream& s) {
  if (lambda == 0) return 0;
  if (lambda < 10) {
    const double limit = std::exp(-lambda);
    double prod = s.next_open01();
    int64_t k = 0;
    while (prod > limit) {
      prod *= s.next_open01();
      ++k;
    }
    return double(k);
  }
  const double slam = std::sqrt(lambda), loglam = std::log(lambda);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = s.next_open01() - 0.5, v = s.next_open01();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -lambda + k * loglam - std::lgamma(k + 1)) {
      return k;
    }
  }
}

}  // namespace

Tensor poisson(const Tensor& input, Generator* gen) {
  check_floating(input, "poisson_cpu");
  Tensor rates = cpu_doubles(input, input.sizes(), "poisson");
  double* r = rates.data<double>();
  const int64_t n = rates.numel();
  for (int64_t i = 0; i < n; ++i) {
    CRESSET_CHECK(r[i] >= 0, RuntimeError,
                  "[poisson] invalid Poisson rate, expected rate to be non-negative");
  }
  Tensor out = empty_like(input, input.dtype(), input.device());
  random_detail::for_each_stream(
      n, gen, input.device(), "poisson",
      [r](int64_t i, PhiloxStream& s) { r[i] = poisson_sample(r[i], s); });
  copy_into(out, rates);
  return out;
}

Tensor multinomial_out(const Tensor& input, int64_t num_samples, bool replacement, Generator* gen,
                       const Tensor& out) {
  Tensor r = multinomial(input, num_samples, replacement, gen);
  resize_out(out, r.sizes(), false);
  return write_out("multinomial", out, r, OutDtype::Exact);
}

}  // namespace cresset
