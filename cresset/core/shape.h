#pragma once
// Sizes and strides: a small vector that keeps up to kInlineDims values without touching the heap,
// because allocating for every tensor's shape is most of a tiny op's cost.
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace cresset {

class DimVector {
 public:
  static constexpr int kInlineDims = 6;

  DimVector() = default;
  explicit DimVector(size_t n, int64_t fill = 0) { resize(n, fill); }
  DimVector(std::initializer_list<int64_t> v) { assign(v.begin(), v.size()); }
  DimVector(const std::vector<int64_t>& v) { assign(v.data(), v.size()); }
  DimVector(const int64_t* p, size_t n) { assign(p, n); }
  DimVector(const DimVector& o) { assign(o.data(), o.size()); }
  DimVector(DimVector&& o) noexcept { steal(o); }
  DimVector& operator=(const DimVector& o) {
    if (this != &o) assign(o.data(), o.size());
    return *this;
  }
  DimVector& operator=(DimVector&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~DimVector() { release(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return heap_ ? heap_ : inline_; }
  const int64_t* data() const { return heap_ ? heap_ : inline_; }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t operator[](size_t i) const { return data()[i]; }
  int64_t* begin() { return data(); }
  int64_t* end() { return data() + size_; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size_; }
  int64_t back() const { return data()[size_ - 1]; }

  void resize(size_t n, int64_t fill = 0) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data()[i] = fill;
    size_ = n;
  }
  void push_back(int64_t v) {
    reserve(size_ + 1);
    data()[size_++] = v;
  }
  void insert(size_t pos, int64_t v) {
    reserve(size_ + 1);
    int64_t* d = data();
    std::memmove(d + pos + 1, d + pos, (size_ - pos) * sizeof(int64_t));
    d[pos] = v;
    ++size_;
  }
  void erase(size_t pos) {
    int64_t* d = data();
    std::memmove(d + pos, d + pos + 1, (size_ - pos - 1) * sizeof(int64_t));
    --size_;
  }
  void clear() { size_ = 0; }

  bool operator==(const DimVector& o) const {
    return size_ == o.size_ && std::memcmp(data(), o.data(), size_ * sizeof(int64_t)) == 0;
  }
  bool operator!=(const DimVector& o) const { return !(*this == o); }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }

 private:
  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t cap = n < 2 * capacity_ ? 2 * capacity_ : n;
    int64_t* p = new int64_t[cap];
    std::memcpy(p, data(), size_ * sizeof(int64_t));
    delete[] heap_;
    heap_ = p;
    capacity_ = cap;
  }
  void assign(const int64_t* p, size_t n) {
    reserve(n);
    std::memcpy(data(), p, n * sizeof(int64_t));
    size_ = n;
  }
  void steal(DimVector& o) {
    size_ = o.size_;
    capacity_ = o.capacity_;
    heap_ = o.heap_;
    if (!heap_) std::memcpy(inline_, o.inline_, size_ * sizeof(int64_t));
    o.heap_ = nullptr;
    o.size_ = 0;
    o.capacity_ = kInlineDims;
  }
  void release() {
    delete[] heap_;
    heap_ = nullptr;
    capacity_ = kInlineDims;
  }

  size_t size_ = 0;
  size_t capacity_ = kInlineDims;
  int64_t* heap_ = nullptr;
  int64_t inline_[kInlineDims];
};

/// Product of the sizes (1 for a 0-dim shape).
inline int64_t shape_numel(const DimVector& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

/// Row-major strides for `sizes`.
DimVector contiguous_strides(const DimVector& sizes);

/// "[2, 3]", the form torch uses inside error messages.
std::string shape_str(const DimVector& sizes);

/// Wraps a possibly negative dim into [0, ndim); throws IndexError like torch when out of range.
/// A 0-dim tensor accepts dims -1 and 0.
int64_t wrap_dim(int64_t dim, int64_t ndim);

/// The broadcast of two shapes; throws RuntimeError naming both when they don't broadcast.
DimVector broadcast_shapes(const DimVector& a, const DimVector& b);

}  // namespace cresset
