// The cresset._C extension module: error translation and the per-family init functions.
#include "bind.h"
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"
#include "cresset/core/warning.h"

namespace cresset::py {

// The init functions of the binding files of the API-coverage ops.
void init_tensor_storage(nb::module_& m);
void init_structure(nb::module_& m);
void init_numeric(nb::module_& m);
void init_statistics(nb::module_& m);
void init_view_copy(nb::module_& m);
void init_linalg_solve(nb::module_& m);
void init_special(nb::module_& m);

PyTypes& py_types() {
  static PyTypes* t = new PyTypes();  // leaked: must outlive interpreter finalization order
  return *t;
}

void translate_exception(const std::exception_ptr& p) {
  try {
    std::rethrow_exception(p);
  } catch (const IndexError& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const NotImplementedError& e) {
    PyErr_SetString(PyExc_NotImplementedError, e.what());
  } catch (const AssertionError& e) {
    PyErr_SetString(PyExc_AssertionError, e.what());
  } catch (const RuntimeError& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

namespace {

// C++ warnings become Python UserWarnings at the calling line; with warnings turned into errors
// (-W error) the raised exception propagates out of the op.
void warn_python(const std::string& message) {
  nb::gil_scoped_acquire gil;
  if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1) < 0) throw nb::python_error();
}
}  // namespace

}  // namespace cresset::py

NB_MODULE(_C, m) {
  using namespace cresset::py;
  // Module-level singletons (dtype objects, Python types) live until exit by design.
  nb::set_leak_warnings(false);
  nb::register_exception_translator(
      [](const std::exception_ptr& p, void*) { translate_exception(p); });
  cresset::set_warning_handler(&warn_python);
  nb::exception<cresset::OutOfMemoryError>(m, "OutOfMemoryError", PyExc_RuntimeError);
  m.def("_register_python_types", [](nb::object size_type) { py_types().size_type = size_type; });
  m.def("get_num_threads", &cresset::get_num_threads);
  m.def("_cpu_capability",
        [] { return cresset::cpu::capability_name(cresset::cpu::capability()); });
  m.def("set_num_threads", &cresset::set_num_threads, "int"_a);
  init_dtype(m);
  init_device(m);
  init_tensor(m);
  init_elementwise(m);
  init_creation(m);
  init_view(m);
  init_reduce(m);
  init_index(m);
  init_linalg(m);
  init_random(m);
  init_interop(m);
  init_nn(m);
  init_nn_conv(m);
  init_nn_pool(m);
  init_nn_norm(m);
  init_nn_activation(m);
  init_nn_loss(m);
  init_nn_linear(m);
  init_nn_rnn(m);
  init_optim(m);
  init_io(m);
  init_autograd(m);
  init_cuda(m);
  init_tensor_storage(m);
  init_structure(m);
  init_numeric(m);
  init_statistics(m);
  init_view_copy(m);
  init_linalg_solve(m);
  init_special(m);
}
