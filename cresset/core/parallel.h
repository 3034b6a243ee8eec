#pragma once
// Intra-op parallelism: a fixed pool of worker threads and parallel_for. Work is split into one
// contiguous chunk per thread, so a result depends only on the thread count (deterministic).
#include <cstdint>

namespace cresset {

/// Threads used by parallel_for (torch.get_num_threads). Defaults to OMP_NUM_THREADS or the cores.
int get_num_threads();
/// torch.set_num_threads; n >= 1.
void set_num_threads(int n);
/// True inside a parallel_for body (nested calls run serially).
bool in_parallel_region();

namespace detail {
void yield_thread();  // std::this_thread::yield, without <thread> in this header
using ChunkFn = void (*)(const void* ctx, int64_t begin, int64_t end);
void parallel_run(int64_t begin, int64_t end, int64_t grain, ChunkFn fn, const void* ctx);
}  // namespace detail

/// Calls f(chunk_begin, chunk_end) over [begin, end) split across threads; serially when the range
/// is at most `grain` elements or when already inside a parallel region.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (end - begin <= grain || in_parallel_region() || get_num_threads() == 1) {
    if (end > begin) f(begin, end);
    return;
  }
  detail::parallel_run(
      begin, end, grain,
      [](const void* ctx, int64_t b, int64_t e) { (*static_cast<const F*>(ctx))(b, e); }, &f);
}

/// Elements per thread below which a memory-bound loop isn't worth splitting.
constexpr int64_t kGrainSize = 32768;

/// Calls f(i) for each i in [begin, end), items of about `work` operations each, in parallel once
/// the range holds more than kGrainSize operations (batches of matrices, columns of a matrix).
template <typename F>
void parallel_for_each(int64_t begin, int64_t end, int64_t work, const F& f) {
  const int64_t grain = kGrainSize / (work > 1 ? work : 1);
  parallel_for(begin, end, grain > 1 ? grain : 1, [&](int64_t b0, int64_t b1) {
    for (int64_t i = b0; i < b1; ++i) f(i);
  });
}

/// Spins until ready() holds, for threads of one parallel region that wait on each other's
/// progress; yields the core after a while (on a busy machine the awaited thread may need it).
template <typename Ready>
void spin_until(const Ready& ready) {
  for (int spins = 0; !ready(); ++spins) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
    if (spins > 1000) detail::yield_thread();
  }
}

}  // namespace cresset
