// The checkpoint format from C++ alone (what a C++ frontend uses): round trips keep shared
// storages and strides, and every truncation of a valid file is rejected.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "check.h"
#include "cresset/core/error.h"
#include "cresset/io/checkpoint.h"
#include "cresset/io/hash.h"

using namespace cresset;
using io::Value;

namespace {

Value str(const std::string& s) {
  Value v = Value::of(Value::Kind::String);
  v.bytes = s;
  return v;
}

Value tensor(const Tensor& t) {
  Value v = Value::of(Value::Kind::Tensor);
  v.tensor = t;
  return v;
}

}  // namespace

int main() {
  CHECK(io::hash64("", 0) == 0xEF46DB3751D8E999ULL);
  CHECK(io::hash64("abc", 3) == 0x44BC2CF5AD770999ULL);

  Tensor base = empty_tensor({2, 3}, DType::Float32);
  for (int i = 0; i < 6; ++i) base.data<float>()[i] = float(i);
  Tensor t = base.as_strided_view({3, 2}, {1, 3}, 0);
  Value root = Value::of(Value::Kind::OrderedDict);
  root.items = {str("base"), tensor(base), str("t"), tensor(t)};

  io::StringSink sink;
  io::save_checkpoint(root, sink);
  Value back = io::load_checkpoint(sink.out.data(), sink.out.size());
  CHECK(back.kind == Value::Kind::OrderedDict && back.items.size() == 4);
  CHECK(back.items[0].bytes == "base" && back.items[2].bytes == "t");
  const Tensor& b0 = back.items[1].tensor;
  const Tensor& b1 = back.items[3].tensor;
  CHECK(b0.impl()->storage() == b1.impl()->storage());
  CHECK(b1.strides() == DimVector({1, 3}) && b1.sizes() == DimVector({3, 2}));
  CHECK(reinterpret_cast<uintptr_t>(b0.raw_data()) % 64 == 0);
  CHECK(b0.data<float>()[5] == 5.0f);
  b0.data<float>()[1] = 42.0f;
  CHECK(b1.data<float>()[1] == 42.0f);  // element (1, 0) of the transpose

  for (size_t n = 0; n < sink.out.size(); ++n) {
    CHECK_THROWS(io::load_checkpoint(sink.out.data(), n), RuntimeError);
  }

  char path_buf[] = "/tmp/cresset_test_io_XXXXXX";
  int fd = mkstemp(path_buf);
  CHECK(fd >= 0);
  close(fd);
  std::string path = path_buf;
  io::save_checkpoint(root, path);
  Value from_file = io::load_checkpoint(path);
  std::remove(path.c_str());
  CHECK(from_file.items[3].tensor.data<float>()[2] == 2.0f);
  CHECK_THROWS(io::load_checkpoint(path), RuntimeError);
  CHECK_DONE();
}
