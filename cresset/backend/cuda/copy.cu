// Copies, casts and fills on CUDA, and copies between devices (see backend/copy.cpp for routing).
#include <cstring>

#include "cresset/backend/copy.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

// A raw element of `Size` bytes: same-dtype copies move bits, whatever the dtype.
template <int Size>
struct alignas(Size) Bits {
  unsigned char b[Size];
};

template <int Size>
struct CopyBits {
  __device__ void operator()(char* (&p)[2]) const {
    *reinterpret_cast<Bits<Size>*>(p[0]) = *reinterpret_cast<const Bits<Size>*>(p[1]);
  }
};

template <int Size>
struct FillBits {
  Bits<Size> value;
  __device__ void operator()(char* (&p)[1]) const { *reinterpret_cast<Bits<Size>*>(p[0]) = value; }
};

// A value read from any dtype: integers (and bool) exactly as int64, floats as double.
struct AnyValue {
  bool is_float;
  double f;
  int64_t i;
};

__device__ AnyValue load_any(const char* p, DType t) {
  switch (t) {
#define CRESSET_LOAD(T, NAME, STR)                                           \
  case DType::NAME:                                                          \
    if constexpr (!std::is_integral_v<T>) {                                  \
      return {true, double(opmath_t<T>(*reinterpret_cast<const T*>(p))), 0}; \
    } else {                                                                 \
      return {false, 0.0, int64_t(*reinterpret_cast<const T*>(p))};          \
    }
    CRESSET_FORALL_DTYPES(CRESSET_LOAD)
#undef CRESSET_LOAD
  }
  return {false, 0.0, 0};
}

// Stores v converted like a C++ cast (floats to integers through int64, so negative values wrap
// into unsigned types as on the CPU; anything non-zero, NaN included, is true).
__device__ void store_any(char* p, DType t, AnyValue v) {
  switch (t) {
    case DType::Bool:
      *reinterpret_cast<bool*>(p) = v.is_float ? v.f != 0.0 : v.i != 0;
      return;
#define CRESSET_STORE(T, NAME, STR)                                  \
  case DType::NAME:                                                  \
    if constexpr (std::is_integral_v<T>) {                           \
      *reinterpret_cast<T*>(p) = T(v.is_float ? int64_t(v.f) : v.i); \
    } else {                                                         \
      using M = opmath_t<T>;                                         \
      *reinterpret_cast<T*>(p) = T(v.is_float ? M(v.f) : M(v.i));    \
    }                                                                \
    return;
      CRESSET_STORE(uint8_t, UInt8, "")
      CRESSET_STORE(int8_t, Int8, "")
      CRESSET_STORE(int16_t, Int16, "")
      CRESSET_STORE(int32_t, Int32, "")
      CRESSET_STORE(int64_t, Int64, "")
      CRESSET_STORE(Half, Float16, "")
      CRESSET_STORE(BFloat16, BFloat16, "")
      CRESSET_STORE(float, Float32, "")
      CRESSET_STORE(double, Float64, "")
#undef CRESSET_STORE
  }
}

// Casts between any two dtypes with one instantiation: the dtypes are read at run time (a cast is
// memory-bound, so the switch costs nothing measurable and saves 90 template instantiations).
struct CastAny {
  DType out, in;
  __device__ void operator()(char* (&p)[2]) const { store_any(p[0], out, load_any(p[1], in)); }
};

void copy_same_dtype(TensorIter& it) {
  switch (itemsize(it.dtype(0))) {
    case 1:
      return launch_elementwise<2>("copy_", it, CopyBits<1>{});
    case 2:
      return launch_elementwise<2>("copy_", it, CopyBits<2>{});
    case 4:
      return launch_elementwise<2>("copy_", it, CopyBits<4>{});
    default:
      return launch_elementwise<2>("copy_", it, CopyBits<8>{});
  }
}

// The bytes of `value` stored as dtype t (host side).
void encode(Scalar value, DType t, void* out) {
  CRESSET_DISPATCH_ALL("fill_", t, [&] {
    scalar_t v = value.to<scalar_t>();
    std::memcpy(out, &v, sizeof(scalar_t));
  });
}

// A contiguous CUDA tensor of dst's shape and `dtype` holding src (any device) broadcast to it.
Tensor dense_on(const Tensor& src, const DimVector& sizes, DType dtype, Device device) {
  Tensor t = empty_tensor(sizes, dtype, device);
  copy_into(t, src);
  return t;
}

bool same_layout(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.sizes() == b.sizes() && a.is_contiguous() && b.is_contiguous();
}

}  // namespace

Tensor scalar_to_device(const Tensor& t, int device) {
  Tensor out = empty_tensor({}, t.dtype(), Device(DeviceType::CUDA, device));
  DeviceGuard guard(device);
  check(cudaMemcpyAsync(out.raw_data(), t.raw_data(), size_t(t.itemsize()), cudaMemcpyHostToDevice,
                        stream_of(device)),
        "copy_");
  return out;
}

void copy_kernel(TensorIter& it) {
  if (it.dtype(0) == it.dtype(1)) {
    copy_same_dtype(it);
  } else {
    launch_elementwise<2>("copy_", it, CastAny{it.dtype(0), it.dtype(1)});
  }
}

void fill_kernel(TensorIter& it, Scalar value) {
  unsigned char bytes[8] = {};
  encode(value, it.dtype(0), bytes);
  const int64_t size = itemsize(it.dtype(0));
  const int device = it.device().index;
  if (it.is_contiguous()) {
    bool uniform = true;  // every byte equal: one memset (zeros, and any 1-byte dtype)
    for (int64_t b = 1; b < size; ++b) uniform &= bytes[b] == bytes[0];
    if (uniform) {
      DeviceGuard guard(device);
      check(cudaMemsetAsync(it.data_ptr(0), bytes[0], size_t(it.numel() * size), stream_of(device)),
            "fill_");
      return;
    }
  }
  switch (size) {
    case 1: {
      FillBits<1> f{};
      std::memcpy(&f.value, bytes, 1);
      return launch_elementwise<1>("fill_", it, f);
    }
    case 2: {
      FillBits<2> f{};
      std::memcpy(&f.value, bytes, 2);
      return launch_elementwise<1>("fill_", it, f);
    }
    case 4: {
      FillBits<4> f{};
      std::memcpy(&f.value, bytes, 4);
      return launch_elementwise<1>("fill_", it, f);
    }
    default: {
      FillBits<8> f{};
      std::memcpy(&f.value, bytes, 8);
      return launch_elementwise<1>("fill_", it, f);
    }
  }
}

// Note [Copies between devices]
// The bytes cross between devices only as one contiguous block of dst's dtype and shape: a
// non-contiguous, broadcast or other-dtype source is first made dense on its own device (a kernel
// on the GPU, the CPU copy on the host), and a non-contiguous destination is filled from a dense
// staging tensor on its device. Copies are queued on the current stream and waited for, so a
// temporary (or a pinned buffer returned to its pool) never dies under an in-flight copy.
void copy_across_devices(const Tensor& dst, const Tensor& src) {
  const Device dd = dst.device(), sd = src.device();
  const DimVector& sizes = dst.sizes();
  // The source, dense in dst's dtype and shape, on its own device.
  Tensor from = same_layout(src, dst) ? src : dense_on(src, sizes, dst.dtype(), sd);
  // The destination block on dst's device.
  Tensor to = dst.is_contiguous() ? dst : empty_tensor(sizes, dst.dtype(), dd);
  const size_t nbytes = size_t(to.numel()) * size_t(to.itemsize());
  if (nbytes > 0) {
    if (dd.is_cuda() && sd.is_cuda()) {
      DeviceGuard guard(dd.index);
      check(cudaMemcpyPeerAsync(to.raw_data(), dd.index, from.raw_data(), sd.index, nbytes,
                                stream_of(dd.index)),
            "to");
      // The source device's work must not overwrite `from` before the copy read it.
      check(cudaStreamSynchronize(stream_of(dd.index)), "to");
    } else {
      const int device = dd.is_cuda() ? dd.index : sd.index;
      DeviceGuard guard(device);
      cudaStream_t stream = stream_of(device);
      check(cudaMemcpyAsync(to.raw_data(), from.raw_data(), nbytes,
                            dd.is_cuda() ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost, stream),
            "to");
      check(cudaStreamSynchronize(stream), "to");
    }
  }
  if (!to.is_same(dst)) copy_into(dst, to);
}

}  // namespace cresset::cuda::impl
