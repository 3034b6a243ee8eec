#include "cresset/nn/modules/container.h"

namespace cresset::nn {

Tensor SequentialImpl::forward(const Tensor& input) {
  CRESSET_CHECK(!forwards_.empty(), RuntimeError,
                "[nn::Sequential] cannot call forward() on an empty Sequential");
  Tensor x = input;
  for (const auto& fn : forwards_) x = fn(x);
  return x;
}

std::shared_ptr<Module> ModuleSequence::operator[](size_t index) const {
  CRESSET_CHECK(index < modules_.size(), IndexError, "[", name(), "] index ", index,
                " is out of range for ", modules_.size(), " modules");
  return modules_[index];
}

ModuleDictImpl::ModuleDictImpl(
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  for (const auto& [name, module] : modules) add_child(name, module);
}

std::shared_ptr<Module> ModuleDictImpl::operator[](const std::string& name) const {
  const auto children = named_children();
  const std::shared_ptr<Module>* module = children.find(name);
  CRESSET_CHECK(module, IndexError, "[nn::ModuleDict] no module named '", name, "'");
  return *module;
}

FunctionalImpl::FunctionalImpl(Function function) : function_(std::move(function)) {}

}  // namespace cresset::nn
