#include "ingest/proc_fd.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace netseen::ingest {

namespace {

constexpr std::string_view kLayer = "proc";

template <class T>
std::optional<T> to_number(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  T v{};
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || p != end) return std::nullopt;
  return v;
}

void append_escaped(std::string& out, std::uint8_t c) {
  if (c >= 0x20 && c < 0x7f && c != '\\') {
    out.push_back(static_cast<char>(c));
    return;
  }
  if (c == '\\') {
    out += "\\\\";
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 15]);
}

// Reads at most `max` bytes of a small /proc file.
std::optional<std::vector<std::uint8_t>> read_small_file(int dirfd, const char* name, std::size_t max) {
  const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<std::uint8_t> data(max);
  std::size_t have = 0;
  while (have < max) {
    const ssize_t n = ::read(fd, data.data() + have, max - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  ::close(fd);
  data.resize(have);
  return data;
}

struct DirCloser {
  explicit DirCloser(DIR* dir) noexcept : d(dir) {}
  DIR* d;
  ~DirCloser() {
    if (d != nullptr) ::closedir(d);
  }
  DirCloser(const DirCloser&) = delete;
  DirCloser& operator=(const DirCloser&) = delete;
};

}  // namespace

std::optional<std::uint32_t> parse_socket_link(std::string_view link) noexcept {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() < kPrefix.size() + 2 || link.substr(0, kPrefix.size()) != kPrefix || link.back() != ']') {
    return std::nullopt;
  }
  return to_number<std::uint32_t>(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1));
}

std::optional<std::uint32_t> parse_status_uid(std::string_view status) noexcept {
  std::size_t pos = 0;
  while (pos < status.size()) {
    std::size_t nl = status.find('\n', pos);
    if (nl == std::string_view::npos) nl = status.size();
    std::string_view line = status.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.substr(0, 4) != "Uid:") continue;
    line.remove_prefix(4);
    while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
    std::size_t end = 0;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    return to_number<std::uint32_t>(line.substr(0, end));
  }
  return std::nullopt;
}

std::string format_cmdline(Bytes raw, std::size_t max_bytes) {
  const bool cut = raw.size() > max_bytes;
  if (cut) raw = raw.first(max_bytes);
  // A trailing NUL ends the last argument; drop it (and any run of them).
  while (!raw.empty() && raw.back() == 0) raw = raw.first(raw.size() - 1);
  std::string out;
  out.reserve(raw.size());
  for (std::uint8_t c : raw) {
    if (c == 0) {
      out.push_back(' ');
    } else {
      append_escaped(out, c);
    }
  }
  if (cut) out += "…";
  return out;
}

std::string format_comm(Bytes raw) {
  if (raw.size() > 64) raw = raw.first(64);  // the kernel writes at most 16
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == 0)) raw = raw.first(raw.size() - 1);
  std::string out;
  for (std::uint8_t c : raw) append_escaped(out, c);
  return out;
}

ProcScan scan_socket_inodes(const std::string& proc_root, std::optional<std::uint32_t> only_uid,
                            const std::unordered_set<std::uint32_t>& wanted, const ProcScanLimits& limits) {
  ProcScan scan;
  DirCloser proc{::opendir(proc_root.c_str())};
  if (proc.d == nullptr) return scan;
  const int proc_fd = ::dirfd(proc.d);
  std::size_t wanted_found = 0;
  std::array<char, 64> link{};
  while (dirent* e = ::readdir(proc.d)) {
    const auto pid = to_number<int>(std::string_view(e->d_name));
    if (!pid || *pid <= 0) continue;
    if (scan.processes >= limits.max_processes) {
      scan.capped = true;
      break;
    }
    ++scan.processes;
    if (only_uid) {
      struct stat st {};
      if (::fstatat(proc_fd, e->d_name, &st, 0) != 0 || st.st_uid != *only_uid) continue;
    }
    std::string fd_path = std::string(e->d_name) + "/fd";
    const int fd_dir = ::openat(proc_fd, fd_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_dir < 0) {
      if (errno == EACCES || errno == EPERM) ++scan.denied;
      continue;  // ENOENT: the process has exited meanwhile
    }
    DirCloser fds{::fdopendir(fd_dir)};
    if (fds.d == nullptr) {
      ::close(fd_dir);
      continue;
    }
    std::size_t seen = 0;
    while (dirent* f = ::readdir(fds.d)) {
      if (f->d_name[0] == '.') continue;
      if (++seen > limits.max_fds_per_process) {
        scan.capped = true;
        break;
      }
      ++scan.fds;
      const ssize_t n = ::readlinkat(fd_dir, f->d_name, link.data(), link.size());
      if (n <= 0 || static_cast<std::size_t>(n) >= link.size()) continue;  // longer names are not sockets
      const auto inode = parse_socket_link(std::string_view(link.data(), static_cast<std::size_t>(n)));
      if (!inode) continue;
      auto it = scan.inode_pids.find(*inode);
      if (it == scan.inode_pids.end()) {
        if (scan.inode_pids.size() >= limits.max_socket_inodes) {
          scan.capped = true;
          continue;
        }
        it = scan.inode_pids.emplace(*inode, std::vector<int>{}).first;
        if (wanted.count(*inode) != 0) ++wanted_found;
      }
      if (it->second.size() < 16 && (it->second.empty() || it->second.back() != *pid)) it->second.push_back(*pid);
    }
    if (!wanted.empty() && wanted_found == wanted.size()) {
      // Every wanted socket found; other holders (forked children) may exist further on,
      // but the first holder is the one reported.
      break;
    }
  }
  return scan;
}

Result<ProcessInfo> read_process(const std::string& proc_root, int pid, const ProcScanLimits& limits) {
  const std::string dir = proc_root + "/" + std::to_string(pid);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    const int e = errno;
    return fail(ErrorKind::Io, kLayer, 0, "process " + std::to_string(pid) + " has gone (errno " + std::to_string(e) + ")");
  }
  ProcessInfo info;
  info.pid = pid;
  auto comm = read_small_file(dfd, "comm", 64);
  auto cmdline = read_small_file(dfd, "cmdline", limits.max_cmdline_bytes + 1);
  auto status = read_small_file(dfd, "status", 16 * 1024);
  ::close(dfd);
  if (!status) return fail(ErrorKind::Io, kLayer, 0, "process " + std::to_string(pid) + " has gone");
  const auto uid = parse_status_uid(
      std::string_view(reinterpret_cast<const char*>(status->data()), status->size()));  // NOLINT
  if (!uid) return fail(ErrorKind::Malformed, kLayer, 0, "no Uid line in /proc/" + std::to_string(pid) + "/status");
  info.uid = *uid;
  if (comm) info.command = format_comm(*comm);
  if (cmdline) info.cmdline = format_cmdline(*cmdline, limits.max_cmdline_bytes);
  info.user = user_name(info.uid);
  return info;
}

std::string user_name(std::uint32_t uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(4096);
  for (int tries = 0; tries < 4; ++tries) {
    const int rc = ::getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &found);
    if (rc == ERANGE) {
      buf.resize(buf.size() * 4);
      continue;
    }
    if (rc != 0 || found == nullptr || pw.pw_name == nullptr) return {};
    return pw.pw_name;
  }
  return {};
}

}  // namespace netseen::ingest
