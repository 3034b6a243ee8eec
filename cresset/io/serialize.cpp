#include "cresset/io/serialize.h"


#include "cresset/autograd/grad_mode.h"
#include "cresset/core/error.h"
#include "cresset/io/checkpoint.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

using io::Value;

Value tensor_value(const Tensor& t, bool keep_requires_grad) {
  CRESSET_CHECK(t.defined(), ValueError, "[save] cannot save an undefined tensor");
  Value v = Value::of(Value::Kind::Tensor);
  v.tensor = t;
  if (keep_requires_grad && t.requires_grad()) v.tensor_flags = Value::kRequiresGrad;
  return v;
}

Value string_value(const std::string& s) {
  Value v = Value::of(Value::Kind::String);
  v.bytes = s;
  return v;
}

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::None: return "None";
    case Value::Kind::False:
    case Value::Kind::True: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Double: return "float";
    case Value::Kind::String: return "str";
    case Value::Kind::Bytes: return "bytes";
    case Value::Kind::List: return "list";
    case Value::Kind::Tuple: return "tuple";
    case Value::Kind::Dict: return "dict";
    case Value::Kind::OrderedDict: return "OrderedDict";
    case Value::Kind::Tensor: return "tensor";
  }
  return "unknown";
}

void expect_kind(bool ok, const Value& v, const char* expected, const std::string& path) {
  CRESSET_CHECK(ok, RuntimeError, "[load] ", path, " holds a ", kind_name(v.kind), "; expected ",
                expected);
}

}  // namespace

void save(const Tensor& tensor, const std::string& path) {
  io::save_checkpoint(tensor_value(tensor, true), path);
}

void load(Tensor& tensor, const std::string& path) {
  Value root = io::load_checkpoint(path);
  expect_kind(root.kind == Value::Kind::Tensor, root, "a tensor", path);
  tensor = root.tensor;
}

void save(const std::vector<Tensor>& tensors, const std::string& path) {
  Value root = Value::of(Value::Kind::List);
  for (const Tensor& t : tensors) root.items.push_back(tensor_value(t, true));
  io::save_checkpoint(root, path);
}

void load(std::vector<Tensor>& tensors, const std::string& path) {
  Value root = io::load_checkpoint(path);
  expect_kind(root.kind == Value::Kind::List || root.kind == Value::Kind::Tuple, root,
              "a list of tensors", path);
  std::vector<Tensor> out;
  for (const Value& item : root.items) {
    expect_kind(item.kind == Value::Kind::Tensor, item, "a tensor in the list", path);
    out.push_back(item.tensor);
  }
  tensors = std::move(out);
}

void save(const OrderedDict<std::string, Tensor>& tensors, const std::string& path) {
  Value root = Value::of(Value::Kind::OrderedDict);
  root.items.reserve(2 * tensors.size());
  for (const auto& item : tensors) {
    root.items.push_back(string_value(item.key()));
    root.items.push_back(tensor_value(item.value(), false));
  }
  io::save_checkpoint(root, path);
}

void load(OrderedDict<std::string, Tensor>& tensors, const std::string& path) {
  Value root = io::load_checkpoint(path);
  expect_kind(root.kind == Value::Kind::Dict || root.kind == Value::Kind::OrderedDict, root,
              "a dict of name -> tensor", path);
  OrderedDict<std::string, Tensor> out;
  for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
    const Value& key = root.items[i];
    const Value& value = root.items[i + 1];
    expect_kind(key.kind == Value::Kind::String, key, "str keys", path);
    CRESSET_CHECK(value.kind == Value::Kind::Tensor, RuntimeError, "[load] ", path, ": '",
                  key.bytes, "' holds a ", kind_name(value.kind), "; expected a tensor");
    out.insert_or_assign(key.bytes, value.tensor);
  }
  tensors = std::move(out);
}

void save(const nn::Module& module, const std::string& path) { save(module.state_dict(), path); }

void load(nn::Module& module, const std::string& path) {
  OrderedDict<std::string, Tensor> state;
  load(state, path);
  io::copy_state_dict(module.state_dict(), state, module.name() + " from " + path);
}

namespace io {

namespace {
// '"a", "b"' for a message.
std::string quoted(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "\"" : ", \"") + name + "\"";
  return out;
}
}  // namespace

void copy_state_dict(const OrderedDict<std::string, Tensor>& targets,
                     const OrderedDict<std::string, Tensor>& loaded, const std::string& owner,
                     bool strict) {
  std::vector<std::string> missing, unexpected, mismatches;
  for (const auto& item : targets) {
    const Tensor* source = loaded.find(item.key());
    const Tensor& target = item.value();
    if (!source) {
      missing.push_back(item.key());
    } else if (source->sizes() != target.sizes()) {
      mismatches.push_back("size mismatch for " + item.key() + ": copying a param with shape " +
                           shape_str(source->sizes()) + " from checkpoint, the shape in current " +
                           "model is " + shape_str(target.sizes()) + ".");
    } else if (source->dtype() != target.dtype()) {
      mismatches.push_back("dtype mismatch for " + item.key() + ": copying a param of dtype " +
                           dtype_name(source->dtype()) + " from checkpoint, the dtype in " +
                           "current model is " + dtype_name(target.dtype()) + ".");
    }
  }
  for (const auto& item : loaded) {
    if (!targets.contains(item.key())) unexpected.push_back(item.key());
  }
  std::string message;
  if (strict && !missing.empty()) message += "\n\tMissing key(s) in state_dict: " + quoted(missing) + ".";
  if (strict && !unexpected.empty()) {
    message += "\n\tUnexpected key(s) in state_dict: " + quoted(unexpected) + ".";
  }
  for (const std::string& m : mismatches) message += "\n\t" + m;
  CRESSET_CHECK(message.empty(), RuntimeError,
                "[load_state_dict] Error(s) in loading state_dict for ", owner, ":", message);
  autograd::AutoGradMode no_grad(false);
  for (const auto& item : targets) {
    if (const Tensor* source = loaded.find(item.key())) copy_(item.value(), *source);
  }
}

}  // namespace io

}  // namespace cresset
