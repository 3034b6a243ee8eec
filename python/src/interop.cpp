// Interop with the rest of the Python world: the NumPy bridge (torch.from_numpy, Tensor.numpy),
// DLPack in both directions, the buffer protocol (torch.frombuffer), the legacy constructors
// (torch.Tensor(2, 3), torch.FloatTensor([1, 2])), the storage access behind pickle/deepcopy and
// torch.result_type.
//
// NumPy's C API is never used: arrays are read through the buffer protocol and made through
// nanobind's ndarray, so cresset never imports NumPy unless a NumPy array is asked for, and it
// recognises NumPy objects only once the user has imported NumPy.
#include <cstring>

#include <nanobind/ndarray.h>

#include "bind.h"
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/view.h"
#include "dlpack.h"

namespace cresset::py {

namespace {

// ---------------------------------------------------------------------------------------------
// NumPy recognition

struct NumpyTypes {
  PyObject* ndarray = nullptr;
  PyObject* generic = nullptr;  // the base of NumPy's scalar types
};

// NumPy's types, looked up in sys.modules (never imported here) and kept for the process.
const NumpyTypes* numpy_types() {
  static NumpyTypes types;
  if (types.ndarray) return &types;
  static PyObject* name = PyUnicode_InternFromString("numpy");
  PyObject* np = PyImport_GetModule(name);
  if (!np) {
    PyErr_Clear();
    return nullptr;
  }
  types.ndarray = PyObject_GetAttrString(np, "ndarray");
  types.generic = PyObject_GetAttrString(np, "generic");
  Py_DECREF(np);
  if (!types.ndarray || !types.generic) {  // NumPy is still being imported
    PyErr_Clear();
    Py_CLEAR(types.ndarray);
    Py_CLEAR(types.generic);
    return nullptr;
  }
  return &types;
}

bool is_instance_of(nb::handle h, PyObject* type) {
  return type && PyObject_TypeCheck(h.ptr(), reinterpret_cast<PyTypeObject*>(type));
}

// The cresset dtype of a NumPy dtype object; nullopt for the kinds cresset lacks.
std::optional<DType> dtype_from_numpy(nb::handle np_dtype) {
  char kind = nb::cast<std::string>(np_dtype.attr("kind"))[0];
  int64_t size = nb::cast<int64_t>(np_dtype.attr("itemsize"));
  switch (kind) {
    case 'b':
      return DType::Bool;
    case 'u':
      if (size == 1) return DType::UInt8;
      break;
    case 'i':
      if (size == 1) return DType::Int8;
      if (size == 2) return DType::Int16;
      if (size == 4) return DType::Int32;
      if (size == 8) return DType::Int64;
      break;
    case 'f':
      if (size == 2) return DType::Float16;
      if (size == 4) return DType::Float32;
      if (size == 8) return DType::Float64;
      break;
  }
  return std::nullopt;
}

const char* kNumpySupported =
    "The only supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
    "and bool.";

}  // namespace

void release_pyobject(void* obj) {
  if (!Py_IsInitialized()) return;
  PyGILState_STATE state = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject*>(obj));
  PyGILState_Release(state);
}

namespace {

// Storage deleter for memory exposed through the buffer protocol.
void release_buffer(void* view) {
  if (!Py_IsInitialized()) return;
  PyGILState_STATE state = PyGILState_Ensure();
  PyBuffer_Release(static_cast<Py_buffer*>(view));
  delete static_cast<Py_buffer*>(view);
  PyGILState_Release(state);
}

Tensor make_tensor(std::shared_ptr<Storage> storage, DimVector sizes, DimVector strides,
                   DType dtype) {
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), std::move(sizes),
                                             std::move(strides), 0, dtype));
}

// A copy of `t` in `dtype` on `device` (torch's `.to`): the layout is kept on the same device.
Tensor copy_to(const Tensor& t, DType dtype, Device device) {
  if (device == t.device()) return cast_tensor(t, dtype);
  Tensor out = empty_tensor(t.sizes(), dtype, device);
  copy_into(out, t);
  return out;
}

// A new TensorImpl over the same storage and layout (torch's Tensor.alias / detach).
Tensor alias_of(const Tensor& t) {
  return t.as_strided_view(t.sizes(), t.strides(), t.storage_offset());
}

// ---------------------------------------------------------------------------------------------
// Python's pickle and deepcopy of tensors (cresset/_tensor.py): like torch, they keep the whole
// storage, so a view comes back with its strides and storage offset.

// Every byte of t's storage as a 1-D uint8 tensor.
Tensor storage_as_bytes(const Tensor& t) {
  const std::shared_ptr<Storage>& st = t.impl()->storage();
  return make_tensor(st, {int64_t(st->nbytes())}, {1}, DType::UInt8);
}

// A tensor with t's dtype and layout over another storage.
Tensor with_layout_of(const Tensor& storage_owner, const Tensor& t) {
  return Tensor(std::make_shared<TensorImpl>(storage_owner.impl()->storage(), t.sizes(),
                                             t.strides(), t.storage_offset(), t.dtype()));
}

nb::bytes storage_bytes(const Tensor& t) {
  Tensor flat = copy_to(storage_as_bytes(t), DType::UInt8, Device());
  return nb::bytes(flat.raw_data(), size_t(flat.numel()));
}

// The tensor pickle wrote: `data` is its whole storage, placed on `device`.
Tensor from_storage_bytes(nb::bytes data, nb::handle dtype, nb::handle size, nb::handle stride,
                          int64_t offset, nb::handle device) {
  DType type = to_dtype(dtype);
  DimVector sizes = to_sizes(size), strides = to_sizes(stride);
  int64_t n = int64_t(data.size());
  CRESSET_CHECK(sizes.size() == strides.size() && offset >= 0 &&
                    (offset + storage_span(sizes, strides)) * itemsize(type) <= n,
                RuntimeError, "[pickle] the tensor's layout ", shape_str(sizes), " with strides ",
                shape_str(strides), " and offset ", offset, " does not fit its ", n,
                " stored bytes");
  Tensor flat = empty_tensor({n}, DType::UInt8);
  if (n) std::memcpy(flat.raw_data(), data.c_str(), size_t(n));
  flat = copy_to(flat, DType::UInt8, to_device(device));
  return Tensor(std::make_shared<TensorImpl>(flat.impl()->storage(), std::move(sizes),
                                             std::move(strides), offset, type));
}

// ---------------------------------------------------------------------------------------------
// Tensor.numpy

nb::dlpack::dtype nb_dtype(DType t) {
  using Code = nb::dlpack::dtype_code;
  Code code = t == DType::Bool ? Code::Bool
              : is_floating(t) ? Code::Float
              : is_signed(t)   ? Code::Int
                               : Code::UInt;
  return nb::dlpack::dtype{uint8_t(code), uint8_t(itemsize(t) * 8), 1};
}

nb::object tensor_numpy(const Tensor& self, bool force) {
  Tensor t = self;
  if (!force) {
    CRESSET_CHECK(!t.requires_grad(), RuntimeError,
                  "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                  "instead.");
    CRESSET_CHECK(t.device().is_cpu(), TypeError, "can't convert ", t.device().str(),
                  " device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host "
                  "memory first.");
  } else if (!t.device().is_cpu()) {
    t = copy_to(t, t.dtype(), Device());
  }
  CRESSET_CHECK(t.dtype() != DType::BFloat16, TypeError, "Got unsupported ScalarType BFloat16");
  // The array's owner keeps the storage (not the Python tensor object) alive.
  auto* keep = new std::shared_ptr<Storage>(t.impl()->storage());
  nb::capsule owner(keep, [](void* p) noexcept {
    delete static_cast<std::shared_ptr<Storage>*>(p);
  });
  std::vector<size_t> shape(t.sizes().begin(), t.sizes().end());
  // Empty arrays get zero strides, as NumPy gives them (and torch's arrays have).
  DimVector strides = t.numel() == 0 ? DimVector(shape.size(), 0) : t.strides();
  nb::ndarray<nb::numpy> array(t.raw_data(), shape.size(), shape.data(), owner, strides.data(),
                               nb_dtype(t.dtype()));
  return array.cast();
}

// ---------------------------------------------------------------------------------------------
// DLPack

using dlpack::DLManagedTensor;
using dlpack::DLManagedTensorVersioned;
using dlpack::DLTensor;

dlpack::DLDataType dl_dtype(DType t) {
  uint8_t code = t == DType::Bool       ? dlpack::kDLBool
                 : t == DType::BFloat16 ? dlpack::kDLBfloat
                 : is_floating(t)       ? dlpack::kDLFloat
                 : is_signed(t)         ? dlpack::kDLInt
                                        : dlpack::kDLUInt;
  return dlpack::DLDataType{code, uint8_t(itemsize(t) * 8), 1};
}

dlpack::DLDevice dl_device(Device d) {
  if (d.is_cpu()) return {dlpack::kDLCPU, 0};
  return {dlpack::kDLCUDA, d.index < 0 ? 0 : int32_t(d.index)};
}

template <typename Managed>
constexpr const char* capsule_name() {
  return std::is_same_v<Managed, DLManagedTensor> ? "dltensor" : "dltensor_versioned";
}

// What an exported capsule owns: the managed struct, a handle on the tensor (its storage stays
// alive until the consumer calls the deleter) and the shape/strides arrays the DLTensor points to.
template <typename Managed>
struct Exported {
  Managed managed{};
  Tensor tensor;
  std::vector<int64_t> shape, strides;

  explicit Exported(const Tensor& t)
      : tensor(t), shape(t.sizes().begin(), t.sizes().end()),
        strides(t.strides().begin(), t.strides().end()) {
    DLTensor& dl = managed.dl_tensor;
    dl.data = t.raw_data();
    dl.device = dl_device(t.device());
    dl.ndim = int32_t(t.dim());
    dl.dtype = dl_dtype(t.dtype());
    dl.shape = shape.data();
    dl.strides = strides.data();
    dl.byte_offset = 0;
    managed.manager_ctx = this;
    managed.deleter = [](Managed* m) { delete static_cast<Exported*>(m->manager_ctx); };
  }
};

// Frees an exported tensor whose capsule was never consumed (a consumer renames it).
template <typename Managed>
void capsule_destructor(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, capsule_name<Managed>())) return;
  auto* m = static_cast<Managed*>(PyCapsule_GetPointer(capsule, capsule_name<Managed>()));
  if (m->deleter) m->deleter(m);
}

template <typename Managed>
nb::object export_capsule(const Tensor& t, bool copied) {
  auto* e = new Exported<Managed>(t);
  if constexpr (std::is_same_v<Managed, DLManagedTensorVersioned>) {
    e->managed.version = {dlpack::kDLPackMajorVersion, dlpack::kDLPackMinorVersion};
    e->managed.flags = copied ? dlpack::kFlagIsCopied : 0;
  }
  PyObject* capsule = PyCapsule_New(&e->managed, capsule_name<Managed>(),
                                    &capsule_destructor<Managed>);
  if (!capsule) {
    delete e;
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

nb::object tensor_dlpack(const Tensor& t, nb::handle stream, nb::handle max_version,
                         nb::handle device, nb::handle copy) {
  if (t.requires_grad()) {
    throw nb::buffer_error("Can't export tensors that require gradient, use tensor.detach()");
  }
  if (!stream.is_none() && !PyLong_CheckExact(stream.ptr())) {
    throw nb::type_error("stream must be ``int`` or ``none``");
  }
  if (t.device().is_cpu() && !stream.is_none() && nb::cast<int64_t>(stream) != -1) {
    PyErr_SetString(PyExc_AssertionError, "stream should be None on cpu.");
    throw nb::python_error();
  }
  if (!device.is_none()) {
    dlpack::DLDevice want{dlpack::DLDeviceType(nb::cast<int>(device[0])),
                          nb::cast<int32_t>(device[1])};
    dlpack::DLDevice have = dl_device(t.device());
    if (want.device_type != have.device_type || want.device_id != have.device_id) {
      throw nb::buffer_error("[__dlpack__] exporting to another device is not supported");
    }
  }
  bool copied = !copy.is_none() && nb::cast<bool>(copy);
  Tensor src = copied ? cast_tensor(t, t.dtype()) : t;
  if (!max_version.is_none() && nb::cast<int64_t>(max_version[0]) >= 1) {
    return export_capsule<DLManagedTensorVersioned>(src, copied);
  }
  return export_capsule<DLManagedTensor>(src, false);
}

std::optional<DType> dtype_from_dl(dlpack::DLDataType t) {
  if (t.lanes != 1) return std::nullopt;
  switch (t.code) {
    case dlpack::kDLBool:
      if (t.bits == 8) return DType::Bool;
      break;
    case dlpack::kDLUInt:
      if (t.bits == 8) return DType::UInt8;
      break;
    case dlpack::kDLInt:
      if (t.bits == 8) return DType::Int8;
      if (t.bits == 16) return DType::Int16;
      if (t.bits == 32) return DType::Int32;
      if (t.bits == 64) return DType::Int64;
      break;
    case dlpack::kDLFloat:
      if (t.bits == 16) return DType::Float16;
      if (t.bits == 32) return DType::Float32;
      if (t.bits == 64) return DType::Float64;
      break;
    case dlpack::kDLBfloat:
      if (t.bits == 16) return DType::BFloat16;
      break;
  }
  return std::nullopt;
}

// A tensor over a DLTensor's memory; the storage calls `deleter(managed)` when it dies. Everything
// is validated before the storage exists, so a failure leaves the capsule to its own destructor.
template <typename Managed>
Tensor tensor_from_dl(Managed* managed) {
  const DLTensor& dl = managed->dl_tensor;
  std::optional<DType> dtype = dtype_from_dl(dl.dtype);
  CRESSET_CHECK(dtype, TypeError, "[from_dlpack] unsupported DLPack dtype (code ",
                int(dl.dtype.code), ", bits ", int(dl.dtype.bits), ", lanes ", dl.dtype.lanes, ")");
  Device device;
  switch (dl.device.device_type) {
    case dlpack::kDLCPU:
    case dlpack::kDLCUDAHost:
      break;
    case dlpack::kDLCUDA:
    case dlpack::kDLCUDAManaged:
      device = Device(DeviceType::CUDA, dl.device.device_id);
      break;
    default:
      throw RuntimeError(str_cat("[from_dlpack] unsupported DLPack device type ",
                                 int(dl.device.device_type)));
  }
  CRESSET_CHECK(dl.ndim >= 0, RuntimeError, "[from_dlpack] negative ndim ", dl.ndim);
  DimVector sizes(dl.shape, size_t(dl.ndim));
  for (int64_t s : sizes) {
    CRESSET_CHECK(s >= 0, RuntimeError, "[from_dlpack] negative size in shape ", shape_str(sizes));
  }
  DimVector strides =
      dl.strides ? DimVector(dl.strides, size_t(dl.ndim)) : contiguous_strides(sizes);
  for (int64_t s : strides) {
    CRESSET_CHECK(s >= 0, RuntimeError, "[from_dlpack] negative strides are not supported: ",
                  shape_str(strides));
  }
  int64_t nbytes = storage_span(sizes, strides) * itemsize(*dtype);
  void* data = static_cast<char*>(dl.data) + dl.byte_offset;
  auto deleter = [](void* ctx) {
    auto* m = static_cast<Managed*>(ctx);
    if (m->deleter) m->deleter(m);
  };
  return make_tensor(Storage::borrow(data, size_t(nbytes), device, deleter, managed),
                     std::move(sizes), std::move(strides), *dtype);
}

template <typename Managed>
Tensor consume_capsule(PyObject* capsule) {
  auto* m = static_cast<Managed*>(PyCapsule_GetPointer(capsule, capsule_name<Managed>()));
  if (!m) throw nb::python_error();
  if constexpr (std::is_same_v<Managed, DLManagedTensorVersioned>) {
    CRESSET_CHECK(m->version.major <= dlpack::kDLPackMajorVersion, RuntimeError,
                  "[from_dlpack] unsupported DLPack version ", m->version.major, ".",
                  m->version.minor, " (cresset supports ", dlpack::kDLPackMajorVersion, ".x)");
  }
  Tensor t = tensor_from_dl(m);
  PyCapsule_SetName(capsule, std::is_same_v<Managed, DLManagedTensor> ? "used_dltensor"
                                                                       : "used_dltensor_versioned");
  return t;
}

Tensor from_dlpack_capsule(nb::handle capsule) {
  PyObject* c = capsule.ptr();
  if (PyCapsule_IsValid(c, "dltensor_versioned")) {
    return consume_capsule<DLManagedTensorVersioned>(c);
  }
  if (PyCapsule_IsValid(c, "dltensor")) return consume_capsule<DLManagedTensor>(c);
  throw RuntimeError(
      "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only "
      "once, so you might have already constructed a tensor from it once.");
}

// ---------------------------------------------------------------------------------------------
// The buffer protocol

Tensor frombuffer(nb::handle buffer, nb::handle dtype_obj, int64_t count, int64_t offset,
                  bool requires_grad) {
  DType dtype = to_dtype(dtype_obj);
  auto* view = new Py_buffer();
  if (PyObject_GetBuffer(buffer.ptr(), view, PyBUF_SIMPLE) != 0) {
    delete view;
    PyErr_Clear();
    throw ValueError("object does not implement Python buffer protocol.");
  }
  // The storage takes the view over once made; until then a failed check releases it here.
  std::unique_ptr<Py_buffer, void (*)(Py_buffer*)> guard(view, [](Py_buffer* v) {
    PyBuffer_Release(v);
    delete v;
  });
  int64_t len = view->len, isz = itemsize(dtype);
  CRESSET_CHECK(len > 0 && count != 0, ValueError, "both buffer length (", len, ") and count (",
                count, ") must not be 0");
  CRESSET_CHECK(offset >= 0 && offset < len, ValueError, "offset (", offset,
                " bytes) must be non-negative and no greater than buffer length (", len,
                " bytes) minus 1");
  if (count < 0) {
    CRESSET_CHECK((len - offset) % isz == 0, ValueError, "buffer length (", len - offset,
                  " bytes) after offset (", offset, " bytes) must be a multiple of element size (",
                  isz, ")");
    count = (len - offset) / isz;
  } else {
    CRESSET_CHECK(offset + count * isz <= len, ValueError, "requested buffer length (", count,
                  " * ", isz, " bytes) after offset (", offset,
                  " bytes) must not be greater than actual buffer length (", len, " bytes)");
  }
  if (view->readonly) {
    static bool warned = false;
    warn_once(warned,
              "The given buffer is not writable, and PyTorch does not support non-writable "
              "tensors. This means you can write to the underlying (supposedly non-writable) "
              "buffer using the tensor. You may want to copy the buffer to protect its data or "
              "make it writable before converting it to a tensor. This type of warning will be "
              "suppressed for the rest of this program.");
  }
  void* data = static_cast<char*>(view->buf) + offset;
  auto storage = Storage::borrow(data, size_t(count * isz), Device(), &release_buffer,
                                 guard.release());
  Tensor t = make_tensor(std::move(storage), {count}, {1}, dtype);
  t.impl()->set_requires_grad(requires_grad);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Legacy constructors

const char* py_type_name(nb::handle h) { return Py_TYPE(h.ptr())->tp_name; }

// torch.Tensor(...) / torch.FloatTensor(...): () is an empty tensor, (*sizes) or (torch.Size)
// uninitialised memory, (Tensor) an alias, anything else data copied into `dtype`; the only
// keyword is device=.
Tensor legacy_new(std::optional<DType> type, nb::args args, nb::kwargs kwargs) {
  DType dtype = type.value_or(default_dtype());
  Device device;
  for (auto [key, value] : kwargs) {
    std::string k = nb::cast<std::string>(key);
    CRESSET_CHECK(k == "device", TypeError, "new() got an unexpected keyword argument '", k,
                  "' (the legacy constructor accepts only device=)");
    if (!value.is_none()) device = to_device(value);
  }
  DimVector sizes;
  if (args.size() == 0) {
    sizes.push_back(0);
  } else if (args.size() == 1) {
    nb::handle a = args[0];
    Tensor* other = nullptr;
    if (nb::try_cast<Tensor*>(a, other) && other) {
      CRESSET_CHECK(!type || other->dtype() == dtype, TypeError, "expected ",
                    nb::cast<std::string>(nb::repr(dtype_object(dtype))), " (got ",
                    nb::cast<std::string>(nb::repr(dtype_object(other->dtype()))), ")");
      return alias_of(*other);
    }
    if (nb::isinstance(a, py_types().size_type)) {
      sizes = to_sizes(a);
    } else if (PyLong_Check(a.ptr())) {
      sizes.push_back(nb::cast<int64_t>(a));
    } else {
      CRESSET_CHECK(!PyUnicode_Check(a.ptr()) && !PyBytes_Check(a.ptr()), TypeError,
                    "new(): invalid data type '", py_type_name(a), "'");
      CRESSET_CHECK(PySequence_Check(a.ptr()), TypeError, "new(): data must be a sequence (got ",
                    py_type_name(a), ")");
      nb::object dev = device.is_cpu() ? nb::none() : nb::cast(device);
      return tensor_from_data(a, dtype_object(dtype), dev, false);
    }
  } else {
    for (size_t i = 0; i < args.size(); ++i) {
      nb::handle a = args[i];
      CRESSET_CHECK(PyLong_Check(a.ptr()), TypeError,
                    "new(): argument 'size' failed to unpack the object at pos ", i + 1,
                    " with error \"type must be tuple of ints,but got ", py_type_name(a), "\"");
      sizes.push_back(nb::cast<int64_t>(a));
    }
  }
  return empty_tensor(sizes, dtype, device);
}

// An instance of `type` (Tensor or a Python subclass) holding `t`.
nb::object make_instance(nb::handle type, Tensor t) {
  nb::object obj = nb::inst_alloc(type);
  Tensor* held = new (nb::inst_ptr<Tensor>(obj)) Tensor(std::move(t));
  nb::inst_mark_ready(obj);
  register_wrapper(*held, obj);
  return obj;
}

}  // namespace

std::optional<DType> numpy_scalar_dtype(nb::handle h) {
  PyObject* o = h.ptr();
  if (PyFloat_CheckExact(o) || PyLong_CheckExact(o) || PyBool_Check(o)) return std::nullopt;
  const NumpyTypes* np = numpy_types();
  if (!np || !is_instance_of(h, np->generic)) return std::nullopt;
  return dtype_from_numpy(h.attr("dtype"));
}

bool is_numpy_array(nb::handle h) {
  const NumpyTypes* np = numpy_types();
  return np && is_instance_of(h, np->ndarray);
}

Tensor from_numpy(nb::handle array) {
  CRESSET_CHECK(is_numpy_array(array), TypeError, "expected np.ndarray (got ", py_type_name(array),
                ")");
  nb::object np_dtype = array.attr("dtype");
  std::optional<DType> dtype = dtype_from_numpy(np_dtype);
  if (!dtype) {
    nb::handle scalar_type = np_dtype.attr("type");
    throw TypeError(str_cat("can't convert np.ndarray of type ",
                            nb::cast<std::string>(scalar_type.attr("__module__")), ".",
                            nb::cast<std::string>(scalar_type.attr("__name__")), ". ",
                            kNumpySupported));
  }
  // Shape and strides as NumPy reports them (its buffer export normalises the strides of empty
  // arrays and size-1 dims, which torch keeps).
  nb::tuple shape = nb::borrow<nb::tuple>(array.attr("shape"));
  nb::tuple byte_strides = nb::borrow<nb::tuple>(array.attr("strides"));
  nb::tuple data_info = nb::borrow<nb::tuple>(array.attr("__array_interface__")["data"]);
  int64_t isz = itemsize(*dtype);
  size_t ndim = shape.size();
  DimVector sizes(ndim), strides(ndim);
  bool negative = false, misaligned = false;
  for (size_t i = 0; i < ndim; ++i) {
    int64_t st = nb::cast<int64_t>(byte_strides[i]);
    sizes[i] = nb::cast<int64_t>(shape[i]);
    negative |= st < 0;
    misaligned |= st % isz != 0;
    strides[i] = st / isz;
  }
  void* data = reinterpret_cast<void*>(nb::cast<uintptr_t>(data_info[0]));
  bool readonly = nb::cast<bool>(data_info[1]);
  CRESSET_CHECK(!negative, ValueError,
                "At least one stride in the given numpy array is negative, and tensors with "
                "negative strides are not currently supported. (You can probably work around "
                "this by making a copy of your array  with array.copy().) ");
  CRESSET_CHECK(!misaligned, ValueError,
                "given numpy array strides not a multiple of the element byte size. Copy the "
                "numpy array to reallocate the memory.");
  CRESSET_CHECK(nb::cast<bool>(np_dtype.attr("isnative")), ValueError,
                "given numpy array has byte order different from the native byte order. "
                "Conversion between byte orders is currently not supported.");
  if (readonly) {
    static bool warned = false;
    warn_once(warned,
              "The given NumPy array is not writable, and PyTorch does not support non-writable "
              "tensors. This means writing to this tensor will result in undefined behavior. You "
              "may want to copy the array to protect its data or make it writable before "
              "converting it to a tensor. This type of warning will be suppressed for the rest "
              "of this program.");
  }
  int64_t nbytes = storage_span(sizes, strides) * isz;
  Py_INCREF(array.ptr());
  auto storage = Storage::borrow(data, size_t(nbytes), Device(), &release_pyobject, array.ptr());
  return make_tensor(std::move(storage), std::move(sizes), std::move(strides), *dtype);
}

Tensor tensor_from_numpy_copy(nb::handle array, nb::handle dtype, nb::handle device) {
  Tensor src = from_numpy(array);
  return copy_to(src, dtype.is_none() ? src.dtype() : to_dtype(dtype),
                 device.is_none() ? Device() : to_device(device));
}

void init_interop(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

  // torch.Tensor is both the class and the legacy constructor: __new__ builds the tensor (for
  // Python subclasses too) and __init__ accepts the same arguments without acting on them.
  cls.def_static("__new__", [](nb::type_object type, nb::args args, nb::kwargs kwargs) {
    return make_instance(type, legacy_new(std::nullopt, args, kwargs));
  });
  cls.def("__init__", [](nb::handle, nb::args, nb::kwargs) {});
  cls.def_static("_make_subclass", [](nb::type_object type, const Tensor& data, bool require_grad) {
    Tensor t = alias_of(data);
    t.impl()->set_requires_grad(require_grad);
    return make_instance(type, t);
  }, "cls"_a, "data"_a, "require_grad"_a = false);
  // torch's as_subclass: an alias of self (AliasBackward0 when recorded) wrapped as cls.
  cls.def("as_subclass", [](const Tensor& self, nb::handle type) {
    CRESSET_CHECK(PyType_Check(type.ptr()), TypeError, "cls must be a type (got ",
                  py_type_name(type), ")");
    nb::handle tensor_type = nb::type<Tensor>();
    CRESSET_CHECK(PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(type.ptr()),
                                   reinterpret_cast<PyTypeObject*>(tensor_type.ptr())),
                  TypeError,
                  "Creating a Tensor subclass from a class that does not inherit from Tensor is "
                  "not possible. Make sure your class inherits from Tensor.");
    Tensor t = alias(self);
    // Made without a graph (no_grad), the alias is a leaf that still requires grad, as in torch.
    if (self.requires_grad() && !t.requires_grad()) t.impl()->set_requires_grad(true);
    return make_instance(type, t);
  }, "cls"_a);
  m.def("_legacy_new", [](nb::handle dtype, nb::args args, nb::kwargs kwargs) {
    return legacy_new(to_dtype(dtype), args, kwargs);
  });

  m.def("from_numpy", &from_numpy, "ndarray"_a);
  cls.def("numpy", &tensor_numpy, nb::kw_only(), "force"_a = false);
  m.def("frombuffer", &frombuffer, "buffer"_a, nb::kw_only(), "dtype"_a, "count"_a = -1,
        "offset"_a = 0, "requires_grad"_a = false);
  m.def("_copy_to", [](const Tensor& t, nb::handle dtype, nb::handle device) {
    return copy_to(t, dtype.is_none() ? t.dtype() : to_dtype(dtype),
                   device.is_none() ? t.device() : to_device(device));
  }, "tensor"_a, "dtype"_a = nb::none(), "device"_a = nb::none());
  m.def("_alias", &alias_of, "tensor"_a);
  m.def("_storage_bytes", &storage_bytes, "tensor"_a);
  m.def("_from_storage_bytes", &from_storage_bytes, "data"_a, "dtype"_a, "size"_a, "stride"_a,
        "offset"_a, "device"_a);
  // deepcopy: a copy of the whole storage with t's layout, or t's layout over a copied storage.
  m.def("_copy_storage", [](const Tensor& t) {
    Tensor flat = storage_as_bytes(t), copy = empty_tensor(flat.sizes(), DType::UInt8, t.device());
    copy_into(copy, flat);
    return with_layout_of(copy, t);
  }, "tensor"_a);
  m.def("_share_storage", &with_layout_of, "storage_owner"_a, "tensor"_a);
  m.def("_storage_key", [](const Tensor& t) {
    return reinterpret_cast<uintptr_t>(t.impl()->storage().get());
  }, "tensor"_a);

  cls.def("__dlpack__", &tensor_dlpack, nb::kw_only(), "stream"_a = nb::none(),
          "max_version"_a = nb::none(), "dl_device"_a = nb::none(), "copy"_a = nb::none());
  cls.def("__dlpack_device__", [](const Tensor& t) {
    dlpack::DLDevice d = dl_device(t.device());
    return nb::make_tuple(int(d.device_type), int(d.device_id));
  });
  m.def("_to_dlpack", [](const Tensor& t) { return export_capsule<DLManagedTensor>(t, false); },
        "tensor"_a);
  m.def("_from_dlpack", &from_dlpack_capsule, "data"_a);

  m.def("result_type", [](nb::handle tensor, nb::handle other) {
    return dtype_object(result_type(
        {to_tensor_or_scalar(tensor, "result_type"), to_tensor_or_scalar(other, "result_type")}));
  }, "tensor"_a, "other"_a);
}

}  // namespace cresset::py
