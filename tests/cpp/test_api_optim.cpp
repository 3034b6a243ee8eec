// The optim part of the C++ frontend: trajectories of every optimizer against torch, param
// groups, state, zero_grad, StepLR, errors, and a small network trained to convergence.
#include <functional>
#include <string>

#include "api_util.h"
#include "check.h"
#include "cresset/core/generator.h"
#include "cresset/nn/modules/nn.h"
#include "cresset/optim/optimizers.h"

using namespace cresset;

namespace {

Tensor leaf(const std::vector<float>& v, const DimVector& sizes) {
  Tensor t = make(v, sizes);
  t.requires_grad_();
  return t;
}

using MakeOptimizer = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

// The reference values come from torch 2.13 with this loop (torch.optim defaults otherwise):
//   w = torch.tensor([[0.5, -1.0], [1.5, 2.0]], requires_grad=True)
//   b = torch.tensor([0.25, -0.75], requires_grad=True)
//   opt = <optimizer>([w, b])
//   target = torch.tensor([[1.0, 0.0], [-1.0, 0.5]]); scale = torch.tensor([[1.0, 2.0],
//   [0.5, 3.0]]) for _ in range(3):
//       opt.zero_grad()
//       loss = ((w - target) ** 2 * scale).sum() + (b ** 3).sum()
//       loss.backward()
//       opt.step()
//   w.flatten().tolist() + b.tolist()
void check_trajectory(const char* name, const MakeOptimizer& make_optimizer,
                      const std::vector<float>& expected) {
  Tensor w = leaf({0.5f, -1.0f, 1.5f, 2.0f}, {2, 2});
  Tensor b = leaf({0.25f, -0.75f}, {2});
  std::unique_ptr<optim::Optimizer> opt = make_optimizer({w, b});
  Tensor target = make({1.0f, 0.0f, -1.0f, 0.5f}, {2, 2});
  Tensor scale = make({1.0f, 2.0f, 0.5f, 3.0f}, {2, 2});
  for (int i = 0; i < 3; ++i) {
    opt->zero_grad();
    Tensor diff = sub(w, target);
    Tensor loss = add(sum(mul(mul(diff, diff), scale)), sum(mul(mul(b, b), b)));
    backward(loss);
    opt->step();
  }
  std::vector<float> got = values(w);
  for (float v : values(b)) got.push_back(v);
  if (!close(make(got, {6}), expected, 1e-5, 1e-6)) {
    std::fprintf(stderr, "trajectory of %s differs from torch\n", name);
    ++g_failures;
  }
}

template <typename Opt, typename Options>
MakeOptimizer maker(Options options) {
  return [options](std::vector<Tensor> params) -> std::unique_ptr<optim::Optimizer> {
    return std::make_unique<Opt>(std::move(params), options);
  };
}

void test_trajectories_match_torch() {
  using namespace optim;
  check_trajectory("SGD(lr=0.1)", maker<SGD>(SGDOptions(0.1)),
                   {0.74400002f, -0.21600001f, 0.82249999f, 0.59600002f, 0.20131283f, -1.584042f});
  check_trajectory("SGD(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)",
                   maker<SGD>(SGDOptions(0.05).momentum(0.9).dampening(0.1).weight_decay(0.01)),
                   {0.74392754f, -0.09685836f, 0.85761225f, 0.14096528f, 0.20233676f, -1.2907306f});
  check_trajectory(
      "SGD(lr=0.05, momentum=0.9, nesterov=True)",
      maker<SGD>(SGDOptions(0.05).momentum(0.9).nesterov(true)),
      {0.83633953f, 0.10835198f, 0.57865661f, -0.022259457f, 0.18336815f, -1.7976236f});
  check_trajectory("Adam(lr=0.1)", maker<Adam>(AdamOptions(0.1)),
                   {0.7951287f, -0.70158631f, 1.2004739f, 1.7009029f, -0.010032564f, -1.0497054f});
  check_trajectory(
      "Adam(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)",
      maker<Adam>(AdamOptions(0.05).betas({0.8, 0.99}).weight_decay(0.1).amsgrad(true)),
      {0.64848369f, -0.85056818f, 1.3502151f, 1.8503573f, 0.10795793f, -0.90086603f});
  check_trajectory("AdamW(lr=0.05)", maker<AdamW>(AdamWOptions(0.05)),
                   {0.64838833f, -0.84889114f, 1.3479345f, 1.8472716f, 0.10633637f, -0.89903915f});
  check_trajectory("RMSprop(lr=0.01)", maker<RMSprop>(RMSpropOptions(0.01)),
                   {0.70956671f, -0.77998221f, 1.2744681f, 1.7768514f, 0.09594968f, -0.99789959f});
  check_trajectory(
      "RMSprop(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)",
      maker<RMSprop>(RMSpropOptions(0.01).momentum(0.5).centered(true).weight_decay(0.1)),
      {0.8085528f, -0.67122138f, 1.1630434f, 1.6663918f, 0.01135373f, -1.1198949f});
  check_trajectory(
      "Adagrad(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)",
      maker<Adagrad>(AdagradOptions(0.1).lr_decay(0.01).initial_accumulator_value(0.1)),
      {0.70103532f, -0.78258526f, 1.2779156f, 1.7791419f, 0.14743373f, -0.99263024f});
  check_trajectory("Adadelta(lr=1.0, rho=0.8, weight_decay=0.05)",
                   maker<Adadelta>(AdadeltaOptions(1.0).rho(0.8).weight_decay(0.05)),
                   {0.50701839f, -0.99297261f, 1.4929678f, 1.99297f, 0.24302825f, -0.75705731f});
}

void test_groups_state_and_zero_grad() {
  Tensor a = leaf({1.0f}, {1});
  Tensor b = leaf({1.0f}, {1});
  optim::SGD sgd({optim::OptimizerParamGroup({a}),
                  optim::OptimizerParamGroup({b}, std::make_unique<optim::SGDOptions>(0.5))},
                 optim::SGDOptions(0.1).momentum(0.9));
  CHECK(sgd.param_groups().size() == 2 && sgd.size() == 2);
  CHECK(sgd.param_groups()[0].options().get_lr() == 0.1);
  CHECK(sgd.param_groups()[1].options().get_lr() == 0.5);
  // The second group's own options replace the defaults entirely (momentum 0 there).
  CHECK(static_cast<optim::SGDOptions&>(sgd.param_groups()[1].options()).momentum() == 0);
  backward(add(sum(a), sum(b)));  // grads 1
  sgd.step();
  CHECK(close(a, {0.9f}) && close(b, {0.5f}));
  CHECK(sgd.has_state(a) && !sgd.has_state(b));
  CHECK(close(sgd.state(a)["momentum_buffer"], {1.0f}));

  Tensor c = leaf({2.0f}, {1});
  sgd.add_param_group(optim::OptimizerParamGroup({c}));
  CHECK(sgd.param_groups()[2].options().get_lr() == 0.1);
  CHECK_THROWS(sgd.add_param_group(optim::OptimizerParamGroup({a})), ValueError);

  sgd.zero_grad(false);
  CHECK(close(a.grad(), {0.0f}));
  sgd.zero_grad();
  CHECK(!a.grad().defined());
  sgd.step();  // no grads: nothing moves
  CHECK(close(a, {0.9f}));

  Tensor w = leaf({1.0f, 2.0f}, {2});
  optim::Adam adam({w}, optim::AdamOptions(0.01).amsgrad(true));
  backward(sum(mul(w, w)));
  adam.step();
  CHECK((adam.state(w).keys() ==
         std::vector<std::string>{"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}));
  CHECK(close(adam.state(w)["step"], {1.0f}));
  optim::Adagrad adagrad({w}, optim::AdagradOptions().initial_accumulator_value(0.5));
  CHECK(close(adagrad.state(w)["sum"], {0.5f, 0.5f}));  // created with the optimizer

  // A float64 param and a float32 one in one group: one fused call per dtype.
  Tensor d = to(leaf({1.0f}, {1}), DType::Float64, Device());
  d = detach(d);
  d.requires_grad_();
  Tensor f = leaf({1.0f}, {1});
  optim::SGD mixed({d, f}, optim::SGDOptions(0.25));
  backward(add(sum(d), to(sum(f), DType::Float64, Device())));
  mixed.step();
  CHECK(item_scalar(d).to_double() == 0.75 && item_scalar(f).to_double() == 0.75);

  // step(closure) evaluates the loss with grad enabled and returns it.
  Tensor x = leaf({3.0f}, {1});
  optim::SGD closure_sgd({x}, optim::SGDOptions(0.1));
  Tensor loss = closure_sgd.step([&] {
    closure_sgd.zero_grad();
    Tensor l = sum(mul(x, x));
    backward(l);
    return l;
  });
  CHECK(close(loss, {9.0f}) && close(x, {2.4f}));
}

void test_step_lr_and_errors() {
  Tensor p = leaf({1.0f}, {1});
  optim::SGD sgd({p}, optim::SGDOptions(1.0));
  optim::StepLR scheduler(sgd, 2, 0.5);
  std::vector<double> lrs;
  for (int epoch = 0; epoch < 5; ++epoch) {
    lrs.push_back(scheduler.get_last_lr()[0]);
    scheduler.step();
  }
  // torch: StepLR(SGD([p], lr=1.0), step_size=2, gamma=0.5): lr before each scheduler.step().
  CHECK((lrs == std::vector<double>{1.0, 1.0, 0.5, 0.5, 0.25}));

  CHECK_THROWS(optim::SGD({p}, optim::SGDOptions(-0.1)), ValueError);
  CHECK_THROWS(optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)), ValueError);
  CHECK_THROWS(optim::Adam({p}, optim::AdamOptions().betas({1.0, 0.999})), ValueError);
  CHECK_THROWS(optim::RMSprop({p}, optim::RMSpropOptions().alpha(-1)), ValueError);
  CHECK_THROWS(optim::Adagrad({p}, optim::AdagradOptions().eps(-1)), ValueError);
  CHECK_THROWS(optim::Adadelta({p}, optim::AdadeltaOptions().rho(1.5)), ValueError);
  CHECK_THROWS(optim::SGD(std::vector<Tensor>{}, optim::SGDOptions(0.1)), ValueError);
  CHECK_THROWS(optim::SGD({mul(p, wrapped_scalar(2))}, optim::SGDOptions(0.1)), ValueError);
  CHECK_THROWS(optim::SGD({p, p}, optim::SGDOptions(0.1)), ValueError);
  CHECK_THROWS(optim::StepLR(sgd, 0), ValueError);
}

// XOR with a 2-8-1 MLP, Adam and BCEWithLogitsLoss: the loss falls below 0.05 and every
// prediction lands on the right side.
struct XorNetImpl : nn::Module {
  XorNetImpl()
      : layers(register_module("layers",
                               nn::Sequential(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1)))) {}
  Tensor forward(const Tensor& x) { return layers(x); }
  nn::Sequential layers;
};
CRESSET_MODULE(XorNet);

void test_training_converges() {
  default_generator().set_seed(1);
  XorNet net;
  Tensor x = make({0, 0, 0, 1, 1, 0, 1, 1}, {4, 2});
  Tensor y = make({0, 1, 1, 0}, {4, 1});
  optim::Adam opt(net->parameters(), optim::AdamOptions(0.05));
  optim::StepLR scheduler(opt, 200, 0.5);
  nn::BCEWithLogitsLoss criterion;
  double final_loss = 1e9;
  for (int step = 0; step < 400; ++step) {
    opt.zero_grad();
    Tensor loss = criterion(net(x), y);
    backward(loss);
    opt.step();
    scheduler.step();
    final_loss = item_scalar(loss).to_double();
  }
  CHECK(final_loss < 0.05);
  std::vector<float> logits = values(net(x));
  CHECK(logits[0] < 0 && logits[1] > 0 && logits[2] > 0 && logits[3] < 0);
  CHECK(opt.param_groups()[0].options().get_lr() == 0.0125);

  // Linear regression with SGD recovers y = 2x - 1.
  nn::Linear lin(1, 1);
  optim::SGD sgd(lin->parameters(), optim::SGDOptions(0.1).momentum(0.5));
  Tensor xs = make({-1, -0.5f, 0, 0.5f, 1}, {5, 1});
  Tensor ys = make({-3, -2, -1, 0, 1}, {5, 1});
  for (int step = 0; step < 200; ++step) {
    sgd.zero_grad();
    backward(nn::functional::mse_loss(lin(xs), ys));
    sgd.step();
  }
  CHECK(close(lin->weight, {2.0f}, 1e-4, 1e-4) && close(lin->bias, {-1.0f}, 1e-4, 1e-4));
}

}  // namespace

int main() {
  test_trajectories_match_torch();
  test_groups_state_and_zero_grad();
  test_step_lr_and_errors();
  test_training_converges();
  CHECK_DONE();
}
