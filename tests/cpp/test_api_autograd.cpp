// The C++ frontend's autograd API: backward, grad(), NoGradGuard, autograd::grad with higher
// order, retain_grad, and custom functions (autograd::Function<T>).
#include "check.h"
#include "cresset/cresset.h"

using cresset::Tensor;
using cresset::autograd::AutogradContext;
using cresset::autograd::tensor_list;

namespace {

// y = x * k with k kept in saved_data.
struct MulConst : cresset::autograd::Function<MulConst> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, double k) {
    ctx->saved_data["k"] = k;
    return x * k;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    return {grads[0] * ctx->saved_data["k"].to_double(), Tensor()};
  }
};

// y = x * w, saving both inputs; backward reports which inputs need a gradient.
struct Mul : cresset::autograd::Function<Mul> {
  static inline bool needs_w = true;
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& w) {
    ctx->save_for_backward({x, w});
    return x * w;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    tensor_list saved = ctx->get_saved_variables();
    needs_w = ctx->needs_input_grad(1);
    return {grads[0] * saved[1], needs_w ? grads[0] * saved[0] : Tensor()};
  }
};

// Two outputs: (x + 1, x * x), the second saved as an output.
struct TwoOut : cresset::autograd::Function<TwoOut> {
  static tensor_list forward(AutogradContext* ctx, const Tensor& x) {
    Tensor sq = x * x;
    ctx->save_for_backward({x});
    return {x + 1, sq};
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    Tensor x = ctx->get_saved_variables()[0];
    return {grads[0] + grads[1] * 2 * x};
  }
};

// Returns the wrong number of gradients.
struct Broken : cresset::autograd::Function<Broken> {
  static Tensor forward(AutogradContext*, const Tensor& x) { return x * 2; }
  static tensor_list backward(AutogradContext*, tensor_list grads) { return {grads[0], grads[0]}; }
};

void test_backward() {
  Tensor x = cresset::tensor({1.0, 2.0, 3.0}).requires_grad_();
  CHECK(x.requires_grad() && x.is_leaf() && !x.grad().defined());
  Tensor y = (x * x).sum();
  CHECK(!y.is_leaf() && y.grad_fn()->name() == "SumBackward0");
  y.backward();
  CHECK(x.grad().equal(cresset::tensor({2.0, 4.0, 6.0})));
  (x * 3).sum().backward();  // gradients accumulate
  CHECK(x.grad().equal(cresset::tensor({5.0, 7.0, 9.0})));
  x.mutable_grad() = Tensor();
  CHECK(!x.grad().defined());
  Tensor z = x * 2;
  CHECK_THROWS(z.backward(), cresset::RuntimeError);  // not a scalar: needs a gradient
  z.backward(cresset::ones({3}));
  CHECK(x.grad().equal(cresset::full({3}, 2.0)));
  Tensor w = (x * x).sum();
  w.backward();
  CHECK_THROWS(w.backward(), cresset::RuntimeError);  // the graph was freed
  Tensor v = (x * x).sum();
  v.backward({}, true);
  v.backward();  // retained once
  CHECK_THROWS(cresset::tensor({1, 2}).requires_grad_(), cresset::RuntimeError);
  CHECK_THROWS((x * 2).requires_grad_(false), cresset::RuntimeError);
}

void test_grad_modes() {
  Tensor x = cresset::ones({2}, cresset::requires_grad());
  {
    cresset::NoGradGuard guard;
    Tensor y = x * 2;
    CHECK(!y.requires_grad() && !y.grad_fn());
  }
  CHECK((x * 2).requires_grad());
  {
    cresset::AutoGradMode off(false);
    CHECK(!(x * 2).requires_grad());
    {
      cresset::AutoGradMode on(true);
      CHECK((x * 2).requires_grad());
    }
  }
  Tensor h = x * 3;
  h.retain_grad();
  h.sum().backward();
  CHECK(h.grad().equal(cresset::ones({2})) && x.grad().equal(cresset::full({2}, 3.0)));
}

void test_autograd_grad() {
  Tensor x = cresset::tensor({2.0}, cresset::requires_grad());
  Tensor y = x * x * x;
  tensor_list dy = cresset::autograd::grad({y}, {x}, {}, std::nullopt, true);
  CHECK(dy[0].item<float>() == 12);  // 3 x^2
  CHECK(dy[0].requires_grad());
  tensor_list d2y = cresset::autograd::grad({dy[0]}, {x});
  CHECK(d2y[0].item<float>() == 12);  // 6 x
  CHECK(!x.grad().defined());         // grad() does not accumulate into .grad
  Tensor unused = cresset::tensor({1.0}, cresset::requires_grad());
  Tensor z = x * 2;
  CHECK_THROWS(cresset::autograd::grad({z}, {unused}), cresset::RuntimeError);
  Tensor z2 = x * 2;
  tensor_list r = cresset::autograd::grad({z2}, {unused}, {}, std::nullopt, false, true);
  CHECK(!r[0].defined());
}

void test_custom_functions() {
  Tensor x = cresset::tensor({1.0, 2.0}, cresset::requires_grad());
  Tensor y = MulConst::apply(x, 3.0);
  CHECK(y.equal(cresset::tensor({3.0, 6.0})) && y.grad_fn()->name() == "MulConstBackward");
  y.sum().backward();
  CHECK(x.grad().equal(cresset::tensor({3.0, 3.0})));

  Tensor a = cresset::tensor({2.0}, cresset::requires_grad());
  Tensor b = cresset::tensor({5.0});
  Mul::apply(a, b).backward();
  CHECK(a.grad().item<float>() == 5 && !Mul::needs_w);

  Tensor t = cresset::tensor({3.0}, cresset::requires_grad());
  tensor_list outs = TwoOut::apply(t);
  (outs[0] + outs[1]).backward();
  CHECK(t.grad().item<float>() == 7);  // 1 + 2 * 3

  Tensor c = cresset::tensor({1.0}, cresset::requires_grad());
  Tensor saved = c * 1;
  Tensor p = Mul::apply(saved, c);
  saved.add_(1);  // modifies a saved tensor in place
  CHECK_THROWS(p.backward(), cresset::RuntimeError);

  CHECK_THROWS(Broken::apply(c).backward(), cresset::RuntimeError);
  CHECK(!MulConst::apply(cresset::tensor({1.0}), 2.0).requires_grad());  // no grad needed: no node
  {
    cresset::NoGradGuard guard;
    CHECK(!MulConst::apply(c, 2.0).requires_grad());
  }
}

// The node a C++ operator with a number records, as libtorch's: the Scalar overloads (x + 2.0,
// 2.0 * x, x / 2.0, x -= 2.0: AddBackward1 ..., one edge); 2.0 - x and 2.0 / x a tensor minus x
// (SubBackward0, DivBackward0 with a None first edge).
void test_scalar_operator_nodes() {
  Tensor x = cresset::tensor({1.0, 2.0, 3.0}).requires_grad_();
  auto node = [](const Tensor& y, const char* name, size_t edges) {
    const auto& fn = y.grad_fn();
    return fn->name() == name && fn->next_edges().size() == edges;
  };
  CHECK(node(x + 2.0, "AddBackward1", 1) && node(2.0 + x, "AddBackward1", 1));
  CHECK(node(x - 2.0, "SubBackward1", 1) && node(2.0 - x, "SubBackward0", 2));
  CHECK(node(x * 2.0, "MulBackward1", 1) && node(2.0 * x, "MulBackward1", 1));
  CHECK(node(x / 2.0, "DivBackward1", 1) && node(2.0 / x, "DivBackward0", 2));
  CHECK(!(2.0 - x).grad_fn()->next_edges()[0].valid());
  CHECK(node(x * x, "MulBackward0", 2) && node(x.pow(2), "PowBackward0", 1));
  CHECK(node(x.add(2), "AddBackward1", 1) && node(x.mul(2.5), "MulBackward1", 1));
  Tensor y = x * 1;
  y += 2.0;
  CHECK(node(y, "AddBackward1", 1));
  y *= x;
  CHECK(node(y, "MulBackward0", 2));
  y /= 2.0;
  CHECK(node(y, "DivBackward1", 1));
  ((2.0 - x) * 3.0 / 2.0 + 1.0).sum().backward();
  CHECK(x.grad().equal(cresset::full({3}, -1.5)));
}

}  // namespace

int main() {
  test_backward();
  test_scalar_operator_nodes();
  test_grad_modes();
  test_autograd_grad();
  test_custom_functions();
  CHECK_DONE();
}
