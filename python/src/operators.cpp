// Tensor's Python operators (+ - * / // % ** @ & | ^ << >>, their reflected and augmented forms,
// comparisons, unary - + abs ~) as type slots.
//
// Note [Operator slots]
// A method named __add__ makes CPython fill the type's nb_add with its generic slot_nb_add, which
// on every `a + b` looks __add__ (and maybe __radd__) up in the type and calls it through
// nanobind's argument dispatch: about 25 ns of a 1-element add that takes 260. So the Tensor type
// is created with these C functions in its slots instead (tensor_operator_slots), and CPython makes
// the dunder methods from them (wrapper descriptors: `Tensor.__add__(a, b)` and `a.__radd__(b)`
// still work). A binary slot serves both orders: Python calls it for `a + b` when either operand's
// type is Tensor's, so `self` is whichever operand is a tensor. Python subclasses inherit the
// slots unless they define their own operators.
#include <new>

#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/linalg.h"

namespace cresset::py {

namespace {

using Binary = Tensor (*)(const Tensor&, const Tensor&);

// Two-operand forms of the ops with defaulted extra arguments.
Tensor add2(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor add2_(const Tensor& a, const Tensor& b) { return add_(a, b); }
Tensor sub2(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor sub2_(const Tensor& a, const Tensor& b) { return sub_(a, b); }

// Reflected operators compute Reflected(self, other). torch evaluates `other - self` as
// rsub(self, other) (recorded as RsubBackward1) but `other * self` as mul(self, other) (it matters
// where the second operand is special: a float16 tensor times a number keeps the number at float
// precision) and `other / self` as self.reciprocal() * other (two roundings, not one division).
template <Binary Op>
Tensor swapped(const Tensor& self, const Tensor& other) {
  return Op(other, self);
}
Tensor rsub2(const Tensor& self, const Tensor& other) { return rsub(self, other); }
Tensor rdiv(const Tensor& self, const Tensor& other) { return mul(reciprocal(self), other); }

// Sets the Python error for the C++ exception being handled (what nanobind does around a bound
// function) and returns null.
PyObject* raise_current() noexcept {
  try {
    throw;
  } catch (nb::python_error& e) {
    e.restore();
  } catch (const RuntimeError&) {
    translate_exception(std::current_exception());
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_SystemError, "unknown C++ exception");
  }
  return nullptr;
}

// A tensor operand as a C++ pointer, or null for any other object.
Tensor* as_tensor(PyObject* h) {
  Tensor* t = nullptr;
  return nb::try_cast<Tensor*>(nb::handle(h), t, false) ? t : nullptr;
}

// An operator's other operand: a tensor (borrowed, see Note [Tiny-op refcounts]), a number
// (wrapped into `holder`), or null when unknown (NotImplemented, so that Python can try the other
// operand's reflected operator).
const Tensor* operand(PyObject* h, Tensor& holder) {
  if (Tensor* t = as_tensor(h)) return t;
  if (!is_number(h)) return nullptr;
  holder = wrapped_scalar(to_scalar(h));
  return &holder;
}

PyObject* not_implemented() { return Py_NewRef(Py_NotImplemented); }

template <Binary Op>
PyObject* apply(const Tensor& self, PyObject* other) {
  Tensor holder;
  const Tensor* o = operand(other, holder);
  return o ? nb::cast(Op(self, *o)).release().ptr() : not_implemented();
}

// `a op b` for Op, or for Reflected(b, a) when only b is a tensor.
template <Binary Op, Binary Reflected>
PyObject* binary_slot(PyObject* a, PyObject* b) noexcept {
  try {
    if (Tensor* self = as_tensor(a)) return apply<Op>(*self, b);
    if (Tensor* self = as_tensor(b)) return apply<Reflected>(*self, a);
    return not_implemented();
  } catch (...) {
    return raise_current();
  }
}

// `a op= b`: writes into a and returns a itself.
template <Binary Inplace>
PyObject* inplace_slot(PyObject* a, PyObject* b) noexcept {
  try {
    Tensor* self = as_tensor(a);
    Tensor holder;
    const Tensor* o = self ? operand(b, holder) : nullptr;
    if (!o) return not_implemented();
    Inplace(*self, *o);
    return Py_NewRef(a);
  } catch (...) {
    return raise_current();
  }
}

// `a ** b`; three-argument pow() is not supported (NotImplemented makes Python raise TypeError).
PyObject* power_slot(PyObject* a, PyObject* b, PyObject* mod) noexcept {
  if (mod != Py_None) return not_implemented();
  return binary_slot<pow, swapped<pow>>(a, b);
}
PyObject* inplace_power_slot(PyObject* a, PyObject* b, PyObject* mod) noexcept {
  if (mod != Py_None) return not_implemented();
  return inplace_slot<pow_>(a, b);
}

// `a @ b` takes tensors only (no numbers); no __imatmul__, like torch: `a @= b` rebinds a.
PyObject* matmul_slot(PyObject* a, PyObject* b) noexcept {
  try {
    Tensor *x = as_tensor(a), *y = as_tensor(b);
    return x && y ? nb::cast(matmul(*x, *y)).release().ptr() : not_implemented();
  } catch (...) {
    return raise_current();
  }
}

// Python calls a comparison slot with an operand of this type first (swapping the operator when
// the tensor is on the right), so `a` is always a tensor.
PyObject* richcompare_slot(PyObject* a, PyObject* b, int op) noexcept {
  try {
    Tensor* self = as_tensor(a);
    if (!self) return not_implemented();
    switch (op) {
      case Py_EQ: return apply<eq>(*self, b);
      case Py_NE: return apply<ne>(*self, b);
      case Py_LT: return apply<lt>(*self, b);
      case Py_LE: return apply<le>(*self, b);
      case Py_GT: return apply<gt>(*self, b);
      default: return apply<ge>(*self, b);
    }
  } catch (...) {
    return raise_current();
  }
}

template <typename F>
PyObject* unary_slot(PyObject* a, const F& f) noexcept {
  try {
    Tensor* self = as_tensor(a);
    return self ? f(*self) : not_implemented();
  } catch (...) {
    return raise_current();
  }
}

PyObject* negative_slot(PyObject* a) noexcept {
  return unary_slot(a, [](const Tensor& t) { return nb::cast(neg(t)).release().ptr(); });
}
PyObject* absolute_slot(PyObject* a) noexcept {
  return unary_slot(a, [](const Tensor& t) { return nb::cast(abs(t)).release().ptr(); });
}
// +t checks the dtype like torch.positive and returns t itself.
PyObject* positive_slot(PyObject* a) noexcept {
  return unary_slot(a, [a](const Tensor& t) {
    positive(t);
    return Py_NewRef(a);
  });
}
PyObject* invert_slot(PyObject* a) noexcept {
  return unary_slot(a, [](const Tensor& t) {
    CRESSET_CHECK(!t.is_floating_point(), TypeError,
                  "~ (operator.invert) is only implemented on integer and Boolean-type tensors");
    return nb::cast(bitwise_not(t)).release().ptr();
  });
}

// Hash by identity like torch (the comparisons above would otherwise make tensors unhashable).
Py_hash_t hash_slot(PyObject* a) noexcept {
  Py_hash_t h = Py_hash_t(reinterpret_cast<intptr_t>(a));
  return h == -1 ? -2 : h;
}

}  // namespace

PyType_Slot* tensor_operator_slots() {
#define CRESSET_OPERATOR(slot, Op, Inplace, Reflected)                 \
  {Py_nb_##slot, reinterpret_cast<void*>(&binary_slot<Op, Reflected>)}, \
      {Py_nb_inplace_##slot, reinterpret_cast<void*>(&inplace_slot<Inplace>)},
  static PyType_Slot slots[] = {
      CRESSET_OPERATOR(add, add2, add2_, add2)
      CRESSET_OPERATOR(subtract, sub2, sub2_, rsub2)
      CRESSET_OPERATOR(multiply, mul, mul_, mul)
      CRESSET_OPERATOR(true_divide, div2, div2_, rdiv)
      CRESSET_OPERATOR(floor_divide, floor_divide, floor_divide_, swapped<floor_divide>)
      CRESSET_OPERATOR(remainder, remainder, remainder_, swapped<remainder>)
      CRESSET_OPERATOR(and, bitwise_and, bitwise_and_, bitwise_and)
      CRESSET_OPERATOR(or, bitwise_or, bitwise_or_, bitwise_or)
      CRESSET_OPERATOR(xor, bitwise_xor, bitwise_xor_, bitwise_xor)
      CRESSET_OPERATOR(lshift, bitwise_left_shift, bitwise_left_shift_,
                       swapped<bitwise_left_shift>)
      CRESSET_OPERATOR(rshift, bitwise_right_shift, bitwise_right_shift_,
                       swapped<bitwise_right_shift>)
      {Py_nb_power, reinterpret_cast<void*>(&power_slot)},
      {Py_nb_inplace_power, reinterpret_cast<void*>(&inplace_power_slot)},
      {Py_nb_matrix_multiply, reinterpret_cast<void*>(&matmul_slot)},
      {Py_nb_negative, reinterpret_cast<void*>(&negative_slot)},
      {Py_nb_positive, reinterpret_cast<void*>(&positive_slot)},
      {Py_nb_absolute, reinterpret_cast<void*>(&absolute_slot)},
      {Py_nb_invert, reinterpret_cast<void*>(&invert_slot)},
      {Py_tp_richcompare, reinterpret_cast<void*>(&richcompare_slot)},
      {Py_tp_hash, reinterpret_cast<void*>(&hash_slot)},
      {0, nullptr},
  };
#undef CRESSET_OPERATOR
  return slots;
}

}  // namespace cresset::py
