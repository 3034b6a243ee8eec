#pragma once
// The data loader, as libtorch's make_data_loader: batches of a dataset in the order its sampler
// gives, assembled on the caller's thread or prefetched by worker threads.
//
// Note [Loader workers]
// With workers > 0 the loader keeps up to max_jobs batch requests queued; each worker takes the
// next request, builds the batch with dataset.get_batch and files it under its sequence number.
// The caller takes batches strictly in sequence order, so results do not depend on which worker
// finished first. A worker's exception is filed like a batch and rethrown in the caller when that
// batch is due. Starting a new epoch (begin()) drops the queue and bumps an epoch counter, so
// late results of the old epoch are discarded; the destructor stops and joins the workers after
// their current batch, so destroying a loader mid-epoch never hangs.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "cresset/core/error.h"
#include "cresset/data/samplers.h"

namespace cresset::data {

/// Batch size, worker threads, prefetch depth and drop_last, set in a chain:
/// `DataLoaderOptions().batch_size(64).workers(2)`.
class DataLoaderOptions {
 public:
  /// Implicit, so a plain batch size converts (libtorch's make_data_loader(dataset, 64)).
  DataLoaderOptions(size_t batch_size = 1) : batch_size_(batch_size) {}  // NOLINT

  DataLoaderOptions& batch_size(size_t n) { return set(batch_size_, n); }
  size_t batch_size() const noexcept { return batch_size_; }
  /// Worker threads that prefetch batches (0: build each batch on the caller's thread).
  DataLoaderOptions& workers(size_t n) { return set(workers_, n); }
  size_t workers() const noexcept { return workers_; }
  /// Batches requested ahead of the caller (default 2 per worker).
  DataLoaderOptions& max_jobs(size_t n) { return set(max_jobs_, std::optional<size_t>(n)); }
  size_t max_jobs() const noexcept { return max_jobs_ ? *max_jobs_ : 2 * workers_; }
  /// Skip a last batch smaller than batch_size.
  DataLoaderOptions& drop_last(bool b) { return set(drop_last_, b); }
  bool drop_last() const noexcept { return drop_last_; }

 private:
  template <typename T>
  DataLoaderOptions& set(T& field, T value) {
    field = value;
    return *this;
  }

  size_t batch_size_;
  size_t workers_ = 0;
  std::optional<size_t> max_jobs_;
  bool drop_last_ = false;
};

/// Iterates a dataset in batches: `for (auto& batch : *loader)`. Each begin() starts an epoch.
template <typename Dataset, typename Sampler>
class DataLoader {
 public:
  using BatchType = typename Dataset::BatchType;

  /// An input iterator over one epoch's batches.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = BatchType;
    using difference_type = std::ptrdiff_t;
    using pointer = BatchType*;
    using reference = BatchType&;

    /// The end of an epoch.
    Iterator() = default;
    /// The current batch.
    BatchType& operator*() { return *batch_; }
    BatchType* operator->() { return &*batch_; }
    /// Moves to the next batch (waiting for a worker to finish it).
    Iterator& operator++() {
      batch_ = loader_->next();
      return *this;
    }
    /// Only the end of an epoch compares equal to end().
    bool operator==(const Iterator& other) const { return !batch_ && !other.batch_; }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    friend class DataLoader;
    Iterator(DataLoader* loader, std::optional<BatchType> batch)
        : loader_(loader), batch_(std::move(batch)) {}
    DataLoader* loader_ = nullptr;
    std::optional<BatchType> batch_;
  };

  DataLoader(Dataset dataset, Sampler sampler, DataLoaderOptions options)
      : dataset_(std::move(dataset)), sampler_(std::move(sampler)), options_(options) {
    CRESSET_CHECK(options_.batch_size() > 0, ValueError,
                  "[DataLoader] batch_size must be positive; got 0");
    CRESSET_CHECK(options_.workers() == 0 || options_.max_jobs() > 0, ValueError,
                  "[DataLoader] max_jobs must be positive when there are workers");
    for (size_t i = 0; i < options_.workers(); ++i) threads_.emplace_back([this] { work(); });
  }
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;
  ~DataLoader() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  /// Starts a new epoch (resetting the sampler) and returns its first batch.
  Iterator begin() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++epoch_;
      jobs_.clear();
      done_.clear();
      next_submit_ = next_yield_ = 0;
      sampler_.reset();
      exhausted_ = false;
      if (!threads_.empty()) submit_locked();
    }
    return Iterator(this, next());
  }
  /// The end of an epoch.
  Iterator end() { return Iterator(); }
  /// The options the loader was made with.
  const DataLoaderOptions& options() const noexcept { return options_; }

 private:
  struct Job {
    uint64_t epoch, sequence;
    std::vector<size_t> indices;
  };
  struct Done {
    std::optional<BatchType> batch;
    std::exception_ptr error;
  };

  // The sampler's next request, or nullopt at the end of the epoch (and for a short last batch
  // under drop_last).
  std::optional<std::vector<size_t>> next_request() {
    if (exhausted_) return std::nullopt;
    auto indices = sampler_.next(options_.batch_size());
    if (!indices || indices->empty() ||
        (options_.drop_last() && indices->size() < options_.batch_size())) {
      exhausted_ = true;
      return std::nullopt;
    }
    return indices;
  }

  // Queues requests until max_jobs are in flight or the epoch is exhausted. Holds mu_.
  void submit_locked() {
    while (next_submit_ - next_yield_ < options_.max_jobs()) {
      auto indices = next_request();
      if (!indices) return;
      jobs_.push_back({epoch_, next_submit_++, std::move(*indices)});
      work_cv_.notify_one();
    }
  }

  std::optional<BatchType> next() {
    if (threads_.empty()) {
      auto indices = next_request();
      if (!indices) return std::nullopt;
      return dataset_.get_batch(*indices);
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (next_yield_ == next_submit_) return std::nullopt;
    done_cv_.wait(lock, [this] { return done_.count(next_yield_) > 0; });
    auto it = done_.find(next_yield_);
    Done done = std::move(it->second);
    done_.erase(it);
    ++next_yield_;
    submit_locked();
    lock.unlock();
    if (done.error) std::rethrow_exception(done.error);
    return std::move(done.batch);
  }

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
        if (stop_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      Done done;
      try {
        done.batch.emplace(dataset_.get_batch(job.indices));
      } catch (...) {
        done.error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (job.epoch != epoch_) continue;  // a result of an abandoned epoch
        done_.emplace(job.sequence, std::move(done));
      }
      done_cv_.notify_all();
    }
  }

  Dataset dataset_;
  Sampler sampler_;
  DataLoaderOptions options_;
  std::vector<std::thread> threads_;
  // Everything below is guarded by mu_. See Note [Loader workers].
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Job> jobs_;
  std::map<uint64_t, Done> done_;
  uint64_t epoch_ = 0, next_submit_ = 0, next_yield_ = 0;
  bool exhausted_ = false;
  bool stop_ = false;
};

/// A loader over `dataset` with a Sampler (default: RandomSampler) over its whole size.
template <typename Sampler = samplers::RandomSampler, typename Dataset>
std::unique_ptr<DataLoader<Dataset, Sampler>> make_data_loader(Dataset dataset,
                                                               DataLoaderOptions options = {}) {
  const std::optional<size_t> size = dataset.size();
  CRESSET_CHECK(size.has_value(), ValueError,
                "[make_data_loader] the dataset has no size; pass a sampler");
  Sampler sampler(*size);
  return std::make_unique<DataLoader<Dataset, Sampler>>(std::move(dataset), std::move(sampler),
                                                        options);
}

/// A loader over `dataset` whose batches follow `sampler`.
template <typename Dataset, typename Sampler,
          typename = std::enable_if_t<std::is_base_of_v<samplers::Sampler, Sampler>>>
std::unique_ptr<DataLoader<Dataset, Sampler>> make_data_loader(Dataset dataset, Sampler sampler,
                                                               DataLoaderOptions options = {}) {
  return std::make_unique<DataLoader<Dataset, Sampler>>(std::move(dataset), std::move(sampler),
                                                        options);
}

}  // namespace cresset::data
