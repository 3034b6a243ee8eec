#pragma once
// Errors carry the Python exception type PyTorch would raise; the bindings translate each class to
// that type. Messages start with "[op]" and name shapes, dtypes and devices.
#include <sstream>
#include <stdexcept>
#include <string>

namespace cresset {

/// Base of every cresset error; maps to Python's RuntimeError.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class IndexError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};
class TypeError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};
class ValueError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};
class NotImplementedError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};
/// torch.OutOfMemoryError (also torch.cuda.OutOfMemoryError): a device allocation failed.
class OutOfMemoryError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};
/// torch's AssertionError (e.g. "Torch not compiled with CUDA enabled").
class AssertionError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

namespace detail {
inline void stream_all(std::ostringstream&) {}
template <typename T, typename... Rest>
void stream_all(std::ostringstream& os, const T& v, const Rest&... rest) {
  os << v;
  stream_all(os, rest...);
}
}  // namespace detail

/// Concatenates its arguments with operator<<.
template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  detail::stream_all(os, args...);
  return os.str();
}

}  // namespace cresset

/// Throws ErrorType(str_cat(msg...)) unless cond holds. The message is only built on failure.
#define CRESSET_CHECK(cond, ErrorType, ...)                         \
  do {                                                              \
    if (__builtin_expect(!(cond), 0)) {                             \
      throw ::cresset::ErrorType(::cresset::str_cat(__VA_ARGS__));  \
    }                                                               \
  } while (0)
