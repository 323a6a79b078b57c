#include "ingest/input_buffer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace netseen::ingest {

namespace {

class OwnedBuffer final : public InputBuffer {
 public:
  explicit OwnedBuffer(std::vector<std::uint8_t> data) : data_(std::move(data)) {}
  [[nodiscard]] Bytes bytes() const noexcept override { return Bytes(data_.data(), data_.size()); }

 private:
  std::vector<std::uint8_t> data_;
};

class MappedBuffer final : public InputBuffer {
 public:
  MappedBuffer(void* addr, std::size_t len) : addr_(addr), len_(len) {}
  ~MappedBuffer() override {
    if (addr_ != nullptr && len_ != 0) munmap(addr_, len_);
  }
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;
  [[nodiscard]] Bytes bytes() const noexcept override {
    return Bytes(static_cast<const std::uint8_t*>(addr_), len_);
  }

 private:
  void* addr_;
  std::size_t len_;
};

Result<std::vector<std::uint8_t>> read_all_fd(int fd, const std::string& what) {
  std::vector<std::uint8_t> out;
  std::uint8_t chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorKind::Io, "input", out.size(), fmt::format("{}: {}", what, std::strerror(errno)));
    }
    out.insert(out.end(), chunk, chunk + n);
  }
  return out;
}

}  // namespace

Result<int> open_stream(const std::string& path) {
  if (path == "-") return STDIN_FILENO;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail(ErrorKind::Io, "input", 0, std::strerror(errno));
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return -1;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::Io, "input", 0, std::strerror(errno));
  return fd;
}

Result<std::vector<std::uint8_t>> read_fd(int fd, std::size_t max, const std::string& what) {
  if (max == 0) return read_all_fd(fd, what);
  std::vector<std::uint8_t> out;
  std::uint8_t chunk[4096];
  while (out.size() < max) {
    const std::size_t want = std::min(sizeof chunk, max - out.size());
    const ssize_t n = ::read(fd, chunk, want);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorKind::Io, "input", out.size(), fmt::format("{}: {}", what, std::strerror(errno)));
    }
    out.insert(out.end(), chunk, chunk + n);
  }
  return out;
}

std::shared_ptr<const InputBuffer> buffer_from_bytes(std::vector<std::uint8_t> bytes) {
  return std::make_shared<OwnedBuffer>(std::move(bytes));
}

Result<int> open_file(const std::string& path, struct stat& st) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::Io, "input", 0, std::strerror(errno));
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return fail(ErrorKind::Io, "input", 0, std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail(ErrorKind::Io, "input", 0, "is a directory");
  }
  return fd;
}

Result<std::shared_ptr<const InputBuffer>> load_input(const std::string& path) {
  if (path == "-") {
    NETSEEN_TRY_ASSIGN(auto data, read_all_fd(STDIN_FILENO, "stdin"));
    return std::shared_ptr<const InputBuffer>(buffer_from_bytes(std::move(data)));
  }
  struct stat st {};
  NETSEEN_TRY_ASSIGN(const int fd, open_file(path, st));
  if (!S_ISREG(st.st_mode) || st.st_size == 0) {
    // Pipes, character devices, empty files: read what there is.
    auto data = read_all_fd(fd, path);
    ::close(fd);
    if (!data) return data.error();
    return std::shared_ptr<const InputBuffer>(buffer_from_bytes(std::move(*data)));
  }
  const auto len = static_cast<std::size_t>(st.st_size);
  void* addr = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return fail(ErrorKind::Io, "input", 0, std::strerror(errno));
  ::madvise(addr, len, MADV_SEQUENTIAL);
  return std::shared_ptr<const InputBuffer>(std::make_shared<MappedBuffer>(addr, len));
}

bool is_gzip(Bytes b) noexcept { return b.size() >= 2 && b[0] == 0x1F && b[1] == 0x8B; }

Result<std::vector<std::uint8_t>> gunzip(Bytes compressed, std::size_t max_out) {
  std::vector<std::uint8_t> out;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return fail(ErrorKind::Io, "gzip", 0, "zlib initialisation failed");
  zs.next_in = const_cast<Bytef*>(compressed.data());  // zlib's API is not const-correct
  zs.avail_in = static_cast<uInt>(compressed.size() > UINT32_MAX ? UINT32_MAX : compressed.size());
  std::uint8_t chunk[65536];
  int rc = Z_OK;
  for (;;) {
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > max_out) {
      inflateEnd(&zs);
      return fail(ErrorKind::LimitExceeded, "gzip", zs.total_in, "decompressed size exceeds the limit");
    }
    out.insert(out.end(), chunk, chunk + produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (concatenated .gz files are valid).
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      inflateEnd(&zs);
      return fail(ErrorKind::Truncated, "gzip", zs.total_in, "compressed stream ends early");
    }
    if (rc != Z_OK) {
      const std::string msg = zs.msg != nullptr ? zs.msg : "corrupt data";
      inflateEnd(&zs);
      return fail(ErrorKind::Malformed, "gzip", zs.total_in, msg);
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace netseen::ingest
