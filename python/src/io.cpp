// Bindings of the safe checkpoint format (cresset/io) used by cresset.save / cresset.load: they
// convert Python objects to and from the value tree and pick the sink or source. Also tensor
// printing (io/print.h), which Tensor.__repr__ calls.
#include <cmath>
#include <string>
#include <vector>

#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/io/checkpoint.h"
#include "cresset/io/hash.h"
#include "cresset/io/print.h"

namespace cresset::py {
namespace {

using io::Value;
constexpr int kMaxDepth = 512;  // the C++ encoder's limit

const char* tp_name_of(nb::handle h) { return Py_TYPE(h.ptr())->tp_name; }

// Python objects -> value tree. Remembers the path of keys and indices so that an unsupported
// object is reported as e.g. "obj['layer'][2]".
class ToValue {
 public:
  ToValue(nb::handle parameter_type, nb::handle ordered_dict_type)
      : parameter_type_(parameter_type), ordered_dict_type_(ordered_dict_type) {}

  Value convert(nb::handle obj, int depth) {
    if (depth > kMaxDepth) {
      throw ValueError(str_cat("[save] objects nested deeper than ", kMaxDepth, " levels at ",
                               path_str(), " (a container that contains itself?)"));
    }
    if (obj.is_none()) return Value::of(Value::Kind::None);
    if (PyBool_Check(obj.ptr())) {
      return Value::of(obj.ptr() == Py_True ? Value::Kind::True : Value::Kind::False);
    }
    if (PyLong_Check(obj.ptr())) {
      int overflow = 0;
      long long i = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
      if (overflow) {
        throw ValueError(str_cat("[save] int at ", path_str(), " does not fit in 64 bits"));
      }
      Value v = Value::of(Value::Kind::Int);
      v.int_value = i;
      return v;
    }
    if (PyFloat_Check(obj.ptr())) {
      Value v = Value::of(Value::Kind::Double);
      v.double_value = PyFloat_AS_DOUBLE(obj.ptr());
      return v;
    }
    if (PyUnicode_Check(obj.ptr())) {
      Py_ssize_t n;
      const char* s = PyUnicode_AsUTF8AndSize(obj.ptr(), &n);
      if (!s) throw nb::python_error();
      Value v = Value::of(Value::Kind::String);
      v.bytes.assign(s, size_t(n));
      return v;
    }
    if (PyBytes_Check(obj.ptr()) || PyByteArray_Check(obj.ptr())) {
      Value v = Value::of(Value::Kind::Bytes);
      if (PyBytes_Check(obj.ptr())) {
        v.bytes.assign(PyBytes_AS_STRING(obj.ptr()), size_t(PyBytes_GET_SIZE(obj.ptr())));
      } else {
        v.bytes.assign(PyByteArray_AS_STRING(obj.ptr()), size_t(PyByteArray_GET_SIZE(obj.ptr())));
      }
      return v;
    }
    if (nb::isinstance<Tensor>(obj)) {
      Value v = Value::of(Value::Kind::Tensor);
      v.tensor = nb::cast<Tensor>(obj);
      if (v.tensor.requires_grad()) v.tensor_flags |= Value::kRequiresGrad;
      if (!parameter_type_.is_none() &&
          PyObject_IsInstance(obj.ptr(), parameter_type_.ptr()) == 1) {
        v.tensor_flags |= Value::kParameter;
      }
      return v;
    }
    if (PyDict_Check(obj.ptr())) return convert_dict(obj, depth);
    if (PyList_Check(obj.ptr()) || PyTuple_Check(obj.ptr())) {
      Value v = Value::of(PyList_Check(obj.ptr()) ? Value::Kind::List : Value::Kind::Tuple);
      nb::list items = nb::list(obj);  // a snapshot: converting cannot mutate it under us
      v.items.reserve(items.size());
      for (size_t i = 0; i < items.size(); ++i) {
        path_.push_back(nb::int_(i));
        v.items.push_back(convert(items[i], depth + 1));
        path_.pop_back();
      }
      return v;
    }
    throw TypeError(str_cat("[save] cannot save an object of type '", tp_name_of(obj), "' at ",
                            path_str(), "; supported are tensors, dict, OrderedDict, list, tuple, ",
                            "int, float, bool, str, bytes and None"));
  }

 private:
  nb::handle parameter_type_, ordered_dict_type_;
  std::vector<nb::object> path_;

  std::string path_str() const {
    std::string s = "obj";
    for (const auto& k : path_) s += "[" + std::string(nb::repr(k).c_str()) + "]";
    return s;
  }

  Value convert_dict(nb::handle obj, int depth) {
    bool ordered = PyObject_IsInstance(obj.ptr(), ordered_dict_type_.ptr()) == 1;
    Value v = Value::of(ordered ? Value::Kind::OrderedDict : Value::Kind::Dict);
    // items() follows the mapping's own order (OrderedDict's linked list, not dict storage).
    nb::list items = nb::list(obj.attr("items")());
    v.items.reserve(2 * items.size());
    for (nb::handle item : items) {
      nb::handle key = item[0];
      bool ok = PyUnicode_Check(key.ptr()) || (PyLong_Check(key.ptr()) && !PyBool_Check(key.ptr()));
      if (!ok) {
        throw TypeError(str_cat("[save] dict keys must be str or int; got a key of type '",
                                tp_name_of(key), "' in ", path_str()));
      }
      path_.push_back(nb::borrow(key));
      v.items.push_back(convert(key, depth + 1));
      v.items.push_back(convert(item[1], depth + 1));
      path_.pop_back();
    }
    return v;
  }
};

// Value tree -> Python objects.
class FromValue {
 public:
  FromValue(nb::handle parameter_type, nb::handle ordered_dict_type)
      : parameter_type_(parameter_type), ordered_dict_type_(ordered_dict_type) {}

  nb::object convert(const Value& v) {
    switch (v.kind) {
      case Value::Kind::None:
        return nb::none();
      case Value::Kind::False:
        return nb::bool_(false);
      case Value::Kind::True:
        return nb::bool_(true);
      case Value::Kind::Int:
        return nb::int_(v.int_value);
      case Value::Kind::Double:
        return nb::float_(v.double_value);
      case Value::Kind::String: {
        PyObject* s = PyUnicode_DecodeUTF8(v.bytes.data(), Py_ssize_t(v.bytes.size()), "strict");
        if (!s) {
          PyErr_Clear();
          throw RuntimeError("[load] checkpoint truncated or corrupted: a string is not UTF-8");
        }
        return nb::steal(s);
      }
      case Value::Kind::Bytes:
        return nb::bytes(v.bytes.data(), v.bytes.size());
      case Value::Kind::List: {
        nb::list out;
        for (const Value& item : v.items) out.append(convert(item));
        return out;
      }
      case Value::Kind::Tuple: {
        nb::list out;
        for (const Value& item : v.items) out.append(convert(item));
        return nb::tuple(out);
      }
      case Value::Kind::Dict:
      case Value::Kind::OrderedDict: {
        nb::object out =
            v.kind == Value::Kind::Dict ? nb::object(nb::dict()) : ordered_dict_type_();
        for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
          out[convert(v.items[i])] = convert(v.items[i + 1]);
        }
        return out;
      }
      case Value::Kind::Tensor: {
        bool requires_grad = v.tensor_flags & Value::kRequiresGrad;
        if ((v.tensor_flags & Value::kParameter) && !parameter_type_.is_none()) {
          return parameter_type_(nb::cast(v.tensor), requires_grad);
        }
        return nb::cast(v.tensor);
      }
    }
    throw RuntimeError("[load] unknown value kind");
  }

 private:
  nb::handle parameter_type_, ordered_dict_type_;
};

// Writes through a Python file-like object's write(); each chunk is lent as a memoryview that is
// released right after, so a writer that keeps it cannot read freed memory later.
class PyFileSink : public io::Sink {
 public:
  explicit PyFileSink(nb::handle file) : write_(file.attr("write")) {}
  void write(const void* data, size_t n) override {
    nb::object view = nb::steal(PyMemoryView_FromMemory(static_cast<char*>(const_cast<void*>(data)),
                                                        Py_ssize_t(n), PyBUF_READ));
    if (!view.is_valid()) throw nb::python_error();
    nb::object written = write_(view);
    view.attr("release")();
    if (!written.is_none() && nb::cast<int64_t>(written) != int64_t(n)) {
      throw RuntimeError(str_cat("[save] the file object wrote ", nb::cast<int64_t>(written),
                                 " of ", n, " bytes"));
    }
  }

 private:
  nb::object write_;
};

// A contiguous read-only view of a bytes-like object.
class BufferView {
 public:
  explicit BufferView(nb::handle obj) {
    if (PyObject_GetBuffer(obj.ptr(), &view_, PyBUF_SIMPLE) != 0) throw nb::python_error();
  }
  ~BufferView() { PyBuffer_Release(&view_); }
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;
  const void* data() const { return view_.buf; }
  size_t size() const { return size_t(view_.len); }

 private:
  Py_buffer view_;
};

// save(obj, target, parameter_type, ordered_dict_type): target is a path (str), written
// atomically, or an object with write().
void save(nb::handle obj, nb::handle target, nb::handle parameter_type,
          nb::handle ordered_dict_type) {
  Value root = ToValue(parameter_type, ordered_dict_type).convert(obj, 0);
  if (PyUnicode_Check(target.ptr())) {
    std::string path = nb::cast<std::string>(target);
    nb::gil_scoped_release release;
    io::save_checkpoint(root, path);
  } else {
    PyFileSink sink(target);
    io::save_checkpoint(root, sink);
  }
}

// load(source, parameter_type, ordered_dict_type, restore): source is a path (str) or a
// bytes-like object; restore(bytes, location) places each storage (serialization._restorer).
nb::object load(nb::handle source, nb::handle parameter_type, nb::handle ordered_dict_type,
                nb::handle restore) {
  io::StorageRestore place = [restore](const Tensor& bytes, Device saved) {
    nb::gil_scoped_acquire gil;
    return nb::cast<Tensor>(restore(bytes, saved.str()));
  };
  Value root;
  if (PyUnicode_Check(source.ptr())) {
    std::string path = nb::cast<std::string>(source);
    nb::gil_scoped_release release;
    root = io::load_checkpoint(path, place);
  } else {
    BufferView buf(source);
    root = io::load_checkpoint(buf.data(), buf.size(), place);
  }
  return FromValue(parameter_type, ordered_dict_type).convert(root);
}

}  // namespace

void init_io(nb::module_& m) {
  // Printing (python/cresset/_tensor_str.py is the Python face of io/print.cpp).
  m.def("_tensor_repr", &tensor_repr, "tensor"_a, "prefix"_a, "contents"_a.none());
  m.def("_get_printoptions", [] {
    PrintOptions o = print_options();
    nb::object threshold = std::isfinite(o.threshold) && o.threshold == double(int64_t(o.threshold))
                               ? nb::object(nb::int_(int64_t(o.threshold)))
                               : nb::object(nb::float_(o.threshold));
    return nb::make_tuple(o.precision, threshold, o.edgeitems, o.linewidth, o.sci_mode);
  });
  m.def("_set_printoptions", [](int64_t precision, double threshold, int64_t edgeitems,
                                int64_t linewidth, std::optional<bool> sci_mode) {
    set_print_options({precision, threshold, edgeitems, linewidth, sci_mode});
  });
  nb::module_ sub = m.def_submodule("_io", "cresset's checkpoint format (cresset/io)");
  sub.def("save", &save, "obj"_a.none(), "target"_a, "parameter_type"_a.none(),
          "ordered_dict_type"_a);
  sub.def("load", &load, "source"_a, "parameter_type"_a.none(), "ordered_dict_type"_a,
          "restore"_a);
  sub.def("is_checkpoint", [](nb::handle head) {
    BufferView buf(head);
    return io::is_checkpoint(buf.data(), buf.size());
  });
  sub.def(
      "hash64",
      [](nb::handle data) {
        BufferView buf(data);
        return io::hash64(buf.data(), buf.size());
      },
      "XXH64 of a bytes-like object (the checkpoint checksum).");
  sub.attr("format_version") = io::kCheckpointVersion;
}

}  // namespace cresset::py
