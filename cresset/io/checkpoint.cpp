#include "cresset/io/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <unordered_map>

#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/io/hash.h"

namespace cresset::io {
namespace {

// Fields and tensor bytes are copied as they lie in memory; the format is little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoints assume a little-endian host");

constexpr unsigned char kMagic[8] = {0x89, 'C', 'R', 'E', 'S', 'S', 'E', 'T'};
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kAlign = 64;
constexpr uint64_t kTrailerSize = 8;
constexpr uint64_t kTableEntrySize = 16;
// Deep enough for any real checkpoint, shallow enough for the recursive encoder and decoder.
constexpr int kMaxDepth = 512;
constexpr uint8_t kMaxDims = 64;

uint64_t align_up(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

template <typename T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

// All of a storage's bytes as a 1-D uint8 tensor.
Tensor bytes_of(const std::shared_ptr<Storage>& s) {
  return Tensor(std::make_shared<TensorImpl>(s, DimVector{int64_t(s->nbytes())}, DimVector{1}, 0,
                                             DType::UInt8));
}

// A copy of `bytes` in a new storage on `device`.
Tensor copy_bytes(const Tensor& bytes, Device device) {
  Tensor out = empty_tensor(bytes.sizes(), DType::UInt8, device);
  copy_into(out, bytes);
  return out;
}

// Encodes the tree and collects the distinct storages, numbering them in first-use order.
class Encoder {
 public:
  std::string tree;
  std::vector<const Storage*> storages;

  void encode(const Value& v, int depth) {
    CRESSET_CHECK(depth <= kMaxDepth, ValueError, "[save] objects nested deeper than ", kMaxDepth,
                  " levels (a container that contains itself?)");
    put<uint8_t>(tree, uint8_t(v.kind));
    switch (v.kind) {
      case Value::Kind::None:
      case Value::Kind::False:
      case Value::Kind::True:
        return;
      case Value::Kind::Int:
        put<int64_t>(tree, v.int_value);
        return;
      case Value::Kind::Double:
        put<double>(tree, v.double_value);
        return;
      case Value::Kind::String:
      case Value::Kind::Bytes:
        put<uint64_t>(tree, v.bytes.size());
        tree += v.bytes;
        return;
      case Value::Kind::List:
      case Value::Kind::Tuple:
      case Value::Kind::Dict:
      case Value::Kind::OrderedDict: {
        bool is_dict = v.kind == Value::Kind::Dict || v.kind == Value::Kind::OrderedDict;
        CRESSET_CHECK(!is_dict || v.items.size() % 2 == 0, ValueError,
                      "[save] a dict value needs alternating keys and values");
        put<uint64_t>(tree, is_dict ? v.items.size() / 2 : v.items.size());
        for (size_t i = 0; i < v.items.size(); ++i) {
          const Value& item = v.items[i];
          CRESSET_CHECK(!is_dict || i % 2 || item.kind == Value::Kind::String ||
                            item.kind == Value::Kind::Int,
                        TypeError, "[save] dict keys must be str or int");
          encode(item, depth + 1);
        }
        return;
      }
      case Value::Kind::Tensor:
        encode_tensor(v);
        return;
    }
    throw ValueError("[save] unknown value kind");
  }

 private:
  std::unordered_map<const Storage*, uint64_t> index_;
  std::vector<Tensor> host_copies_;  // of the CUDA storages: their bytes are written from these

  void encode_tensor(const Value& v) {
    const Tensor& t = v.tensor;
    CRESSET_CHECK(t.defined(), ValueError, "[save] undefined tensor");
    CRESSET_CHECK(t.dim() <= kMaxDims, RuntimeError, "[save] tensors have at most ", int(kMaxDims),
                  " dims; got ", t.dim());
    uint8_t flags = v.tensor_flags;
    if (t.device().is_cuda()) {
      CRESSET_CHECK(t.device().index < 16, RuntimeError,
                    "[save] checkpoints record CUDA devices 0 to 15; got ", describe(t));
      flags |= uint8_t(Value::kCuda | (t.device().index << Value::kDeviceShift));
    }
    const std::shared_ptr<Storage>& s = t.impl()->storage();
    auto [it, added] = index_.emplace(s.get(), storages.size());
    if (added) {
      if (t.device().is_cuda()) host_copies_.push_back(copy_bytes(bytes_of(s), Device()));
      storages.push_back(t.device().is_cuda() ? host_copies_.back().impl()->storage().get()
                                              : s.get());
    }
    put<uint8_t>(tree, uint8_t(t.dtype()));
    put<uint8_t>(tree, flags);
    put<uint8_t>(tree, uint8_t(t.dim()));
    for (int64_t d : t.sizes()) put<int64_t>(tree, d);
    for (int64_t d : t.strides()) put<int64_t>(tree, d);
    put<int64_t>(tree, t.storage_offset());
    put<uint64_t>(tree, it->second);
  }
};

// Forwards to a sink while hashing.
class HashingWriter {
 public:
  explicit HashingWriter(Sink& sink) : sink_(sink) {}
  void write(const void* data, size_t n) {
    if (n == 0) return;
    hash_.update(data, n);
    sink_.write(data, n);
    written_ += n;
  }
  void pad_to(uint64_t offset) {
    static const char zeros[kAlign] = {};
    write(zeros, offset - written_);
  }
  uint64_t digest() const { return hash_.digest(); }

 private:
  Sink& sink_;
  Hash64 hash_;
  uint64_t written_ = 0;
};

// Bounds-checked little-endian reads; every failure names the byte offset.
class Reader {
 public:
  Reader(const unsigned char* base, uint64_t pos, uint64_t end)
      : base_(base), pos_(pos), end_(end) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw RuntimeError(
        str_cat("[load] checkpoint truncated or corrupted: ", what, " at byte ", pos_));
  }
  template <typename T>
  T get(const char* what) {
    if (end_ - pos_ < sizeof(T)) fail(str_cat(what, " runs past the end of its section"));
    T v;
    std::memcpy(&v, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return end_ - pos_; }
  const unsigned char* take(uint64_t n) {
    const unsigned char* p = base_ + pos_;
    pos_ += n;
    return p;
  }

 private:
  const unsigned char* base_;
  uint64_t pos_, end_;
};

class Decoder {
 public:
  Decoder(Reader& r, const std::vector<std::shared_ptr<Storage>>& storages)
      : r_(r), storages_(storages) {}

  Value decode(int depth) {
    if (depth > kMaxDepth) r_.fail(str_cat("nesting deeper than ", kMaxDepth, " levels"));
    uint8_t tag = r_.get<uint8_t>("a value tag");
    if (tag > uint8_t(Value::Kind::Tensor)) {
      r_.fail(str_cat("unknown value tag ", int(tag)));
    }
    Value v = Value::of(Value::Kind(tag));
    switch (v.kind) {
      case Value::Kind::None:
      case Value::Kind::False:
      case Value::Kind::True:
        break;
      case Value::Kind::Int:
        v.int_value = r_.get<int64_t>("an int");
        break;
      case Value::Kind::Double:
        v.double_value = r_.get<double>("a float");
        break;
      case Value::Kind::String:
      case Value::Kind::Bytes: {
        uint64_t n = r_.get<uint64_t>("a string length");
        if (n > r_.remaining()) r_.fail(str_cat("a string of ", n, " bytes runs past the end"));
        const unsigned char* p = r_.take(n);
        v.bytes.assign(reinterpret_cast<const char*>(p), n);
        break;
      }
      case Value::Kind::List:
      case Value::Kind::Tuple:
      case Value::Kind::Dict:
      case Value::Kind::OrderedDict: {
        bool is_dict = v.kind == Value::Kind::Dict || v.kind == Value::Kind::OrderedDict;
        uint64_t count = r_.get<uint64_t>("a container length");
        // Every child takes at least one byte: this bounds the reservation by the file size.
        uint64_t per = is_dict ? 2 : 1;
        if (count > r_.remaining() / per) {
          r_.fail(str_cat("a container of ", count, " items cannot fit in the remaining ",
                          r_.remaining(), " bytes"));
        }
        v.items.reserve(count * per);
        for (uint64_t i = 0; i < count * per; ++i) {
          uint64_t at = r_.pos();
          v.items.push_back(decode(depth + 1));
          Value::Kind k = v.items.back().kind;
          if (is_dict && i % 2 == 0 && k != Value::Kind::String && k != Value::Kind::Int) {
            throw RuntimeError(str_cat("[load] checkpoint truncated or corrupted: dict key ",
                                       "of kind ", int(k), " (expected str or int) at byte ", at));
          }
        }
        break;
      }
      case Value::Kind::Tensor:
        decode_tensor(v);
        break;
    }
    return v;
  }

 private:
  Reader& r_;
  const std::vector<std::shared_ptr<Storage>>& storages_;

  void decode_tensor(Value& v) {
    uint64_t at = r_.pos();
    uint8_t code = r_.get<uint8_t>("a tensor dtype");
    if (code >= kNumDTypes) r_.fail(str_cat("unknown dtype code ", int(code)));
    DType dtype = DType(code);
    v.tensor_flags = r_.get<uint8_t>("tensor flags");
    const unsigned known = Value::kRequiresGrad | Value::kParameter | Value::kCuda;
    const bool cuda = v.tensor_flags & Value::kCuda;
    if ((v.tensor_flags & 0x0Fu & ~known) || (!cuda && (v.tensor_flags >> Value::kDeviceShift))) {
      r_.fail(str_cat("unknown tensor flags ", int(v.tensor_flags)));
    }
    if ((v.tensor_flags & Value::kRequiresGrad) && !is_floating(dtype)) {
      r_.fail(str_cat("a ", dtype_name(dtype), " tensor cannot require grad"));
    }
    uint8_t ndim = r_.get<uint8_t>("tensor dims");
    if (ndim > kMaxDims) r_.fail(str_cat("a tensor of ", int(ndim), " dims"));
    DimVector sizes(ndim), strides(ndim);
    for (auto& s : sizes) s = r_.get<int64_t>("tensor sizes");
    for (auto& s : strides) s = r_.get<int64_t>("tensor strides");
    int64_t offset = r_.get<int64_t>("a storage offset");
    uint64_t index = r_.get<uint64_t>("a storage index");
    if (index >= storages_.size()) {
      r_.fail(str_cat("storage index ", index, " of ", storages_.size(), " storages"));
    }
    const auto& storage = storages_[index];
    // The last byte the tensor reads must lie inside its storage; overflow counts as outside.
    int64_t numel = 1, last = offset, isz = itemsize(dtype), end_bytes = 0;
    bool bad = offset < 0;
    for (uint8_t d = 0; d < ndim && !bad; ++d) {
      int64_t step;
      bad = sizes[d] < 0 || strides[d] < 0 || __builtin_mul_overflow(numel, sizes[d], &numel);
      if (!bad && sizes[d] > 0) {
        bad = __builtin_mul_overflow(sizes[d] - 1, strides[d], &step) ||
              __builtin_add_overflow(last, step, &last);
      }
    }
    if (!bad) {
      int64_t elems = numel == 0 ? offset : last + 1;
      bad =
          __builtin_mul_overflow(elems, isz, &end_bytes) || uint64_t(end_bytes) > storage->nbytes();
    }
    if (bad) {
      throw RuntimeError(str_cat("[load] checkpoint truncated or corrupted: tensor with sizes ",
                                 shape_str(sizes), ", strides ", shape_str(strides), " and offset ",
                                 offset, " does not fit its storage of ", storage->nbytes(),
                                 " bytes at byte ", at));
    }
    v.tensor = Tensor(
        std::make_shared<TensorImpl>(storage, std::move(sizes), std::move(strides), offset, dtype));
    v.tensor.impl()->set_requires_grad(v.tensor_flags & Value::kRequiresGrad);
  }
};

// Puts each loaded storage where it was saved from, or where `restore` sends it, once per storage
// so that views keep sharing it, and rebuilds the tensors over it.
class Placer {
 public:
  explicit Placer(const StorageRestore& restore) : restore_(restore) {}

  void place(Value& v) {
    if (v.kind == Value::Kind::Tensor) return place_tensor(v);
    for (Value& item : v.items) place(item);
  }

 private:
  const StorageRestore& restore_;
  std::unordered_map<const Storage*, std::shared_ptr<Storage>> placed_;

  void place_tensor(Value& v) {
    const Device saved = v.tensor_flags & Value::kCuda
                             ? Device(DeviceType::CUDA, v.tensor_flags >> Value::kDeviceShift)
                             : Device();
    if (!restore_ && saved.is_cpu()) return;
    const Tensor t = v.tensor;
    const std::shared_ptr<Storage>& s = t.impl()->storage();
    auto [it, added] = placed_.emplace(s.get(), nullptr);
    if (added) it->second = restored(s, saved);
    if (it->second == s) return;
    v.tensor = Tensor(std::make_shared<TensorImpl>(it->second, t.sizes(), t.strides(),
                                                   t.storage_offset(), t.dtype()));
    v.tensor.impl()->set_requires_grad(t.requires_grad());
  }

  std::shared_ptr<Storage> restored(const std::shared_ptr<Storage>& s, Device saved) {
    const Tensor bytes = bytes_of(s);
    const Tensor out = restore_ ? restore_(bytes, saved) : copy_bytes(bytes, saved);
    CRESSET_CHECK(out.defined() && out.dtype() == DType::UInt8 && out.dim() == 1 &&
                      out.is_contiguous() && out.storage_offset() == 0 &&
                      out.numel() >= bytes.numel(),
                  RuntimeError, "[load] a storage must be restored as the ", bytes.numel(),
                  " bytes it holds (a 1-D uint8 tensor); got ",
                  out.defined() ? describe(out) : std::string("an undefined tensor"));
    return out.impl()->storage();
  }
};

template <typename T>
T field(const unsigned char* base, size_t at) {
  T v;
  std::memcpy(&v, base + at, sizeof(T));
  return v;
}

void release_file(void* ctx) { delete static_cast<std::shared_ptr<Storage>*>(ctx); }

}  // namespace

void FdSink::write(const void* data, size_t n) {
  auto* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t k = ::write(fd_, p, n);
    if (k < 0 && errno == EINTR) continue;
    CRESSET_CHECK(k > 0, RuntimeError, "[save] write failed: ", std::strerror(errno));
    p += k;
    n -= size_t(k);
  }
}

bool is_checkpoint(const void* data, size_t n) {
  return n >= sizeof(kMagic) && std::memcmp(data, kMagic, sizeof(kMagic)) == 0;
}

void save_checkpoint(const Value& root, Sink& sink) {
  Encoder enc;
  enc.encode(root, 0);
  uint64_t count = enc.storages.size();
  uint64_t structure_size = count * kTableEntrySize + enc.tree.size();
  uint64_t data_offset = align_up(kHeaderSize + structure_size);
  std::vector<uint64_t> offsets(count);
  uint64_t end = data_offset;
  for (uint64_t i = 0; i < count; ++i) {
    offsets[i] = align_up(end);
    end = offsets[i] + enc.storages[i]->nbytes();
  }
  uint64_t file_size = end + kTrailerSize;

  std::string head;
  head.reserve(kHeaderSize + structure_size);
  head.append(reinterpret_cast<const char*>(kMagic), sizeof(kMagic));
  put<uint32_t>(head, kCheckpointVersion);
  put<uint32_t>(head, uint32_t(kHeaderSize));
  put<uint64_t>(head, file_size);
  put<uint64_t>(head, kHeaderSize);
  put<uint64_t>(head, structure_size);
  put<uint64_t>(head, data_offset);
  put<uint64_t>(head, count);
  put<uint64_t>(head, 0);
  for (uint64_t i = 0; i < count; ++i) {
    put<uint64_t>(head, offsets[i]);
    put<uint64_t>(head, enc.storages[i]->nbytes());
  }
  head += enc.tree;

  HashingWriter w(sink);
  w.write(head.data(), head.size());
  for (uint64_t i = 0; i < count; ++i) {
    w.pad_to(offsets[i]);
    w.write(enc.storages[i]->data(), enc.storages[i]->nbytes());
  }
  w.pad_to(data_offset > end ? data_offset : end);
  uint64_t digest = w.digest();
  sink.write(&digest, sizeof(digest));
}

void save_checkpoint(const Value& root, const std::string& path) {
  // Note [Atomic save]: the bytes go to a new file next to `path`, which is synced and renamed
  // over it, so a crash or error midway leaves the previous checkpoint intact.
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::random_device entropy;
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    char suffix[17];
    std::snprintf(suffix, sizeof(suffix), "%08x%08x", entropy(), entropy());
    tmp = (slash == std::string::npos ? "" : dir) + "." + base + "." + suffix + ".tmp";
    // O_EXCL never clobbers another file; 0666 lets the umask apply as for a plain open().
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  CRESSET_CHECK(fd >= 0, RuntimeError, "[save] cannot create a file next to '", path,
                "': ", std::strerror(errno));
  try {
    FdSink sink(fd);
    save_checkpoint(root, sink);
    CRESSET_CHECK(::fsync(fd) == 0, RuntimeError, "[save] cannot sync '", tmp,
                  "': ", std::strerror(errno));
    int rc = ::close(fd);
    fd = -1;
    CRESSET_CHECK(rc == 0, RuntimeError, "[save] cannot close '", tmp, "': ", std::strerror(errno));
    CRESSET_CHECK(::rename(tmp.c_str(), path.c_str()) == 0, RuntimeError, "[save] cannot replace '",
                  path, "': ", std::strerror(errno));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  // Make the rename itself durable; a filesystem that cannot sync a directory is not an error.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

Value load_checkpoint(std::shared_ptr<Storage> file, const StorageRestore& restore) {
  auto* base = static_cast<const unsigned char*>(file->data());
  uint64_t n = file->nbytes();
  uint64_t minimum = kHeaderSize + kTrailerSize;
  CRESSET_CHECK(n >= sizeof(kMagic) && is_checkpoint(base, n), RuntimeError,
                "[load] not a cresset checkpoint (bad magic bytes)");
  CRESSET_CHECK(n >= minimum, RuntimeError, "[load] checkpoint truncated or corrupted: ", n,
                " bytes is less than the ", minimum, "-byte minimum at byte ", n);
  uint32_t version = field<uint32_t>(base, 8);
  CRESSET_CHECK(version == kCheckpointVersion, RuntimeError,
                "[load] unsupported checkpoint format version ", version, " (this build reads ",
                "version ", kCheckpointVersion, ") at byte 8");
  CRESSET_CHECK(field<uint32_t>(base, 12) == kHeaderSize, RuntimeError,
                "[load] checkpoint truncated or corrupted: bad header size at byte 12");
  uint64_t file_size = field<uint64_t>(base, 16);
  CRESSET_CHECK(file_size == n, RuntimeError,
                "[load] checkpoint truncated or corrupted: the header ", "says ", file_size,
                " bytes but there are ", n, " at byte ", std::min(n, file_size));
  CRESSET_CHECK(
      hash64(base, n - kTrailerSize) == field<uint64_t>(base, n - kTrailerSize), RuntimeError,
      "[load] checkpoint truncated or corrupted: checksum mismatch at byte ", n - kTrailerSize);

  uint64_t structure_offset = field<uint64_t>(base, 24);
  uint64_t structure_size = field<uint64_t>(base, 32);
  uint64_t data_offset = field<uint64_t>(base, 40);
  uint64_t count = field<uint64_t>(base, 48);
  uint64_t data_end = n - kTrailerSize;
  CRESSET_CHECK(structure_offset == kHeaderSize && structure_size <= data_end - kHeaderSize &&
                    data_offset % kAlign == 0 && data_offset >= kHeaderSize + structure_size &&
                    data_offset <= data_end && count <= structure_size / kTableEntrySize,
                RuntimeError, "[load] checkpoint truncated or corrupted: inconsistent section ",
                "sizes in the header at byte 24");

  Reader r(base, kHeaderSize, kHeaderSize + structure_size);
  std::vector<std::shared_ptr<Storage>> storages(count);
  uint64_t prev_end = data_offset;
  for (auto& s : storages) {
    uint64_t at = r.pos();
    uint64_t off = r.get<uint64_t>("a storage offset");
    uint64_t nbytes = r.get<uint64_t>("a storage size");
    CRESSET_CHECK(
        off % kAlign == 0 && off >= prev_end && off <= data_end && nbytes <= data_end - off,
        RuntimeError, "[load] checkpoint truncated or corrupted: storage of ", nbytes,
        " bytes at file offset ", off, " lies outside the data section (or overlaps ",
        "the previous one) at byte ", at);
    prev_end = off + nbytes;
    auto* ctx = new std::shared_ptr<Storage>(file);
    s = Storage::borrow(const_cast<unsigned char*>(base) + off, nbytes, Device(), &release_file,
                        ctx);
  }
  Decoder dec(r, storages);
  Value root = dec.decode(0);
  if (r.remaining() != 0) r.fail(str_cat(r.remaining(), " unexpected bytes after the value tree"));
  Placer(restore).place(root);
  return root;
}

Value load_checkpoint(const std::string& path, const StorageRestore& restore) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  CRESSET_CHECK(fd >= 0, RuntimeError, "[load] cannot open '", path, "': ", std::strerror(errno));
  struct stat st;
  std::shared_ptr<Storage> file;
  try {
    CRESSET_CHECK(::fstat(fd, &st) == 0 && S_ISREG(st.st_mode), RuntimeError, "[load] '", path,
                  "' is not a regular file");
    size_t n = size_t(st.st_size);
    file = Storage::allocate(n, Device());
    auto* p = static_cast<char*>(file->data());
    size_t got = 0;
    while (got < n) {
      ssize_t k = ::read(fd, p + got, n - got);
      if (k < 0 && errno == EINTR) continue;
      CRESSET_CHECK(k >= 0, RuntimeError, "[load] read of '", path,
                    "' failed: ", std::strerror(errno));
      CRESSET_CHECK(k > 0, RuntimeError, "[load] '", path, "' shrank while being read");
      got += size_t(k);
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return load_checkpoint(std::move(file), restore);
}

Value load_checkpoint(const void* data, size_t n, const StorageRestore& restore) {
  auto file = Storage::allocate(n, Device());
  if (n) std::memcpy(file->data(), data, n);
  return load_checkpoint(std::move(file), restore);
}

}  // namespace cresset::io
