#pragma once
// The value tree a checkpoint holds: the Python objects a state dict or a training checkpoint is
// made of (None, bool, int, float, str, bytes, list, tuple, dict, OrderedDict, tensor), with no
// way to name a class or run code. See Note [Checkpoint format] in checkpoint.h.
#include <cstdint>
#include <string>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::io {

/// One node of the tree. A tagged struct rather than a variant: each kind uses one or two fields.
struct Value {
  // The numeric codes are the on-disk tags; never renumber them.
  enum class Kind : uint8_t {
    None = 0,
    False = 1,
    True = 2,
    Int = 3,
    Double = 4,
    String = 5,
    Bytes = 6,
    List = 7,
    Tuple = 8,
    Dict = 9,
    OrderedDict = 10,
    Tensor = 11,
  };
  // Tensor flags, stored as one byte. A tensor saved from a CUDA device has kCuda set and the
  // device's index in the high four bits.
  static constexpr uint8_t kRequiresGrad = 1;
  static constexpr uint8_t kParameter = 2;
  static constexpr uint8_t kCuda = 4;
  static constexpr int kDeviceShift = 4;

  Kind kind = Kind::None;
  int64_t int_value = 0;     // Int
  double double_value = 0;   // Double
  std::string bytes;         // String (UTF-8) and Bytes
  std::vector<Value> items;  // List/Tuple elements; Dict/OrderedDict keys and values alternating
  Tensor tensor;             // Tensor
  uint8_t tensor_flags = 0;  // Tensor: kRequiresGrad | kParameter (kCuda and the index: internal)

  /// A leaf of the given kind (None, False, True).
  static Value of(Kind k) {
    Value v;
    v.kind = k;
    return v;
  }
};

}  // namespace cresset::io
