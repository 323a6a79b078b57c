#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "core/limits.hpp"
#include "ingest/byte_window.hpp"
#include "ingest/capture_source.hpp"
#include "ingest/input_buffer.hpp"
#include "ingest/log_source.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {

namespace {
// Decompressed inputs are held in memory; beyond this a user should decompress to a file.
constexpr std::size_t kMaxGunzipBytes = std::size_t{4} * 1024 * 1024 * 1024;
}  // namespace

// Bytes read from a stream before deciding what it is (magic numbers need 4).
constexpr std::size_t kStreamHead = 4096;

namespace {
// A log's year-less syslog stamps are placed with the file's modification time.
OpenOptions with_mtime(const OpenOptions& options, const std::string& path) {
  OpenOptions o = options;
  if (o.mtime_s == 0 && path != "-") {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) o.mtime_s = static_cast<std::int64_t>(st.st_mtime);
  }
  return o;
}
}  // namespace

Result<std::unique_ptr<EventSource>> open_input(const std::string& path, const OpenOptions& options) {
  if (options.input_index >= limits::kMaxInputs) {
    return fail(ErrorKind::LimitExceeded, "input", 0,
                fmt::format("more than {} inputs in one run; analyse them in several runs", limits::kMaxInputs));
  }
  NETSEEN_TRY_ASSIGN(const int fd, open_stream(path));
  std::shared_ptr<const InputBuffer> buffer;
  if (fd >= 0) {
    // A stream: logs are parsed as they arrive (memory bounded whatever their length);
    // captures and gzip are read into memory first.
    const bool owns = fd != STDIN_FILENO;
    auto head = read_fd(fd, kStreamHead, path == "-" ? std::string("stdin") : path);
    if (!head) {
      if (owns) ::close(fd);
      return head.error();
    }
    if (!head->empty() && !is_gzip(*head) && !looks_like_capture(*head)) {
      return make_stream_log_source(fd, owns, std::move(*head), path, options);
    }
    auto rest = read_fd(fd, 0, path == "-" ? std::string("stdin") : path);
    if (owns) ::close(fd);
    if (!rest) return rest.error();
    head->insert(head->end(), rest->begin(), rest->end());
    buffer = buffer_from_bytes(std::move(*head));
  } else {
    // A regular file is read, not mapped (byte_window.hpp says why): a capture through a
    // window of pieces, a log as a stream of lines. Only gzip is inflated into memory.
    NETSEEN_TRY_ASSIGN(auto file, FileHandle::open(path));
    if (file->size() > 0) {
      ByteWindow window(file, kStreamHead);
      const Bytes head = window.at(0, kStreamHead);
      if (!head.empty() && !is_gzip(head)) {
        if (looks_like_capture(head)) return make_capture_source(std::move(file), path, options, options.decode);
        const int log_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (log_fd < 0) return fail(ErrorKind::Io, "input", 0, std::strerror(errno));
        return make_stream_log_source(log_fd, true, {}, path, with_mtime(options, path), file->size());
      }
    }
    NETSEEN_TRY_ASSIGN(buffer, load_input(path));
  }
  if (is_gzip(buffer->bytes())) {
    NETSEEN_TRY_ASSIGN(auto plain, gunzip(buffer->bytes(), kMaxGunzipBytes));
    buffer = buffer_from_bytes(std::move(plain));
  }
  if (looks_like_capture(buffer->bytes())) {
    return make_capture_source(std::move(buffer), path, options, options.decode);
  }
  return make_log_source(std::move(buffer), path, with_mtime(options, path));
}

}  // namespace netseen::ingest
