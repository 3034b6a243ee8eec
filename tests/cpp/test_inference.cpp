// Inference tensors and view bases at the core level (see Note [Inference tensors]): which
// tensors are marked, what a view remembers as its base, and the in-place refusal.
#include <thread>

#include "check.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

using namespace cresset;

int main() {
  Tensor normal = ones({2, 3}, DType::Float32);
  CHECK(!normal.impl()->is_inference());

  // Views remember the root base; detach and reshape copies are not views.
  Tensor row = select(normal, 0, 1);
  Tensor part = slice(row, 0, 1, std::nullopt, 1);
  CHECK(row.impl()->view_base().get() == normal.impl());
  CHECK(part.impl()->view_base().get() == normal.impl());
  CHECK(!detach(normal).impl()->view_base());
  CHECK(!reshape(transpose(normal, 0, 1), {6}).impl()->view_base());

  Tensor made, view_of_normal, nested;
  bool other_thread = true;
  {
    autograd::InferenceMode::set_enabled(true);
    made = add(normal, normal);
    view_of_normal = select(normal, 0, 0);
    std::thread([&] { other_thread = ones({1}, DType::Float32).impl()->is_inference(); }).join();
    autograd::InferenceMode::set_enabled(false);
    nested = ones({1}, DType::Float32);
    autograd::InferenceMode::set_enabled(true);
    add_(made, made);  // allowed inside the mode
    autograd::InferenceMode::set_enabled(false);
  }
  CHECK(made.impl()->is_inference());
  CHECK(!other_thread);  // the mode is per thread
  CHECK(!nested.impl()->is_inference());
  CHECK(!view_of_normal.impl()->is_inference());
  CHECK(view_of_normal.impl()->view_base().get() == normal.impl());

  // Views of an inference tensor are inference tensors without a base.
  Tensor inf_view = select(made, 0, 0);
  CHECK(inf_view.impl()->is_inference());
  CHECK(!inf_view.impl()->view_base());

  // Outside the mode, every in-place write is refused before it happens.
  float before = made.data<float>()[0];
  CHECK_THROWS(add_(made, made), RuntimeError);
  CHECK_THROWS(fill_(inf_view, 1.0), RuntimeError);
  CHECK_THROWS(copy_(made, normal), RuntimeError);
  CHECK(made.data<float>()[0] == before);
  copy_(normal, made);  // reading one is fine
  CHECK(normal.data<float>()[0] == before);
  CHECK_DONE();
}
