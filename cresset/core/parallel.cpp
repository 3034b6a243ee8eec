#include "cresset/core/parallel.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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

// Workers sleep on a condition variable between jobs. A job is published by bumping
// `generation_`; each worker runs chunk `worker_index + 1` (the caller runs chunk 0).
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
    const uint64_t current = generation_;
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
      pending_ = int(chunks - 1);
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    t_in_parallel = true;
    try {
      run_chunk(0);
    } catch (...) {
      record_error();
    }
    t_in_parallel = false;
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return pending_ == 0; });
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

  void work(int index, uint64_t seen) {
    t_in_parallel = true;
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      if (index >= chunks_) continue;
      lock.unlock();
      try {
        run_chunk(index);
      } catch (...) {
        record_error();
      }
      lock.lock();
      if (--pending_ == 0) done_cv_.notify_one();
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
  bool stopping_ = false;
  uint64_t generation_ = 0;
  detail::ChunkFn fn_ = nullptr;
  const void* ctx_ = nullptr;
  int64_t begin_ = 0, end_ = 0, chunks_ = 0;
  int pending_ = 0;
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
void parallel_run(int64_t begin, int64_t end, int64_t grain, ChunkFn fn, const void* ctx) {
  ThreadPool& p = pool();
  if (p.size() != get_num_threads()) p.resize(get_num_threads());
  p.run(begin, end, grain, fn, ctx);
}
}  // namespace detail

}  // namespace cresset
