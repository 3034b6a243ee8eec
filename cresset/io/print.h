#pragma once
// Tensor printing: tensor_repr(t) is Python's repr(t), character for character what torch prints,
// and `std::cout << t` prints the same. The Python package's repr calls this one implementation,
// and its print options (torch.set_printoptions) are the state kept here.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.set_printoptions state.
struct PrintOptions {
  int64_t precision = 4;   // digits after the decimal point
  double threshold = 1000; // elements above which the output is summarized (may be infinite)
  int64_t edgeitems = 3;   // items shown at each end of a summarized dim
  int64_t linewidth = 80;  // characters per line before wrapping
  std::optional<bool> sci_mode;  // force or forbid scientific notation; nullopt: automatic
};

/// The process-wide print options.
PrintOptions print_options();
/// Replaces the process-wide print options.
void set_print_options(const PrintOptions& options);

/// repr(t): "tensor([1., 2.], requires_grad=True)". `prefix` opens it (a Python subclass's name
/// and "("); `contents` replaces the data text (Python's tensor_contents argument).
std::string tensor_repr(const Tensor& t, const std::string& prefix = "tensor(",
                        const std::optional<std::string>& contents = std::nullopt);

/// Prints tensor_repr(t); an undefined tensor prints "[ Tensor (undefined) ]".
std::ostream& operator<<(std::ostream& os, const Tensor& t);
/// Prints the dtype as Python does: "torch.float32".
std::ostream& operator<<(std::ostream& os, DType dtype);
/// Prints the device as Python's str: "cpu", "cuda:0".
std::ostream& operator<<(std::ostream& os, const Device& device);

}  // namespace cresset
