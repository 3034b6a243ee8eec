#pragma once
// CRESSET_ARG: a named, chainable option of an options object, as libtorch's C++ frontend spells
// them: `nn::Conv2dOptions(1, 32, 3).stride(1).padding(1)`. Each argument is a private member
// `name_` with a setter `name(value)` that returns the object and getters `name()`; a default
// value follows the macro: `CRESSET_ARG(bool, bias) = true;`.

#define CRESSET_ARG(T, name)                                   \
 public:                                                       \
  /* Sets the option and returns the options object. */        \
  auto name(const T& new_##name)->decltype(*this) {            \
    this->name##_ = new_##name;                                \
    return *this;                                              \
  }                                                            \
  const T& name() const noexcept { return this->name##_; }     \
  T& name() noexcept { return this->name##_; }                 \
                                                               \
 private:                                                      \
  T name##_
