#pragma once
#include <cstdint>
#include <string>

namespace cresset {

enum class DeviceType : int8_t { CPU, CUDA };

/// A device: a type and, for CUDA, an index (-1 means "the current one").
struct Device {
  DeviceType type = DeviceType::CPU;
  int8_t index = -1;

  Device() = default;
  Device(DeviceType t, int i = -1) : type(t), index(int8_t(i)) {}
  /// Parses "cpu", "cuda", "cuda:1"; throws RuntimeError otherwise.
  explicit Device(const std::string& spec);

  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  /// "cpu", "cuda" or "cuda:1", as torch prints it.
  std::string str() const;
};

}  // namespace cresset
