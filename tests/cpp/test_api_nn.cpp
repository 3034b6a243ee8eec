// The nn part of the C++ frontend: module registration and naming (against Python's state_dict
// keys), layer forwards (against torch, or against the functional op a layer wraps), train/eval
// behaviour, containers, losses, init, gradient clipping and errors.
#include <sstream>
#include <string>

#include "api_util.h"
#include "check.h"
#include "cresset/core/generator.h"
#include "cresset/nn/activation.h"
#include "cresset/nn/modules/nn.h"
#include "cresset/nn/norm.h"
#include "cresset/nn/pool.h"

using namespace cresset;
namespace F = cresset::nn::functional;

namespace {

// The Python module whose state_dict() the names are checked against:
//   class Net(nn.Module):
//       def __init__(self):
//           super().__init__()
//           self.conv1 = nn.Conv2d(1, 4, 3, 1)
//           self.bn1 = nn.BatchNorm2d(4)
//           self.features = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
//                                         nn.MaxPool2d(2))
//           self.dropout = nn.Dropout(0.25)
//           self.fc = nn.Sequential(nn.Flatten(), nn.Linear(72, 16), nn.ReLU(),
//                                   nn.Linear(16, 10, bias=False))
struct NetImpl : nn::Module {
  NetImpl() {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 4, 3).stride(1)));
    bn1 = register_module("bn1", nn::BatchNorm2d(4));
    features = register_module(
        "features", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(4, 8, 3).padding(1)), nn::ReLU(),
                                   nn::MaxPool2d(2)));
    dropout = register_module("dropout", nn::Dropout(0.25));
    fc = register_module("fc", nn::Sequential(nn::Flatten(), nn::Linear(72, 16), nn::ReLU(),
                                              nn::Linear(nn::LinearOptions(16, 10).bias(false))));
  }
  Tensor forward(const Tensor& input) {
    Tensor x = F::relu(bn1(conv1(input)));
    x = dropout(features(x));
    return fc(x);
  }
  nn::Conv2d conv1{nullptr};
  nn::BatchNorm2d bn1{nullptr};
  nn::Sequential features{nullptr};
  nn::Dropout dropout{nullptr};
  nn::Sequential fc{nullptr};
};
CRESSET_MODULE(Net);

void test_names_match_python() {
  Net net;
  // Produced by: [(k, list(v.shape)) for k, v in Net().state_dict().items()] in torch 2.13.
  const std::vector<std::pair<std::string, DimVector>> expected = {
      {"conv1.weight", {4, 1, 3, 3}},
      {"conv1.bias", {4}},
      {"bn1.weight", {4}},
      {"bn1.bias", {4}},
      {"bn1.running_mean", {4}},
      {"bn1.running_var", {4}},
      {"bn1.num_batches_tracked", {}},
      {"features.0.weight", {8, 4, 3, 3}},
      {"features.0.bias", {8}},
      {"fc.1.weight", {16, 72}},
      {"fc.1.bias", {16}},
      {"fc.3.weight", {10, 16}}};
  auto state = net->state_dict();
  CHECK(state.size() == expected.size());
  for (size_t i = 0; i < expected.size() && i < state.size(); ++i) {
    CHECK(state[i].key() == expected[i].first);
    CHECK(state[i].value().sizes() == expected[i].second);
  }
  std::vector<std::string> params = net->named_parameters().keys();
  CHECK((params == std::vector<std::string>{"conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias",
                                            "features.0.weight", "features.0.bias", "fc.1.weight",
                                            "fc.1.bias", "fc.3.weight"}));
  CHECK(
      (net->named_buffers().keys() ==
       std::vector<std::string>{"bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"}));
  CHECK(net->parameters().size() == 9);
  CHECK(net->parameters(false).empty());
  CHECK(net->named_parameters()["fc.1.bias"].is_same(net->fc->ptr<nn::LinearImpl>(1)->bias));
  CHECK(net->named_buffers()["bn1.num_batches_tracked"].dtype() == DType::Int64);
  for (const Tensor& p : net->parameters()) CHECK(p.requires_grad());

  CHECK((net->named_children().keys() ==
         std::vector<std::string>{"conv1", "bn1", "features", "dropout", "fc"}));
  auto modules = net->named_modules();
  CHECK(modules.size() == 13);  // net, conv1, bn1, features + 3, dropout, fc + 4
  CHECK(modules[0].key().empty() && modules[0].value().get() == net.get());
  CHECK(modules[4].key() == "features.0");
  CHECK(net->modules(false).size() == 12);
  CHECK(net->name() == "(anonymous namespace)::Net");
  CHECK(net->conv1->name() == "cresset::nn::Conv2d");

  Tensor out = net(randn({2, 1, 8, 8}, DType::Float32));
  CHECK((out.sizes() == DimVector{2, 10}));
}

void test_register_and_print() {
  struct Tiny : nn::Module {
    Tiny() {
      w = register_parameter("w", ones({2}, DType::Float32));
      frozen = register_parameter("frozen", ones({2}, DType::Float32), false);
      register_buffer("count", zeros({}, DType::Int64));
    }
    Tensor w, frozen;
  };
  auto tiny = std::make_shared<Tiny>();
  CHECK(tiny->w.requires_grad() && !tiny->frozen.requires_grad());
  CHECK(tiny->parameters().size() == 2);
  CHECK_THROWS(tiny->register_parameter("w", ones({1}, DType::Float32)), ValueError);
  CHECK_THROWS(tiny->register_parameter("a.b", ones({1}, DType::Float32)), ValueError);
  CHECK_THROWS(tiny->register_buffer("", ones({1}, DType::Float32)), ValueError);
  CHECK_THROWS(tiny->register_buffer("w", ones({1}, DType::Float32)), ValueError);
  CHECK_THROWS(tiny->register_module("count", nn::ReLU()), ValueError);

  nn::Sequential seq(nn::Linear(2, 3), nn::ReLU(),
                     nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)));
  std::ostringstream os;
  os << seq;
  CHECK(os.str() ==
        "cresset::nn::Sequential(\n"
        "  (0): cresset::nn::Linear(in_features=2, out_features=3, bias=true)\n"
        "  (1): cresset::nn::ReLU()\n"
        "  (2): cresset::nn::Conv2d(1, 32, kernel_size=[3, 3], stride=[1, 1], padding=[1, 1])\n"
        ")");
  std::ostringstream bn;
  bn << nn::BatchNorm2d(nn::BatchNormOptions(8).momentum(std::nullopt));
  CHECK(bn.str() ==
        "cresset::nn::BatchNorm2d(8, eps=1e-05, momentum=None, affine=true, "
        "track_running_stats=true)");
}

void test_linear_and_conv_forward() {
  nn::Linear lin(3, 2);
  copy_(detach(lin->weight), make({0.1f, 0.2f, 0.3f, -0.4f, 0.5f, -0.6f}, {2, 3}));
  copy_(detach(lin->bias), make({0.05f, -0.05f}, {2}));
  // torch: nn.Linear(3, 2) with these weights on [[1, 2, 3], [-1, 0, 1]].
  CHECK(close(lin(make({1, 2, 3, -1, 0, 1}, {2, 3})), {1.45f, -1.25f, 0.25f, -0.25f}));

  nn::Conv2d conv(nn::Conv2dOptions(1, 2, 2).stride(2).padding(1));
  Tensor conv_w =
      sub(mul(arange(0, 8, 1, DType::Float32), wrapped_scalar(0.25)), wrapped_scalar(1));
  copy_(detach(conv->weight), view(conv_w, {2, 1, 2, 2}));
  copy_(detach(conv->bias), make({0.5f, -0.5f}, {2}));
  Tensor x = view(arange(0, 9, 1, DType::Float32), {1, 1, 3, 3});
  // torch: nn.Conv2d(1, 2, 2, stride=2, padding=1), weight arange(8) * 0.25 - 1, bias
  // [0.5, -0.5], input arange(9).reshape(1, 1, 3, 3).
  CHECK(close(conv(x), {0.5f, -0.5f, -3.25f, -12.75f, -0.5f, 1.5f, 4.75f, 10.25f}));
  CHECK(close(conv(x),
              values(F::conv2d(x, conv->weight,
                               F::Conv2dFuncOptions().bias(conv->bias).stride(2).padding(1)))));

  // Default initialisation: kaiming_uniform(a=sqrt(5)) bounds the weights by 1/sqrt(fan_in).
  nn::Linear big(784, 128);
  const float bound = 1.0f / 28.0f;
  CHECK(item_scalar(amax(abs(big->weight))).to_double() <= bound);
  CHECK(item_scalar(amax(abs(big->weight))).to_double() > 0.9 * bound);
  CHECK(item_scalar(amax(abs(big->bias))).to_double() <= bound);
  nn::Linear no_bias(nn::LinearOptions(4, 2).bias(false));
  CHECK(!no_bias->bias.defined() && no_bias->parameters().size() == 1);
}

void test_batchnorm_and_dropout_modes() {
  nn::BatchNorm2d bn(2);
  Tensor x = make({-3, -2.5f, -2, -1.5f, 1, 0.25f, 0, 0.25f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f},
                  {2, 2, 2, 2});
  // torch: nn.BatchNorm2d(2) in training mode, then eval mode, on the same input.
  CHECK(close(bn(x),
              {-1.3242428f, -1.0834714f, -0.8427f, -0.60192859f, -0.60598356f, -1.0337367f,
               -1.176321f, -1.0337367f, 0.60192859f, 0.8427f, 1.0834714f, 1.3242428f, 0.53469139f,
               0.8198601f, 1.1050289f, 1.3901976f},
              1e-5, 1e-5));
  CHECK(close(bn->running_mean, {-0.025f, 0.20625f}));
  CHECK(close(bn->running_var, {1.3928571f, 1.2513393f}));
  CHECK(item_scalar(bn->num_batches_tracked).to_int() == 1);
  bn->eval();
  CHECK(!bn->is_training());
  CHECK(close(bn(x),
              {-2.5207636f, -2.0971057f, -1.6734481f, -1.2497903f, 0.70956868f, 0.039110094f,
               -0.18437611f, 0.039110094f, 0.86849838f, 1.2921561f, 1.7158139f, 2.1394715f,
               2.4974582f, 2.9444306f, 3.3914032f, 3.8383756f},
              1e-5, 1e-5));
  CHECK(item_scalar(bn->num_batches_tracked).to_int() == 1);

  // momentum None: the running mean is the plain average of the batch means.
  nn::BatchNorm1d cumulative(nn::BatchNormOptions(1).momentum(std::nullopt));
  cumulative(make({1, 3}, {2, 1}));
  cumulative(make({5, 7}, {2, 1}));
  CHECK(close(cumulative->running_mean, {4.0f}));

  nn::Dropout drop(0.5);
  Tensor ones4 = ones({1000}, DType::Float32);
  Tensor y = drop(ones4);
  double zeros_seen = 0;
  for (float v : values(y)) {
    CHECK(v == 0.0f || v == 2.0f);
    zeros_seen += v == 0.0f;
  }
  CHECK(zeros_seen > 400 && zeros_seen < 600);
  drop->eval();
  CHECK(close(drop(ones4), values(ones4)));

  nn::Dropout2d drop2d(0.5);
  Tensor z = drop2d(ones({4, 16, 3, 3}, DType::Float32));
  for (int64_t c = 0; c < 64; ++c) {  // every channel all dropped or all kept
    std::vector<float> plane = values(select(view(z, {64, 9}), 0, c));
    for (float v : plane) CHECK(v == plane[0]);
  }
}

void test_other_layers() {
  Tensor x = randn({2, 4, 6}, DType::Float32);
  nn::LayerNorm ln(nn::LayerNormOptions({6}).eps(1e-6));
  CHECK((ln->named_parameters().keys() == std::vector<std::string>{"weight", "bias"}));
  CHECK(close(ln(x), values(layer_norm(x, {6}, ln->weight, ln->bias, 1e-6))));
  nn::GroupNorm gn(2, 4);
  CHECK(close(gn(x), values(group_norm(x, 2, gn->weight, gn->bias, 1e-5))));

  nn::Embedding emb(nn::EmbeddingOptions(10, 3).padding_idx(-1));
  CHECK(emb->options.padding_idx() == 9);
  CHECK(close(select(emb->weight, 0, 9), {0, 0, 0}));
  Tensor idx = arange(0, 10, 1, DType::Int64);
  CHECK(close(emb(idx), values(emb->weight)));

  Tensor img = randn({1, 2, 4, 4}, DType::Float32);
  CHECK((nn::MaxPool2d(2)(img).sizes() == DimVector{1, 2, 2, 2}));
  CHECK(close(nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(1))(img),
              values(avg_pool2d(img, {2, 2}, {1, 1}, {0, 0}, false, true, std::nullopt))));
  CHECK(close(nn::AdaptiveAvgPool2d(1)(img), values(mean(img, DimVector{2, 3}, true))));
  nn::ConvTranspose2d up(nn::ConvTranspose2dOptions(2, 3, 2).stride(2));
  CHECK((up->weight.sizes() == DimVector{2, 3, 2, 2}));
  CHECK((up(img).sizes() == DimVector{1, 3, 8, 8}));
  nn::Conv1d conv1d(3, 5, 2);
  CHECK((conv1d(randn({2, 3, 7}, DType::Float32)).sizes() == DimVector{2, 5, 6}));

  Tensor v = make({-2, -0.5f, 0, 1.5f}, {4});
  CHECK(close(nn::ReLU()(v), {0, 0, 0, 1.5f}));
  CHECK(close(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.1))(v),
              {-0.2f, -0.05f, 0, 1.5f}));
  CHECK(close(nn::GELU()(v), values(gelu(v))));
  CHECK(close(nn::Sigmoid()(v), values(sigmoid(v))));
  CHECK(close(nn::Tanh()(v), values(tanh(v))));
  CHECK(close(nn::Softmax(0)(v), values(softmax(v, 0))));
  CHECK(close(nn::LogSoftmax(0)(v), values(log_softmax(v, 0))));
  CHECK((nn::Flatten()(img).sizes() == DimVector{1, 32}));
  CHECK(close(nn::Identity()(v), values(v)));
}

// Sets the k-th parameter p of `m` to (arange(p.numel()) % 7 - 3) * 0.1 + k * 0.01 + offset.
void fill_ramp(nn::Module& m, double offset = 0) {
  int64_t k = 0;
  for (const Tensor& p : m.parameters()) {
    Tensor ramp = sub(remainder(arange(0, p.numel(), 1, DType::Float32), wrapped_scalar(7)),
                      wrapped_scalar(3));
    double shift = 0.01 * double(k++) + offset;
    copy_(detach(p), view(add(mul(ramp, wrapped_scalar(0.1)), wrapped_scalar(shift)), p.sizes()));
  }
}

// (arange(6) * 0.1 - 0.2) viewed as `sizes`.
Tensor ramp_input(const DimVector& sizes) {
  return view(sub(mul(arange(0, 6, 1, DType::Float32), wrapped_scalar(0.1)), wrapped_scalar(0.2)),
              sizes);
}

// Reference values: torch modules with the same parameters (fill_ramp) and input (ramp_input):
//   out, state = module(x) after p.copy_(((arange(p.numel()) % 7 - 3) * 0.1 + k * 0.01 +
//   offset).reshape(p.shape)) for the k-th parameter.
void test_recurrent() {
  nn::LSTM lstm(nn::LSTMOptions(3, 2).num_layers(2).bidirectional(true));
  // torch: nn.LSTM(3, 2, num_layers=2, bidirectional=True).state_dict() keys.
  std::vector<std::string> names;
  for (const char* layer : {"l0", "l0_reverse", "l1", "l1_reverse"}) {
    for (const char* kind : {"weight_ih_", "weight_hh_", "bias_ih_", "bias_hh_"}) {
      names.push_back(std::string(kind) + layer);
    }
  }
  CHECK(lstm->named_parameters().keys() == names);
  CHECK((lstm->named_parameters()["weight_ih_l1"].sizes() == DimVector{8, 4}));
  CHECK((lstm->named_parameters()["weight_hh_l0_reverse"].sizes() == DimVector{8, 2}));
  fill_ramp(*lstm);
  Tensor x = ramp_input({2, 1, 3});
  auto [out, state] = lstm(x);
  CHECK(close(out, {0.12359411f, 0.097123154f, 0.23559749f, 0.18587902f, 0.17813531f, 0.14890061f,
                    0.15001756f, 0.12082674f}));
  CHECK(close(std::get<0>(state), {0.072733715f, 0.088492543f, 0.098754711f, 0.1290677f,
                                   0.17813531f, 0.14890061f, 0.23559749f, 0.18587902f}));
  CHECK(close(std::get<1>(state), {0.10509943f, 0.26886326f, 0.14755683f, 0.34115776f, 0.25156918f,
                                   0.40254137f, 0.32513362f, 0.48106232f}));
  // An unbatched input with an explicit state.
  auto [out2, state2] = lstm(view(x, {2, 3}), nn::LSTMState{view(std::get<0>(state), {4, 2}),
                                                            view(std::get<1>(state), {4, 2})});
  CHECK((out2.sizes() == DimVector{2, 4}) && (std::get<1>(state2).sizes() == DimVector{4, 2}));
  CHECK_THROWS(lstm(randn({2, 1, 5}, DType::Float32)), RuntimeError);
  CHECK_THROWS(
      lstm(x, nn::LSTMState{zeros({1, 1, 2}, DType::Float32), zeros({1, 1, 2}, DType::Float32)}),
      RuntimeError);

  // torch: nn.GRU(3, 2, batch_first=True), input [1, 2, 3], offset 0.
  nn::GRU gru(nn::GRUOptions(3, 2).batch_first(true));
  CHECK((gru->named_parameters()["weight_ih_l0"].sizes() == DimVector{6, 3}));
  fill_ramp(*gru);
  auto [gru_out, gru_h] = gru(ramp_input({1, 2, 3}));
  CHECK(close(gru_out, {0.054307047f, 0.16848654f, 0.10344482f, 0.22316174f}));
  CHECK(close(gru_h, {0.10344482f, 0.22316174f}));

  // torch: nn.RNN(3, 2, num_layers=2, nonlinearity="relu"), input [2, 1, 3], offset 0.2.
  nn::RNN rnn(nn::RNNOptions(3, 2).num_layers(2).nonlinearity("relu"));
  CHECK(rnn->parameters().size() == 8);
  fill_ramp(*rnn, 0.2);
  auto [rnn_out, rnn_h] = rnn(ramp_input({2, 1, 3}));
  CHECK(close(rnn_out, {0.0f, 0.13000001f, 0.0f, 0.22250001f}));
  CHECK(close(rnn_h, {0.0f, 0.25f, 0.0f, 0.22250001f}));
  CHECK_THROWS(nn::RNN(nn::RNNOptions(3, 2).nonlinearity("gelu")), ValueError);
  std::ostringstream os;
  os << rnn;
  CHECK(os.str() ==
        "cresset::nn::RNN(input_size=3, hidden_size=2, num_layers=2, nonlinearity=relu, "
        "bias=true, batch_first=false, dropout=0, bidirectional=false)");
}

void test_containers() {
  nn::Sequential seq(nn::Linear(2, 3), nn::Functional(cresset::relu), nn::Linear(3, 1));
  seq->push_back("out", nn::Functional(cresset::leaky_relu, 0.2));
  CHECK(seq->size() == 4);
  CHECK((seq->named_children().keys() == std::vector<std::string>{"0", "1", "2", "out"}));
  auto first = seq->ptr<nn::LinearImpl>(0);
  auto last = seq[2]->as<nn::Linear>();
  CHECK(first && last && !seq->ptr<nn::LinearImpl>(1));
  Tensor x = randn({5, 2}, DType::Float32);
  Tensor manual = leaky_relu(last->forward(relu(first->forward(x))), 0.2);
  CHECK(close(seq(x), values(manual)));
  CHECK_THROWS((*seq)[4], IndexError);
  CHECK((seq->named_parameters().keys() ==
         std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));

  nn::ModuleList list(nn::Linear(2, 2), nn::BatchNorm1d(2));
  list->push_back(nn::Dropout());
  CHECK(list->size() == 3);
  CHECK(list->named_buffers().keys()[0] == "1.running_mean");
  list->eval();
  for (const auto& m : *list) CHECK(!m->is_training());

  using Named = std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>;
  nn::ModuleDict dict(Named{{"enc", nn::Linear(4, 2).ptr()}, {"dec", nn::Linear(2, 4).ptr()}});
  dict->insert("act", nn::ReLU());
  CHECK((dict->keys() == std::vector<std::string>{"enc", "dec", "act"}));
  CHECK(dict->contains("dec") && !dict->contains("x"));
  CHECK(dict["enc"]->as<nn::LinearImpl>()->options.out_features() == 2);
  CHECK_THROWS((*dict)["x"], IndexError);
  CHECK_THROWS(dict->insert("act", nn::ReLU()), ValueError);
  CHECK((dict->named_parameters().keys() ==
         std::vector<std::string>{"enc.weight", "enc.bias", "dec.weight", "dec.bias"}));

  int visited = 0;
  seq->apply([&](nn::Module&) { ++visited; });
  CHECK(visited == 5);
  std::vector<std::string> names;
  seq->apply([&](const std::string& name, nn::Module&) { names.push_back(name); }, "seq");
  CHECK(names[0] == "seq" && names[4] == "seq.out");
}

void test_state_to_and_grads() {
  Net net;
  auto state = net->state_dict();
  Net other;
  other->load_state_dict(state);
  for (size_t i = 0; i < state.size(); ++i) {
    CHECK(close(to(other->state_dict()[i].value(), DType::Float32, Device()),
                values(to(state[i].value(), DType::Float32, Device()))));
  }
  OrderedDict<std::string, Tensor> partial;
  partial.insert("conv1.weight", state["conv1.weight"]);
  CHECK_THROWS(other->load_state_dict(partial), RuntimeError);
  other->load_state_dict(partial, false);
  partial.insert("conv1.bias", zeros({5}, DType::Float32));
  CHECK_THROWS(other->load_state_dict(partial, false), RuntimeError);

  Tensor weight = net->conv1->weight;
  net->eval();
  Tensor loss = sum(net(randn({2, 1, 8, 8}, DType::Float32)));
  backward(loss);
  CHECK(weight.grad().defined());
  net->zero_grad(false);
  CHECK(item_scalar(amax(abs(weight.grad()))).to_double() == 0.0);
  net->zero_grad();
  CHECK(!weight.grad().defined());

  net->to(DType::Float64);
  CHECK(weight.dtype() == DType::Float64);  // the same tensor, converted in place
  CHECK(net->conv1->weight.is_same(weight));
  CHECK(net->bn1->running_mean.dtype() == DType::Float64);
  CHECK(net->bn1->num_batches_tracked.dtype() == DType::Int64);
  CHECK((net(randn({1, 1, 8, 8}, DType::Float64)).dtype() == DType::Float64));
}

void test_functional_losses() {
  Tensor logits = make({1.0f, 2.0f, 0.5f, 0.1f, -1.0f, 3.0f}, {2, 3});
  Tensor target = make({0, 0}, {2});
  Tensor labels = to(make({1, 2}, {2}), DType::Int64, Device());
  // torch: F.cross_entropy(logits, [1, 2], reduction="sum", label_smoothing=0.1) and with
  // weight=[1, 2, 3]; F.kl_div(F.log_softmax(logits, 1), F.softmax([[0.3, 0.2, 0.1], [1, 2,
  // 3]], 1), reduction="batchmean"); F.mse_loss / l1_loss(sum) / smooth_l1_loss(beta=0.5) /
  // binary_cross_entropy_with_logits(pos_weight=[1, 2, 3]) against ones or [[1, 0, 1], [0, 1, 0]].
  CHECK(close(F::cross_entropy(logits, labels,
                               F::CrossEntropyFuncOptions().reduction(kSum).label_smoothing(0.1)),
              {0.84847641f}));
  Tensor w = make({1, 2, 3}, {3});
  CHECK(close(F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().weight(w)),
              {0.22821204f}));
  CHECK(close(nn::CrossEntropyLoss(nn::CrossEntropyLossOptions().weight(w))(logits, labels),
              {0.22821204f}));
  CHECK(nn::CrossEntropyLoss(nn::CrossEntropyLossOptions().weight(w))->named_buffers().size() == 1);
  CHECK(close(nn::NLLLoss()(log_softmax(logits, 1), labels),
              values(F::cross_entropy(logits, labels))));
  Tensor probs = softmax(make({0.3f, 0.2f, 0.1f, 1, 2, 3}, {2, 3}), 1);
  CHECK(close(F::kl_div(log_softmax(logits, 1), probs, F::KLDivFuncOptions().reduction(kBatchMean)),
              {0.33277133f}));
  Tensor one = ones({2, 3}, DType::Float32);
  CHECK(close(nn::MSELoss()(logits, one), {1.6766666f}));
  CHECK(close(F::l1_loss(logits, one, kSum), {6.4000001f}));
  CHECK(
      close(F::smooth_l1_loss(logits, one, F::SmoothL1LossFuncOptions().beta(0.5)), {0.85833335f}));
  Tensor bin = make({1, 0, 1, 0, 1, 0}, {2, 3});
  CHECK(close(F::binary_cross_entropy_with_logits(
                  logits, bin, F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(w)),
              {1.7136549f}));
  CHECK(close(nn::BCELoss()(sigmoid(logits), bin),
              values(F::binary_cross_entropy_with_logits(logits, bin))));
  CHECK_THROWS(F::mse_loss(logits, one, kBatchMean), ValueError);
  CHECK_THROWS(F::binary_cross_entropy(sigmoid(logits), target), ValueError);

  Tensor img = randn({1, 1, 2, 2}, DType::Float32);
  CHECK((
      F::interpolate(img, F::InterpolateFuncOptions().scale_factor({2}).mode("bilinear")).sizes() ==
      DimVector{1, 1, 4, 4}));
  CHECK((F::pad(img, F::PadFuncOptions({1, 1, 1, 0}).mode("reflect")).sizes() ==
         DimVector{1, 1, 3, 4}));
  CHECK(close(F::max_pool2d(img, F::MaxPool2dFuncOptions(2)),
              {float(item_scalar(amax(img)).to_double())}));
}

void test_init_and_clip() {
  Tensor w = empty_tensor({50, 40}, DType::Float32);
  nn::init::xavier_uniform_(w);
  const double bound = std::sqrt(6.0 / 90.0);
  CHECK(item_scalar(amax(abs(w))).to_double() <= bound);
  nn::init::constant_(w, 0.5);
  CHECK(close(select(w, 0, 0), std::vector<float>(40, 0.5f)));
  nn::init::eye_(w);
  CHECK(item_scalar(sum(w)).to_double() == 40.0);
  CHECK(nn::init::calculate_gain(nn::init::kReLU) == std::sqrt(2.0));
  CHECK(nn::init::calculate_gain(nn::init::kLeakyReLU, 0.0) == std::sqrt(2.0));
  CHECK_THROWS(nn::init::kaiming_uniform_(empty_tensor({3}, DType::Float32)), ValueError);
  auto [fan_in, fan_out] =
      nn::init::calculate_fan_in_and_fan_out(empty_tensor({8, 4, 3, 3}, DType::Float32));
  CHECK(fan_in == 36 && fan_out == 72);

  Tensor p = make({0, 0}, {2});
  p.requires_grad_();
  backward(sum(mul(p, make({3, 4}, {2}))));  // grad [3, 4], norm 5
  Tensor total = nn::utils::clip_grad_norm_({p}, 1.0);
  CHECK(close(total, {5.0f}));
  CHECK(close(p.grad(), {0.6f, 0.8f}, 1e-5, 1e-6));
  nn::utils::clip_grad_value_({p}, 0.7);
  CHECK(close(p.grad(), {0.6f, 0.7f}));
}

void test_errors_name_the_layer() {
  auto message_of = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const RuntimeError& e) {
      return e.what();
    }
    return "";
  };
  nn::Linear lin(4, 2);
  CHECK_THROWS(lin(randn({3, 5}, DType::Float32)), RuntimeError);
  CHECK(message_of([&] { lin(randn({3, 5}, DType::Float32)); }).find("cresset::nn::Linear") !=
        std::string::npos);
  nn::Conv2d conv(3, 8, 3);
  CHECK(message_of([&] {
          conv(randn({1, 1, 8, 8}, DType::Float32));
        }).find("[cresset::nn::Conv2d] expected an input with in_channels=3") == 0);
  CHECK_THROWS(conv(randn({8, 8}, DType::Float32)), RuntimeError);
  nn::BatchNorm2d bn(3);
  CHECK_THROWS(bn(randn({2, 3, 4}, DType::Float32)), ValueError);
  CHECK(message_of([&] { bn(randn({2, 3, 4}, DType::Float32)); }) ==
        "[cresset::nn::BatchNorm2d] expected 4D input (got 3D input)");
  CHECK_THROWS(nn::Dropout(1.5), ValueError);
  CHECK_THROWS(nn::Conv2d(nn::Conv2dOptions(3, 8, 3).groups(2)), ValueError);
  nn::Linear empty{nullptr};
  CHECK(empty.is_empty());
  CHECK_THROWS(empty->forward(randn({1}, DType::Float32)), RuntimeError);
  CHECK_THROWS(nn::Sequential()->forward(randn({1}, DType::Float32)), RuntimeError);
}

}  // namespace

int main() {
  default_generator().set_seed(0);
  test_names_match_python();
  test_register_and_print();
  test_linear_and_conv_forward();
  test_batchnorm_and_dropout_modes();
  test_other_layers();
  test_recurrent();
  test_containers();
  test_state_to_and_grads();
  test_functional_losses();
  test_init_and_clip();
  test_errors_name_the_layer();
  CHECK_DONE();
}
