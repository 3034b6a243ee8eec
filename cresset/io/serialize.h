#pragma once
// cresset::save / cresset::load for C++ programs, in the checkpoint format of Python's
// cresset.save / cresset.load (see Note [Checkpoint format] in checkpoint.h), so files move
// between the two:
//   C++ save(tensor)           <-> Python: a tensor
//   C++ save(vector<Tensor>)   <-> Python: a list of tensors
//   C++ save(map / OrderedDict)<-> Python: an OrderedDict of name -> tensor
//   C++ save(module)           <-> Python: the module's state_dict (model.load_state_dict(...))
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// Name -> tensor entries in order: what modules and dicts are saved as.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

/// Saves one tensor (its requires_grad is kept).
void save(const Tensor& tensor, const std::string& path);
/// Loads the tensor a file holds into `tensor` (replacing the handle, as libtorch's load does).
void load(Tensor& tensor, const std::string& path);
/// Saves a list of tensors.
void save(const std::vector<Tensor>& tensors, const std::string& path);
/// Loads a list (or tuple) of tensors.
void load(std::vector<Tensor>& tensors, const std::string& path);
/// Saves name -> tensor in key order, as an OrderedDict.
void save(const std::map<std::string, Tensor>& tensors, const std::string& path);
/// Loads a dict of name -> tensor (replacing the map's contents).
void load(std::map<std::string, Tensor>& tensors, const std::string& path);

namespace io {
/// Saves `entries` as an OrderedDict of name -> tensor, without autograd flags (a state dict).
void save_named_tensors(const NamedTensors& entries, const std::string& path);
/// Loads a file holding a dict of name -> tensor, in file order.
NamedTensors load_named_tensors(const std::string& path);
/// Copies the file's state dict into `targets` (a module's parameters and buffers) in place,
/// without recording grad. RuntimeError, worded like torch's load_state_dict, for missing or
/// unexpected keys and for a shape or dtype that differs. `owner` names the module.
void load_state_into(const NamedTensors& targets, const std::string& path,
                     const std::string& owner);
/// Copies `loaded` into `targets` by name, in place and without recording grad (the check and
/// copy of load_state_into and nn::Module::load_state_dict). Shape or dtype mismatches raise
/// RuntimeError; so do missing and unexpected keys with `strict` (otherwise they are skipped).
/// Nothing is copied when anything is wrong.
void copy_state_dict(const NamedTensors& targets, const NamedTensors& loaded,
                     const std::string& owner, bool strict = true);

template <typename Dict>
NamedTensors named_tensors(const Dict& dict) {
  NamedTensors out;
  for (const auto& item : dict) out.emplace_back(item.key(), item.value());
  return out;
}
}  // namespace io

/// Saves an ordered dict of name -> tensor (items with key() and value(), e.g. a module's
/// named_parameters()) as an OrderedDict.
template <typename Dict>
auto save(const Dict& dict, const std::string& path)
    -> decltype(dict.begin()->key(), dict.begin()->value(), void()) {
  io::save_named_tensors(io::named_tensors(dict), path);
}

/// Saves a module (a holder such as nn::Linear, or a shared_ptr to a module) as its state dict:
/// parameters and buffers under Python's state_dict() keys.
template <typename ModulePtr>
auto save(const ModulePtr& module, const std::string& path)
    -> decltype(module->state_dict(), void()) {
  io::save_named_tensors(io::named_tensors(module->state_dict()), path);
}

/// Loads a state dict saved from C++ or Python into a module's parameters and buffers, in place.
template <typename ModulePtr>
auto load(ModulePtr& module, const std::string& path) -> decltype(module->state_dict(), void()) {
  io::load_state_into(io::named_tensors(module->state_dict()), path, module->name());
}

}  // namespace cresset
