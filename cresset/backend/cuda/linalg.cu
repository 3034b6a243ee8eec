// The linalg family on CUDA: batched GEMM (cuBLAS when loaded, else cresset's own tiled kernel; see
// Note [CUDA GEMM]), trace and cross.
#include <climits>
#include <initializer_list>
#include <type_traits>

#include "cresset/backend/copy.h"
#include "cresset/backend/cuda/cublas.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

// Note [CUDA GEMM]
// The op passes c [..., m, n] = a [..., m, k] @ b [..., k, n] with equal (possibly broadcast)
// batch dims. Each operand is reduced to (pointer, batch stride, row stride, column stride): batch
// dims that don't collapse into one stride are made contiguous first (a broadcast a or b keeps
// stride 0). cuBLAS (column-major) additionally needs each matrix to have a unit stride on one
// side and a leading dim at least the other side's size; an operand that doesn't is copied
// contiguous, and a c that doesn't is computed into a contiguous buffer and copied back. Int64
// products, and every product when cuBLAS is absent or disabled, run gemm_tiled_kernel, which
// takes any strides (16-bit operands through float32 copies). cuBLAS multiplies the 16-bit floats
// on the tensor cores, accumulating in float32, and float32 in TF32 when allow_tf32 is set.

// A matrix operand: element (b, i, j) at ptr + b * bs + i * rs + j * cs (elements).
struct Mat {
  char* ptr;
  int64_t bs, rs, cs;
};

// The one stride that walks t's batch dims (the first nb) in row-major order, or false when they
// don't collapse into one.
bool batch_stride(const Tensor& t, int64_t nb, int64_t* out) {
  int64_t stride = 0, span = 1;
  bool have = false;
  for (int64_t d = nb - 1; d >= 0; --d) {
    if (t.size(d) == 1) continue;
    if (!have) {
      stride = t.stride(d);
      have = true;
    } else if (t.stride(d) != stride * span) {
      return false;
    }
    span *= t.size(d);
  }
  *out = stride;
  return true;
}

Mat mat_of(const Tensor& t, int64_t bs) {
  return {static_cast<char*>(t.raw_data()), bs, t.stride(-2), t.stride(-1)};
}

// t, or a contiguous copy of it, whose batch dims collapse into one stride.
Tensor collapsible(const Tensor& t, int64_t nb, int64_t* bs) {
  if (batch_stride(t, nb, bs)) return t;
  Tensor c = t.contiguous();
  *bs = c.size(-2) * c.size(-1);
  return c;
}

// Leading dim of a rows x cols matrix stored column-major (rs unit), or 0 when it isn't.
int64_t col_major_ld(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  const int64_t need = rows > 1 ? rows : 1;
  if (rs != 1 && rows != 1) return 0;
  if (cols == 1) return need;
  return cs >= need ? cs : 0;
}

// ---- cresset's own kernel ----
constexpr int kTile = 64, kTileK = 16, kSide = 16, kPer = kTile / kSide;
constexpr int kGemmThreads = kSide * kSide;
constexpr int64_t kMaxGridYZ = 65535;

// Integer products accumulate in uint64 (wrap-around is defined there and exact modulo 2^64).
template <typename T>
using GemmAcc = std::conditional_t<std::is_integral_v<T>, uint64_t, T>;

// Each block computes a kTile x kTile tile of one C matrix, stepping over k in kTileK slices
// staged in shared memory; each thread owns kPer x kPer outputs spaced kSide apart.
template <typename T>
__global__ void __launch_bounds__(kGemmThreads)
    gemm_tiled_kernel(int64_t batch, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c,
                      GemmAcc<T> alpha, GemmAcc<T> beta, bool beta_zero) {
  using Acc = GemmAcc<T>;
  __shared__ Acc as[kTileK][kTile + 1];
  __shared__ Acc bsh[kTileK][kTile + 1];
  const int tx = int(threadIdx.x) % kSide, ty = int(threadIdx.x) / kSide;
  const int64_t col0 = int64_t(blockIdx.x) * kTile;
  const int64_t row_tiles = (m + kTile - 1) / kTile;
  for (int64_t z = blockIdx.z; z < batch; z += gridDim.z) {
    const T* pa = reinterpret_cast<const T*>(a.ptr) + z * a.bs;
    const T* pb = reinterpret_cast<const T*>(b.ptr) + z * b.bs;
    T* pc = reinterpret_cast<T*>(c.ptr) + z * c.bs;
    for (int64_t ry = blockIdx.y; ry < row_tiles; ry += gridDim.y) {
      const int64_t row0 = ry * kTile;
      Acc acc[kPer][kPer];
#pragma unroll
      for (int i = 0; i < kPer; ++i) {
#pragma unroll
        for (int j = 0; j < kPer; ++j) acc[i][j] = Acc(0);
      }
      for (int64_t k0 = 0; k0 < k; k0 += kTileK) {
        for (int e = int(threadIdx.x); e < kTile * kTileK; e += kGemmThreads) {
          const int r = e / kTileK, ka = e % kTileK;  // a: row r of the tile, k offset ka
          const int64_t gr = row0 + r, gka = k0 + ka;
          as[ka][r] = gr < m && gka < k ? Acc(pa[gr * a.rs + gka * a.cs]) : Acc(0);
          const int kb = e / kTile, col = e % kTile;  // b: k offset kb, column col of the tile
          const int64_t gkb = k0 + kb, gc = col0 + col;
          bsh[kb][col] = gkb < k && gc < n ? Acc(pb[gkb * b.rs + gc * b.cs]) : Acc(0);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < kTileK; ++kk) {
          Acc av[kPer], bv[kPer];
#pragma unroll
          for (int i = 0; i < kPer; ++i) av[i] = as[kk][ty + kSide * i];
#pragma unroll
          for (int j = 0; j < kPer; ++j) bv[j] = bsh[kk][tx + kSide * j];
#pragma unroll
          for (int i = 0; i < kPer; ++i) {
#pragma unroll
            for (int j = 0; j < kPer; ++j) acc[i][j] += av[i] * bv[j];
          }
        }
        __syncthreads();
      }
#pragma unroll
      for (int i = 0; i < kPer; ++i) {
#pragma unroll
        for (int j = 0; j < kPer; ++j) {
          const int64_t r = row0 + ty + kSide * i, col = col0 + tx + kSide * j;
          if (r < m && col < n) {
            T* p = pc + r * c.rs + col * c.cs;
            // beta == 0 writes without reading c (NaNs in it are ignored, as in BLAS).
            *p = beta_zero ? T(alpha * acc[i][j]) : T(alpha * acc[i][j] + beta * Acc(*p));
          }
        }
      }
    }
  }
}

// One product as the kernels see it.
struct GemmCall {
  DType dtype;
  int64_t m, n, k, batch;
  Mat a, b, c;
  Scalar alpha, beta;
  bool beta_zero;
  int device;
};

void own_gemm(const GemmCall& g) {
  const int64_t col_tiles = (g.n + kTile - 1) / kTile, row_tiles = (g.m + kTile - 1) / kTile;
  CRESSET_CHECK(col_tiles <= INT_MAX, NotImplementedError, "[matmul] ", g.n,
                " columns are more than the CUDA GEMM kernel takes");
  const dim3 grid(unsigned(col_tiles), unsigned(row_tiles < kMaxGridYZ ? row_tiles : kMaxGridYZ),
                  unsigned(g.batch < kMaxGridYZ ? g.batch : kMaxGridYZ));
  DeviceGuard guard(g.device);
  cudaStream_t stream = stream_of(g.device);
  switch (g.dtype) {
    case DType::Float32:
      gemm_tiled_kernel<float><<<grid, kGemmThreads, 0, stream>>>(g.batch, g.m, g.n, g.k, g.a, g.b,
                                                                  g.c, g.alpha.to<float>(),
                                                                  g.beta.to<float>(), g.beta_zero);
      break;
    case DType::Float64:
      gemm_tiled_kernel<double><<<grid, kGemmThreads, 0, stream>>>(
          g.batch, g.m, g.n, g.k, g.a, g.b, g.c, g.alpha.to<double>(), g.beta.to<double>(),
          g.beta_zero);
      break;
    default:
      gemm_tiled_kernel<int64_t><<<grid, kGemmThreads, 0, stream>>>(
          g.batch, g.m, g.n, g.k, g.a, g.b, g.c, uint64_t(g.alpha.to<int64_t>()),
          uint64_t(g.beta.to<int64_t>()), g.beta_zero);
      break;
  }
  check_launch("matmul");
}

// x (rows x cols) as a cuBLAS operand: op N with its column-major leading dim, or op T with the
// leading dim of its column-major transpose; false when neither layout fits.
bool blas_operand(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool* trans, int64_t* ld) {
  if ((*ld = col_major_ld(rows, cols, rs, cs)) > 0) {
    *trans = false;
  } else if ((*ld = col_major_ld(cols, rows, cs, rs)) > 0) {
    *trans = true;
  } else {
    return false;
  }
  return true;
}

bool fits_int(std::initializer_list<int64_t> values) {
  for (int64_t v : values) {
    if (v > INT_MAX) return false;
  }
  return true;
}

// Runs g with cuBLAS when c's layout and every size allow; false leaves it to own_gemm. `ta` and
// `tb` hold a and b, which an unusable layout replaces by a contiguous copy (updating g).
bool try_cublas(GemmCall& g, Tensor& ta, Tensor& tb) {
  if (g.dtype == DType::Int64 || g.k == 0 || !cublas_ready()) return false;
  // Column-major C: C = A @ B. Row-major C: C^T = B^T @ A^T, the same product transposed.
  int64_t ldc = col_major_ld(g.m, g.n, g.c.rs, g.c.cs);
  const bool transposed = ldc == 0;
  if (transposed && (ldc = col_major_ld(g.n, g.m, g.c.cs, g.c.rs)) == 0) return false;
  BlasGemm bg;
  bg.dtype = g.dtype;
  int64_t lda = 0, ldb = 0;
  // x: the left operand in cuBLAS's terms, y: the right one, each with its own strides.
  auto operand = [&](Tensor& t, Mat& mat, bool left, bool* trans, int64_t* ld) {
    const int64_t rows = left ? (transposed ? g.n : g.m) : g.k;
    const int64_t cols = left ? g.k : (transposed ? g.m : g.n);
    const int64_t rs = transposed ? mat.cs : mat.rs, cs = transposed ? mat.rs : mat.cs;
    if (blas_operand(rows, cols, rs, cs, trans, ld)) return;
    t = t.contiguous();
    mat = mat_of(t, t.size(-2) * t.size(-1));
    const int64_t rs2 = transposed ? mat.cs : mat.rs, cs2 = transposed ? mat.rs : mat.cs;
    blas_operand(rows, cols, rs2, cs2, trans, ld);
  };
  Mat& x = transposed ? g.b : g.a;
  Mat& y = transposed ? g.a : g.b;
  operand(transposed ? tb : ta, x, true, &bg.trans_a, &lda);
  operand(transposed ? ta : tb, y, false, &bg.trans_b, &ldb);
  const int64_t mm = transposed ? g.n : g.m, nn = transposed ? g.m : g.n;
  if (!fits_int({mm, nn, g.k, g.batch, lda, ldb, ldc})) return false;
  bg.m = int(mm);
  bg.n = int(nn);
  bg.k = int(g.k);
  bg.batch = int(g.batch);
  bg.a = x.ptr;
  bg.lda = int(lda);
  bg.stride_a = x.bs;
  bg.b = y.ptr;
  bg.ldb = int(ldb);
  bg.stride_b = y.bs;
  bg.c = g.c.ptr;
  bg.ldc = int(ldc);
  bg.stride_c = g.c.bs;
  bg.alpha = g.alpha.to_double();
  bg.beta = g.beta.to_double();
  blas_gemm("matmul", bg, g.device);
  return true;
}

// ---- trace and cross ----
template <typename T, typename Out>
__global__ void __launch_bounds__(kBlockThreads)
    trace_kernel_impl(const T* p, int64_t n, int64_t step, Out* out) {
  // torch's accumulation types: double for floating dtypes, int64 for integers.
  using Acc = std::conditional_t<std::is_integral_v<T>, int64_t, double>;
  __shared__ Acc part[kBlockThreads];
  Acc s = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += Acc(opmath_t<T>(p[i * step]));
  part[threadIdx.x] = s;
  __syncthreads();
  for (int w = kBlockThreads / 2; w > 0; w /= 2) {
    if (int(threadIdx.x) < w) part[threadIdx.x] += part[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) *out = Out(opmath_t<Out>(part[0]));
}

template <typename T>
struct Cross {
  int64_t so, sa, sb;  // element strides along the vector dim
  __device__ void operator()(char* (&p)[3]) const {
    using M = opmath_t<T>;
    T* o = reinterpret_cast<T*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    const T* y = reinterpret_cast<const T*>(p[2]);
    const M x0 = M(x[0]), x1 = M(x[sa]), x2 = M(x[2 * sa]);
    const M y0 = M(y[0]), y1 = M(y[sb]), y2 = M(y[2 * sb]);
    o[0] = T(M(x1 * y2 - x2 * y1));
    o[so] = T(M(x2 * y0 - x0 * y2));
    o[2 * so] = T(M(x0 * y1 - x1 * y0));
  }
};

// The view of t's first vector components: size 1 along `dim`.
Tensor first_components(const Tensor& t, int64_t dim) {
  DimVector sizes = t.sizes();
  sizes[size_t(dim)] = 1;
  return t.as_strided_view(sizes, t.strides(), t.storage_offset());
}

bool is_16bit(DType t) { return t == DType::Float16 || t == DType::BFloat16; }

}  // namespace

void batched_gemm(const Tensor& c, const Tensor& a, const Tensor& b, Scalar alpha, Scalar beta);

namespace {

// A 16-bit product without cuBLAS: cresset's own kernel multiplies float32 copies, as the CPU
// does, and the result is rounded into c once.
void widened_gemm(const Tensor& c, const Tensor& a, const Tensor& b, Scalar alpha, Scalar beta) {
  auto widen = [](const Tensor& t) {
    Tensor w = empty_tensor(t.sizes(), DType::Float32, t.device());
    copy_into(w, t);
    return w;
  };
  const Tensor c32 = widen(c);
  batched_gemm(c32, widen(a), widen(b), alpha, beta);
  copy_into(c, c32);
}

}  // namespace

void batched_gemm(const Tensor& c, const Tensor& a, const Tensor& b, Scalar alpha, Scalar beta) {
  const int64_t nb = c.dim() - 2;
  int64_t batch = 1;
  for (int64_t d = 0; d < nb; ++d) batch *= c.size(d);
  const int64_t m = c.size(-2), n = c.size(-1), k = a.size(-1);
  if (batch == 0 || m == 0 || n == 0) return;
  const DType dtype = c.dtype();
  const bool beta_zero = dtype == DType::Int64 ? beta.to<int64_t>() == 0 : beta.to_double() == 0.0;
  // c itself when its batch dims collapse (its matrix layout is checked by try_cublas), else a
  // contiguous buffer copied back at the end.
  Tensor target = c;
  int64_t cbs = 0;
  if (!batch_stride(c, nb, &cbs)) {
    target = empty_tensor(c.sizes(), dtype, c.device());
    if (!beta_zero) copy_into(target, c);
    cbs = m * n;
  }
  int64_t a_bs = 0, b_bs = 0;
  Tensor ta = collapsible(a, nb, &a_bs), tb = collapsible(b, nb, &b_bs);
  GemmCall g{dtype,
             m,
             n,
             k,
             batch,
             mat_of(ta, a_bs),
             mat_of(tb, b_bs),
             mat_of(target, cbs),
             alpha,
             beta,
             beta_zero,
             c.device().index};
  bool done = try_cublas(g, ta, tb);
  if (!done && target.is_same(c) && cublas_ready() && dtype != DType::Int64 && k > 0) {
    // cuBLAS can't write c's layout: compute into a contiguous buffer with it instead.
    target = empty_tensor(c.sizes(), dtype, c.device());
    if (!beta_zero) copy_into(target, c);
    g.c = mat_of(target, m * n);
    done = try_cublas(g, ta, tb);
  }
  if (!done && is_16bit(dtype)) {
    widened_gemm(target, ta, tb, alpha, beta);
  } else if (!done) {
    own_gemm(g);
  }
  if (!target.is_same(c)) copy_into(c, target);
}

void trace_kernel(const Tensor& out, const Tensor& self) {
  const int64_t n = self.size(0) < self.size(1) ? self.size(0) : self.size(1);
  const int64_t step = self.stride(0) + self.stride(1);
  const int device = self.device().index;
  DeviceGuard guard(device);
  CRESSET_DISPATCH_NUMERIC("trace", self.dtype(), [&] {
    using Out = std::conditional_t<std::is_integral_v<scalar_t>, int64_t, scalar_t>;
    trace_kernel_impl<scalar_t, Out><<<1, kBlockThreads, 0, stream_of(device)>>>(
        self.data<scalar_t>(), n, step, out.data<Out>());
  });
  check_launch("trace");
}

void cross_kernel(const Tensor& out, const Tensor& a, const Tensor& b, int64_t dim) {
  TensorIter it = TensorIterConfig("cross")
                      .add_output(first_components(out, dim))
                      .add_input(first_components(a, dim))
                      .add_input(first_components(b, dim))
                      .promote_inputs(false)
                      .is_inplace(true)
                      .build();
  CRESSET_DISPATCH_NUMERIC("cross", out.dtype(), [&] {
    launch_elementwise<3>("cross", it,
                          Cross<scalar_t>{out.stride(dim), a.stride(dim), b.stride(dim)});
  });
}

}  // namespace cresset::cuda::impl
