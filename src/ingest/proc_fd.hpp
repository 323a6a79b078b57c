// Which processes hold which sockets: /proc/<pid>/fd symlinks read "socket:[INODE]".
//
// The text parsers are pure functions (tested directly); the scanner reads /proc with caps on
// the number of processes and descriptors it looks at, and counts what it could not read
// (another user's /proc/<pid>/fd needs ptrace access: root, CAP_SYS_PTRACE, or the same uid).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace netseen::ingest {

// "socket:[12345]" → 12345; anything else (files, pipes, "anon_inode:…") → nullopt.
std::optional<std::uint32_t> parse_socket_link(std::string_view link) noexcept;
// The real uid from /proc/<pid>/status ("Uid:\t1000\t1000\t1000\t1000").
std::optional<std::uint32_t> parse_status_uid(std::string_view status) noexcept;
// /proc/<pid>/cmdline: NUL-separated arguments → one line, arguments separated by spaces,
// non-printable bytes as \xNN, at most `max_bytes` input bytes (then "…" is appended).
std::string format_cmdline(Bytes raw, std::size_t max_bytes);
// /proc/<pid>/comm without its newline, non-printable bytes escaped.
std::string format_comm(Bytes raw);

struct ProcessInfo {
  int pid = 0;
  std::uint32_t uid = 0;
  std::string user;     // from the password database; empty when the uid has no entry
  std::string command;  // comm: the kernel's 15-byte name
  std::string cmdline;  // arguments; empty for kernel threads and zombies
};

struct ProcScanLimits {
  std::size_t max_processes = 65536;
  std::size_t max_fds_per_process = 65536;
  std::size_t max_socket_inodes = 262144;  // entries kept from one scan
  std::size_t max_cmdline_bytes = 4096;
};

struct ProcScan {
  std::unordered_map<std::uint32_t, std::vector<int>> inode_pids;  // socket inode → pids holding it
  std::size_t processes = 0;   // /proc/<pid> entries looked at
  std::size_t fds = 0;         // descriptors looked at
  std::size_t denied = 0;      // processes whose fd directory could not be read (EACCES/EPERM)
  bool capped = false;         // a limit stopped the scan early
};

// Scans /proc (or `proc_root`). When `only_uid` is set, looks only at processes owned by that
// uid (the owner of /proc/<pid>). When `wanted` is non-empty, stops as soon as every wanted
// inode has been found.
ProcScan scan_socket_inodes(const std::string& proc_root, std::optional<std::uint32_t> only_uid,
                            const std::unordered_set<std::uint32_t>& wanted, const ProcScanLimits& limits);

// comm, cmdline, real uid and user name of one process.
Result<ProcessInfo> read_process(const std::string& proc_root, int pid, const ProcScanLimits& limits);

// The user name for a uid (getpwuid_r), empty when unknown.
std::string user_name(std::uint32_t uid);

}  // namespace netseen::ingest
