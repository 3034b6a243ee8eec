#include "cresset/nn/modules/module.h"

#include <cxxabi.h>

#include <cstdlib>
#include <typeinfo>
#include <unordered_set>

#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/autograd/param_grad.h"
#include "cresset/io/serialize.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {
namespace {

/// The demangled class name of `module`, without the "Impl" suffix of holder-backed classes.
std::string class_name(const Module& module) {
  const char* mangled = typeid(module).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : mangled;
  std::free(demangled);
  const std::string suffix = "Impl";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    name.resize(name.size() - suffix.size());
  }
  return name;
}

/// Gives `t` the storage, dtype and layout of `src`, keeping its identity (Python's
/// `t.data = src`), so that optimizers and user handles keep pointing at it.
void set_data(const Tensor& t, const Tensor& src) {
  if (t.is_same(src)) return;
  t.impl()->set_storage(src.impl()->storage());
  t.impl()->set_dtype(src.dtype());
  t.impl()->set_layout(src.sizes(), src.strides(), src.storage_offset());
}

/// The tensor converted to `device` and, when floating, to `dtype`.
Tensor converted(const Tensor& t, std::optional<Device> device, std::optional<DType> dtype) {
  DType target = dtype && t.is_floating_point() ? *dtype : t.dtype();
  return cresset::to(t, target, device.value_or(t.device()));
}

}  // namespace

std::string Module::name() const { return name_.empty() ? class_name(*this) : name_; }

void Module::check_new_name(const char* what, const std::string& name) const {
  CRESSET_CHECK(!name.empty(), ValueError, "[Module] ", what, " name can't be empty string \"\"");
  CRESSET_CHECK(name.find('.') == std::string::npos, ValueError, "[Module] ", what,
                " name can't contain \".\", got: ", name);
  CRESSET_CHECK(
      !parameters_.contains(name) && !buffers_.contains(name) && !children_.contains(name),
      ValueError, "[Module] attribute '", name, "' already exists");
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_new_name("parameter", name);
  if (tensor.defined()) {
    if (!autograd::is_leaf(tensor)) tensor = detach(tensor);
    autograd::set_requires_grad(tensor, requires_grad);
  }
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_new_name("buffer", name);
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_new_name("module", name);
  CRESSET_CHECK(module, ValueError, "[Module] register_module('", name, "') of an empty module");
  children_.insert(std::move(name), std::move(module));
}

void Module::replace_child(const std::string& name, std::shared_ptr<Module> module) {
  CRESSET_CHECK(children_.contains(name), ValueError, "[Module] no submodule named '", name,
                "' to replace");
  CRESSET_CHECK(module, ValueError, "[Module] replace_module('", name, "') with an empty module");
  children_[name] = std::move(module);
}

void Module::walk(const std::string& prefix, bool recurse,
                  const std::function<void(const std::string&, const Module&)>& fn) const {
  std::unordered_set<const Module*> seen;
  std::function<void(const std::string&, const Module&)> visit = [&](const std::string& path,
                                                                     const Module& m) {
    if (!seen.insert(&m).second) return;
    fn(path, m);
    if (!recurse) return;
    for (const auto& child : m.children_) {
      visit(path.empty() ? child.key() : path + "." + child.key(), *child.value());
    }
  };
  visit(prefix, *this);
}

namespace {

/// The defined, not yet listed tensors of `table`, named under `prefix`.
void collect(const OrderedDict<std::string, Tensor>& table, const std::string& prefix,
             std::unordered_set<const TensorImpl*>& seen, OrderedDict<std::string, Tensor>& out) {
  for (const auto& item : table) {
    const Tensor& t = item.value();
    if (!t.defined() || !seen.insert(t.impl()).second) continue;
    out.insert(prefix.empty() ? item.key() : prefix + "." + item.key(), t);
  }
}

}  // namespace

OrderedDict<std::string, Tensor> Module::named_tensors(bool params, bool buffers,
                                                       bool recurse) const {
  OrderedDict<std::string, Tensor> out;
  std::unordered_set<const TensorImpl*> seen;
  walk("", recurse, [&](const std::string& path, const Module& m) {
    if (params) collect(m.parameters_, path, seen, out);
    if (buffers) collect(m.buffers_, path, seen, out);
  });
  return out;
}

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  return named_tensors(true, false, recurse);
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  return named_parameters(recurse).values();
}

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  return named_tensors(false, true, recurse);
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

OrderedDict<std::string, Tensor> Module::state_dict() const {
  return named_tensors(true, true, true);
}

void Module::load_state_dict(const OrderedDict<std::string, Tensor>& state, bool strict) {
  io::copy_state_dict(state_dict(), state, name(), strict);
}

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const {
  return children_;
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(
    const std::string& name_prefix, bool include_self) {
  std::shared_ptr<Module> self = weak_from_this().lock();
  CRESSET_CHECK(self || !include_self, RuntimeError,
                "[Module] named_modules(include_self=true) needs a module owned by a shared_ptr "
                "(make it with std::make_shared or a holder such as nn::Linear)");
  OrderedDict<std::string, std::shared_ptr<Module>> out;
  walk(name_prefix, true, [&](const std::string& path, const Module& m) {
    if (&m == this) {
      if (include_self) out.insert(path, self);
      return;
    }
    out.insert(path, const_cast<Module&>(m).shared_from_this());
  });
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) {
  return named_modules("", include_self).values();
}

void Module::train(bool on) {
  is_training_ = on;
  for (auto& child : children_) child.value()->train(on);
}

void Module::convert(std::optional<Device> device, std::optional<DType> dtype) {
  autograd::AutoGradMode no_grad(false);
  for (Tensor& t : parameters()) {
    set_data(t, converted(t, device, dtype));
    Tensor grad = t.grad();
    if (grad.defined()) set_data(grad, converted(grad, device, dtype));
  }
  for (Tensor& t : buffers()) set_data(t, converted(t, device, dtype));
}

void Module::to(Device device) { convert(device, std::nullopt); }
void Module::to(DType dtype) { convert(std::nullopt, dtype); }
void Module::to(Device device, DType dtype) { convert(device, dtype); }

void Module::zero_grad(bool set_to_none) {
  for (const Tensor& p : parameters()) autograd::reset_grad(p, set_to_none);
}

void Module::apply(const std::function<void(Module&)>& fn) {
  walk("", true, [&](const std::string&, const Module& m) { fn(const_cast<Module&>(m)); });
}

void Module::apply(const std::function<void(const std::string&, Module&)>& fn,
                   const std::string& name_prefix) {
  walk(name_prefix, true,
       [&](const std::string& path, const Module& m) { fn(path, const_cast<Module&>(m)); });
}

void Module::pretty_print(std::ostream& stream) const {
  stream << name() << (children_.empty() ? "()" : "");
}

void Module::print_tree(std::ostream& stream, const std::string& indent) const {
  pretty_print(stream);
  if (children_.empty()) return;
  stream << "(\n";
  for (const auto& child : children_) {
    stream << indent << "  (" << child.key() << "): ";
    child.value()->print_tree(stream, indent + "  ");
    stream << "\n";
  }
  stream << indent << ")";
}

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  module.print_tree(stream, "");
  return stream;
}

}  // namespace cresset::nn
