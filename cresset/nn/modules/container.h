#pragma once
// Containers: nn::Sequential, nn::ModuleList, nn::ModuleDict, and nn::Functional (a function as
// a module, so it can sit in a Sequential).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cresset/nn/modules/holder.h"

namespace cresset::nn {
namespace detail {

/// The module a holder or shared_ptr points to, as a shared_ptr of its own class.
template <typename M>
auto module_ptr(M&& module) {
  if constexpr (std::is_base_of_v<ModuleHolderBase, std::decay_t<M>>) {
    return module.ptr();
  } else {
    return std::shared_ptr<typename std::decay_t<M>::element_type>(std::forward<M>(module));
  }
}

}  // namespace detail

/// What Sequential and ModuleList share: the modules in order, named "0", "1", ... (or by the
/// names given), with indexing and iteration.
class ModuleSequence : public Module {
 public:
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }
  /// The module at `index` (IndexError past the end).
  std::shared_ptr<Module> operator[](size_t index) const;
  /// The module at `index` as a T (an Impl class), or nullptr when it is not one.
  template <typename T>
  std::shared_ptr<T> ptr(size_t index) const {
    return std::dynamic_pointer_cast<T>((*this)[index]);
  }
  std::vector<std::shared_ptr<Module>>::const_iterator begin() const { return modules_.begin(); }
  std::vector<std::shared_ptr<Module>>::const_iterator end() const { return modules_.end(); }

 protected:
  /// Registers the module a holder or shared_ptr points to and returns it.
  template <typename M>
  auto append(std::string name, M&& module) {
    auto ptr = detail::module_ptr(std::forward<M>(module));
    add_child(std::move(name), ptr);
    modules_.push_back(ptr);
    return ptr;
  }
  std::string next_name() const { return std::to_string(modules_.size()); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

/// Runs its modules in order, each one's output the next one's input. Every module must have
/// `Tensor forward(const Tensor&)`.
class SequentialImpl : public ModuleSequence {
 public:
  SequentialImpl() = default;
  template <typename... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  /// Appends a module (a holder such as nn::Linear, or a shared_ptr to a module).
  template <typename M>
  void push_back(M&& module) {
    push_back(next_name(), std::forward<M>(module));
  }
  /// Appends a module under its own name.
  template <typename M>
  void push_back(std::string name, M&& module) {
    auto ptr = append(std::move(name), std::forward<M>(module));
    forwards_.push_back([raw = ptr.get()](const Tensor& x) { return raw->forward(x); });
  }
  /// The modules applied in order.
  Tensor forward(const Tensor& input);

 private:
  std::vector<std::function<Tensor(const Tensor&)>> forwards_;
};
CRESSET_MODULE(Sequential);

/// Holds modules in a list without a forward of its own.
class ModuleListImpl : public ModuleSequence {
 public:
  ModuleListImpl() = default;
  template <typename... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  template <typename M>
  void push_back(M&& module) {
    append(next_name(), std::forward<M>(module));
  }
};
CRESSET_MODULE(ModuleList);

/// Holds named modules in insertion order.
class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(
      const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  /// Adds a module under `name` (ValueError when the name is taken).
  template <typename M>
  void insert(std::string name, M&& module) {
    add_child(std::move(name), detail::module_ptr(std::forward<M>(module)));
  }
  size_t size() const { return named_children().size(); }
  bool contains(const std::string& name) const { return named_children().contains(name); }
  std::vector<std::string> keys() const { return named_children().keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return children(); }
  /// The module under `name` (IndexError when there is none).
  std::shared_ptr<Module> operator[](const std::string& name) const;
};
CRESSET_MODULE(ModuleDict);

/// A function of one tensor as a module: `nn::Functional(cresset::relu)`, or with more
/// arguments bound after the input: `nn::Functional(cresset::leaky_relu, 0.2)`.
class FunctionalImpl : public Module {
 public:
  using Function = std::function<Tensor(const Tensor&)>;
  explicit FunctionalImpl(Function function);
  template <typename Fn, typename Arg, typename... Args>
  FunctionalImpl(Fn function, Arg&& arg, Args&&... args)
      : FunctionalImpl(Function(
            [function, arg, args...](const Tensor& x) { return function(x, arg, args...); })) {}
  Tensor forward(const Tensor& input) { return function_(input); }
  Tensor operator()(const Tensor& input) { return function_(input); }

 private:
  Function function_;
};
CRESSET_MODULE(Functional);

}  // namespace cresset::nn
