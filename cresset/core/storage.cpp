#include "cresset/core/storage.h"

#include "cresset/backend/cuda/api.h"
#include "cresset/core/allocator.h"

namespace cresset {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  if (device.is_cpu() && nbytes <= kInlineBytes) {
    auto s = std::make_shared<Storage>(nullptr, nbytes, device, nullptr, nullptr, false);
    s->data_ = s->inline_;
    return s;
  }
  void* p = device.is_cuda() ? cuda::allocate(nbytes, device) : cpu_allocator()->allocate(nbytes);
  return std::make_shared<Storage>(p, nbytes, device, nullptr, nullptr, true);
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t nbytes, Device device,
                                         Deleter deleter, void* ctx) {
  return std::make_shared<Storage>(data, nbytes, device, deleter, ctx, false);
}

Storage::~Storage() {
  if (owned_) {
    allocator_for(device_)->deallocate(data_, nbytes_);
  } else if (deleter_) {
    deleter_(ctx_);
  }
}

}  // namespace cresset
