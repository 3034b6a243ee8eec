// Elementwise ops. Every row of elementwise.def becomes a Row (its name, Kind and kernels); one
// function, call(), validates a row's dtypes, builds its iterator, runs its kernel and returns
// the result. The rows' plain ops are generated; the ops with extra arguments and the composites
// (sub, clamp with tensors, isclose ...) follow, written in terms of rows.
#include "cresset/ops/elementwise.h"

#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise_grad.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/out.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

namespace {

// The dtype rules of elementwise.def's Kind column.
enum class Kind {
  Float,
  FloatOnly,
  Numeric,
  All,
  Predicate,
  Compare,
  Logical,
  Bitwise,
  Shift,
  Select
};

using Kernel = void (*)(TensorIter& it, const Scalar* args);

struct Row {
  const char* name;
  Kind kind;
  Kernel cpu_base, cpu_avx2, cpu_avx512;
  const cuda::Entry<cuda::ElementwiseKernel>* cuda;
  const ew::RowGrad* grad;
};

#define CRESSET_UNARY(name, Functor, K, ...)        \
  const Row row_##name{#name,                       \
                       Kind::K,                     \
                       &cpu::base::name##_kernel,   \
                       &cpu::avx2::name##_kernel,   \
                       &cpu::avx512::name##_kernel, \
                       &cuda::name##_kernel,        \
                       &ew::grad_##name};
#define CRESSET_BINARY CRESSET_UNARY
#define CRESSET_TERNARY CRESSET_UNARY
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY

bool supports(Kind kind, DType t) {
  switch (kind) {
    case Kind::Float:
    case Kind::FloatOnly:
      return is_floating(t);
    case Kind::Numeric:
      return t != DType::Bool;
    case Kind::Bitwise:
      return !is_floating(t);
    case Kind::Shift:
      return is_integral(t, false);
    default:
      return true;
  }
}

// Raises torch's error for a compute dtype the row has no kernel for.
void check_supported(const Row& row, const char* op, DType t) {
  if (supports(row.kind, t)) return;
  if (t == DType::Bool) {
    std::string_view name(row.name);
    CRESSET_CHECK(name != "neg", RuntimeError, "[", op,
                  "] Negation, the `-` operator, on a bool tensor is not supported. If you are "
                  "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
    CRESSET_CHECK(name != "relu", RuntimeError, "[", op, "] Boolean inputs not supported for relu");
  }
  throw NotImplementedError(
      str_cat("[", op, "] \"", op, "\" not implemented for '", dtype_display(t), "'"));
}

void launch(const Row& row, TensorIter& it, const Scalar* args) {
  if (it.numel() == 0) return;
  if (it.device().is_cuda()) {
    (*row.cuda)(it, args);
    return;
  }
  switch (cpu::capability()) {
    case cpu::Capability::AVX512:
      row.cpu_avx512(it, args);
      break;
    case cpu::Capability::AVX2:
      row.cpu_avx2(it, args);
      break;
    default:
      row.cpu_base(it, args);
  }
}

// How a call departs from its row's defaults.
struct CallOptions {
  const Scalar* args = nullptr;  // the row's Scalar parameters
  std::optional<DType> compute;  // compute in this dtype (inputs cast to it)
  bool promote_inputs = true;    // false: inputs already have their kernel dtypes (where)
};

// torch's mul and divisions (true, trunc, floor) read a one-element CPU second operand at float
// precision when they compute in float16/bfloat16, instead of rounding it to that dtype first.
// Returns that operand's value when it applies (the binary kernels then use it, see
// kernel_decls.inc).
std::optional<Scalar> exact_scalar(const Row& row, std::initializer_list<TensorRef> inputs,
                                   DType compute) {
  if (compute != DType::Float16 && compute != DType::BFloat16) return std::nullopt;
  if (&row != &row_mul && &row != &row_div && &row != &row_div_trunc && &row != &row_floor_divide) {
    return std::nullopt;
  }
  const Tensor& other = **(inputs.begin() + 1);
  if (other.numel() != 1 || !other.device().is_cpu() || other.dtype() == compute)
    return std::nullopt;
  return item_scalar(other);
}

// torch's node name for an op: "add_" -> "AddBackward0", "log1p" -> "Log1PBackward0" (a letter
// after a digit or '_' is capitalised), with torch's overload number where it has several.
std::string node_name(const Row& row, const char* op, std::initializer_list<TensorRef> inputs) {
  std::string base;
  bool upper = true;
  for (const char* p = op; *p; ++p) {
    if (*p == '_') {
      upper = true;
      continue;
    }
    base += upper ? char(std::toupper(*p)) : *p;
    upper = std::isdigit(static_cast<unsigned char>(*p)) != 0;
  }
  auto number = [&](size_t i) {
    return inputs.size() > i && (*(inputs.begin() + i))->impl()->is_wrapped_number();
  };
  // Which overload torch recorded: by the operand that was a Python number, or by the row.
  int n = 0;
  std::string_view b(base);
  bool scalar_argument =
      inputs.size() == 2 && (*(inputs.begin() + 1))->impl()->is_scalar_argument();
  if (scalar_argument &&
      (b == "Add" || b == "Sub" || b == "Mul" || (b == "Div" && &row == &row_div))) {
    n = 1;  // the C++ Scalar overload: add.Scalar, mul.Scalar ...
  } else if (b == "Pow" || b == "FloatPower" || b == "Square") {
    base = "Pow";
    n = number(0) ? 2 : (&row == &row_pow && !number(1)) ? 1 : 0;
  } else if (b == "Remainder" || b == "Fmod") {
    n = number(1) ? 0 : 1;
  } else if (b == "Copysign") {
    n = number(1) ? 1 : 0;
  } else if (b == "Xlogy") {
    n = number(1) ? 2 : number(0) ? 1 : 0;
  } else if (&row == &row_eq || &row == &row_ne || &row == &row_lt || &row == &row_le ||
             &row == &row_gt || &row == &row_ge) {
    n = number(1) ? 0 : 1;
  } else if (b == "Rsub") {
    n = number(0) ? 1 : 0;
  } else if (b == "Div") {
    n = (&row == &row_div_trunc || &row == &row_floor_divide) ? 2 : 0;
  } else if (b == "Round") {
    n = &row == &row_round_decimals ? 1 : 0;
  } else if (b == "Lerp") {
    n = &row == &row_lerp ? 1 : 0;
  } else if (b == "Clamp") {
    n = (&row == &row_clamp || &row == &row_clamp_min || &row == &row_clamp_max) ? 1 : 0;
  } else if (b == "ClampMin" || b == "ClampMax") {
    n = (&row == &row_maximum || &row == &row_minimum) ? 1 : 0;
  } else if (b == "LeakyRelu" || b == "Elu" || b == "Celu" || b == "Threshold" ||
             b == "RreluWithNoise" || b == "Asinh" || b == "Acosh" || b == "Atanh") {
    n = std::string_view(op).back() == '_' ? 1 : 0;  // torch's in-place forms save the result
  }
  return base + "Backward" + std::to_string(n);
}

// Inputs with no edge in torch's node (bit i: input i): the operands a Scalar overload takes as
// numbers (x ** 2, 2 - x, x % 2 ...; x * 2 uses the Tensor overload and keeps a None edge), and
// where's condition.
uint32_t edgeless_inputs(const Row& row, const char* op, std::initializer_list<TensorRef> inputs) {
  if (&row == &row_where) return 1;
  if (inputs.size() == 2 && (*(inputs.begin() + 1))->impl()->is_scalar_argument()) return 2;
  static constexpr std::string_view kScalarOverloads[] = {
      "pow",          "float_power", "square", "rsub", "remainder", "fmod", "xlogy", "copysign",
      "floor_divide", "eq",          "ne",     "lt",   "le",        "gt",   "ge"};
  std::string_view name(op);
  if (!name.empty() && name.back() == '_') name.remove_suffix(1);
  bool scalar_overload = false;
  for (std::string_view s : kScalarOverloads) scalar_overload = scalar_overload || name == s;
  if (!scalar_overload) return 0;
  uint32_t mask = 0, i = 0;
  for (TensorRef in : inputs) mask |= uint32_t(in->impl()->is_wrapped_number()) << i++;
  return mask;
}

// What torch's node for an op looks like: its name and its edgeless inputs.
struct NodeKind {
  std::string name;
  uint32_t edgeless_inputs = 0;
};

// The NodeKind of the last call on this thread: loops call the same op over and over.
const NodeKind& cached_node_kind(const Row& row, const char* op,
                                 std::initializer_list<TensorRef> inputs) {
  struct Entry {
    const Row* row = nullptr;
    std::string op;  // by value: callers may pass a temporary string's c_str()
    std::array<uint8_t, 3> numbers{};
    NodeKind kind;
  };
  thread_local Entry last;
  std::array<uint8_t, 3> numbers{};  // 0: a tensor, 1: a Python number, 2: a Scalar argument
  size_t i = 0;
  for (TensorRef in : inputs) {
    if (i < numbers.size()) {
      numbers[i++] = in->impl()->is_scalar_argument() ? 2 : in->impl()->is_wrapped_number();
    }
  }
  if (last.row != &row || last.numbers != numbers || last.op != op) {
    last.kind = {node_name(row, op, inputs), edgeless_inputs(row, op, inputs)};
    last.row = &row;
    last.op = op;
    last.numbers = numbers;
  }
  return last.kind;
}

// Note [Elementwise autograd]
// call() records every differentiable row: the node gets the row's derivative formulas
// (elementwise_backward.cpp), the inputs and result they read, and the Scalar arguments by value.
// Gradients of broadcast inputs are reduced, and promoted ones cast back, by the engine.
// An in-place op whose formulas read `self` saves a copy of self from before the write.
struct Recording {
  bool active = false;
  Tensor self_before;
};

Recording begin_recording(const Row& row, const char* op, std::initializer_list<TensorRef> inputs,
                          const Tensor& out, bool inplace) {
  Recording r;
  if (!row.grad->differentiable || !autograd::needs_grad(inputs)) return r;
  if (row.kind == Kind::Compare && !inplace) return r;  // a bool result, or out= (never recorded)
  check_out_grad(op, out.defined() && !inplace);
  if (inplace) {
    autograd::check_inplace(out);  // leaf and view errors, before anything is written
    if (row.grad->saves[0]) r.self_before = clone(**inputs.begin());
  }
  r.active = true;
  return r;
}

void finish_recording(const Recording& r, const Row& row, const char* op,
                      std::initializer_list<TensorRef> inputs, const Tensor& result,
                      const Scalar* args) {
  if (!r.active || !is_floating(result.dtype())) return;
  // Pointers, not Tensor copies: a handle copy is an atomic increment and decrement.
  const NodeKind& kind = cached_node_kind(row, op, inputs);
  std::array<const Tensor*, 4> saved{};     // by position: the inputs, then the result
  std::array<const Tensor*, 3> recorded{};  // the inputs that get an edge
  size_t n = 0, k = 0;
  for (TensorRef in : inputs) {
    if (row.grad->saves[k]) saved[k] = (k == 0 && r.self_before.defined()) ? &r.self_before : &*in;
    if (!(kind.edgeless_inputs >> k & 1)) recorded[n++] = &*in;
    ++k;
  }
  if (row.grad->saves[3]) saved[3] = &result;
  std::array<double, 3> a{};
  for (int j = 0; j < row.grad->nargs; ++j) a[j] = args[j].to_double();
  ew::RowBackward fn = row.grad->backward;
  // torch records floor_divide and remainder(number, tensor) but defines no derivative for them,
  // nor for its in-place asinh_, acosh_ and atanh_ (AsinhBackward1 ...): backward through them
  // raises.
  std::string_view name(op);
  bool inverse_hyperbolic =
      name.back() == '_' && (&row == &row_asinh || &row == &row_acosh || &row == &row_atanh);
  bool undefined = name.rfind("floor_divide", 0) == 0 ||
                   (name.rfind("remainder", 0) == 0 && (*inputs.begin())->impl()->is_wrapped_number());
  if (undefined || inverse_hyperbolic) {
    std::string message =
        inverse_hyperbolic
            ? str_cat("the derivative for 'inplace version of ", row.name, "' is not implemented.")
            : str_cat("derivative for aten::", name.substr(0, name.find('_', 6)),
                      " is not implemented");
    autograd::record(inverse_hyperbolic ? kind.name : "torch::autograd::NotImplemented",
                     autograd::TensorSpan(recorded.data(), n), {result}, {},
                     [message, inverse_hyperbolic](const autograd::Ctx&) -> autograd::TensorList {
                       if (inverse_hyperbolic) throw NotImplementedError(message);
                       throw RuntimeError(message);
                     });
    return;
  }
  // Without Scalar arguments the closure fits in std::function's inline buffer: no allocation.
  autograd::BackwardFn backward;
  if (row.grad->nargs == 0) {
    backward = [fn](const autograd::Ctx& c) { return fn(c, nullptr); };
  } else {
    backward = [fn, a](const autograd::Ctx& c) { return fn(c, a.data()); };
  }
  auto node = autograd::record(kind.name, autograd::TensorSpan(recorded.data(), n),
                               autograd::TensorSpan(&result, 1),
                               autograd::TensorSpan(saved.data(), saved.size()), std::move(backward));
  node->set_edgeless_inputs(kind.edgeless_inputs);
}

// Runs `row` on `inputs`: into a new tensor (out undefined), into `out` (resized, cast back if its
// dtype differs) or in place (out is self, shape fixed). `op` names the op in errors.
Tensor call(const Row& row, const char* op, std::initializer_list<TensorRef> inputs, const Tensor& out,
            bool inplace, const CallOptions& opt = {}) {
  if (out.defined()) out.check_inplace_allowed();
  Recording rec = begin_recording(row, op, inputs, out, inplace);
  TensorIterConfig cfg(op);
  cfg.add_output(out).is_inplace(inplace).promote_inputs(opt.promote_inputs).inputs_by_value(true);
  // torch's unary ops that keep the input dtype (neg, floor ...) and where want out in exactly
  // the result dtype; the others take any dtype the result casts to.
  const bool keeps_dtype = row.kind != Kind::Float && row.kind != Kind::Predicate &&
                           row.kind != Kind::Compare && row.kind != Kind::Logical;
  if ((keeps_dtype && inputs.size() == 1) || row.kind == Kind::Select) {
    cfg.out_dtype_rule(OutDtype::Exact);
  }
  for (TensorRef t : inputs) cfg.add_input(*t);
  switch (row.kind) {
    case Kind::Float:
      cfg.promote_integer_to_float(true);
      break;
    case Kind::Predicate:
      CRESSET_CHECK(!out.defined() || out.dtype() == DType::Bool, RuntimeError, "[", op, "] ", op,
                    " does not support non-boolean outputs.");
      cfg.output_dtype(DType::Bool);
      break;
    case Kind::Compare:
      cfg.output_dtype(DType::Bool);
      break;
    case Kind::Logical:
      cfg.compute_dtype(DType::Bool);
      break;
    default:
      break;
  }
  if (opt.compute) cfg.compute_dtype(*opt.compute);
  TensorIter it = cfg.build();
  check_supported(row, op, it.common_dtype());
  std::optional<Scalar> exact =
      inputs.size() == 2 && !opt.args ? exact_scalar(row, inputs, it.common_dtype()) : std::nullopt;
  launch(row, it, exact ? &*exact : opt.args);
  it.finish();
  if (out.defined()) out.bump_version(op);
  finish_recording(rec, row, op, inputs, it.output(), opt.args);
  return it.release_output();
}

// torch refuses a number the compute dtype can't represent ("value cannot be converted to type
// int8 without overflow"). Unsigned dtypes also take negatives down to -max, which wrap.
void check_fits(const char* op, Scalar v, DType t) {
  if (v.is_bool() || t == DType::Bool) return;
  double lo = 0, hi = 0;
  CRESSET_DISPATCH_ALL(op, t, [&] {
    hi = is_floating(t) ? largest_finite(t) : double(std::numeric_limits<scalar_t>::max());
    lo = std::is_unsigned_v<scalar_t> ? -hi : -hi - (std::is_integral_v<scalar_t> ? 1 : 0);
  });
  bool ok;
  if (v.is_int() && is_integral(t, false)) {
    int64_t i = v.to_int();  // exact comparison: int64 bounds are not exact as doubles
    ok = t == DType::Int64 || (double(i) >= lo && double(i) <= hi);
  } else {
    double d = v.to_double();
    ok = (is_floating(t) && !std::isfinite(d)) || (d >= lo && d <= hi);
  }
  CRESSET_CHECK(ok, RuntimeError, "[", op, "] value cannot be converted to type ", dtype_name(t),
                " without overflow");
}

// True when every element of a bool tensor is true (allclose, equal).
bool all_true(const Tensor& t) {
  Tensor host = t;
  if (!t.device().is_cpu()) {
    host = empty_tensor(t.sizes(), DType::Bool);
    copy_into(host, t);
  }
  const int64_t nd = host.dim();
  if (host.numel() == 0) return true;
  DimVector idx(nd);
  const bool* base = host.data<bool>();
  for (int64_t n = 0; n < host.numel(); ++n) {
    int64_t off = 0;
    for (int64_t d = 0; d < nd; ++d) off += idx[d] * host.strides()[d];
    if (!base[off]) return false;
    for (int64_t d = nd - 1; d >= 0 && ++idx[d] == host.sizes()[d]; --d) idx[d] = 0;
  }
  return true;
}

}  // namespace

// ---- the generated ops ----
// clang-format off
#define CRESSET_UNARY(name, Functor, K, Api, ...)                                        \
  CRESSET_EW_FN_##Api(Tensor name(const Tensor& self) {                                  \
    return call(row_##name, #name, {self}, Tensor(), false);                             \
  })                                                                                     \
  CRESSET_EW_INPLACE_##Api(Tensor name##_(const Tensor& self) {                          \
    return call(row_##name, #name "_", {self}, self, true);                              \
  })                                                                                     \
  CRESSET_EW_OUT_##Api(Tensor name##_out(const Tensor& self, const Tensor& out) {        \
    return call(row_##name, #name, {self}, out, false);                                  \
  })
#define CRESSET_BINARY(name, Functor, K, Api, ...)                                           \
  CRESSET_EW_FN_##Api(Tensor name(const Tensor& self, const Tensor& other) {                 \
    return call(row_##name, #name, {self, other}, Tensor(), false);                          \
  })                                                                                         \
  CRESSET_EW_INPLACE_##Api(Tensor name##_(const Tensor& self, const Tensor& other) {         \
    return call(row_##name, #name "_", {self, other}, self, true);                           \
  })                                                                                         \
  CRESSET_EW_OUT_##Api(                                                                      \
      Tensor name##_out(const Tensor& self, const Tensor& other, const Tensor& out) {        \
        return call(row_##name, #name, {self, other}, out, false);                           \
      })
#define CRESSET_TERNARY(...)
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY
// clang-format on

// ---- the rows run by ops outside this file ----
namespace ew {
#define CRESSET_UNARY(name, Functor, K, Api, ...)                                        \
  CRESSET_EW_ROW_##Api(Tensor name##_row(const char* op, const Tensor& self, const Scalar* args, \
                                         const Tensor& out, bool inplace) {               \
    return call(row_##name, op, {self}, out, inplace, {args});                           \
  })
#define CRESSET_BINARY(name, Functor, K, Api, ...)                                        \
  CRESSET_EW_ROW_##Api(Tensor name##_row(const char* op, const Tensor& self, const Tensor& other, \
                                         const Scalar* args, const Tensor& out, bool inplace) { \
    return call(row_##name, op, {self, other}, out, inplace, {args});                    \
  })
#define CRESSET_TERNARY(...)
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY
}  // namespace ew

// ---- add, sub ----
namespace {

void check_alpha(const char* op, const Tensor& self, const Tensor& other, Scalar alpha) {
  DType t = result_type({self, other});
  CRESSET_CHECK(!alpha.is_bool() || t == DType::Bool, RuntimeError, "[", op,
                "] Boolean alpha only supported for Boolean results.");
  CRESSET_CHECK(
      is_floating(t) || !alpha.is_float(), RuntimeError, "[", op,
      "] For integral input tensors, argument alpha must not be a floating point number.");
  check_fits(op, alpha, t);
}

Tensor add_impl(const char* op, const Tensor& self, const Tensor& other, const Tensor& out,
                bool inplace, Scalar alpha) {
  check_alpha(op, self, other, alpha);
  return call(row_add, op, {self, other}, out, inplace, {&alpha});
}

// sub is add with -alpha, after torch's checks on bool operands.
Tensor sub_impl(const char* op, const Tensor& self, const Tensor& other, const Tensor& out,
                bool inplace, Scalar alpha) {
  bool a = self.dtype() == DType::Bool, b = other.dtype() == DType::Bool;
  CRESSET_CHECK(!(a && b), RuntimeError, "[", op,
                "] Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                "`^` or `logical_xor()` operator instead.");
  CRESSET_CHECK(!(a || b), RuntimeError, "[", op,
                "] Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  check_alpha(op, self, other, alpha);
  Scalar neg = alpha.is_float() ? Scalar(-alpha.to_double())
                                : Scalar(int64_t(uint64_t(0) - uint64_t(alpha.to_int())));
  return call(row_add, op, {self, other}, out, inplace, {&neg});
}

}  // namespace

Tensor add(const Tensor& self, const Tensor& other, Scalar alpha) {
  return add_impl("add", self, other, Tensor(), false, alpha);
}
Tensor add_(const Tensor& self, const Tensor& other, Scalar alpha) {
  return add_impl("add_", self, other, self, true, alpha);
}
Tensor add_out(const Tensor& self, const Tensor& other, const Tensor& out, Scalar alpha) {
  return add_impl("add", self, other, out, false, alpha);
}
Tensor sub(const Tensor& self, const Tensor& other, Scalar alpha) {
  return sub_impl("sub", self, other, Tensor(), false, alpha);
}
Tensor sub_(const Tensor& self, const Tensor& other, Scalar alpha) {
  return sub_impl("sub_", self, other, self, true, alpha);
}
Tensor sub_out(const Tensor& self, const Tensor& other, const Tensor& out, Scalar alpha) {
  return sub_impl("sub", self, other, out, false, alpha);
}
Tensor rsub(const Tensor& self, const Tensor& other, Scalar alpha) {
  return sub_impl("rsub", other, self, Tensor(), false, alpha);
}

// ---- div ----
namespace {
Tensor div_impl(const char* op, const Tensor& self, const Tensor& other, const Tensor& out,
                bool inplace, std::optional<std::string_view> mode) {
  if (!mode) return call(row_div, op, {self, other}, out, inplace);
  if (*mode == "trunc") return call(row_div_trunc, op, {self, other}, out, inplace);
  if (*mode == "floor") return call(row_floor_divide, op, {self, other}, out, inplace);
  throw RuntimeError(str_cat("[", op,
                             "] div expected rounding_mode to be one of None, 'trunc', "
                             "or 'floor' but found '",
                             *mode, "'"));
}
}  // namespace

Tensor div(const Tensor& self, const Tensor& other, std::optional<std::string_view> mode) {
  return div_impl("div", self, other, Tensor(), false, mode);
}
Tensor div_(const Tensor& self, const Tensor& other, std::optional<std::string_view> mode) {
  return div_impl("div_", self, other, self, true, mode);
}
Tensor div_out(const Tensor& self, const Tensor& other, const Tensor& out,
               std::optional<std::string_view> mode) {
  return div_impl("div", self, other, out, false, mode);
}

// ---- pow, float_power, square, positive ----
namespace {
Tensor pow_impl(const char* op, const Tensor& self, const Tensor& exponent, const Tensor& out,
                bool inplace) {
  if (exponent.impl()->is_wrapped_number()) {
    Scalar e = item_scalar(exponent);
    CRESSET_CHECK(!(is_integral(self.dtype(), true) && !e.is_float() && e.to_int() < 0),
                  RuntimeError, "[", op, "] Integers to negative integer powers are not allowed.");
    // bool ** bool has no kernel but torch allows it with a number exponent: b ** e == b | !e.
    if (self.dtype() == DType::Bool && e.is_bool()) {
      return call(row_bitwise_or, op, {self, wrapped_scalar(Scalar(!e.to_bool()))}, out, inplace);
    }
    // torch computes these exponents with other kernels (their rounding and their results at
    // -0.0 and -inf differ from pow's): x ** 0.5, -0.5, -1 as sqrt, rsqrt, reciprocal for every
    // floating result; x ** 2, 3, -2 as x*x, x*x*x, 1/(x*x) except for float16.
    DType t = result_type({self, exponent});
    double d = e.to_double();
    if (is_floating(t) && !e.is_bool()) {
      if (d == 0.5) return call(row_sqrt, op, {self}, out, inplace);
      if (d == -0.5) return call(row_rsqrt, op, {self}, out, inplace);
      if (d == -1) return call(row_reciprocal, op, {self}, out, inplace);
    }
    if (t == self.dtype() && is_floating(t) && t != DType::Float16 && !e.is_bool() &&
        (d == 2 || d == 3 || d == -2)) {
      // ... and records pow's one node over self, as torch does.
      Recording rec = begin_recording(row_pow, op, {self, exponent}, out, inplace);
      Tensor result;
      {
        autograd::NoGradGuard no_grad;
        if (d == 2) result = call(row_mul, op, {self, self}, out, inplace);
        if (d == 3) result = call(row_mul, op, {mul(self, self), self}, out, inplace);
        if (d == -2) result = call(row_reciprocal, op, {mul(self, self)}, out, inplace);
      }
      finish_recording(rec, row_pow, op, {self, exponent}, result, nullptr);
      return result;
    }
  }
  return call(row_pow, op, {self, exponent}, out, inplace);
}

Tensor float_power_impl(const char* op, const Tensor& self, const Tensor& exponent,
                        const Tensor& out, bool inplace) {
  CRESSET_CHECK(!inplace || self.dtype() == DType::Float64, RuntimeError, "[", op,
                "] the base given to float_power_ has dtype ", dtype_display(self.dtype()),
                " but the operation's result requires dtype Double");
  CRESSET_CHECK(inplace || !out.defined() || out.dtype() == DType::Float64, RuntimeError, "[", op,
                "] the output given to float_power has dtype ", dtype_display(out.dtype()),
                " but the operation's result requires dtype Double");
  // pow in float64, with pow's special cases for number exponents. Tensors convert through the
  // recorded `to` (torch's ToCopyBackward0), so their gradients flow back.
  auto f64 = [](const Tensor& x) {
    if (x.dtype() == DType::Float64) return x;
    return x.impl()->is_wrapped_number() ? cast_tensor(x, DType::Float64)
                                         : to(x, DType::Float64, x.device());
  };
  return pow_impl(op, f64(self), f64(exponent), out, inplace);
}
}  // namespace

Tensor pow(const Tensor& self, const Tensor& exponent) {
  return pow_impl("pow", self, exponent, Tensor(), false);
}
Tensor pow_(const Tensor& self, const Tensor& exponent) {
  return pow_impl("pow_", self, exponent, self, true);
}
Tensor pow_out(const Tensor& self, const Tensor& exponent, const Tensor& out) {
  return pow_impl("pow", self, exponent, out, false);
}
Tensor float_power(const Tensor& self, const Tensor& exponent) {
  return float_power_impl("float_power", self, exponent, Tensor(), false);
}
Tensor float_power_(const Tensor& self, const Tensor& exponent) {
  return float_power_impl("float_power_", self, exponent, self, true);
}
Tensor float_power_out(const Tensor& self, const Tensor& exponent, const Tensor& out) {
  return float_power_impl("float_power", self, exponent, out, false);
}
Tensor square(const Tensor& self) {
  return pow_impl("square", self, wrapped_scalar(Scalar(int64_t(2))), Tensor(), false);
}
Tensor square_(const Tensor& self) {
  return pow_impl("square_", self, wrapped_scalar(Scalar(int64_t(2))), self, true);
}
Tensor square_out(const Tensor& self, const Tensor& out) {
  return pow_impl("square", self, wrapped_scalar(Scalar(int64_t(2))), out, false);
}
Tensor positive(const Tensor& self) {
  CRESSET_CHECK(self.dtype() != DType::Bool, RuntimeError,
                "[positive] The `+` operator, on a bool tensor is not supported.");
  return self;
}

// ---- clamp ----
namespace {
Tensor clamp_impl(const char* op, const Tensor& self, std::optional<Scalar> min,
                  std::optional<Scalar> max, const Tensor& out, bool inplace) {
  CRESSET_CHECK(min || max, RuntimeError, "[", op,
                "] torch.clamp: At least one of 'min' or 'max' must not be None");
  std::vector<Tensor> operands{self};
  if (min) operands.push_back(wrapped_scalar(*min));
  if (max) operands.push_back(wrapped_scalar(*max));
  DType t = result_type(operands);
  Scalar args[2];
  int n = 0;
  for (const auto& bound : {min, max}) {
    if (!bound) continue;
    check_fits(op, *bound, t);
    args[n++] = *bound;
  }
  const Row& row = min && max ? row_clamp : min ? row_clamp_min : row_clamp_max;
  return call(row, op, {self}, out, inplace, {args, t});
}

Tensor clamp_tensor_impl(const char* op, const Tensor& self, const Tensor& min, const Tensor& max,
                         const Tensor& out, bool inplace) {
  CRESSET_CHECK(min.defined() || max.defined(), RuntimeError, "[", op,
                "] torch.clamp: At least one of 'min' or 'max' must not be None");
  // maximum and minimum take bool; torch's two-bound clamp doesn't.
  if (min.defined() && max.defined()) check_supported(row_clamp, op, result_type({self, min, max}));
  auto compute = [&] {
    if (!max.defined()) return call(row_maximum, op, {self, min}, out, inplace);
    if (!min.defined()) return call(row_minimum, op, {self, max}, out, inplace);
    // minimum(maximum(self, min), max): NaN bounds propagate, and max wins when min > max.
    return call(row_minimum, op, {maximum(self, min), max}, out, inplace);
  };
  // clamp_min / clamp_max record their rows' nodes (ClampMinBackward1 ...); clamp one
  // ClampBackward0 with an edge per bound (None for a missing one), as torch.
  std::string_view name(op);
  if (name.rfind("clamp_m", 0) == 0 || !autograd::needs_grad({self, min, max})) return compute();
  CRESSET_CHECK(!out.defined() || inplace, RuntimeError, op,
                "(): functions with out=... arguments don't support automatic differentiation, "
                "but one of the arguments requires grad.");
  if (inplace) autograd::check_inplace(self);
  Tensor x = inplace ? clone(detach(self)) : self, result;
  {
    autograd::AutoGradMode off(false);
    result = compute();
  }
  if (!is_floating(result.dtype())) return result;
  autograd::record("ClampBackward0", {self, min, max}, {result}, {x, min, max},
                   [](const autograd::Ctx& c) -> autograd::TensorList {
                     Tensor x = c.saved(0), lo = c.saved(1), hi = c.saved(2);
                     const Tensor& g = c.grad();
                     // x passes where it lies within the bounds; a bound where it wins (max
                     // also when min > max).
                     Tensor in = lo.defined() ? x >= lo : Tensor();
                     if (hi.defined()) in = in.defined() ? in & (x <= hi) : x <= hi;
                     Tensor gx, gmin, gmax;
                     if (c.needs_input_grad(0)) gx = g * in;
                     if (c.needs_input_grad(1))
                       gmin = g * (hi.defined() ? (x < lo) & (lo <= hi) : x < lo);
                     if (c.needs_input_grad(2))
                       gmax = g * (hi < (lo.defined() ? maximum(x, lo) : x));
                     return {gx, gmin, gmax};
                   });
  return result;
}
}  // namespace

Tensor clamp(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max) {
  return clamp_impl("clamp", self, min, max, Tensor(), false);
}
Tensor clamp_(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max) {
  return clamp_impl("clamp_", self, min, max, self, true);
}
Tensor clamp_out(const Tensor& self, std::optional<Scalar> min, std::optional<Scalar> max,
                 const Tensor& out) {
  return clamp_impl("clamp", self, min, max, out, false);
}
Tensor clamp(const Tensor& self, const Tensor& min, const Tensor& max) {
  return clamp_tensor_impl("clamp", self, min, max, Tensor(), false);
}
Tensor clamp_(const Tensor& self, const Tensor& min, const Tensor& max) {
  return clamp_tensor_impl("clamp_", self, min, max, self, true);
}
Tensor clamp_out(const Tensor& self, const Tensor& min, const Tensor& max, const Tensor& out) {
  return clamp_tensor_impl("clamp", self, min, max, out, false);
}

namespace {
const char* clamp_bound_op(bool is_min, bool inplace) {
  if (is_min) return inplace ? "clamp_min_" : "clamp_min";
  return inplace ? "clamp_max_" : "clamp_max";
}
}  // namespace

Tensor clamp_bound(const Tensor& self, std::optional<Scalar> bound, bool is_min, const Tensor& out,
                   bool inplace) {
  const char* op = clamp_bound_op(is_min, inplace);
  const Tensor& dst = inplace ? self : out;
  return is_min ? clamp_impl(op, self, bound, std::nullopt, dst, inplace)
                : clamp_impl(op, self, std::nullopt, bound, dst, inplace);
}
Tensor clamp_bound(const Tensor& self, const Tensor& bound, bool is_min, const Tensor& out,
                   bool inplace) {
  const char* op = clamp_bound_op(is_min, inplace);
  const Tensor& dst = inplace ? self : out;
  return is_min ? clamp_tensor_impl(op, self, bound, Tensor(), dst, inplace)
                : clamp_tensor_impl(op, self, Tensor(), bound, dst, inplace);
}

// ---- where ----
Tensor where_out(const Tensor& condition, const Tensor& self, const Tensor& other,
                 const Tensor& out) {
  DType c = condition.dtype();
  CRESSET_CHECK(c == DType::Bool || c == DType::UInt8, RuntimeError,
                "[where] where expected condition to be a boolean tensor, but got a tensor with "
                "dtype ",
                dtype_display(c));
  DType t = result_type({self, other});
  for (const Tensor& x : {self, other}) {  // torch checks numbers here, unlike in arithmetic
    if (x.impl()->is_wrapped_number()) check_fits("where", item_scalar(x), t);
  }
  auto as = [](const Tensor& x, DType d) { return x.dtype() == d ? x : cast_tensor(x, d); };
  return call(row_where, "where", {as(condition, DType::Bool), as(self, t), as(other, t)}, out,
              false, {nullptr, t, false});
}
Tensor where(const Tensor& condition, const Tensor& self, const Tensor& other) {
  return where_out(condition, self, other, Tensor());
}

// ---- lerp ----
namespace {
Tensor lerp_impl(const char* op, const Tensor& self, const Tensor& end, const Tensor& weight,
                 std::optional<Scalar> scalar_weight, const Tensor& out, bool inplace) {
  CRESSET_CHECK(self.dtype() == end.dtype(), RuntimeError, "[", op, "] expected dtype ",
                dtype_name(self.dtype()), " for `end` but got dtype ", dtype_name(end.dtype()));
  if (scalar_weight) {
    return call(row_lerp_scalar, op, {self, end}, out, inplace, {&*scalar_weight});
  }
  // A 0-dim weight takes part in type promotion (bool inputs with a float64 weight give float64)
  // and is then one number, cast to the result dtype.
  // (A weight that requires grad goes through the tensor row, which differentiates it.)
  if (weight.dim() == 0 && !(weight.requires_grad() && weight.dtype() == self.dtype())) {
    DType t = result_type({self, end, weight});
    Scalar w = item_scalar(weight.dtype() == t ? weight : cast_tensor(weight, t));
    return call(row_lerp_scalar, op, {self, end}, out, inplace, {&w, t});
  }
  CRESSET_CHECK(self.dtype() == weight.dtype(), RuntimeError, "[", op, "] expected dtype ",
                dtype_name(self.dtype()), " for `weight` but got dtype ",
                dtype_name(weight.dtype()));
  return call(row_lerp, op, {self, end, weight}, out, inplace);
}
}  // namespace

Tensor lerp(const Tensor& self, const Tensor& end, Scalar weight) {
  return lerp_impl("lerp", self, end, Tensor(), weight, Tensor(), false);
}
Tensor lerp_(const Tensor& self, const Tensor& end, Scalar weight) {
  return lerp_impl("lerp_", self, end, Tensor(), weight, self, true);
}
Tensor lerp_out(const Tensor& self, const Tensor& end, Scalar weight, const Tensor& out) {
  return lerp_impl("lerp", self, end, Tensor(), weight, out, false);
}
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  return lerp_impl("lerp", self, end, weight, std::nullopt, Tensor(), false);
}
Tensor lerp_(const Tensor& self, const Tensor& end, const Tensor& weight) {
  return lerp_impl("lerp_", self, end, weight, std::nullopt, self, true);
}
Tensor lerp_out(const Tensor& self, const Tensor& end, const Tensor& weight, const Tensor& out) {
  return lerp_impl("lerp", self, end, weight, std::nullopt, out, false);
}

// ---- addcmul, addcdiv ----
namespace {
Tensor addcdiv_impl(const char* op, const Tensor& self, const Tensor& t1, const Tensor& t2,
                    const Tensor& out, bool inplace, Scalar value) {
  CRESSET_CHECK(
      !(is_integral(t1.dtype(), true) && is_integral(t2.dtype(), true)), RuntimeError, "[", op,
      "] Integer division with addcdiv is no longer supported, and in a future "
      "release addcdiv will perform a true division of tensor1 and tensor2. The "
      "historic addcdiv behavior can be implemented as (input + value * "
      "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input "
      "+ value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just "
      "the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.");
  return call(row_addcdiv, op, {self, t1, t2}, out, inplace, {&value});
}
}  // namespace

Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return call(row_addcmul, "addcmul", {self, t1, t2}, Tensor(), false, {&value});
}
Tensor addcmul_(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return call(row_addcmul, "addcmul_", {self, t1, t2}, self, true, {&value});
}
Tensor addcmul_out(const Tensor& self, const Tensor& t1, const Tensor& t2, const Tensor& out,
                   Scalar value) {
  return call(row_addcmul, "addcmul", {self, t1, t2}, out, false, {&value});
}
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return addcdiv_impl("addcdiv", self, t1, t2, Tensor(), false, value);
}
Tensor addcdiv_(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return addcdiv_impl("addcdiv_", self, t1, t2, self, true, value);
}
Tensor addcdiv_out(const Tensor& self, const Tensor& t1, const Tensor& t2, const Tensor& out,
                   Scalar value) {
  return addcdiv_impl("addcdiv", self, t1, t2, out, false, value);
}

// ---- nan_to_num, logit, round ----
namespace {
Tensor nan_to_num_impl(const char* op, const Tensor& self, std::optional<double> nan,
                       std::optional<double> posinf, std::optional<double> neginf,
                       const Tensor& out, bool inplace) {
  if (inplace && !self.is_floating_point())
    return self;  // nothing to replace; torch writes nothing
  const double max = largest_finite(self.dtype());  // double's for integers (nothing to replace)
  Scalar args[3] = {nan.value_or(0.0), posinf.value_or(max), neginf.value_or(-max)};
  return call(row_nan_to_num, op, {self}, out, inplace, {args});
}

Tensor logit_impl(const char* op, const Tensor& self, std::optional<double> eps, const Tensor& out,
                  bool inplace) {
  Scalar arg(eps.value_or(-1.0));  // negative: no clamping, like torch
  return call(row_logit, op, {self}, out, inplace, {&arg});
}

Tensor round_impl(const char* op, const Tensor& self, int64_t decimals, const Tensor& out,
                  bool inplace) {
  if (decimals == 0) return call(row_round, op, {self}, out, inplace);
  Scalar arg(decimals);
  return call(row_round_decimals, op, {self}, out, inplace, {&arg});
}
}  // namespace

Tensor nan_to_num(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  return nan_to_num_impl("nan_to_num", self, nan, posinf, neginf, Tensor(), false);
}
Tensor nan_to_num_(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                   std::optional<double> neginf) {
  return nan_to_num_impl("nan_to_num_", self, nan, posinf, neginf, self, true);
}
Tensor nan_to_num_out(const Tensor& self, std::optional<double> nan, std::optional<double> posinf,
                      std::optional<double> neginf, const Tensor& out) {
  return nan_to_num_impl("nan_to_num", self, nan, posinf, neginf, out, false);
}
Tensor logit(const Tensor& self, std::optional<double> eps) {
  return logit_impl("logit", self, eps, Tensor(), false);
}
Tensor logit_(const Tensor& self, std::optional<double> eps) {
  return logit_impl("logit_", self, eps, self, true);
}
Tensor logit_out(const Tensor& self, std::optional<double> eps, const Tensor& out) {
  return logit_impl("logit", self, eps, out, false);
}
Tensor round(const Tensor& self, int64_t decimals) {
  return round_impl("round", self, decimals, Tensor(), false);
}
Tensor round_(const Tensor& self, int64_t decimals) {
  return round_impl("round_", self, decimals, self, true);
}
Tensor round_out(const Tensor& self, int64_t decimals, const Tensor& out) {
  return round_impl("round", self, decimals, out, false);
}

// ---- isclose, allclose, equal ----
Tensor isclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  CRESSET_CHECK(self.dtype() == other.dtype(), RuntimeError, "[isclose] ",
                dtype_display(self.dtype()), " did not match ", dtype_display(other.dtype()));
  CRESSET_CHECK(rtol >= 0, RuntimeError,
                "[isclose] rtol must be greater than or equal to zero, but got ", rtol);
  CRESSET_CHECK(atol >= 0, RuntimeError,
                "[isclose] atol must be greater than or equal to zero, but got ", atol);
  Tensor close = eq(self, other);
  if (equal_nan && self.is_floating_point()) {
    close = logical_or(close, logical_and(isnan(self), isnan(other)));
  }
  // Zero tolerances degenerate to equality (and must not accept inf == inf twice).
  if (rtol == 0 && atol == 0) return close;
  // torch's formula, op by op, so every intermediate rounds in the same dtype as torch's.
  Tensor a = self.dtype() == DType::Bool ? cast_tensor(self, default_dtype()) : self;
  Tensor b = other.dtype() == DType::Bool ? cast_tensor(other, default_dtype()) : other;
  Tensor allowed = add(abs(mul(b, wrapped_scalar(Scalar(rtol)))), wrapped_scalar(Scalar(atol)));
  Tensor actual = abs(sub(a, b));
  return logical_or(close, logical_and(isfinite(actual), le(actual, allowed)));
}

bool allclose(const Tensor& self, const Tensor& other, double rtol, double atol, bool equal_nan) {
  return all_true(isclose(self, other, rtol, atol, equal_nan));
}

bool equal(const Tensor& self, const Tensor& other) {
  if (self.sizes() != other.sizes()) return false;
  return all_true(eq(self, other));
}

}  // namespace cresset
