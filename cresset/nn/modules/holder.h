#pragma once
// Holder types: `nn::Linear` is a shared pointer to an `nn::LinearImpl`, as in libtorch. Copies
// of a holder share the module; `fc->weight` reaches the Impl and `fc(x)` calls its forward.
// CRESSET_MODULE(Name) declares the holder `Name` of a class `NameImpl` (also for user modules).
#include <memory>
#include <type_traits>
#include <utility>

#include "cresset/core/error.h"
#include "cresset/nn/modules/module.h"

namespace cresset::nn {

/// Tag base so templates can tell holders from other arguments.
struct ModuleHolderBase {};

template <typename Impl>
class ModuleHolder : public ModuleHolderBase {
  // Copies of this holder type are not constructor arguments (other holders are: Sequential's).
  template <typename Head>
  static constexpr bool kIsConstructorArg =
      !std::is_base_of_v<ModuleHolder, std::decay_t<Head>> &&
      !std::is_same_v<std::decay_t<Head>, std::shared_ptr<Impl>> &&
      !std::is_same_v<std::decay_t<Head>, std::nullptr_t>;

 public:
  using ContainedType = Impl;

  /// Default-constructs the module (only for modules with a default constructor; declare
  /// `nn::Linear fc{nullptr};` to fill a member later).
  ModuleHolder() : impl_(make_default()) {}
  /// The empty holder.
  ModuleHolder(std::nullptr_t) {}  // NOLINT: implicit, as `nn::Linear fc = nullptr;`
  /// Holds an existing module.
  ModuleHolder(std::shared_ptr<Impl> module) : impl_(std::move(module)) {}  // NOLINT: implicit
  /// Constructs the module from the constructor arguments of Impl.
  template <typename Head, typename... Tail,
            typename = std::enable_if_t<kIsConstructorArg<Head>>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Impl>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}

  Impl* operator->() { return get(); }
  const Impl* operator->() const { return get(); }
  Impl& operator*() { return *get(); }
  const Impl& operator*() const { return *get(); }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  /// The module; RuntimeError for an empty holder.
  Impl* get() const {
    CRESSET_CHECK(impl_, RuntimeError, "[ModuleHolder] accessing an empty module holder");
    return impl_.get();
  }
  bool is_empty() const noexcept { return impl_ == nullptr; }
  explicit operator bool() const noexcept { return impl_ != nullptr; }
  operator std::shared_ptr<Module>() const { return impl_; }  // NOLINT: implicit, for containers

  /// Indexes the module (Sequential, ModuleList, ModuleDict).
  template <typename Arg>
  decltype(auto) operator[](Arg&& arg) {
    return (*get())[std::forward<Arg>(arg)];
  }

  /// Calls the module's forward.
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) {
    return get()->forward(std::forward<Args>(args)...);
  }

 private:
  static std::shared_ptr<Impl> make_default() {
    static_assert(std::is_default_constructible_v<Impl>,
                  "this module has no default constructor: construct it with its options, or "
                  "give it the empty state with `= nullptr`");
    return std::make_shared<Impl>();
  }

  std::shared_ptr<Impl> impl_;
};

/// Prints the held module (see operator<< of Module).
template <typename Impl>
std::ostream& operator<<(std::ostream& stream, const ModuleHolder<Impl>& holder) {
  return stream << *holder;
}

}  // namespace cresset::nn

/// Declares `Name`, the holder of `NameImpl`.
#define CRESSET_MODULE(Name)                                     \
  class Name : public ::cresset::nn::ModuleHolder<Name##Impl> {  \
   public:                                                       \
    using ::cresset::nn::ModuleHolder<Name##Impl>::ModuleHolder; \
  }
