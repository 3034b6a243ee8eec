// The autograd engine: dependency order, accumulation, deep chains, freed graphs, version checks.
#include <cmath>

#include "check.h"
#include "cresset/autograd/engine.h"
#include "cresset/autograd/function.h"
#include "cresset/autograd/saved_hooks.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

using namespace cresset;
namespace ag = cresset::autograd;

namespace {

// y = x * c recorded by hand, with its derivative grad * c.
Tensor scale(const Tensor& x, double c) {
  Tensor y = mul(x, wrapped_scalar(Scalar(c)));
  if (ag::needs_grad({x})) {
    ag::record("MulBackward0", {x}, {y}, {}, [c](const ag::Ctx& ctx) -> ag::TensorList {
      return {mul(ctx.grad(), wrapped_scalar(Scalar(c)))};
    });
  }
  return y;
}

// y = exp(x), saving its output.
Tensor exp_recorded(const Tensor& x) {
  Tensor y = exp(x);
  if (ag::needs_grad({x})) {
    ag::record("ExpBackward0", {x}, {y}, {y}, [](const ag::Ctx& ctx) -> ag::TensorList {
      return {mul(ctx.grad(), ctx.saved(0))};
    });
  }
  return y;
}

float grad_value(const Tensor& leaf) { return *ag::meta(leaf)->grad.data<float>(); }

// Saved-tensor hooks that keep a copy of each saved tensor and count the calls.
struct CopyingHooks : ag::SavedTensorHooks {
  int packed = 0, unpacked = 0;
  std::shared_ptr<void> pack(const Tensor& t) override {
    ++packed;
    return std::make_shared<Tensor>(clone(t));
  }
  Tensor unpack(const std::shared_ptr<void>& p) override {
    ++unpacked;
    return *static_cast<Tensor*>(p.get());
  }
};

}  // namespace

int main() {
  // Diamond: z = 2x + 3x, dz/dx = 5, accumulated through two paths.
  Tensor x = ones({1}, DType::Float32);
  x.impl()->set_requires_grad(true);
  Tensor z = add(scale(x, 2), scale(x, 3));
  CHECK(!ag::is_leaf(z));
  ag::backward({z}, {}, false, false);
  CHECK(grad_value(x) == 5.0f);

  // A second backward accumulates into .grad.
  Tensor z2 = scale(x, 4);
  ag::backward({z2}, {}, false, false);
  CHECK(grad_value(x) == 9.0f);

  // A freed graph refuses a second backward; retain_graph keeps it.
  Tensor e = exp_recorded(x);
  ag::backward({e}, {}, true, false);
  ag::backward({e}, {}, false, false);
  CHECK_THROWS(ag::backward({e}, {}, false, false), RuntimeError);

  // Modifying a saved tensor in place is detected at backward time.
  Tensor e2 = exp_recorded(x);
  add_(e2, ones({1}, DType::Float32));
  CHECK_THROWS(ag::backward({e2}, {}, false, false), RuntimeError);

  // A chain of 100,000 nodes runs and is destroyed without deep recursion.
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = scale(y, 1.0);
  ag::TensorList g = ag::grad({y}, {x}, {}, false, false, false);
  CHECK(*g[0].data<float>() == 1.0f);
  y = Tensor();

  // grad() of an unused input raises unless allow_unused.
  Tensor w = ones({1}, DType::Float32);
  w.impl()->set_requires_grad(true);
  Tensor out = scale(x, 2);
  CHECK_THROWS(ag::grad({out}, {w}, {}, true, false, false), RuntimeError);
  CHECK(!ag::grad({out}, {w}, {}, true, false, true)[0].defined());

  // Saved-tensor hooks see what is saved while they are registered: a copy is kept, so modifying
  // the original in place no longer matters, and the saved output still routes its gradient.
  auto hooks = std::make_shared<CopyingHooks>();
  ag::push_saved_tensor_hooks(hooks);
  Tensor h = exp(x);
  ag::pop_saved_tensor_hooks();
  CHECK(hooks->packed == 1 && !ag::current_saved_tensor_hooks());
  add_(h, ones({1}, DType::Float32));
  ag::TensorList gh = ag::grad({h}, {x}, {}, false, false, false);
  CHECK(hooks->unpacked == 1 && std::abs(*gh[0].data<float>() - std::exp(1.0f)) < 1e-6f);
  CHECK_THROWS(ag::pop_saved_tensor_hooks(), RuntimeError);

  // No recording in no-grad mode.
  {
    ag::AutoGradMode off(false);
    CHECK(ag::is_leaf(scale(x, 2)));
  }
  CHECK_DONE();
}
