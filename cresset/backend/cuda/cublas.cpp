// Note [cuBLAS loading]
// cuBLAS is optional. The build needs only its headers (the toolkit's or those of NVIDIA's pip
// wheel); the library is opened with dlopen on the first CUDA matmul, so importing cresset never
// needs it and a machine without it still multiplies, with cresset's own GEMM kernel (linalg.cu).
// The search order: the dynamic loader's own (LD_LIBRARY_PATH, the system, a copy already loaded by
// another library), then NVIDIA's wheel next to cresset's package in site-packages, then the wheel
// the build found. cudart is linked statically, so cuBLAS and cresset share the driver context.
#include "cresset/backend/cuda/cublas.h"

#include <dlfcn.h>

#include <atomic>
#include <string>

#include "cresset/backend/cuda/cuda_check.h"

#if defined(CRESSET_HAVE_CUBLAS)
#include <cublas_v2.h>
#endif

namespace cresset::cuda::impl {

namespace {
std::atomic<bool> enabled{true};
std::atomic<bool> allow_tf32{false};  // torch's default: float32 products in full precision
}  // namespace

#if defined(CRESSET_HAVE_CUBLAS)

namespace {

constexpr int kMaxDevices = 64;

struct CublasApi {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  decltype(&cublasSgemmStridedBatched) sgemm = nullptr;
  decltype(&cublasDgemmStridedBatched) dgemm = nullptr;
  // cublasGemmStridedBatchedEx (the header overloads the name, so its type is spelled out).
  cublasStatus_t (*gemm_ex)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                            const void*, const void*, cudaDataType, int, long long, const void*,
                            cudaDataType, int, long long, const void*, void*, cudaDataType, int,
                            long long, int, cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
  std::string path;
};

void* open_cublas(std::string* path) {
  const std::string name = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  // A wheel installs libcresset.so in site-packages/cresset/lib, NVIDIA's in site-packages/nvidia.
  const std::string wheel = library_dir() + "/../../nvidia/";
  const std::string candidates[] = {
      name, wheel + "cu" + std::to_string(CUBLAS_VER_MAJOR) + "/lib/" + name,
      wheel + "cublas/lib/" + name, std::string(CRESSET_CUBLAS_LIB_DIR) + "/" + name};
  for (const std::string& c : candidates) {
    if (void* h = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      *path = c;
      return h;
    }
  }
  return nullptr;
}

// The loaded API, or null when cuBLAS can't be found or lacks a symbol (looked up once).
const CublasApi* api() {
  static const CublasApi* loaded = []() -> const CublasApi* {
    auto* a = new CublasApi();  // leaked with the library: cuBLAS is never unloaded
    void* h = open_cublas(&a->path);
    if (!h) return nullptr;
    a->create = reinterpret_cast<decltype(a->create)>(dlsym(h, "cublasCreate_v2"));
    a->set_stream = reinterpret_cast<decltype(a->set_stream)>(dlsym(h, "cublasSetStream_v2"));
    a->sgemm = reinterpret_cast<decltype(a->sgemm)>(dlsym(h, "cublasSgemmStridedBatched"));
    a->dgemm = reinterpret_cast<decltype(a->dgemm)>(dlsym(h, "cublasDgemmStridedBatched"));
    a->gemm_ex = reinterpret_cast<decltype(a->gemm_ex)>(dlsym(h, "cublasGemmStridedBatchedEx"));
    if (!a->create || !a->set_stream || !a->sgemm || !a->dgemm || !a->gemm_ex) return nullptr;
    return a;
  }();
  return loaded;
}

void check_blas(cublasStatus_t s, const char* op) {
  if (s != CUBLAS_STATUS_SUCCESS) {
    throw RuntimeError(str_cat("[", op, "] cuBLAS error (cublasStatus_t ", int(s), ")"));
  }
}

// One handle per thread and device, created on first use and kept for the thread's lifetime
// (cuBLAS handles are cheap to keep and slow to create; one per thread avoids locking).
cublasHandle_t handle(const CublasApi& a, int device, const char* op) {
  thread_local cublasHandle_t handles[kMaxDevices] = {};
  if (!handles[device]) check_blas(a.create(&handles[device]), op);
  return handles[device];
}

cublasOperation_t op_of(bool trans) { return trans ? CUBLAS_OP_T : CUBLAS_OP_N; }

// The products cublasGemmStridedBatchedEx runs: the 16-bit floats on the tensor cores, and float32
// in TF32 when allowed, all accumulating in float32 (alpha and beta are float32).
void gemm_ex(const CublasApi& a, cublasHandle_t h, const BlasGemm& g, const char* op) {
  const cudaDataType type = g.dtype == DType::Float16    ? CUDA_R_16F
                            : g.dtype == DType::BFloat16 ? CUDA_R_16BF
                                                         : CUDA_R_32F;
  const cublasComputeType_t compute =
      g.dtype == DType::Float32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  const float alpha = float(g.alpha), beta = float(g.beta);
  check_blas(a.gemm_ex(h, op_of(g.trans_a), op_of(g.trans_b), g.m, g.n, g.k, &alpha, g.a, type,
                       g.lda, g.stride_a, g.b, type, g.ldb, g.stride_b, &beta, g.c, type, g.ldc,
                       g.stride_c, g.batch, compute, CUBLAS_GEMM_DEFAULT),
             op);
}

}  // namespace

bool cublas_ready() { return enabled.load() && api() != nullptr; }

std::string cublas_path() {
  const CublasApi* a = api();
  return a ? a->path : "";
}

void blas_gemm(const char* op, const BlasGemm& g, int device) {
  const CublasApi* a = api();
  CRESSET_CHECK(a, RuntimeError, "[", op, "] cuBLAS is not available");
  DeviceGuard guard(device);
  cublasHandle_t h = handle(*a, device, op);
  check_blas(a->set_stream(h, stream_of(device)), op);
  if (g.dtype == DType::Float16 || g.dtype == DType::BFloat16 ||
      (g.dtype == DType::Float32 && allow_tf32.load())) {
    gemm_ex(*a, h, g, op);
  } else if (g.dtype == DType::Float64) {
    const double alpha = g.alpha, beta = g.beta;
    check_blas(a->dgemm(h, op_of(g.trans_a), op_of(g.trans_b), g.m, g.n, g.k, &alpha,
                        static_cast<const double*>(g.a), g.lda, g.stride_a,
                        static_cast<const double*>(g.b), g.ldb, g.stride_b, &beta,
                        static_cast<double*>(g.c), g.ldc, g.stride_c, g.batch),
               op);
  } else {
    const float alpha = float(g.alpha), beta = float(g.beta);
    check_blas(
        a->sgemm(h, op_of(g.trans_a), op_of(g.trans_b), g.m, g.n, g.k, &alpha,
                 static_cast<const float*>(g.a), g.lda, g.stride_a, static_cast<const float*>(g.b),
                 g.ldb, g.stride_b, &beta, static_cast<float*>(g.c), g.ldc, g.stride_c, g.batch),
        op);
  }
}

#else  // built without cuBLAS headers: cresset's own GEMM kernel does every product

bool cublas_ready() { return false; }
std::string cublas_path() { return ""; }
void blas_gemm(const char* op, const BlasGemm&, int) {
  throw RuntimeError(str_cat("[", op, "] cresset was built without cuBLAS"));
}

#endif

void set_cublas_enabled(bool on) { enabled.store(on); }
void set_allow_tf32(bool on) { allow_tf32.store(on); }

}  // namespace cresset::cuda::impl
