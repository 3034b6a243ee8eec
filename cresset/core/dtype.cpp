#include "cresset/core/dtype.h"

#include <limits>

#include "cresset/core/error.h"

namespace cresset {

double largest_finite(DType floating) {
  switch (floating) {
    case DType::Float16:
      return 65504.0;
    case DType::BFloat16:
      return 3.3895313892515355e38;
    case DType::Float32:
      return double(std::numeric_limits<float>::max());
    default:
      return std::numeric_limits<double>::max();
  }
}

const char* dtype_name(DType t) {
  switch (t) {
#define CRESSET_NAME(T, NAME, STR) \
  case DType::NAME:                \
    return STR;
    CRESSET_FORALL_DTYPES(CRESSET_NAME)
#undef CRESSET_NAME
  }
  return "?";
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  bool fa = is_floating(a), fb = is_floating(b);
  if (fa && fb) {
    bool both16 = itemsize(a) == 2 && itemsize(b) == 2;
    return both16 ? DType::Float32 : (a > b ? a : b);
  }
  if (fa) return a;
  if (fb) return b;
  // Both integral. uint8 with a signed type needs a signed type that holds 0..255.
  if (a == DType::UInt8 || b == DType::UInt8) {
    DType other = a == DType::UInt8 ? b : a;
    return other == DType::Int8 ? DType::Int16 : other;
  }
  return a > b ? a : b;
}

bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

namespace {
DType g_default_dtype = DType::Float32;
}
DType default_dtype() { return g_default_dtype; }
void set_default_dtype(DType t) {
  CRESSET_CHECK(t == DType::Float32 || t == DType::Float64 || t == DType::Float16 ||
                    t == DType::BFloat16,
                TypeError, "only floating-point types are supported as the default type");
  g_default_dtype = t;
}

void dispatch_fail(const char* op, DType t) {
  throw NotImplementedError(std::string("\"") + op + "\" not implemented for '" + dtype_display(t) +
                            "'");
}

std::string dtype_display(DType t) {
  switch (t) {
    case DType::Bool: return "Bool";
    case DType::UInt8: return "Byte";
    case DType::Int8: return "Char";
    case DType::Int16: return "Short";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float16: return "Half";
    case DType::BFloat16: return "BFloat16";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
  }
  return "?";
}

}  // namespace cresset
