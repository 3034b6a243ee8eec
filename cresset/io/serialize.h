#pragma once
// cresset::save / cresset::load for C++ programs, in the checkpoint format of Python's
// cresset.save / cresset.load (see Note [Checkpoint format] in checkpoint.h), so files move
// between the two:
//   C++ save(tensor)                     <-> Python: a tensor
//   C++ save(std::vector<Tensor>)        <-> Python: a list of tensors
//   C++ save(OrderedDict<string, Tensor>) <-> Python: an OrderedDict of name -> tensor
//   C++ save(module)                     <-> Python: the module's state_dict, so
//                                            model.load_state_dict(cresset.load(path)) works
#include <memory>
#include <string>
#include <vector>

#include "cresset/core/ordered_dict.h"
#include "cresset/core/tensor.h"
#include "cresset/nn/modules/holder.h"
#include "cresset/nn/modules/module.h"

namespace cresset {

/// Saves one tensor (its requires_grad is kept).
void save(const Tensor& tensor, const std::string& path);
/// Loads the tensor a file holds into `tensor` (replacing the handle, as libtorch's load does).
void load(Tensor& tensor, const std::string& path);
/// Saves a list of tensors.
void save(const std::vector<Tensor>& tensors, const std::string& path);
/// Loads a list (or tuple) of tensors.
void load(std::vector<Tensor>& tensors, const std::string& path);
/// Saves name -> tensor, in order, as an OrderedDict without autograd flags (a state dict).
void save(const OrderedDict<std::string, Tensor>& tensors, const std::string& path);
/// Loads a dict of name -> tensor, in file order (replacing the dict's contents).
void load(OrderedDict<std::string, Tensor>& tensors, const std::string& path);

/// Saves a module's state_dict(): parameters and buffers under Python's state_dict() keys.
void save(const nn::Module& module, const std::string& path);
/// Loads a state dict saved from C++ or Python into a module's parameters and buffers in place
/// (module.load_state_dict of the file's dict, strictly).
void load(nn::Module& module, const std::string& path);

namespace io {
/// Copies `loaded` into `targets` by name, in place and without recording grad (the check and
/// copy of nn::Module::load_state_dict and cresset::load(module)). RuntimeError, worded like
/// torch's load_state_dict and naming `owner`, for a shape or dtype mismatch, and with `strict`
/// for missing and unexpected keys (skipped otherwise). Nothing is copied when anything is wrong.
void copy_state_dict(const OrderedDict<std::string, Tensor>& targets,
                     const OrderedDict<std::string, Tensor>& loaded, const std::string& owner,
                     bool strict = true);
}  // namespace io

/// save/load of a module held by a shared_ptr (std::shared_ptr<NetImpl>).
template <typename M, typename = std::enable_if_t<std::is_base_of_v<nn::Module, M>>>
void save(const std::shared_ptr<M>& module, const std::string& path) {
  save(static_cast<const nn::Module&>(*module), path);
}
template <typename M, typename = std::enable_if_t<std::is_base_of_v<nn::Module, M>>>
void load(const std::shared_ptr<M>& module, const std::string& path) {
  load(static_cast<nn::Module&>(*module), path);
}
/// save/load of a module held by a holder (nn::Linear, or Net for CRESSET_MODULE(Net)).
template <typename Impl>
void save(const nn::ModuleHolder<Impl>& module, const std::string& path) {
  save(static_cast<const nn::Module&>(*module), path);
}
template <typename Impl>
void load(const nn::ModuleHolder<Impl>& module, const std::string& path) {
  load(static_cast<nn::Module&>(*module.get()), path);
}

}  // namespace cresset
