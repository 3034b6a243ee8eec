#include "cresset/core/out.h"

#include "cresset/core/error.h"
#include "cresset/core/warning.h"

namespace cresset {

namespace {

// "[op] " before a message, or nothing for callers that name no op.
std::string prefix(const char* op) { return op ? str_cat("[", op, "] ") : std::string(); }

}  // namespace

const char* cpp_type_name(DType t) {
  switch (t) {
    case DType::Bool:
      return "bool";
    case DType::UInt8:
      return "unsigned char";
    case DType::Int8:
      return "signed char";
    case DType::Int16:
      return "short int";
    case DType::Int32:
      return "int";
    case DType::Int64:
      return "long int";
    case DType::Float16:
      return "c10::Half";
    case DType::BFloat16:
      return "c10::BFloat16";
    case DType::Float32:
      return "float";
    case DType::Float64:
      return "double";
  }
  return "?";
}

void check_out_dtype(const char* op, DType out, DType result, OutDtype rule) {
  if (rule == OutDtype::Exact) {
    CRESSET_CHECK(out == result, RuntimeError, prefix(op), "Expected out tensor to have dtype ",
                  cpp_type_name(result), ", but got ", cpp_type_name(out), " instead");
  } else {
    CRESSET_CHECK(can_cast(result, out), RuntimeError, prefix(op), "result type ",
                  dtype_display(result), " can't be cast to the desired output type ",
                  dtype_display(out));
  }
}

void check_out(const char* op, const Tensor& out, const DimVector& sizes, DType dtype,
               Device device, OutDtype rule) {
  check_out_dtype(op, out.dtype(), dtype, rule);
  CRESSET_CHECK(out.device() == device, RuntimeError, prefix(op),
                "Expected all tensors to be on the same device, but found at least two devices, ",
                device.str(), " and ", out.device().str(), "!");
  resize_out(out, sizes);
}

void resize_out(const Tensor& out, const DimVector& sizes, bool warn_if_shaped) {
  if (out.sizes() == sizes) return;
  if (warn_if_shaped && out.numel() != 0) {
    warn(str_cat("An output with one or more elements was resized since it had shape ",
                 shape_str(out.sizes()), ", which does not match the required output shape ",
                 shape_str(sizes),
                 ". This behavior is deprecated, and in a future PyTorch release outputs will "
                 "not be resized unless they have zero elements. You can explicitly reuse an out "
                 "tensor t by resizing it, inplace, to zero elements with t.resize_(0)."));
  }
  resize_tensor(out, sizes);
}

}  // namespace cresset
