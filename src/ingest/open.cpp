#include <sys/stat.h>

#include <fmt/format.h>

#include "core/limits.hpp"
#include "ingest/capture_source.hpp"
#include "ingest/input_buffer.hpp"
#include "ingest/log_source.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {

namespace {
// Decompressed inputs are held in memory; beyond this a user should decompress to a file.
constexpr std::size_t kMaxGunzipBytes = std::size_t{4} * 1024 * 1024 * 1024;
}  // namespace

Result<std::unique_ptr<EventSource>> open_input(const std::string& path, const OpenOptions& options) {
  NETSEEN_TRY_ASSIGN(auto buffer, load_input(path));
  if (is_gzip(buffer->bytes())) {
    NETSEEN_TRY_ASSIGN(auto plain, gunzip(buffer->bytes(), kMaxGunzipBytes));
    buffer = buffer_from_bytes(std::move(plain));
  }
  if (looks_like_capture(buffer->bytes())) {
    return make_capture_source(std::move(buffer), path, options);
  }
  OpenOptions log_options = options;
  if (log_options.mtime_s == 0 && path != "-") {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) log_options.mtime_s = static_cast<std::int64_t>(st.st_mtime);
  }
  return make_log_source(std::move(buffer), path, log_options);
}

}  // namespace netseen::ingest
