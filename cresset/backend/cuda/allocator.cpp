// The CUDA caching allocator and the pinned host allocator.
//
// Note [CUDA caching allocator]
// cudaMalloc and cudaFree synchronize the device and cost tens of microseconds, so freed blocks are
// kept and reused. Requests are rounded up to 512 bytes. Small requests (<= 1 MiB) are carved out
// of 2 MiB segments, mid-sized ones (< 10 MiB) out of 20 MiB segments, larger ones get a segment of
// their size rounded to 2 MiB. A free block larger than the request is split and the remainder
// stays free; freeing a block merges it with free neighbours of its segment. Pools are kept per
// device and per stream: a block freed by work queued on one stream is only reused by that stream,
// so no synchronization is needed (the order of a stream's work protects it). When cudaMalloc
// fails, the unused cached segments are released and the call retried once; a second failure is
// torch's OutOfMemoryError message with the requested size and the pool's state.
#include "cresset/core/allocator.h"

#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "cresset/backend/copy.h"
#include "cresset/backend/cuda/cuda_check.h"

namespace cresset::cuda::impl {

namespace {

constexpr size_t kRound = 512;
constexpr size_t kSmallSize = size_t(1) << 20;
constexpr size_t kSmallSegment = size_t(2) << 20;
constexpr size_t kMidSize = size_t(10) << 20;
constexpr size_t kMidSegment = size_t(20) << 20;
constexpr size_t kLargeRound = size_t(2) << 20;
constexpr int kMaxDevices = 64;

struct Block {
  int device;
  cudaStream_t stream;
  char* ptr;
  size_t size;
  bool allocated = false;
  bool small;             // which pool it belongs to
  Block* prev = nullptr;  // neighbours within the segment
  Block* next = nullptr;
};

struct BlockLess {
  bool operator()(const Block* a, const Block* b) const {
    if (a->stream != b->stream) return a->stream < b->stream;
    if (a->size != b->size) return a->size < b->size;
    return a->ptr < b->ptr;
  }
};

struct DevicePools {
  std::set<Block*, BlockLess> small, large;
  MemoryStats stats;
};

size_t round_size(size_t n) { return n < kRound ? kRound : (n + kRound - 1) / kRound * kRound; }

size_t segment_size(size_t n) {
  if (n <= kSmallSize) return kSmallSegment;
  if (n < kMidSize) return kMidSegment;
  return (n + kLargeRound - 1) / kLargeRound * kLargeRound;
}

std::string format_bytes(int64_t b) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = double(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0) {
    std::snprintf(buf, sizeof(buf), "%lld bytes", static_cast<long long>(b));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f %s", v, units[u]);
  }
  return buf;
}

class CudaCachingAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override { return allocate_on(nbytes, current_device()); }

  void* allocate_on(size_t nbytes, int device) {
    if (nbytes == 0) return nullptr;
    DeviceGuard guard(device);
    cudaStream_t stream = stream_of(device);
    size_t size = round_size(nbytes);
    bool small = size <= kSmallSize;
    std::lock_guard<std::mutex> lock(mu_);
    DevicePools& dp = pools_[device];
    auto& pool = small ? dp.small : dp.large;
    Block key{device, stream, nullptr, size};
    auto it = pool.lower_bound(&key);
    Block* b = nullptr;
    if (it != pool.end() && (*it)->stream == stream) {
      b = *it;
      pool.erase(it);
    } else {
      b = new_segment(dp, device, stream, size, small);
    }
    // Split off the tail when what remains is worth keeping (any remainder in the small pool;
    // over 1 MiB in the large one, so large blocks don't fragment into slivers).
    size_t rest = b->size - size;
    if (small ? rest >= kRound : rest > kSmallSize) {
      Block* tail = new Block{device, stream, b->ptr + size, rest};
      tail->small = small;
      tail->prev = b;
      tail->next = b->next;
      if (b->next) b->next->prev = tail;
      b->next = tail;
      b->size = size;
      pool.insert(tail);
    }
    b->allocated = true;
    live_[b->ptr] = b;
    dp.stats.allocated += int64_t(b->size);
    if (dp.stats.allocated > dp.stats.max_allocated) dp.stats.max_allocated = dp.stats.allocated;
    ++dp.stats.num_allocs;
    return b->ptr;
  }

  void deallocate(void* p, size_t) override {
    if (!p) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(static_cast<char*>(p));
    if (it == live_.end()) return;
    Block* b = it->second;
    live_.erase(it);
    DevicePools& dp = pools_[b->device];
    dp.stats.allocated -= int64_t(b->size);
    ++dp.stats.num_frees;
    b->allocated = false;
    auto& pool = b->small ? dp.small : dp.large;
    for (Block* n : {b->prev, b->next}) {
      if (!n || n->allocated) continue;
      pool.erase(n);
      if (n == b->prev) {
        n->size += b->size;
        n->next = b->next;
        if (b->next) b->next->prev = n;
        delete b;
        b = n;
      } else {
        b->size += n->size;
        b->next = n->next;
        if (n->next) n->next->prev = b;
        delete n;
      }
    }
    pool.insert(b);
  }

  void empty_cache() {
    std::lock_guard<std::mutex> lock(mu_);
    for (int d = 0; d < kMaxDevices; ++d) release_cached(d);
  }

  MemoryStats stats(int device) {
    std::lock_guard<std::mutex> lock(mu_);
    MemoryStats s = pools_[device].stats;
    s.largest_free_block = largest_free(device);
    return s;
  }

  void reset_peaks(int device) {
    std::lock_guard<std::mutex> lock(mu_);
    MemoryStats& s = pools_[device].stats;
    s.max_allocated = s.allocated;
    s.max_reserved = s.reserved;
  }

  // Counts of segments and blocks of one device: {segments, active blocks, inactive blocks}.
  void block_counts(int device, int64_t counts[3]) {
    std::lock_guard<std::mutex> lock(mu_);
    counts[0] = counts[1] = counts[2] = 0;
    for (const auto& kv : live_) {
      if (kv.second->device == device) ++counts[1];
    }
    DevicePools& dp = pools_[device];
    for (auto* pool : {&dp.small, &dp.large}) counts[2] += int64_t(pool->size());
    counts[0] = int64_t(segments_[device].size());
  }

 private:
  Block* new_segment(DevicePools& dp, int device, cudaStream_t stream, size_t size, bool small) {
    size_t seg = small ? kSmallSegment : segment_size(size);
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, seg);
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      ++dp.stats.num_alloc_retries;
      release_cached(device);
      err = cudaMalloc(&p, seg);
    }
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      ++dp.stats.num_ooms;
      size_t free_b = 0, total_b = 0;
      cudaMemGetInfo(&free_b, &total_b);
      cudaGetLastError();
      throw OutOfMemoryError(
          str_cat("CUDA out of memory. Tried to allocate ", format_bytes(int64_t(size)), ". GPU ",
                  device, " has a total capacity of ", format_bytes(int64_t(total_b)), " of which ",
                  format_bytes(int64_t(free_b)), " is free. Of the memory reserved by cresset (",
                  format_bytes(dp.stats.reserved), "), ", format_bytes(dp.stats.allocated),
                  " is allocated and ", format_bytes(dp.stats.reserved - dp.stats.allocated),
                  " is reserved but unallocated; the largest free cached block is ",
                  format_bytes(largest_free(device)), "."));
    }
    check(err, "cuda allocator");
    Block* b = new Block{device, stream, static_cast<char*>(p), seg};
    b->small = small;
    segments_[device].push_back(b->ptr);
    dp.stats.reserved += int64_t(seg);
    if (dp.stats.reserved > dp.stats.max_reserved) dp.stats.max_reserved = dp.stats.reserved;
    return b;
  }

  // Frees every whole segment of `device` that is cached and unused.
  void release_cached(int device) {
    DevicePools& dp = pools_[device];
    for (auto* pool : {&dp.small, &dp.large}) {
      for (auto it = pool->begin(); it != pool->end();) {
        Block* b = *it;
        if (b->prev || b->next) {
          ++it;
          continue;
        }
        DeviceGuard guard(device);
        cudaFree(b->ptr);
        auto& segs = segments_[device];
        for (size_t i = 0; i < segs.size(); ++i) {
          if (segs[i] == b->ptr) {
            segs[i] = segs.back();
            segs.pop_back();
            break;
          }
        }
        dp.stats.reserved -= int64_t(b->size);
        delete b;
        it = pool->erase(it);
      }
    }
  }

  int64_t largest_free(int device) {
    size_t best = 0;
    DevicePools& dp = pools_[device];
    for (auto* pool : {&dp.small, &dp.large}) {
      for (const Block* b : *pool) best = b->size > best ? b->size : best;
    }
    return int64_t(best);
  }

  std::mutex mu_;
  DevicePools pools_[kMaxDevices];
  std::vector<char*> segments_[kMaxDevices];
  std::unordered_map<char*, Block*> live_;
};

CudaCachingAllocator& caching_allocator() {
  static auto* a = new CudaCachingAllocator();  // leaked: outlives static tensors
  return *a;
}

// Pinned host memory: cudaHostAlloc'd blocks cached by exact size (pinning is slow, and a
// DataLoader pins batches of one size over and over).
class PinnedPool {
 public:
  void* get(size_t n) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(n);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        live_.insert(p);
        return p;
      }
    }
    void* p = nullptr;
    check(cudaHostAlloc(&p, n, cudaHostAllocDefault), "pin_memory");
    std::lock_guard<std::mutex> lock(mu_);
    live_.insert(p);
    return p;
  }
  void put(void* p, size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    live_.erase(p);
    free_[n].push_back(p);
  }
  bool owns(const void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    return live_.count(const_cast<void*>(p)) > 0;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& kv : free_) {
      for (void* p : kv.second) cudaFreeHost(p);
    }
    free_.clear();
  }

 private:
  std::mutex mu_;
  std::map<size_t, std::vector<void*>> free_;
  std::set<void*> live_;
};

PinnedPool& pinned_pool() {
  static auto* p = new PinnedPool();
  return *p;
}

struct PinnedBlock {
  void* ptr;
  size_t size;
};

void release_pinned(void* ctx) {
  auto* b = static_cast<PinnedBlock*>(ctx);
  pinned_pool().put(b->ptr, b->size);
  delete b;
}

}  // namespace

MemoryStats memory_stats(int device) {
  check_device(device);
  return caching_allocator().stats(device);
}

void reset_peak_memory_stats(int device) {
  check_device(device);
  caching_allocator().reset_peaks(device);
}

void empty_cache() {
  if (device_count() == 0) return;
  caching_allocator().empty_cache();
  pinned_pool().release();
}

std::string memory_summary(int device) {
  MemoryStats s = memory_stats(device);
  int64_t counts[3];
  caching_allocator().block_counts(device, counts);
  auto row = [](const char* name, const std::string& cur, const std::string& peak) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "| %-26s | %14s | %14s |\n", name, cur.c_str(), peak.c_str());
    return std::string(buf);
  };
  std::string line = "|" + std::string(64, '=') + "|\n";
  std::string out = line;
  char title[80];
  std::snprintf(title, sizeof(title), "| %-62s |\n",
                str_cat("cresset CUDA memory summary, device ID ", device).c_str());
  out += title;
  out += line;
  out += row("Metric", "Cur Usage", "Peak Usage");
  out += line;
  out += row("Allocated memory", format_bytes(s.allocated), format_bytes(s.max_allocated));
  out += row("Reserved memory", format_bytes(s.reserved), format_bytes(s.max_reserved));
  out += row("Largest free block", format_bytes(s.largest_free_block), "");
  out += row("Segments", std::to_string(counts[0]), "");
  out += row("Active blocks", std::to_string(counts[1]), "");
  out += row("Cached free blocks", std::to_string(counts[2]), "");
  out += row("Allocations / frees", std::to_string(s.num_allocs), std::to_string(s.num_frees));
  out += row("Retries / OOMs", std::to_string(s.num_alloc_retries), std::to_string(s.num_ooms));
  out += line;
  return out;
}

Tensor pin_memory(const Tensor& t) {
  CRESSET_CHECK(t.device().is_cpu(), RuntimeError, "[pin_memory] cannot pin '", t.device().str(),
                "' memory: only dense CPU tensors can be pinned");
  CRESSET_CHECK(device_count() > 0, RuntimeError,
                "Cannot access accelerator device when none is available.");
  size_t n = size_t(t.numel()) * size_t(t.itemsize());
  void* p = pinned_pool().get(n ? n : 1);
  auto storage = Storage::borrow(p, n, Device(), &release_pinned, new PinnedBlock{p, n ? n : 1});
  Tensor out(std::make_shared<TensorImpl>(std::move(storage), t.sizes(),
                                          contiguous_strides(t.sizes()), 0, t.dtype()));
  copy_into(out, t);
  return out;
}

bool is_pinned(const Tensor& t) {
  return t.device().is_cpu() && t.impl()->storage() &&
         pinned_pool().owns(t.impl()->storage()->data());
}

Allocator* allocator() { return &caching_allocator(); }

void* allocate(size_t nbytes, Device& device) {
  device = resolve(device);
  return caching_allocator().allocate_on(nbytes, device.index);
}

}  // namespace cresset::cuda::impl
