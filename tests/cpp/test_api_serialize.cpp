// cresset::save / cresset::load from C++: round trips, the files Python's cresset.save wrote
// (tests/fixtures/serialize/python_*.cresset), and clear errors for a mismatched state dict.
// `test_api_serialize --write-fixtures DIR` writes the cpp_*.cresset fixtures that
// tests/python/test_cpp_serialize.py reads.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "check.h"
#include "cresset/core/error.h"
#include "cresset/io/serialize.h"
#include "cresset/ops/ops.h"

using namespace cresset;

namespace {

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

Tensor floats(const std::vector<float>& values, const DimVector& sizes) {
  Tensor t = empty_tensor(sizes, DType::Float32);
  std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(float));
  return t;
}

// Element i of a tensor of any layout, as double.
double at(const Tensor& t, int64_t i) {
  Tensor c = contiguous(to(t, DType::Float64, Device()));
  return c.data<double>()[i];
}

// The C++ side's state dict: the Python fixture's Net (scale, fc.weight, fc.bias) with C++ values.
NamedTensors cpp_state() {
  std::vector<float> w(12);
  for (int i = 0; i < 12; ++i) w[i] = 0.25f * float(i) + 1.0f;
  return {{"scale", floats({2, 2, 2}, {3})},
          {"fc.weight", floats(w, {3, 4})},
          {"fc.bias", floats({-1, -2, -3}, {3})}};
}

void write_fixtures(const std::string& dir) {
  Tensor t = floats({1.5f, -2.5f, 3.5f, 4.5f}, {2, 2});
  t.impl()->set_requires_grad(true);
  save(t, dir + "/cpp_tensor.cresset");
  Tensor ints = arange(0, 5, 1, DType::Int64);
  save(std::vector<Tensor>{ints, transpose(t, 0, 1)}, dir + "/cpp_list.cresset");
  io::save_named_tensors(cpp_state(), dir + "/cpp_state.cresset");
}

void test_round_trips() {
  const std::string path = temp_path();
  Tensor t = floats({1, 2, 3, 4, 5, 6}, {2, 3});
  save(transpose(t, 0, 1), path);
  Tensor back;
  load(back, path);
  CHECK(back.sizes() == DimVector({3, 2}) && at(back, 1) == 4.0 && !back.requires_grad());

  save(std::vector<Tensor>{t, select(t, 0, 1)}, path);
  std::vector<Tensor> list;
  load(list, path);
  CHECK(list.size() == 2 && at(list[1], 2) == 6.0);
  CHECK(list[0].impl()->storage() == list[1].impl()->storage());  // one storage, shared again

  std::map<std::string, Tensor> dict = {{"b", t}, {"a", select(t, 1, 0)}};
  save(dict, path);
  std::map<std::string, Tensor> dict_back;
  load(dict_back, path);
  CHECK(dict_back.size() == 2 && at(dict_back["a"], 1) == 4.0);
  CHECK_THROWS(load(back, path), RuntimeError);  // a dict is not a tensor
  CHECK_THROWS(load(list, path), RuntimeError);
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

  NamedTensors state = io::load_named_tensors(dir + "/python_state.cresset");
  CHECK(state.size() == 3 && state[0].first == "scale" && state[1].first == "fc.weight" &&
        state[2].first == "fc.bias");
  CHECK(at(state[1].second, 11) == 11 * 0.5 - 3 && at(state[2].second, 2) == 3.0);
}

// load_state_into: values copied in place, and every kind of mismatch reported.
void test_load_state(const std::string& dir) {
  NamedTensors targets = cpp_state();
  Tensor weight = targets[1].second;
  io::load_state_into(targets, dir + "/python_state.cresset", "Net");
  CHECK(targets[1].second.is_same(weight));  // in place
  CHECK(at(weight, 4) == 4 * 0.5 - 3 && at(targets[0].second, 0) == 0.25);

  auto message = [&](const NamedTensors& wanted) {
    try {
      io::load_state_into(wanted, dir + "/python_state.cresset", "Net");
    } catch (const RuntimeError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  NamedTensors extra = cpp_state();
  extra.emplace_back("fc2.bias", floats({0}, {1}));
  CHECK(message(extra).find("Missing key(s) in state_dict: \"fc2.bias\".") != std::string::npos);
  NamedTensors fewer = cpp_state();
  fewer.pop_back();
  CHECK(message(fewer).find("Unexpected key(s) in state_dict: \"fc.bias\".") != std::string::npos);
  NamedTensors resized = cpp_state();
  resized[1].second = floats(std::vector<float>(8), {2, 4});
  CHECK(message(resized).find("size mismatch for fc.weight: copying a param with shape [3, 4] "
                              "from checkpoint, the shape in current model is [2, 4].") !=
        std::string::npos);
  NamedTensors retyped = cpp_state();
  retyped[2].second = to(retyped[2].second, DType::Float64, Device());
  const std::string m = message(retyped);
  CHECK(m.find("Error(s) in loading state_dict for Net") != std::string::npos);
  CHECK(m.find("dtype mismatch for fc.bias") != std::string::npos);
  CHECK(at(retyped[1].second, 0) == 1.0);  // nothing copied when anything mismatches
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
  test_load_state(dir);
  // The committed C++ fixtures still match what this program writes.
  NamedTensors committed = io::load_named_tensors(dir + "/cpp_state.cresset");
  NamedTensors now = cpp_state();
  CHECK(committed.size() == now.size());
  for (size_t i = 0; i < committed.size() && i < now.size(); ++i) {
    CHECK(committed[i].first == now[i].first);
    for (int64_t k = 0; k < now[i].second.numel(); ++k) {
      CHECK(at(committed[i].second, k) == at(now[i].second, k));
    }
  }
  CHECK_DONE();
}
