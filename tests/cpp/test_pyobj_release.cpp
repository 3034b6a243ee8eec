// The core half of Note [Python object preservation]: a TensorImpl that owns its Python object
// hands it to the installed releaser exactly once, when the impl dies, on whichever thread.
#include <thread>
#include <vector>

#include "check.h"
#include "cresset/ops/ops.h"

using namespace cresset;

namespace {

std::vector<void*> g_released;
std::thread::id g_release_thread;

void record_release(void* pyobj) {
  g_released.push_back(pyobj);
  g_release_thread = std::this_thread::get_id();
}

}  // namespace

int main() {
  set_pyobj_releaser(&record_release);
  int a = 0, b = 0, c = 0, d = 0;

  {  // A back-pointer the impl does not own is never released.
    Tensor t = zeros({2}, DType::Float32);
    t.impl()->set_pyobj(&a);
  }
  CHECK(g_released.empty());

  {  // An owned one is released once, when the last handle goes.
    Tensor t = zeros({2}, DType::Float32);
    t.impl()->set_pyobj(&b);
    t.impl()->set_owns_pyobj(true);
    Tensor other = t;
    t = Tensor();
    CHECK(g_released.empty());
  }
  CHECK((g_released == std::vector<void*>{&b}));

  {  // A view keeps its base (and the base's object) alive; the base dies on another thread.
    Tensor base = zeros({4}, DType::Float32);
    base.impl()->set_pyobj(&c);
    base.impl()->set_owns_pyobj(true);
    Tensor view = base.narrow(0, 1, 2);
    base = Tensor();
    CHECK(g_released.size() == 1);
    std::thread([v = std::move(view)]() mutable { v = Tensor(); }).join();
    CHECK((g_released == std::vector<void*>{&b, &c}));
    CHECK(g_release_thread != std::this_thread::get_id());
  }

  set_pyobj_releaser(nullptr);
  {  // Without a releaser (the interpreter is gone) the object is left alone.
    Tensor t = zeros({2}, DType::Float32);
    t.impl()->set_pyobj(&d);
    t.impl()->set_owns_pyobj(true);
  }
  CHECK(g_released.size() == 2);
  CHECK_DONE();
}
