#pragma once
// cresset::nn::Module: the C++ frontend's base of every layer and of user networks (the concept
// of Python's nn.Module, spelled as libtorch's torch::nn::Module).
//
// Note [Module registration order]
// A module owns its parameters, buffers and child modules in registration order. Listings walk
// the tree in pre-order (own entries first, then each child with "child." prefixed), so
// named_parameters() gives exactly Python's named_parameters() names and order, and
// state_dict() Python's state_dict() keys (own parameters, own buffers, then the children).
// A tensor or module reachable twice is listed once, at its first name, as in Python.
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "cresset/core/ordered_dict.h"
#include "cresset/core/tensor.h"

namespace cresset::nn {

template <typename Impl>
class ModuleHolder;

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  /// A module whose name() is `name` instead of its demangled class name.
  explicit Module(std::string name) : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The module's name: its class name without the "Impl" suffix ("cresset::nn::Linear", "Net"
  /// for `struct NetImpl`), unless given to the constructor.
  std::string name() const;

  /// Adds a parameter: a leaf tensor whose requires_grad is set to `requires_grad` (a tensor with
  /// history is detached first). An undefined tensor registers "no parameter" (Linear without
  /// bias), which the listings skip. Returns the stored tensor.
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  /// Adds a buffer (state that is saved but not trained, e.g. BatchNorm's running_mean).
  Tensor& register_buffer(std::string name, Tensor tensor);
  /// Adds a child module; its parameters are listed under "name.".
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }
  /// Adds the module a holder (nn::Linear, ...) points to.
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, const ModuleHolder<M>& holder) {
    return register_module(std::move(name), holder.ptr());
  }
  /// Replaces the child registered as `name` (ValueError when there is none).
  template <typename M>
  std::shared_ptr<M> replace_module(const std::string& name, std::shared_ptr<M> module) {
    replace_child(name, module);
    return module;
  }

  /// The parameters of this module (and, with recurse, of its descendants). See Note [Module
  /// registration order].
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// Parameters with their dotted names ("conv1.weight", "fc.0.bias").
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  /// Parameters and buffers with Python's state_dict() keys, in its order (the tensors
  /// themselves, not copies).
  OrderedDict<std::string, Tensor> state_dict() const;
  /// Copies the tensors of `state` into the parameters and buffers of the same names (without
  /// recording grad). With strict, missing or unexpected keys raise RuntimeError; a shape or
  /// dtype mismatch always does (see io::copy_state_dict).
  void load_state_dict(const OrderedDict<std::string, Tensor>& state, bool strict = true);

  /// The direct children.
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;
  /// This module (with include_self) and all its descendants, in pre-order.
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true);
  /// Descendants named by their dotted path from this module ("" for this module).
  OrderedDict<std::string, std::shared_ptr<Module>> named_modules(
      const std::string& name_prefix = "", bool include_self = true);

  /// Sets training mode on this module and every descendant.
  virtual void train(bool on = true);
  /// train(false).
  void eval() { train(false); }
  bool is_training() const noexcept { return is_training_; }

  /// Moves parameters, buffers and gradients to `device` (in place: the tensors keep their
  /// identity, so optimizers built before still see them).
  void to(Device device);
  /// Casts floating parameters, buffers and gradients to `dtype` (in place).
  void to(DType dtype);
  void to(Device device, DType dtype);

  /// Resets the gradients of all parameters: drops them (set_to_none) or zeroes them.
  void zero_grad(bool set_to_none = true);

  /// Calls fn on this module, then on every descendant (pre-order).
  void apply(const std::function<void(Module&)>& fn);
  /// Calls fn(dotted name, module) on this module ("") and every descendant.
  void apply(const std::function<void(const std::string&, Module&)>& fn,
             const std::string& name_prefix = "");

  /// Writes the one-line description of this module ("cresset::nn::Linear(in_features=2,
  /// out_features=3, bias=true)"; by default the name, with "()" when it has no children);
  /// operator<< adds the children below it.
  virtual void pretty_print(std::ostream& stream) const;

  /// This module as a T (an Impl class or a holder type's Impl), or nullptr.
  template <typename T>
  auto* as() noexcept {
    if constexpr (std::is_base_of_v<Module, T>) {
      return dynamic_cast<T*>(this);
    } else {
      return dynamic_cast<typename T::ContainedType*>(this);
    }
  }
  template <typename T>
  const auto* as() const noexcept {
    return const_cast<Module*>(this)->as<T>();
  }

 protected:
  /// Registers a child (register_module and the containers); ValueError for an empty name, a
  /// name with '.', a taken name or an empty module.
  void add_child(std::string name, std::shared_ptr<Module> module);
  void replace_child(const std::string& name, std::shared_ptr<Module> module);

 private:
  friend std::ostream& operator<<(std::ostream& stream, const Module& module);
  void print_tree(std::ostream& stream, const std::string& indent) const;
  /// ValueError unless `name` is non-empty, has no '.' and names nothing registered yet.
  void check_new_name(const char* what, const std::string& name) const;
  /// Visits this module and its descendants once each, in pre-order, with their dotted names.
  void walk(const std::string& prefix, bool recurse,
            const std::function<void(const std::string&, const Module&)>& fn) const;
  /// The parameters and/or buffers of this module (and its descendants), with their names.
  OrderedDict<std::string, Tensor> named_tensors(bool params, bool buffers, bool recurse) const;
  void convert(std::optional<Device> device, std::optional<DType> dtype);

  OrderedDict<std::string, Tensor> parameters_;
  OrderedDict<std::string, Tensor> buffers_;
  OrderedDict<std::string, std::shared_ptr<Module>> children_;
  std::string name_;
  bool is_training_ = true;
};

/// Prints the module and its children, indented, as libtorch does.
std::ostream& operator<<(std::ostream& stream, const Module& module);

}  // namespace cresset::nn
