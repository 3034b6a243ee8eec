#include "cresset/core/parallel.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "cresset/core/error.h"

namespace cresset {

namespace {

thread_local bool t_in_parallel = false;

int default_threads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? int(n) : 1;
}

// Note [Thread pool wake-up]
// A job is published by bumping `generation_`; worker i runs chunk i + 1 (the caller runs chunk
// 0). Workers and the caller spin for up to kSpinTime before sleeping on a condition variable:
// waking a sleeping thread costs tens of microseconds, as much as a whole 1e6-element op, and a
// training loop issues parallel ops back to back with Python and serial work between them. The
// spin is timed, not counted: a pause instruction takes 10 to 140 cycles depending on the CPU
// (2000 of them lasted 23 us here). Measured on 2 threads: an MLP training step (T1) 0.55 ms with
// a 23 us spin, 0.43 ms with 100 us (no better beyond); lu_factor of 512 x 512, whose panels
// are serial for about 30 us between parallel updates, 1.58 ms against 1.24 ms.
constexpr std::chrono::microseconds kSpinTime{100};

inline void cpu_relax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

// Spins until done() holds or kSpinTime has passed; returns done().
template <typename Done>
bool spin_briefly(const Done& done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (;;) {
    for (int i = 0; i < 16; ++i) {  // the clock is read every 16 pauses
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads) { resize(threads); }
  ~ThreadPool() { stop(); }

  int size() const { return num_threads_; }

  void resize(int threads) {
    stop();
    num_threads_ = threads;
    stopping_ = false;
    // New workers start from the current generation, or they would rerun the last (finished)
    // job whose context is gone.
    const uint64_t current = generation_.load();
    for (int i = 1; i < threads; ++i) {
      workers_.emplace_back([this, i, current] { work(i, current); });
    }
  }

  void run(int64_t begin, int64_t end, int64_t grain, detail::ChunkFn fn, const void* ctx) {
    std::lock_guard<std::mutex> job_lock(job_mu_);  // one job at a time from any caller thread
    int64_t n = end - begin;
    int64_t chunks = std::min<int64_t>(num_threads_, (n + grain - 1) / grain);
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = fn;
      ctx_ = ctx;
      begin_ = begin;
      end_ = end;
      chunks_ = chunks;
      pending_.store(int(chunks - 1));
      error_ = nullptr;
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_parallel = true;
    try {
      run_chunk(0);
    } catch (...) {
      record_error();
    }
    t_in_parallel = false;
    if (!spin_briefly([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait(lock, [this] { return pending_.load() == 0; });
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_chunk(int64_t c) {
    int64_t n = end_ - begin_;
    int64_t b = begin_ + n * c / chunks_;
    int64_t e = begin_ + n * (c + 1) / chunks_;
    if (e > b) fn_(ctx_, b, e);
  }

  void record_error() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_) error_ = std::current_exception();
  }

  // Waits for a generation other than `seen`: spinning first, then sleeping. Returns it, or 0 when
  // the pool stops.
  uint64_t next_generation(uint64_t seen) {
    if (spin_briefly([&] {
          return generation_.load(std::memory_order_acquire) != seen || stopping_.load();
        })) {
      return stopping_.load() ? 0 : generation_.load();
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
    return stopping_.load() ? 0 : generation_.load();
  }

  void work(int index, uint64_t seen) {
    t_in_parallel = true;
    for (;;) {
      seen = next_generation(seen);
      if (seen == 0) return;
      if (index >= chunks_) continue;
      try {
        run_chunk(index);
      } catch (...) {
        record_error();
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu_);
        done_cv_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex job_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable done_cv_;
  std::vector<std::thread> workers_;
  int num_threads_ = 1;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> generation_{0};
  detail::ChunkFn fn_ = nullptr;
  const void* ctx_ = nullptr;
  int64_t begin_ = 0, end_ = 0, chunks_ = 0;
  std::atomic<int> pending_{0};
  std::exception_ptr error_;
};

std::atomic<int> g_num_threads{0};
std::atomic<ThreadPool*> g_pool{nullptr};
std::once_flag g_atfork_once;

// A forked child (DataLoader workers) has no worker threads: drop the parent's pool (leaked, its
// mutexes may be held by threads that no longer exist) and build a fresh one on first use.
void reset_pool_in_child() { g_pool = nullptr; }

ThreadPool& pool() {
  std::call_once(g_atfork_once, [] { pthread_atfork(nullptr, nullptr, reset_pool_in_child); });
  ThreadPool* p = g_pool.load();
  if (!p) {  // leaked on purpose: it must outlive static tensors
    auto* fresh = new ThreadPool(get_num_threads());
    if (g_pool.compare_exchange_strong(p, fresh)) {
      p = fresh;
    } else {
      delete fresh;
    }
  }
  return *p;
}

}  // namespace

int get_num_threads() {
  int n = g_num_threads.load();
  if (n == 0) {
    n = default_threads();
    g_num_threads.store(n);
  }
  return n;
}

void set_num_threads(int n) {
  CRESSET_CHECK(n > 0, RuntimeError, "set_num_threads expects a positive integer, got ", n);
  g_num_threads.store(n);
  if (pool().size() != n) pool().resize(n);
}

bool in_parallel_region() { return t_in_parallel; }

namespace detail {
void yield_thread() { std::this_thread::yield(); }

void parallel_run(int64_t begin, int64_t end, int64_t grain, ChunkFn fn, const void* ctx) {
  ThreadPool& p = pool();
  if (p.size() != get_num_threads()) p.resize(get_num_threads());
  p.run(begin, end, grain, fn, ctx);
}
}  // namespace detail

}  // namespace cresset
