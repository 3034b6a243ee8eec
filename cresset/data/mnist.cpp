#include "cresset/data/mnist.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <memory>

#include "cresset/core/error.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/ops.h"

namespace cresset::data::datasets {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

bool exists(const std::string& path) { return std::ifstream(path).good(); }

// gzread passes uncompressed files through unchanged, so one reader serves both forms.
void read_exact(gzFile_s* f, void* out, size_t n, const std::string& path) {
  char* p = static_cast<char*>(out);
  while (n > 0) {
    const unsigned chunk = unsigned(std::min<size_t>(n, size_t(1) << 30));
    const int got = gzread(f, p, chunk);
    CRESSET_CHECK(got >= 0, RuntimeError, "[MNIST] ", path, " is corrupted");
    CRESSET_CHECK(got > 0, RuntimeError, "[MNIST] ", path, " is truncated");
    p += got;
    n -= size_t(got);
  }
}

uint32_t big_endian(const unsigned char* b) {
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | uint32_t(b[3]);
}

// The idx file `name` under root (or root/MNIST/raw), plain or .gz.
std::string find_file(const std::string& root, const std::string& name) {
  for (const std::string& dir : {root, root + "/MNIST/raw"}) {
    for (const char* suffix : {"", ".gz"}) {
      const std::string path = dir + "/" + name + suffix;
      if (exists(path)) return path;
    }
  }
  throw RuntimeError("[MNIST] cannot find " + name + " (or " + name + ".gz) in " + root +
                     " or " + root + "/MNIST/raw");
}

}  // namespace

Tensor read_idx_file(const std::string& path, uint32_t expected_magic) {
  GzFile f(gzopen(path.c_str(), "rb"));
  CRESSET_CHECK(f != nullptr, RuntimeError, "[MNIST] cannot open ", path);
  unsigned char word[4];
  read_exact(f.get(), word, 4, path);
  const uint32_t magic = big_endian(word);
  CRESSET_CHECK(magic == expected_magic, RuntimeError, "[MNIST] ", path, " has magic number ",
                magic, "; expected ", expected_magic);
  const int ndim = int(magic & 0xff);
  DimVector sizes;
  for (int d = 0; d < ndim; ++d) {
    read_exact(f.get(), word, 4, path);
    sizes.push_back(int64_t(big_endian(word)));
  }
  Tensor out = empty_tensor(sizes, DType::UInt8);
  read_exact(f.get(), out.raw_data(), size_t(out.nbytes()), path);
  const int extra = gzread(f.get(), word, 1);  // also verifies a .gz file's checksum
  CRESSET_CHECK(extra >= 0, RuntimeError, "[MNIST] ", path, " is corrupted");
  CRESSET_CHECK(extra == 0, RuntimeError, "[MNIST] ", path, " has bytes past the ", out.nbytes(),
                " its header announces");
  return out;
}

MNIST::MNIST(const std::string& root, Mode mode)
    : is_train_(mode == Mode::kTrain), examples_(load(root, is_train_)) {}

TensorDataset MNIST::load(const std::string& root, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = find_file(root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(root, prefix + "-labels-idx1-ubyte");
  Tensor pixels = read_idx_file(images_path, 2051);
  Tensor labels = read_idx_file(labels_path, 2049);
  CRESSET_CHECK(pixels.size(0) == labels.size(0), RuntimeError, "[MNIST] ", images_path, " holds ",
                pixels.size(0), " images but ", labels_path, " holds ", labels.size(0), " labels");
  // Scaled to [0, 1] once here, so a batch is a plain copy of rows.
  Tensor images =
      empty_tensor({pixels.size(0), 1, pixels.size(1), pixels.size(2)}, DType::Float32);
  const uint8_t* from = pixels.data<uint8_t>();
  float* to = images.data<float>();
  parallel_for(0, pixels.numel(), kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) to[i] = float(from[i]) / 255.0f;
  });
  Tensor targets = empty_tensor({labels.size(0)}, DType::Int64);
  for (int64_t i = 0; i < labels.numel(); ++i) {
    targets.data<int64_t>()[i] = labels.data<uint8_t>()[i];
  }
  return TensorDataset(images, targets);
}

}  // namespace cresset::data::datasets
