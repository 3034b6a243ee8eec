#pragma once
// A vector that keeps up to N elements inside the object: a node's edges, input metadata and saved
// tensors are one or two each for almost every op, and three heap blocks per recorded op were a
// fifth of a tiny op's recording cost.
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace cresset::autograd {

/// Elements live in `inline_` while there are at most N of them and all move to `heap_` beyond;
/// inline slots past size() hold default-constructed values.
template <typename T, size_t N>
class InlineVector {
 public:
  InlineVector() = default;
  InlineVector(const InlineVector&) = default;
  InlineVector& operator=(const InlineVector&) = default;
  InlineVector(InlineVector&& o) noexcept
      : inline_(std::move(o.inline_)), heap_(std::move(o.heap_)), size_(o.size_) {
    o.size_ = 0;
  }
  InlineVector& operator=(InlineVector&& o) noexcept {
    inline_ = std::move(o.inline_);
    heap_ = std::move(o.heap_);
    size_ = o.size_;
    o.size_ = 0;
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return size_ > N ? heap_.data() : inline_.data(); }
  const T* data() const { return size_ > N ? heap_.data() : inline_.data(); }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }

  /// Only a hint beyond N (inline capacity needs none).
  void reserve(size_t n) {
    if (n > N) heap_.reserve(n);
  }
  void push_back(T v) { emplace_back(std::move(v)); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    if (size_ < N) {
      inline_[size_] = T(std::forward<Args>(args)...);
      return inline_[size_++];
    }
    if (size_ == N) spill();
    heap_.emplace_back(std::forward<Args>(args)...);
    ++size_;
    return heap_.back();
  }
  void resize(size_t n) {
    if (n > N) {
      if (size_ <= N) spill();
      heap_.resize(n);
    } else if (size_ > N) {
      for (size_t i = 0; i < n; ++i) inline_[i] = std::move(heap_[i]);
      heap_.clear();
    } else {
      for (size_t i = n; i < size_; ++i) inline_[i] = T();
    }
    size_ = n;
  }
  void clear() { resize(0); }

 private:
  // Moves the N inline elements to the heap, where the vector grows from now on.
  void spill() {
    heap_.reserve(2 * N + 1);
    for (size_t i = 0; i < size_; ++i) {
      heap_.push_back(std::move(inline_[i]));
      inline_[i] = T();
    }
  }

  std::array<T, N> inline_{};
  std::vector<T> heap_;
  size_t size_ = 0;
};

}  // namespace cresset::autograd
