#include "cresset/core/generator.h"

#include <chrono>
#include <cstring>
#include <random>

#include "cresset/core/error.h"

namespace cresset {

Generator::Generator(Device device, uint64_t seed) : device_(device), seed_(seed) {}

void Generator::set_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::seed_nondeterministic() {
  std::random_device rd;
  uint64_t s = (uint64_t(rd()) << 32) ^ rd() ^
               uint64_t(std::chrono::high_resolution_clock::now().time_since_epoch().count());
  set_seed(s);
  return s;
}

uint64_t Generator::initial_seed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seed_;
}

PhiloxState Generator::reserve(uint64_t blocks) {
  std::lock_guard<std::mutex> lock(mutex_);
  PhiloxState s{seed_, offset_};
  offset_ += blocks;
  return s;
}

std::vector<uint8_t> Generator::get_state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<uint8_t> out(kStateSize);
  for (int i = 0; i < 8; ++i) {
    out[i] = uint8_t(seed_ >> (8 * i));
    out[8 + i] = uint8_t(offset_ >> (8 * i));
  }
  return out;
}

void Generator::set_state(const uint8_t* data, size_t nbytes) {
  CRESSET_CHECK(nbytes == kStateSize, RuntimeError, "[set_state] expected a generator state of ",
                kStateSize, " bytes, got ", nbytes);
  uint64_t seed = 0, offset = 0;
  for (int i = 0; i < 8; ++i) {
    seed |= uint64_t(data[i]) << (8 * i);
    offset |= uint64_t(data[8 + i]) << (8 * i);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  seed_ = seed;
  offset_ = offset;
}

namespace {

// The CUDA devices' default generators, created on first use.
struct CudaGenerators {
  std::mutex mutex;
  Generator* device[128] = {};
  uint64_t seed = Generator::kDefaultSeed;  // the seed a generator created later starts from
};

CudaGenerators& cuda_generators() {
  static auto* g = new CudaGenerators();  // leaked on purpose: ops may run during shutdown
  return *g;
}

}  // namespace

Generator& default_generator(Device device) {
  static Generator* cpu = new Generator(Device());  // leaked on purpose, as above
  if (device.is_cpu()) return *cpu;
  int index = device.index < 0 ? 0 : device.index;
  CudaGenerators& g = cuda_generators();
  std::lock_guard<std::mutex> lock(g.mutex);
  if (!g.device[index]) g.device[index] = new Generator(Device(DeviceType::CUDA, index), g.seed);
  return *g.device[index];
}

void manual_seed(uint64_t seed) {
  default_generator().set_seed(seed);
  CudaGenerators& g = cuda_generators();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.seed = seed;
  for (Generator* gen : g.device) {
    if (gen) gen->set_seed(seed);
  }
}

Generator& generator_for(Generator* gen, Device device, const char* op) {
  if (!gen) return default_generator(device);
  CRESSET_CHECK(gen->device().type == device.type, RuntimeError, "[", op, "] Expected a '",
                device.is_cpu() ? "cpu" : "cuda", "' device type for generator but found '",
                gen->device().is_cpu() ? "cpu" : "cuda", "'");
  return *gen;
}

}  // namespace cresset
