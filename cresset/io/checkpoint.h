#pragma once
// cresset's safe checkpoint format: save/load a value tree (see value.h) without executing code.
//
// Note [Checkpoint format]
// All integers are little-endian.
//   [0, 64)      header: magic "\x89CRESSET", u32 format version (1), u32 header size (64),
//                u64 file size, u64 structure offset (64), u64 structure size, u64 data offset,
//                u64 storage count, u64 reserved (0)
//   structure    the storage table (count x {u64 file offset, u64 nbytes}), then the value tree:
//                one tag byte per node (Value::Kind) followed by its payload: i64 / f64 for
//                numbers, u64 length + bytes for str/bytes, u64 count + children for containers
//                (dicts: key, value, key, value ...; keys are str or int), and for a tensor:
//                u8 dtype, u8 flags, u8 ndim, ndim x i64 sizes, ndim x i64 strides,
//                i64 storage offset, u64 storage index (flags: 1 requires grad, 2 parameter,
//                4 saved from CUDA device <flags >> 4>)
//   data         each storage's bytes once, at a 64-byte-aligned offset, so views that shared a
//                storage share it again after loading and the file maps onto one aligned read
//   last 8 bytes XXH64 of every byte before it
// Loading checks the size and checksum first and then every field against the bytes it points
// into, so hostile or damaged files fail with a RuntimeError naming the byte offset.
// A CUDA tensor's storage is written from a host copy; loading puts each storage back where it
// was saved from, or where a StorageRestore sends it (torch.load's map_location), once per storage
// so that views keep sharing it.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "cresset/core/storage.h"
#include "cresset/io/value.h"

namespace cresset::io {

/// Where a checkpoint's bytes go.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const void* data, size_t n) = 0;
};

/// Writes to an open file descriptor (which the caller owns and syncs).
class FdSink : public Sink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  void write(const void* data, size_t n) override;

 private:
  int fd_;
};

/// Appends to a string.
class StringSink : public Sink {
 public:
  void write(const void* data, size_t n) override { out.append(static_cast<const char*>(data), n); }
  std::string out;
};

/// The current format version written by save_checkpoint.
constexpr uint32_t kCheckpointVersion = 1;

/// Serializes `root` into `sink`; each storage is written once (a CUDA one through a host copy).
void save_checkpoint(const Value& root, Sink& sink);
/// Serializes `root` into the file at `path`, atomically (see Note [Atomic save]).
void save_checkpoint(const Value& root, const std::string& path);

/// Places one loaded storage: given its bytes (a 1-D uint8 CPU tensor) and the device it was saved
/// from, returns the uint8 tensor whose storage the tensors over it use (the bytes themselves, or
/// a copy on another device). Without one, each storage goes back to the device it came from.
using StorageRestore = std::function<Tensor(const Tensor& bytes, Device saved)>;

/// Parses a checkpoint held in `file` (all of its bytes). The loaded CPU tensors borrow `file`'s
/// memory, which stays alive as long as any of them does.
Value load_checkpoint(std::shared_ptr<Storage> file, const StorageRestore& restore = {});
/// Reads the file at `path` in one read and parses it.
Value load_checkpoint(const std::string& path, const StorageRestore& restore = {});
/// Copies `n` bytes and parses them.
Value load_checkpoint(const void* data, size_t n, const StorageRestore& restore = {});

/// True when `data` (at least 8 bytes) starts with the checkpoint magic.
bool is_checkpoint(const void* data, size_t n);

}  // namespace cresset::io
