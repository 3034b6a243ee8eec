#pragma once
// The DLPack C ABI (data-apis.org DLPack 1.0), written from the specification: the structs a
// '__dlpack__' capsule carries between libraries. A capsule named "dltensor" holds a
// DLManagedTensor, one named "dltensor_versioned" a DLManagedTensorVersioned; the consumer renames
// it "used_dltensor[_versioned]" and later calls `deleter` once it no longer needs the memory.
#include <cstdint>

namespace cresset::py::dlpack {

enum DLDeviceType : int32_t {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,
  kDLCUDAManaged = 13,
};

enum DLDataTypeCode : uint8_t {
  kDLInt = 0,
  kDLUInt = 1,
  kDLFloat = 2,
  kDLBfloat = 4,
  kDLComplex = 5,
  kDLBool = 6,
};

struct DLDevice {
  DLDeviceType device_type;
  int32_t device_id;
};

struct DLDataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};

/// A strided array: shape and strides (in elements; NULL strides mean row-major) of `ndim` dims.
struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;
  uint64_t byte_offset;
};

/// The pre-1.0 managed tensor (capsule name "dltensor").
struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};

struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

constexpr uint32_t kDLPackMajorVersion = 1;
constexpr uint32_t kDLPackMinorVersion = 0;
/// The producer marks the memory read-only.
constexpr uint64_t kFlagReadOnly = 1ULL << 0;
/// The producer made a copy for this export.
constexpr uint64_t kFlagIsCopied = 1ULL << 1;

/// The 1.0 managed tensor (capsule name "dltensor_versioned").
struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};

}  // namespace cresset::py::dlpack
