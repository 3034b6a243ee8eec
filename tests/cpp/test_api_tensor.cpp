// The C++ frontend's tensor API (cresset/cresset.h): factories and TensorOptions, operators,
// methods, indexing and printing, with the values, dtypes, shapes and exception types of Python.
#include <sstream>
#include <vector>

#include "check.h"
#include "cresset/cresset.h"

using cresset::Tensor;
using namespace cresset::indexing;

namespace {

std::string str(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

bool same(const Tensor& a, const Tensor& b) { return a.dtype() == b.dtype() && a.equal(b); }

void test_tensor_from_data() {
  Tensor a = cresset::tensor({{1, 2}, {3, 4}});
  CHECK(a.dtype() == cresset::kLong);
  CHECK(a.sizes() == cresset::DimVector({2, 2}));
  CHECK(a.index({1, 0}).item<int64_t>() == 3);
  CHECK(cresset::tensor({1.5, 2.0}).dtype() == cresset::kFloat32);
  CHECK(cresset::tensor({1, 2.5}).dtype() == cresset::kFloat32);  // a float anywhere: float
  CHECK(cresset::tensor({true, false}).dtype() == cresset::kBool);
  CHECK(cresset::tensor({true, 2}).dtype() == cresset::kInt64);
  CHECK(cresset::tensor(7).dim() == 0 && cresset::tensor(7).item<int>() == 7);
  CHECK(cresset::tensor(std::vector<float>{1, 2, 3}).dtype() == cresset::kFloat32);
  CHECK(cresset::tensor(std::vector<double>{1, 2}).dtype() == cresset::kFloat64);
  CHECK(cresset::tensor(std::vector<int32_t>{1, 2}).dtype() == cresset::kInt32);
  Tensor d = cresset::tensor({{1, 2}, {3, 4}}, cresset::kFloat64);
  CHECK(d.dtype() == cresset::kDouble && d.sum().item<double>() == 10);
  CHECK(cresset::tensor({{{1}, {2}}, {{3}, {4}}}).sizes() == cresset::DimVector({2, 2, 1}));
  CHECK_THROWS(cresset::tensor({{1, 2}, {3}}), cresset::ValueError);
  cresset::set_default_dtype(cresset::kFloat64);
  CHECK(cresset::tensor({0.5}).dtype() == cresset::kFloat64);
  CHECK(cresset::zeros({2}).dtype() == cresset::kFloat64);
  cresset::set_default_dtype(cresset::kFloat32);
}

void test_factories() {
  CHECK(cresset::zeros({5, 3}, cresset::kLong).dtype() == cresset::kInt64);
  CHECK(cresset::zeros({5, 3}).sizes() == cresset::DimVector({5, 3}));
  CHECK(cresset::ones({2}, cresset::dtype(cresset::kHalf)).dtype() == cresset::kFloat16);
  CHECK(cresset::empty({0, 4}).numel() == 0);
  CHECK(cresset::full({2}, 3).dtype() == cresset::kInt64);
  CHECK(cresset::full({2}, 2.5).dtype() == cresset::kFloat32);
  CHECK(cresset::full({2}, true).dtype() == cresset::kBool);
  CHECK(same(cresset::arange(4), cresset::tensor({0, 1, 2, 3})));
  CHECK(same(cresset::arange(1, 3), cresset::tensor({1, 2})));
  CHECK(same(cresset::arange(0, 1, 0.25), cresset::tensor({0.0, 0.25, 0.5, 0.75})));
  CHECK(cresset::arange(5, cresset::kFloat64).dtype() == cresset::kFloat64);
  CHECK(same(cresset::linspace(0, 1, 3), cresset::tensor({0.0, 0.5, 1.0})));
  CHECK(cresset::eye(3).sum().item<float>() == 3);
  CHECK(cresset::eye(2, 3).sizes() == cresset::DimVector({2, 3}));
  // A periodic window of 4 is the symmetric one of 5 without its last point.
  CHECK(cresset::allclose(cresset::hann_window(4), cresset::tensor({0.0, 0.5, 1.0, 0.5}), 0, 1e-7));
  CHECK(same(cresset::bartlett_window(5, false), cresset::tensor({0.0f, 0.5f, 1.0f, 0.5f, 0.0f})));
  Tensor r = cresset::rand({100});
  CHECK(r.dtype() == cresset::kFloat32 && r.ge(0).all().item<bool>() && r.lt(1).all().item<bool>());
  CHECK(cresset::randn({3, 4}, cresset::kFloat64).dtype() == cresset::kFloat64);
  Tensor ri = cresset::randint(10, {200});
  CHECK(ri.dtype() == cresset::kLong && ri.min().item<int64_t>() >= 0 &&
        ri.max().item<int64_t>() < 10);
  CHECK(cresset::randint(5, 7, {50}).ge(5).all().item<bool>());
  CHECK(cresset::randperm(6).sort().first.equal(cresset::arange(6)));
  cresset::manual_seed(3);
  Tensor s1 = cresset::randn({5});
  cresset::manual_seed(3);
  CHECK(cresset::randn({5}).equal(s1));
  Tensor i = cresset::ones({2, 3}, cresset::kInt32);
  CHECK(cresset::zeros_like(i).dtype() == cresset::kInt32);
  CHECK(cresset::ones_like(i, cresset::kFloat64).dtype() == cresset::kFloat64);
  CHECK(cresset::full_like(i, 7).sum().item<int64_t>() == 42);
  CHECK(cresset::rand_like(cresset::zeros({4})).sizes() == cresset::DimVector({4}));
  CHECK(cresset::randn_like(cresset::zeros({4})).dtype() == cresset::kFloat32);
  CHECK(cresset::empty_like(i).sizes() == i.sizes());
  CHECK_THROWS(cresset::zeros({-1}), cresset::RuntimeError);
}

void test_options_and_devices() {
  auto opts = cresset::TensorOptions().dtype(cresset::kFloat64).requires_grad(true);
  Tensor t = cresset::zeros({2}, opts);
  CHECK(t.dtype() == cresset::kFloat64 && t.requires_grad() && t.is_leaf());
  CHECK(cresset::ones({1}, cresset::requires_grad()).requires_grad());
  CHECK_THROWS(cresset::zeros({2}, cresset::dtype(cresset::kLong).requires_grad(true)),
               cresset::RuntimeError);
  CHECK(cresset::TensorOptions().dtype() == cresset::kFloat32);
  CHECK(cresset::TensorOptions(cresset::kCUDA).device().is_cuda());
  cresset::Device dev("cuda:1");
  CHECK(dev.is_cuda() && dev.index == 1 && dev.str() == "cuda:1");
  CHECK(cresset::Device(cresset::kCPU) == t.device() && t.is_cpu() && !t.is_cuda());
  CHECK_THROWS(cresset::Device("tpu"), cresset::RuntimeError);
  Tensor i = cresset::tensor({1, 2});
  CHECK(i.options().dtype() == cresset::kLong);
  CHECK(i.to(cresset::kFloat64).dtype() == cresset::kFloat64);
  CHECK(i.to(cresset::kLong).is_same(i));  // no copy needed
  CHECK(!i.to(cresset::kLong, false, true).is_same(i));
  CHECK(i.to(cresset::kCPU).is_same(i) && i.cpu().is_same(i));
  CHECK(i.to(cresset::zeros({1}, cresset::kHalf)).dtype() == cresset::kHalf);
}

void test_operators() {
  Tensor a = cresset::tensor({1, 2, 3});
  Tensor b = cresset::tensor({4, 5, 6});
  CHECK(same(a + b, cresset::tensor({5, 7, 9})));
  CHECK(same(a - 1, cresset::tensor({0, 1, 2})));
  CHECK(same(10 - a, cresset::tensor({9, 8, 7})));
  CHECK(same(a * 2, cresset::tensor({2, 4, 6})));
  CHECK(same(a * size_t(2), a * 2) && same(a + 1LL, a + 1) && same(a - 1u, a - 1));
  CHECK((a * 2.5f).dtype() == cresset::kFloat32);
  CHECK(same(2 * a, a * 2));
  CHECK((a * 2.5).dtype() == cresset::kFloat32);  // int tensor * Python float -> float32
  CHECK(same(a / 2, cresset::tensor({0.5, 1.0, 1.5})));
  CHECK(same(1.0 / cresset::tensor({2.0, 4.0}), cresset::tensor({0.5, 0.25})));
  CHECK(same(-a, cresset::tensor({-1, -2, -3})));
  CHECK(same(a == cresset::tensor({1, 0, 3}), cresset::tensor({true, false, true})));
  CHECK(same(a != 2, cresset::tensor({true, false, true})));
  CHECK(same(a < 2, cresset::tensor({true, false, false})));
  CHECK(same(a <= 2, cresset::tensor({true, true, false})));
  CHECK(same(a > b, cresset::tensor({false, false, false})));
  CHECK(same(3 >= a, cresset::tensor({true, true, true})));
  CHECK(same(a & 1, cresset::tensor({1, 0, 1})));
  CHECK(same(a | 4, cresset::tensor({5, 6, 7})));
  CHECK(same(a ^ b, cresset::tensor({5, 7, 5})));
  CHECK(same(~cresset::tensor({true, false}), cresset::tensor({false, true})));
  CHECK(same(!cresset::tensor({true, false}), cresset::tensor({false, true})));
  Tensor c = a.clone();
  c += 1;
  c *= b;
  c -= cresset::tensor({1, 1, 1});
  CHECK(same(c, cresset::tensor({7, 14, 23})));
  Tensor f = cresset::ones({2});
  f /= 4;
  CHECK(same(f, cresset::tensor({0.25, 0.25})));
  CHECK_THROWS(c /= 2, cresset::RuntimeError);  // int64 can't hold the float result
  CHECK_THROWS(a + cresset::ones({2}), cresset::RuntimeError);
}

void test_methods() {
  Tensor x = cresset::arange(16, cresset::kFloat32);
  CHECK(x.view({-1, 8}).sizes() == cresset::DimVector({2, 8}));
  CHECK(x.reshape({4, 4}).t().is_contiguous() == false);
  Tensor m = x.view({4, 4});
  CHECK(m.numel() == 16 && m.dim() == 2 && m.size(-1) == 4 && m.sizes()[0] == 4);
  CHECK(m.sum().item<float>() == 120);
  CHECK(same(m.sum(0), cresset::tensor({24.0, 28.0, 32.0, 36.0})));
  CHECK(m.sum({0, 1}, true).sizes() == cresset::DimVector({1, 1}));
  CHECK(m.mean().item<double>() == 7.5);
  CHECK(same(m.mean(1), cresset::tensor({1.5, 5.5, 9.5, 13.5})));
  CHECK(m.max().item<float>() == 15);
  auto [values, indices] = m.max(1);
  CHECK(same(values, cresset::tensor({3.0, 7.0, 11.0, 15.0})) &&
        same(indices, cresset::tensor({3, 3, 3, 3})));
  CHECK(same(m.argmax(0), cresset::tensor({3, 3, 3, 3})));
  CHECK(m.argmax().item<int64_t>() == 15);
  CHECK(cresset::tensor({0.0}).exp().item<float>() == 1);
  CHECK(same(cresset::tensor({-1.0, 2.0}).relu(), cresset::tensor({0.0, 2.0})));
  CHECK(m.transpose(0, 1).equal(m.t()));
  CHECK(m.view({2, 2, 4}).permute({2, 0, 1}).sizes() == cresset::DimVector({4, 2, 2}));
  CHECK(m.unsqueeze(0).sizes() == cresset::DimVector({1, 4, 4}));
  CHECK(m.unsqueeze(1).squeeze().sizes() == cresset::DimVector({4, 4}));
  CHECK(m.unsqueeze(1).squeeze(1).sizes() == cresset::DimVector({4, 4}));
  CHECK(m.view({2, 2, 4}).flatten(1).sizes() == cresset::DimVector({2, 8}));
  CHECK(m.t().contiguous().is_contiguous());
  Tensor c = m.clone();
  c.fill_(1);
  CHECK(m.sum().item<float>() == 120 && c.sum().item<float>() == 16);
  CHECK(same(m.matmul(cresset::eye(4)), m));
  CHECK(same(m.mm(cresset::eye(4)), m));
  CHECK(m.to(cresset::kFloat64).dtype() == cresset::kFloat64);
  CHECK(m.eq(m).all().item<bool>() && (m + 1).allclose(m + 1 + 1e-7));
  CHECK(!m.allclose(m + 1));
  CHECK(*m.data_ptr<float>() == 0 && m.data_ptr() == m.data_ptr<float>());
  CHECK_THROWS(m.data_ptr<double>(), cresset::TypeError);
  CHECK_THROWS(m.item(), cresset::RuntimeError);
  CHECK_THROWS(m.t().view({16}), cresset::RuntimeError);
  CHECK_THROWS(m.sum(2), cresset::IndexError);
  CHECK(cresset::tensor({2.5}).item<int>() == 2);
  CHECK(cresset::tensor({1, 2}).to(cresset::kFloat32).mean().item<double>() == 1.5);
  CHECK_THROWS(cresset::tensor({1, 2}).mean(), cresset::RuntimeError);
  auto parts = m.chunk(2);
  CHECK(parts.size() == 2 && parts[1].size(0) == 2);
  CHECK(m.detach().is_same(m) == false && m.detach().data_ptr() == m.data_ptr());
}

void test_indexing() {
  Tensor x = cresset::arange(12).view({3, 4});
  CHECK(same(x.index({Slice(), 1}), cresset::tensor({1, 5, 9})));
  CHECK(same(x.index({1}), cresset::tensor({4, 5, 6, 7})));
  CHECK(x.index({1, 2}).item<int64_t>() == 6 && x.index({1, 2}).dim() == 0);
  CHECK(x.index({-1, -1}).item<int64_t>() == 11);
  CHECK(same(x.index({0, Slice(0, None, 2)}), cresset::tensor({0, 2})));
  CHECK(same(x.index({0, Slice(None, -1)}), cresset::tensor({0, 1, 2})));
  CHECK(same(x.index({0, Slice(1, 3)}), cresset::tensor({1, 2})));
  CHECK(x.index({None, Ellipsis, 0}).sizes() == cresset::DimVector({1, 3}));
  CHECK(x.index({Ellipsis, None}).sizes() == cresset::DimVector({3, 4, 1}));
  CHECK(x.index({true}).sizes() == cresset::DimVector({1, 3, 4}));
  CHECK(same(x.index({x > 9}), cresset::tensor({10, 11})));
  CHECK(same(x.index({cresset::tensor({2, 0}), 0}), cresset::tensor({8, 0})));
  CHECK(x.index({Slice(), 1}).data_ptr() == x.index({0, 1}).data_ptr());  // basic: a view
  CHECK(x[2][1].item<int64_t>() == 9 && x[-1].equal(x.index({2})));
  Tensor y = x.clone();
  y.index_put_({0, Slice()}, 0);
  CHECK(y.index({0}).sum().item<int64_t>() == 0 && y.sum().item<int64_t>() == 60);
  y.index_put_({y > 10}, -1);
  CHECK(y.index({2, 3}).item<int64_t>() == -1);
  y.index_put_({Slice(), 0}, cresset::tensor({7, 8, 9}));
  CHECK(same(y.index({Slice(), 0}), cresset::tensor({7, 8, 9})));
  CHECK_THROWS(x.index({3}), cresset::IndexError);
  CHECK_THROWS(x.index({0, 0, 0}), cresset::IndexError);
  CHECK_THROWS(Slice(0, 4, 0), cresset::ValueError);
  CHECK_THROWS(y.index_put_({Slice(), 0}, cresset::tensor({1, 2})), cresset::RuntimeError);
}

void test_printing() {
  CHECK(str(cresset::tensor({{1, 2}, {3, 4}})) == "tensor([[1, 2],\n        [3, 4]])");
  CHECK(str(cresset::tensor({1.5, -2.0})) == "tensor([ 1.5000, -2.0000])");
  CHECK(str(cresset::tensor({1.0, 2.0})) == "tensor([1., 2.])");
  CHECK(str(cresset::tensor({1e-5, 1.0})) == "tensor([1.0000e-05, 1.0000e+00])");
  CHECK(str(cresset::tensor({true, false})) == "tensor([ True, False])");
  CHECK(str(cresset::tensor(3.5, cresset::kFloat64)) == "tensor(3.5000, dtype=torch.float64)");
  CHECK(str(cresset::zeros({0, 2}, cresset::kLong)) ==
        "tensor([], size=(0, 2), dtype=torch.int64)");
  CHECK(str(cresset::ones({2}, cresset::requires_grad())) ==
        "tensor([1., 1.], requires_grad=True)");
  CHECK(str(cresset::ones({2}, cresset::requires_grad()) * 2) ==
        "tensor([2., 2.], grad_fn=<MulBackward1>)");
  CHECK(str(cresset::arange(2000)) == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  CHECK(str(Tensor()) == "[ Tensor (undefined) ]");
  cresset::PrintOptions saved = cresset::print_options();
  cresset::PrintOptions o = saved;
  o.precision = 2;
  cresset::set_print_options(o);
  CHECK(str(cresset::tensor({1.0 / 3})) == "tensor([0.33])");
  cresset::set_print_options(saved);
  std::ostringstream os;
  os << cresset::kFloat16 << " " << cresset::Device("cuda:0");
  CHECK(os.str() == "torch.float16 cuda:0");
}

}  // namespace

int main() {
  test_tensor_from_data();
  test_factories();
  test_options_and_devices();
  test_operators();
  test_methods();
  test_indexing();
  test_printing();
  CHECK_DONE();
}
