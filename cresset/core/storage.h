#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "cresset/core/device.h"

namespace cresset {

/// Refcounted bytes on one device. Either owned (from an Allocator) or borrowed from elsewhere
/// (a NumPy array, a DLPack capsule) with a deleter that releases the owner.
class Storage {
 public:
  using Deleter = void (*)(void* ctx);

  /// Allocates `nbytes` on `device`.
  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device);
  /// Wraps external memory; `deleter(ctx)` runs when the last tensor using it dies.
  static std::shared_ptr<Storage> borrow(void* data, size_t nbytes, Device device, Deleter deleter,
                                         void* ctx);

  Storage(void* data, size_t nbytes, Device device, Deleter deleter, void* ctx, bool owned)
      : data_(data), nbytes_(nbytes), device_(device), deleter_(deleter), ctx_(ctx),
        owned_(owned) {}
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  /// The version counter shared by every view of this storage; in-place ops bump it so autograd
  /// can tell a saved tensor was modified.
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  /// `op` (a string literal) is remembered so autograd's error can name the in-place op.
  void bump_version(const char* op = nullptr) {
    version_.fetch_add(1, std::memory_order_relaxed);
    if (op) last_inplace_op_ = op;
  }
  /// Back to version 0: a factory filling the tensor it just allocated is not a modification
  /// anyone could have observed (torch reports 0 for torch.ones(2)._version).
  void reset_version() {
    version_.store(0, std::memory_order_relaxed);
    last_inplace_op_ = nullptr;
  }
  /// The last in-place op that named itself when bumping the version, or null.
  const char* last_inplace_op() const { return last_inplace_op_; }

 private:
  // Tiny CPU storages (0-dim tensors, wrapped Python numbers) keep their bytes inline, so making
  // one costs a single allocation.
  static constexpr size_t kInlineBytes = 32;

  void* data_;
  size_t nbytes_;
  Device device_;
  Deleter deleter_;
  void* ctx_;
  bool owned_;
  std::atomic<uint32_t> version_{0};
  const char* last_inplace_op_ = nullptr;
  alignas(16) unsigned char inline_[kInlineBytes];
};

}  // namespace cresset
