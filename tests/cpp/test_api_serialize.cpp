// cresset::save / cresset::load from C++: round trips of tensors, lists, dicts and modules, the
// files Python's cresset.save wrote (tests/fixtures/serialize/python_*.cresset, made by
// make_python_fixtures.py), and clear errors for a state dict that does not fit the module.
// `test_api_serialize --write-fixtures DIR` writes the cpp_*.cresset fixtures that
// tests/python/test_cpp_serialize.py reads.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "api_util.h"
#include "check.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/core/error.h"
#include "cresset/io/serialize.h"
#include "cresset/nn/modules/nn.h"
#include "cresset/ops/ops.h"

using namespace cresset;

namespace {

// The module of make_python_fixtures.py: a buffer of its own and a Linear child.
struct NetImpl : nn::Module {
  explicit NetImpl(int64_t out = 3)
      : scale(register_buffer("scale", zeros({out}, DType::Float32))),
        fc(register_module("fc", nn::Linear(4, out))) {}
  Tensor scale;
  nn::Linear fc;
};
CRESSET_MODULE(Net);

// The fixture folder, found from this file's path (ctest runs in the build folder).
std::string fixture_dir() {
  std::string here = __FILE__;
  return here.substr(0, here.rfind('/')) + "/../fixtures/serialize";
}

std::string temp_path() {
  char buf[] = "/tmp/cresset_test_serialize_XXXXXX";
  int fd = mkstemp(buf);
  close(fd);
  return buf;
}

// Element i of a tensor of any layout and dtype, as double.
double at(const Tensor& t, int64_t i) {
  return contiguous(to(t, DType::Float64, Device())).data<double>()[i];
}

// The C++ side's Net: scale 2, fc.weight 0.25 i + 1, fc.bias -1, -2, -3.
Net cpp_net() {
  Net net;
  std::vector<float> w(12);
  for (int i = 0; i < 12; ++i) w[i] = 0.25f * float(i) + 1.0f;
  autograd::AutoGradMode no_grad(false);
  copy_(net->scale, make({2, 2, 2}, {3}));
  copy_(net->fc->weight, make(w, {3, 4}));
  copy_(net->fc->bias, make({-1, -2, -3}, {3}));
  return net;
}

void write_fixtures(const std::string& dir) {
  Tensor t = make({1.5f, -2.5f, 3.5f, 4.5f}, {2, 2});
  t.impl()->set_requires_grad(true);
  save(t, dir + "/cpp_tensor.cresset");
  save(std::vector<Tensor>{arange(0, 5, 1, DType::Int64), transpose(t, 0, 1)},
       dir + "/cpp_list.cresset");
  save(cpp_net(), dir + "/cpp_state.cresset");
}

void test_round_trips() {
  const std::string path = temp_path();
  Tensor t = make({1, 2, 3, 4, 5, 6}, {2, 3});
  save(transpose(t, 0, 1), path);
  Tensor back;
  load(back, path);
  CHECK(back.sizes() == DimVector({3, 2}) && at(back, 1) == 4.0 && !back.requires_grad());

  save(std::vector<Tensor>{t, select(t, 0, 1)}, path);
  std::vector<Tensor> list;
  load(list, path);
  CHECK(list.size() == 2 && at(list[1], 2) == 6.0);
  CHECK(list[0].impl()->storage() == list[1].impl()->storage());  // one storage, shared again

  OrderedDict<std::string, Tensor> dict;
  dict.insert("b", t);
  dict.insert("a", select(t, 1, 0));
  save(dict, path);
  OrderedDict<std::string, Tensor> dict_back;
  load(dict_back, path);
  CHECK(dict_back.keys() == std::vector<std::string>({"b", "a"}) && at(dict_back["a"], 1) == 4.0);
  CHECK_THROWS(load(back, path), RuntimeError);  // a dict is not a tensor
  CHECK_THROWS(load(list, path), RuntimeError);

  // A module through its holder, and through a shared_ptr; values land in place.
  save(cpp_net(), path);
  Net net;
  Tensor weight = net->fc->weight;
  load(net, path);
  CHECK(net->fc->weight.is_same(weight) && weight.requires_grad());
  CHECK(at(weight, 11) == 0.25 * 11 + 1 && at(net->scale, 2) == 2.0);
  std::shared_ptr<NetImpl> shared = std::make_shared<NetImpl>();
  load(shared, path);
  CHECK(at(shared->fc->bias, 1) == -2.0);
  save(shared, path);
  CHECK_THROWS(load(back, path), RuntimeError);
  std::remove(path.c_str());
  CHECK_THROWS(load(back, path), RuntimeError);  // no file
}

void test_python_fixtures(const std::string& dir) {
  Tensor t;
  load(t, dir + "/python_tensor.cresset");
  CHECK(t.dtype() == DType::Float64 && t.sizes() == DimVector({2, 3}) && t.requires_grad());
  CHECK(at(t, 5) == 5.0);

  std::vector<Tensor> list;
  load(list, dir + "/python_list.cresset");
  CHECK(list.size() == 3 && list[0].dtype() == DType::Int64 && at(list[0], 3) == 3.0);
  CHECK(list[2].sizes() == DimVector({3, 2}) && at(list[2], 1) == 3.0);  // base.t()[0][1]
  CHECK(list[1].impl()->storage() == list[2].impl()->storage());

  // Python's state_dict() order is the C++ module's: own buffer, then the child's parameters.
  Net net;
  CHECK(net->state_dict().keys() == std::vector<std::string>({"scale", "fc.weight", "fc.bias"}));
  load(net, dir + "/python_state.cresset");
  CHECK(at(net->fc->weight, 11) == 11 * 0.5 - 3 && at(net->fc->bias, 2) == 3.0);
  CHECK(at(net->scale, 0) == 0.25);
}

// The message of the error loading `path` into `net` raises ("no error" when none).
std::string load_error(Net net, const std::string& path) {
  try {
    load(net, path);
  } catch (const RuntimeError& e) {
    return e.what();
  }
  return "no error";
}

void test_mismatches(const std::string& dir) {
  const std::string state = dir + "/python_state.cresset";
  Net narrow(2);
  const std::string m = load_error(narrow, state);
  CHECK(m.find("Error(s) in loading state_dict for (anonymous namespace)::Net from ") !=
        std::string::npos);
  CHECK(m.find("size mismatch for fc.weight: copying a param with shape [3, 4] from checkpoint, "
               "the shape in current model is [2, 4].") != std::string::npos);
  CHECK(m.find("size mismatch for scale") != std::string::npos);
  CHECK(at(narrow->scale, 0) == 0.0);  // nothing copied

  Net wide;
  wide->to(DType::Float64);
  CHECK(load_error(wide, state).find("dtype mismatch for scale: copying a param of dtype "
                                     "float32 from checkpoint, the dtype in current model is "
                                     "float64.") != std::string::npos);

  const std::string path = temp_path();
  OrderedDict<std::string, Tensor> partial = cpp_net()->state_dict();
  partial.insert("extra", zeros({1}, DType::Float32));
  save(partial, path);
  CHECK(load_error(Net(), path).find("Unexpected key(s) in state_dict: \"extra\"") !=
        std::string::npos);
  save(nn::Linear(4, 3), path);
  const std::string missing = load_error(Net(), path);
  CHECK(missing.find("Missing key(s) in state_dict: \"scale\", \"fc.weight\", \"fc.bias\"") !=
        std::string::npos);
  std::remove(path.c_str());
}

// The committed C++ fixture still holds what this program writes.
void test_cpp_fixture(const std::string& dir) {
  OrderedDict<std::string, Tensor> committed, now = cpp_net()->state_dict();
  load(committed, dir + "/cpp_state.cresset");
  CHECK(committed.keys() == now.keys());
  for (size_t i = 0; i < committed.size() && i < now.size(); ++i) {
    CHECK(values(committed[i].value()) == values(now[i].value()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--write-fixtures") {
    write_fixtures(argv[2]);
    return 0;
  }
  const std::string dir = argc == 2 ? argv[1] : fixture_dir();
  test_round_trips();
  test_python_fixtures(dir);
  test_mismatches(dir);
  test_cpp_fixture(dir);
  CHECK_DONE();
}
