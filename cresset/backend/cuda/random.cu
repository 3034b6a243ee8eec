// Random fills of CUDA tensors, with exactly the values a CPU tensor gets under the same seed (see
// Note [Random number generation]). Bernoulli draws with a scalar probability (dropout's masks)
// are made on the device: they compare one Philox word against p, arithmetic the device repeats
// bit for bit. The other distributions go through transcendental functions whose last bits
// differ between the CPU's vector math and the device's, so they are drawn by the CPU kernels
// and copied to the device.
#include "cresset/backend/common/philox.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/random_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

// One thread per Philox block. The CPU kernels lay a batch of kPhiloxBatch blocks out word-major:
// element k of a batch is word k / kPhiloxBatch of the batch's block k % kPhiloxBatch.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    bernoulli_fill(T* out, int64_t n, int64_t blocks, uint64_t seed, uint64_t offset, double p) {
  CRESSET_GRID_STRIDE(b, blocks) {
    uint32_t words[4];
    philox4x32_10(seed, offset + uint64_t(b), 0, words);
    const int64_t first = (b / kPhiloxBatch) * (4 * kPhiloxBatch) + b % kPhiloxBatch;
#pragma unroll
    for (int w = 0; w < 4; ++w) {
      const int64_t i = first + int64_t(w) * kPhiloxBatch;
      if (i < n) out[i] = T(float(double(words[w]) * 0x1.0p-32 < p));
    }
  }
}

void device_bernoulli(const Tensor& out, const RandomSpec& spec) {
  const int device = out.device().index;
  DeviceGuard guard(device);
  // Enough Philox blocks for n words, rounded past the last (partial) batch.
  const int64_t n = out.numel(), blocks = (n + 3) / 4 + kPhiloxBatch;
  CRESSET_DISPATCH_ALL("bernoulli_", out.dtype(), [&] {
    bernoulli_fill<scalar_t><<<blocks_for(blocks), kBlockThreads, 0, stream_of(device)>>>(
        static_cast<scalar_t*>(out.raw_data()), n, blocks, spec.seed, spec.offset, spec.a);
  });
  check_launch("bernoulli_");
}

}  // namespace

void random_fill_kernel(const Tensor& out, const RandomSpec& spec) {
  if (spec.dist == RandomDist::Bernoulli) return device_bernoulli(out, spec);
  Tensor host = empty_tensor(out.sizes(), out.dtype(), Device());
  cpu::random_fill(host, spec);
  copy_into(out, host);
}

void bernoulli_tensor_kernel(const Tensor& out, const Tensor& p, const RandomSpec& spec) {
  Tensor host_p = empty_tensor(p.sizes(), p.dtype(), Device());
  copy_into(host_p, p);
  Tensor host = empty_tensor(out.sizes(), out.dtype(), Device());
  cpu::bernoulli_tensor(host, host_p, spec);
  copy_into(out, host);
}

void check_generator_device(int index) { check_device(index < 0 ? current_device() : index); }

}  // namespace cresset::cuda::impl
