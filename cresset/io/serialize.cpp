#include "cresset/io/serialize.h"

#include <set>
#include <sstream>

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

std::string shape_str(const Tensor& t) {
  std::ostringstream s;
  s << "[";
  for (int64_t d = 0; d < t.dim(); ++d) s << (d ? ", " : "") << t.size(d);
  s << "]";
  return s.str();
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

void save(const std::map<std::string, Tensor>& tensors, const std::string& path) {
  io::save_named_tensors(NamedTensors(tensors.begin(), tensors.end()), path);
}

void load(std::map<std::string, Tensor>& tensors, const std::string& path) {
  NamedTensors entries = io::load_named_tensors(path);
  tensors = std::map<std::string, Tensor>(entries.begin(), entries.end());
}

namespace io {

void save_named_tensors(const NamedTensors& entries, const std::string& path) {
  Value root = Value::of(Value::Kind::OrderedDict);
  root.items.reserve(2 * entries.size());
  for (const auto& [name, tensor] : entries) {
    root.items.push_back(string_value(name));
    root.items.push_back(tensor_value(tensor, false));
  }
  save_checkpoint(root, path);
}

NamedTensors load_named_tensors(const std::string& path) {
  Value root = load_checkpoint(path);
  expect_kind(root.kind == Value::Kind::Dict || root.kind == Value::Kind::OrderedDict, root,
              "a dict of name -> tensor", path);
  NamedTensors out;
  for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
    const Value& key = root.items[i];
    const Value& value = root.items[i + 1];
    expect_kind(key.kind == Value::Kind::String, key, "str keys", path);
    CRESSET_CHECK(value.kind == Value::Kind::Tensor, RuntimeError, "[load] ", path, ": '",
                  key.bytes, "' holds a ", kind_name(value.kind), "; expected a tensor");
    out.emplace_back(key.bytes, value.tensor);
  }
  return out;
}

void load_state_into(const NamedTensors& targets, const std::string& path,
                     const std::string& owner) {
  copy_state_dict(targets, load_named_tensors(path), owner + " from " + path);
}

void copy_state_dict(const NamedTensors& targets, const NamedTensors& loaded,
                     const std::string& owner, bool strict) {
  std::map<std::string, const Tensor*> by_name;
  for (const auto& [name, tensor] : loaded) by_name[name] = &tensor;
  std::set<std::string> wanted;
  std::vector<std::string> problems;
  std::string missing;
  for (const auto& [name, target] : targets) {
    wanted.insert(name);
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      if (strict) missing += (missing.empty() ? "\"" : ", \"") + name + "\"";
      continue;
    }
    const Tensor& source = *it->second;
    if (source.sizes() != target.sizes()) {
      problems.push_back("size mismatch for " + name + ": copying a param with shape " +
                         shape_str(source) + " from checkpoint, the shape in current model is " +
                         shape_str(target) + ".");
    } else if (source.dtype() != target.dtype()) {
      problems.push_back("dtype mismatch for " + name + ": copying a param of dtype " +
                         dtype_name(source.dtype()) + " from checkpoint, the dtype in current " +
                         "model is " + dtype_name(target.dtype()) + ".");
    }
  }
  std::string unexpected;
  for (const auto& [name, tensor] : loaded) {
    if (strict && !wanted.count(name)) {
      unexpected += (unexpected.empty() ? "\"" : ", \"") + name + "\"";
    }
  }
  if (!missing.empty()) {
    problems.insert(problems.begin(), "Missing key(s) in state_dict: " + missing + ".");
  }
  if (!unexpected.empty()) {
    problems.insert(problems.begin() + (missing.empty() ? 0 : 1),
                    "Unexpected key(s) in state_dict: " + unexpected + ".");
  }
  if (!problems.empty()) {
    std::string message = "[load_state_dict] Error(s) in loading state_dict for " + owner + ":";
    for (const std::string& p : problems) message += "\n\t" + p;
    throw RuntimeError(message);
  }
  autograd::AutoGradMode no_grad(false);
  for (const auto& [name, target] : targets) {
    auto it = by_name.find(name);
    if (it != by_name.end()) copy_(target, *it->second);
  }
}

}  // namespace io

}  // namespace cresset
