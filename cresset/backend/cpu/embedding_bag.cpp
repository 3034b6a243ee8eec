// EmbeddingBag on the CPU: the forward walks each bag's rows once (bags in parallel), the
// backward adds each gradient row into the weight rows of its bag's entries (columns in parallel,
// so the result does not depend on the thread count).
#include "cresset/backend/cpu/embedding_bag.h"

#include <algorithm>

#include "cresset/core/parallel.h"

namespace cresset::cpu {

namespace {

// Parallel chunks of about kGrainSize elements of work, `per_item` elements per item.
int64_t grain_for(int64_t per_item) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, per_item)); }

template <typename T>
void forward(const Tensor& out, const Tensor& argmax, const Tensor& weight,
             const EmbeddingBags& bags) {
  using A = opmath_t<T>;
  const int64_t dim = weight.sizes()[1];
  const int64_t* idx = bags.indices.data<int64_t>();
  const T* w = weight.data<T>();
  const T* psw = bags.per_sample_weights.defined() ? bags.per_sample_weights.data<T>() : nullptr;
  T* o = out.data<T>();
  int64_t* am = bags.mode == 2 ? argmax.data<int64_t>() : nullptr;
  const int64_t n = bags.num_bags();
  const int64_t per_bag = n > 0 ? (bags.starts.back() / n + 1) * dim : dim;
  parallel_for(0, n, grain_for(per_bag), [&](int64_t lo, int64_t hi) {
    std::vector<A> acc(dim);
    for (int64_t b = lo; b < hi; ++b) {
      std::fill(acc.begin(), acc.end(), A(0));
      int64_t* arg = am ? am + b * dim : nullptr;
      if (arg) std::fill(arg, arg + dim, int64_t(-1));
      int64_t count = 0;
      for (int64_t j = bags.starts[b]; j < bags.starts[b + 1]; ++j) {
        const int64_t r = idx[j];
        if (r == bags.padding_idx) continue;
        const T* row = w + r * dim;
        if (arg) {
          for (int64_t d = 0; d < dim; ++d) {
            A v = A(row[d]);
            // The first maximum wins ties; a NaN row value is taken (and kept) like torch's max.
            if (count == 0 || v > acc[d] || (v != v && acc[d] == acc[d])) {
              acc[d] = v;
              arg[d] = r;
            }
          }
        } else if (psw) {
          const A s = A(psw[j]);
          for (int64_t d = 0; d < dim; ++d) acc[d] += A(row[d]) * s;
        } else {
          for (int64_t d = 0; d < dim; ++d) acc[d] += A(row[d]);
        }
        ++count;
      }
      const A scale = bags.mode == 1 && count > 0 ? A(1) / A(count) : A(1);
      T* orow = o + b * dim;
      if (bags.mode == 1) {
        for (int64_t d = 0; d < dim; ++d) orow[d] = T(acc[d] * scale);
      } else {
        for (int64_t d = 0; d < dim; ++d) orow[d] = T(acc[d]);
      }
    }
  });
}

// Entry j's weight in its bag's output: its per-sample weight, 1 / the bag's count (mean) or 1.
template <typename A, typename T>
std::vector<A> entry_scales(const EmbeddingBags& bags, const T* psw, bool scale_grad_by_freq,
                            int64_t num_weights) {
  const int64_t* idx = bags.indices.data<int64_t>();
  const int64_t total = bags.starts.back();
  std::vector<A> scale(total, A(0));
  std::vector<int64_t> freq(scale_grad_by_freq ? num_weights : 0, 0);
  for (int64_t b = 0; b < bags.num_bags(); ++b) {
    int64_t count = 0;
    for (int64_t j = bags.starts[b]; j < bags.starts[b + 1]; ++j) {
      if (idx[j] == bags.padding_idx) continue;
      ++count;
      if (scale_grad_by_freq) ++freq[idx[j]];
    }
    for (int64_t j = bags.starts[b]; j < bags.starts[b + 1]; ++j) {
      if (idx[j] == bags.padding_idx) continue;
      scale[j] = psw ? A(psw[j]) : bags.mode == 1 ? A(1) / A(count) : A(1);
    }
  }
  if (scale_grad_by_freq) {
    for (int64_t j = 0; j < total; ++j) {
      if (idx[j] != bags.padding_idx) scale[j] /= A(freq[idx[j]]);
    }
  }
  return scale;
}

template <typename T>
void weight_grad(const Tensor& grad_weight, const Tensor& grad, const Tensor& argmax,
                 const EmbeddingBags& bags, bool scale_grad_by_freq) {
  using A = opmath_t<T>;
  const int64_t num_weights = grad_weight.sizes()[0], dim = grad_weight.sizes()[1];
  const int64_t n = bags.num_bags();
  const T* g = grad.data<T>();
  T* gw = grad_weight.data<T>();
  if (bags.mode == 2) {
    const int64_t* am = argmax.data<int64_t>();
    parallel_for(0, dim, grain_for(n), [&](int64_t lo, int64_t hi) {
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t d = lo; d < hi; ++d) {
          const int64_t r = am[b * dim + d];
          if (r >= 0) gw[r * dim + d] = T(A(gw[r * dim + d]) + A(g[b * dim + d]));
        }
      }
    });
    return;
  }
  const T* psw = bags.per_sample_weights.defined() ? bags.per_sample_weights.data<T>() : nullptr;
  const std::vector<A> scale = entry_scales<A>(bags, psw, scale_grad_by_freq, num_weights);
  const int64_t* idx = bags.indices.data<int64_t>();
  parallel_for(0, dim, grain_for(bags.starts.back()), [&](int64_t lo, int64_t hi) {
    for (int64_t b = 0; b < n; ++b) {
      const T* grow = g + b * dim;
      for (int64_t j = bags.starts[b]; j < bags.starts[b + 1]; ++j) {
        if (idx[j] == bags.padding_idx) continue;
        T* wrow = gw + idx[j] * dim;
        const A s = scale[j];
        for (int64_t d = lo; d < hi; ++d) wrow[d] = T(A(wrow[d]) + A(grow[d]) * s);
      }
    }
  });
}

template <typename T>
void sample_weight_grad(const Tensor& grad_psw, const Tensor& grad, const Tensor& weight,
                        const EmbeddingBags& bags) {
  using A = opmath_t<T>;
  const int64_t dim = weight.sizes()[1];
  const int64_t* idx = bags.indices.data<int64_t>();
  const T* g = grad.data<T>();
  const T* w = weight.data<T>();
  T* out = grad_psw.data<T>();
  const int64_t n = bags.num_bags();
  parallel_for(0, n, grain_for(dim), [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; ++b) {
      for (int64_t j = bags.starts[b]; j < bags.starts[b + 1]; ++j) {
        A dot = 0;
        if (idx[j] != bags.padding_idx) {
          const T* row = w + idx[j] * dim;
          for (int64_t d = 0; d < dim; ++d) dot += A(g[b * dim + d]) * A(row[d]);
        }
        out[j] = T(dot);
      }
    }
  });
}

}  // namespace

void embedding_bag_forward(const Tensor& out, const Tensor& argmax, const Tensor& weight,
                           const EmbeddingBags& bags) {
  CRESSET_DISPATCH_FLOAT("embedding_bag", weight.dtype(),
                         [&] { forward<scalar_t>(out, argmax, weight, bags); });
}

void embedding_bag_weight_grad(const Tensor& grad_weight, const Tensor& grad, const Tensor& argmax,
                               const EmbeddingBags& bags, bool scale_grad_by_freq) {
  CRESSET_DISPATCH_FLOAT("embedding_bag_backward", grad.dtype(), [&] {
    weight_grad<scalar_t>(grad_weight, grad, argmax, bags, scale_grad_by_freq);
  });
}

void embedding_bag_sample_weight_grad(const Tensor& grad_psw, const Tensor& grad,
                                      const Tensor& weight, const EmbeddingBags& bags) {
  CRESSET_DISPATCH_FLOAT("embedding_bag_backward", grad.dtype(),
                         [&] { sample_weight_grad<scalar_t>(grad_psw, grad, weight, bags); });
}

}  // namespace cresset::cpu
