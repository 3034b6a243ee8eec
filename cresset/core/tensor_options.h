#pragma once
// What a factory makes: dtype, device and requires_grad, as torch's keyword arguments
// (`torch.zeros(2, dtype=torch.float64, device="cuda", requires_grad=True)`), spelled like
// libtorch's C++ frontend: `cresset::TensorOptions().dtype(cresset::kFloat64).device(kCUDA)`,
// or the shorthands `cresset::dtype(kLong)` and `cresset::requires_grad()`. A DType, Device or
// DeviceType converts to options holding only that field.
#include <optional>

#include "cresset/core/device.h"
#include "cresset/core/dtype.h"

namespace cresset {

// libtorch's names for the dtypes and device types.
constexpr DType kBool = DType::Bool;
constexpr DType kUInt8 = DType::UInt8;
constexpr DType kByte = DType::UInt8;
constexpr DType kInt8 = DType::Int8;
constexpr DType kChar = DType::Int8;
constexpr DType kInt16 = DType::Int16;
constexpr DType kShort = DType::Int16;
constexpr DType kInt32 = DType::Int32;
constexpr DType kInt = DType::Int32;
constexpr DType kInt64 = DType::Int64;
constexpr DType kLong = DType::Int64;
constexpr DType kFloat16 = DType::Float16;
constexpr DType kHalf = DType::Float16;
constexpr DType kBFloat16 = DType::BFloat16;
constexpr DType kFloat32 = DType::Float32;
constexpr DType kFloat = DType::Float32;
constexpr DType kFloat64 = DType::Float64;
constexpr DType kDouble = DType::Float64;
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;

class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType dtype) : dtype_(dtype) {}
  TensorOptions(Device device) : device_(device) {}
  TensorOptions(DeviceType type) : device_(Device(type)) {}

  /// A copy with the dtype set.
  TensorOptions dtype(DType dtype) const {
    TensorOptions r = *this;
    r.dtype_ = dtype;
    return r;
  }
  /// A copy with the device set.
  TensorOptions device(Device device) const {
    TensorOptions r = *this;
    r.device_ = device;
    return r;
  }
  /// A copy with requires_grad set.
  TensorOptions requires_grad(bool requires_grad) const {
    TensorOptions r = *this;
    r.requires_grad_ = requires_grad;
    return r;
  }

  /// The dtype, or the default floating dtype when unset.
  DType dtype() const { return dtype_ ? *dtype_ : default_dtype(); }
  /// The dtype when set (factories that infer one from their values need to know).
  std::optional<DType> dtype_opt() const { return dtype_; }
  /// The device, or the CPU when unset.
  Device device() const { return device_ ? *device_ : Device(); }
  /// The device when set (the *_like factories keep their input's otherwise).
  std::optional<Device> device_opt() const { return device_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  std::optional<DType> dtype_;
  std::optional<Device> device_;
  bool requires_grad_ = false;
};

/// TensorOptions().dtype(d).
inline TensorOptions dtype(DType d) { return TensorOptions().dtype(d); }
/// TensorOptions().device(d).
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
/// TensorOptions().requires_grad(r).
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

}  // namespace cresset
