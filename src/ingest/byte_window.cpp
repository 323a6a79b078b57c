#include "ingest/byte_window.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ingest/input_buffer.hpp"

namespace netseen::ingest {

Result<std::shared_ptr<const FileHandle>> FileHandle::open(const std::string& path) {
  struct stat st {};
  NETSEEN_TRY_ASSIGN(const int fd, open_file(path, st));
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorKind::Io, "input", 0, "not a regular file");
  }
  // Read front to back: a larger kernel read-ahead.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::shared_ptr<const FileHandle>(std::make_shared<FileHandle>(fd, static_cast<std::size_t>(st.st_size)));
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

ByteWindow::ByteWindow(std::shared_ptr<const FileHandle> file, std::size_t piece)
    : size_(file->size()), file_(std::move(file)), buf_(piece == 0 ? kDefaultPiece : piece) {
  data_ = buf_.data();
}

Bytes ByteWindow::slide(std::size_t pos, std::size_t n) {
  if (pos >= size_) return Bytes{};
  if (n > size_ - pos) n = size_ - pos;
  if (!file_) return Bytes(data_ + pos, n);  // in memory: only the end of the input clips
  // Keep what the window already holds from pos on, then read behind it. The buffer grows
  // only to what one request needs, and n never exceeds the bytes the file really has.
  std::size_t keep = 0;
  if (pos >= start_ && pos - start_ < len_) {
    keep = len_ - (pos - start_);
    std::memmove(buf_.data(), buf_.data() + (pos - start_), keep);
  }
  if (n > buf_.size()) buf_.resize(n);
  data_ = buf_.data();
  start_ = pos;
  len_ = keep;
  const std::size_t want = std::min(buf_.size(), size_ - pos);
  len_ += read_at(buf_.data() + len_, want - len_, start_ + len_);
  if (len_ < want) size_ = start_ + len_;  // what can be read is all there is
  return Bytes(data_, std::min(n, len_));
}

Bytes ByteWindow::probe(std::size_t pos, std::size_t n) {
  if (pos >= size_) return Bytes{};
  if (n > size_ - pos) n = size_ - pos;
  if (pos < probe_start_ || pos + n > probe_start_ + probe_len_) {
    // A block from the half-block boundary at or before pos: n <= kProbeBytes always fits.
    probe_.resize(kProbeBlock);
    probe_start_ = pos - pos % (kProbeBlock / 2);
    probe_len_ = read_at(probe_.data(), std::min(kProbeBlock, size_ - probe_start_), probe_start_);
    if (pos + n > probe_start_ + probe_len_) {
      return pos >= probe_start_ + probe_len_ ? Bytes{}
                                              : Bytes(probe_.data() + (pos - probe_start_), probe_start_ + probe_len_ - pos);
    }
  }
  return Bytes(probe_.data() + (pos - probe_start_), n);
}

std::size_t ByteWindow::read_at(std::uint8_t* into, std::size_t want, std::size_t pos) {
  std::size_t got_all = 0;
  while (got_all < want) {
    const ssize_t got = ::pread(file_->fd(), into + got_all, want - got_all, static_cast<off_t>(pos + got_all));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (error_.empty()) {
        error_ = got < 0 ? fmt::format("read error at offset {}: {}", pos + got_all, std::strerror(errno))
                         : fmt::format("the file ends at offset {}, before the {} bytes it had when opened",
                                       pos + got_all, size_);
      }
      break;
    }
    got_all += static_cast<std::size_t>(got);
    read_ += static_cast<std::uint64_t>(got);
  }
  return got_all;
}

}  // namespace netseen::ingest
