// cresset::data from C++: the MNIST idx reader (plain and .gz), transforms, samplers and the
// data loader (ordering, batching, drop_last, workers, exceptions, early destruction).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "check.h"
#include "cresset/core/error.h"
#include "cresset/core/generator.h"
#include "cresset/data/data.h"
#include "cresset/ops/ops.h"

using namespace cresset;
using namespace cresset::data;

namespace {

constexpr int kImages = 5;

std::vector<unsigned char> be32(uint32_t v) {
  return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

// An idx file: magic, sizes, then `payload`.
std::vector<unsigned char> idx_bytes(uint32_t magic, const std::vector<uint32_t>& sizes,
                                     const std::vector<unsigned char>& payload) {
  std::vector<unsigned char> out = be32(magic);
  for (uint32_t s : sizes) {
    auto b = be32(s);
    out.insert(out.end(), b.begin(), b.end());
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

uint32_t crc32(const std::vector<unsigned char>& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void append_le(std::vector<unsigned char>& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(uint8_t(v >> (8 * i)));
}

// A gzip member holding `bytes` in stored (uncompressed) deflate blocks: what zlib must inflate,
// written without linking zlib into the test.
std::vector<unsigned char> gzip_stored(const std::vector<unsigned char>& bytes) {
  std::vector<unsigned char> out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(bytes.size() - pos, 65535);
    out.push_back(pos + n == bytes.size() ? 1 : 0);  // BFINAL, BTYPE 00
    append_le(out, uint32_t(n), 2);
    append_le(out, uint32_t(~n & 0xFFFF), 2);
    out.insert(out.end(), bytes.begin() + pos, bytes.begin() + pos + n);
    pos += n;
  } while (pos < bytes.size());
  append_le(out, crc32(bytes), 4);
  append_le(out, uint32_t(bytes.size()), 4);
  return out;
}

void write_file(const std::string& path, const std::vector<unsigned char>& bytes, bool gz) {
  const std::vector<unsigned char> content = gz ? gzip_stored(bytes) : bytes;
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
}

uint8_t pixel(int image, int i) { return uint8_t((image * 37 + i * 11) % 256); }

// Writes a 5-image split named `prefix` into `dir`.
void write_split(const std::string& dir, const std::string& prefix, bool gz) {
  std::vector<unsigned char> pixels, labels;
  for (int n = 0; n < kImages; ++n) {
    for (int i = 0; i < 28 * 28; ++i) pixels.push_back(pixel(n, i));
    labels.push_back(uint8_t((n * 3) % 10));
  }
  const std::string ext = gz ? ".gz" : "";
  write_file(dir + "/" + prefix + "-images-idx3-ubyte" + ext,
             idx_bytes(2051, {kImages, 28, 28}, pixels), gz);
  write_file(dir + "/" + prefix + "-labels-idx1-ubyte" + ext, idx_bytes(2049, {kImages}, labels),
             gz);
}

std::string make_dir() {
  char buf[] = "/tmp/cresset_test_data_XXXXXX";
  return mkdtemp(buf);
}

void check_mnist(const std::string& dir) {
  datasets::MNIST train(dir, datasets::MNIST::Mode::kTrain);
  CHECK(train.is_train() && train.size() == size_t(kImages));
  Example<> e = train.get(2);
  CHECK(e.data.sizes() == DimVector({1, 28, 28}) && e.data.dtype() == DType::Float32);
  CHECK(e.target.dim() == 0 && e.target.dtype() == DType::Int64);
  CHECK(e.target.data<int64_t>()[0] == 6);
  CHECK(e.data.data<float>()[100] == float(pixel(2, 100)) / 255.0f);
  CHECK_THROWS(train.get(kImages), IndexError);
  datasets::MNIST test(dir, datasets::MNIST::Mode::kTest);
  CHECK(!test.is_train() && test.targets().data<int64_t>()[4] == 2);
}

void test_mnist() {
  const std::string plain = make_dir(), gz = make_dir();
  for (const char* prefix : {"train", "t10k"}) {
    write_split(plain, prefix, false);
    write_split(gz, prefix, true);
  }
  check_mnist(plain);
  check_mnist(gz);
  // torchvision's layout: root/MNIST/raw.
  const std::string tv = make_dir();
  mkdir((tv + "/MNIST").c_str(), 0700);
  mkdir((tv + "/MNIST/raw").c_str(), 0700);
  for (const char* prefix : {"train", "t10k"}) write_split(tv + "/MNIST/raw", prefix, true);
  check_mnist(tv);

  // Damaged files fail with RuntimeError naming the file.
  const std::string bad = make_dir();
  CHECK_THROWS(datasets::MNIST(bad), RuntimeError);
  write_split(bad, "train", false);
  write_file(bad + "/train-labels-idx1-ubyte", idx_bytes(2051, {kImages}, {1, 2, 3, 4, 5}), false);
  CHECK_THROWS(datasets::MNIST(bad), RuntimeError);  // wrong magic
  write_file(bad + "/train-labels-idx1-ubyte", idx_bytes(2049, {kImages}, {1, 2, 3}), false);
  CHECK_THROWS(datasets::MNIST(bad), RuntimeError);  // truncated
  write_file(bad + "/train-labels-idx1-ubyte", idx_bytes(2049, {4}, {1, 2, 3, 4}), false);
  CHECK_THROWS(datasets::MNIST(bad), RuntimeError);  // image and label counts differ
  std::vector<unsigned char> corrupt = gzip_stored(idx_bytes(2049, {kImages}, {1, 2, 3, 4, 5}));
  corrupt[corrupt.size() - 6] ^= 1;  // the CRC no longer matches
  write_file(bad + "/train-labels-idx1-ubyte.gz", corrupt, false);
  std::remove((bad + "/train-labels-idx1-ubyte").c_str());
  CHECK_THROWS(datasets::MNIST(bad), RuntimeError);
  for (const std::string& dir : {plain, gz, tv, bad}) {
    std::system(("rm -rf " + dir).c_str());
  }
}

// Example i: data [2, 1, 1] holding (i, -i), target i.
datasets::TensorDataset counting(int n) {
  Tensor data = empty_tensor({n, 2, 1, 1}, DType::Float32);
  Tensor target = empty_tensor({n}, DType::Int64);
  for (int i = 0; i < n; ++i) {
    data.data<float>()[2 * i] = float(i);
    data.data<float>()[2 * i + 1] = float(-i);
    target.data<int64_t>()[i] = i;
  }
  return datasets::TensorDataset(data, target);
}

void test_transforms() {
  // Normalize on the stacked batch (fast path) equals normalizing each example, then stacking.
  auto per_example = counting(6).map(transforms::Normalize<>({0.5, 1.5}, {2.0, 0.25}));
  auto stacked = counting(6)
                     .map(transforms::Normalize<>({0.5, 1.5}, {2.0, 0.25}))
                     .map(transforms::Stack<>());
  std::vector<size_t> idx = {4, 1, 5};
  Example<> slow = transforms::stack_examples(per_example.get_batch(idx));
  Example<> fast = stacked.get_batch(idx);
  CHECK(fast.data.sizes() == DimVector({3, 2, 1, 1}) && fast.target.sizes() == DimVector({3}));
  for (int k = 0; k < 6; ++k) CHECK(fast.data.data<float>()[k] == slow.data.data<float>()[k]);
  CHECK(fast.data.data<float>()[0] == (4.0f - 0.5f) / 2.0f);
  CHECK(fast.data.data<float>()[1] == (-4.0f - 1.5f) / 0.25f);
  CHECK(fast.target.data<int64_t>()[2] == 5);
  // The source tensors are untouched by the in-place normalization.
  CHECK(stacked.dataset().dataset().data().data<float>()[8] == 4.0f);

  // A Lambda runs per example, and Stack still collates after it.
  auto doubled = counting(4)
                     .map(transforms::Lambda<Example<>>([](Example<> e) {
                       e.data = mul(e.data, wrapped_scalar(2));
                       return e;
                     }))
                     .map(transforms::Stack<>());
  Example<> b = doubled.get_batch({3, 0});
  CHECK(b.data.data<float>()[0] == 6.0f && b.data.data<float>()[1] == -6.0f);
  CHECK(b.target.data<int64_t>()[0] == 3);
  CHECK_THROWS(transforms::Normalize<>({0.1, 0.2}, {1.0}), ValueError);
  CHECK_THROWS(counting(3).map(transforms::Stack<>()).get_batch({3}), IndexError);
}

void test_samplers() {
  samplers::SequentialSampler seq(5);
  CHECK(*seq.next(2) == std::vector<size_t>({0, 1}));
  CHECK(*seq.next(2) == std::vector<size_t>({2, 3}));
  CHECK(*seq.next(2) == std::vector<size_t>({4}));
  CHECK(!seq.next(2));
  seq.reset(3);
  CHECK(*seq.next(10) == std::vector<size_t>({0, 1, 2}));

  default_generator().set_seed(7);
  samplers::RandomSampler a(10);
  std::vector<size_t> all;
  while (auto batch = a.next(4)) all.insert(all.end(), batch->begin(), batch->end());
  CHECK(all.size() == 10);
  std::vector<size_t> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < 10; ++i) CHECK(sorted[i] == i);
  default_generator().set_seed(7);
  samplers::RandomSampler b(10);
  CHECK(*b.next(10) == all);  // seeded from cresset's generator
  b.reset();
  CHECK(b.next(10)->size() == 10);
  CHECK_THROWS(b.next(0), ValueError);
}

// The targets of each batch of one epoch.
template <typename Loader>
std::vector<std::vector<int64_t>> epoch_targets(Loader& loader) {
  std::vector<std::vector<int64_t>> out;
  for (auto& batch : loader) {
    const int64_t* t = batch.target.template data<int64_t>();
    out.emplace_back(t, t + batch.target.numel());
  }
  return out;
}

void test_loader() {
  using Batches = std::vector<std::vector<int64_t>>;
  const Batches all = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9}};
  for (size_t workers : {0, 1, 3}) {
    auto loader = make_data_loader(counting(10).map(transforms::Stack<>()),
                                   samplers::SequentialSampler(10),
                                   DataLoaderOptions().batch_size(3).workers(workers));
    CHECK(epoch_targets(*loader) == all);
    CHECK(epoch_targets(*loader) == all);  // a second epoch
    auto dropped = make_data_loader(counting(10).map(transforms::Stack<>()),
                                    samplers::SequentialSampler(10),
                                    DataLoaderOptions(3).workers(workers).drop_last(true));
    CHECK(epoch_targets(*dropped) == Batches(all.begin(), all.begin() + 3));
    // Shuffled (the default sampler): every example exactly once per epoch.
    auto shuffled = make_data_loader(counting(10).map(transforms::Stack<>()),
                                     DataLoaderOptions().batch_size(4).workers(workers));
    std::multiset<int64_t> seen;
    for (const auto& b : epoch_targets(*shuffled)) seen.insert(b.begin(), b.end());
    CHECK(seen.size() == 10 && *seen.begin() == 0 && *seen.rbegin() == 9 &&
          seen.count(5) == 1);
  }
  // Without Stack a batch is the vector of examples.
  auto plain = make_data_loader<samplers::SequentialSampler>(counting(5), 2);
  std::vector<size_t> sizes;
  for (auto& batch : *plain) sizes.push_back(batch.size());
  CHECK(sizes == std::vector<size_t>({2, 2, 1}));
  CHECK_THROWS(make_data_loader(counting(5), DataLoaderOptions(0)), ValueError);
}

// Throws for one index, to check that a worker's exception reaches the caller.
class Faulty : public datasets::Dataset<Faulty> {
 public:
  Example<> get(size_t index) override {
    CRESSET_CHECK(index != 7, ValueError, "[Faulty] index 7");
    Tensor t = empty_tensor({1}, DType::Int64);
    t.data<int64_t>()[0] = int64_t(index);
    return {t, t};
  }
  std::optional<size_t> size() const override { return 12; }
};

void test_loader_errors() {
  for (size_t workers : {0, 2}) {
    auto loader = make_data_loader(Faulty().map(transforms::Stack<>()),
                                   samplers::SequentialSampler(12),
                                   DataLoaderOptions(2).workers(workers));
    int good = 0;
    bool thrown = false;
    try {
      for (auto& batch : *loader) {
        CHECK(batch.target.data<int64_t>()[0] == 2 * good);
        ++good;
      }
    } catch (const ValueError&) {
      thrown = true;
    }
    CHECK(thrown && good == 3);  // batches {0,1} {2,3} {4,5}, then {6,7} fails
  }
  // Destroying a loader mid-epoch, with batches queued and in flight, joins cleanly.
  for (int round = 0; round < 20; ++round) {
    auto loader = make_data_loader(counting(100).map(transforms::Stack<>()),
                                   DataLoaderOptions(4).workers(3).max_jobs(8));
    auto it = loader->begin();
    CHECK(it != loader->end());
  }
}

}  // namespace

int main() {
  test_mnist();
  test_transforms();
  test_samplers();
  test_loader();
  test_loader_errors();
  CHECK_DONE();
}
