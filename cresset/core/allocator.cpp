#include "cresset/core/allocator.h"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"

namespace cresset {

// Note [CPU caching allocator]
// Small blocks (<= 1 MiB) are rounded up to a power of two and kept on a per-size free list when
// freed; large blocks are cached by exact size, up to a total cap, because large tensors of the
// same size recur in loops (a fresh mmap of 64 MiB costs page faults on every first touch, which
// dominates a memory-bound op). Huge blocks get a transparent-huge-page hint.
namespace {

constexpr size_t kAlign = 64;
constexpr size_t kSmallLimit = size_t(1) << 20;
constexpr size_t kLargeCacheCap = size_t(1) << 30;
constexpr size_t kHugePage = size_t(2) << 20;

int size_class(size_t n) {
  int c = 6;  // 64 bytes minimum
  while ((size_t(1) << c) < n) ++c;
  return c;
}

class CpuCachingAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    if (nbytes == 0) nbytes = 1;
    std::lock_guard<std::mutex> lock(mu_);
    if (nbytes <= kSmallLimit) {
      auto& list = small_[size_class(nbytes)];
      if (!list.empty()) {
        void* p = list.back();
        list.pop_back();
        return p;
      }
      return system_alloc(size_t(1) << size_class(nbytes));
    }
    for (size_t i = 0; i < large_.size(); ++i) {
      if (large_[i].size == nbytes) {
        void* p = large_[i].ptr;
        large_cached_ -= nbytes;
        large_[i] = large_.back();
        large_.pop_back();
        return p;
      }
    }
    return system_alloc(nbytes);
  }

  void deallocate(void* p, size_t nbytes) override {
    if (!p) return;
    if (nbytes == 0) nbytes = 1;
    std::lock_guard<std::mutex> lock(mu_);
    if (nbytes <= kSmallLimit) {
      small_[size_class(nbytes)].push_back(p);
      return;
    }
    while (large_cached_ + nbytes > kLargeCacheCap && !large_.empty()) {
      std::free(large_.back().ptr);
      large_cached_ -= large_.back().size;
      large_.pop_back();
    }
    if (nbytes > kLargeCacheCap) {
      std::free(p);
      return;
    }
    large_.push_back({p, nbytes});
    large_cached_ += nbytes;
  }

  void empty_cache() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& list : small_) {
      for (void* p : list) std::free(p);
      list.clear();
    }
    for (auto& b : large_) std::free(b.ptr);
    large_.clear();
    large_cached_ = 0;
  }

 private:
  struct Block {
    void* ptr;
    size_t size;
  };

  static void* system_alloc(size_t nbytes) {
    size_t align = nbytes >= kHugePage ? kHugePage : kAlign;
    size_t rounded = (nbytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, rounded);
    CRESSET_CHECK(p, RuntimeError, "[CPU allocator] out of memory: tried to allocate ", nbytes,
                  " bytes");
    if (nbytes >= kHugePage) madvise(p, rounded, MADV_HUGEPAGE);
    return p;
  }

  std::mutex mu_;
  std::vector<void*> small_[21];
  std::vector<Block> large_;
  size_t large_cached_ = 0;
};

CpuCachingAllocator& cpu_caching_allocator() {
  static auto* a = new CpuCachingAllocator();  // leaked on purpose: outlives static tensors
  return *a;
}

}  // namespace

Allocator* cpu_allocator() { return &cpu_caching_allocator(); }

Allocator* allocator_for(Device device) {
  return device.is_cpu() ? cpu_allocator() : cuda::allocator();
}

void cpu_allocator_empty_cache() { cpu_caching_allocator().empty_cache(); }

}  // namespace cresset
