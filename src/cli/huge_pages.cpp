#include "cli/huge_pages.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>

#ifdef __GLIBC__
#include <gnu/libc-version.h>
#include <sys/auxv.h>
#endif

namespace netseen::cli {

namespace {

// Under AddressSanitizer malloc is the sanitizer's, and the glibc setting means nothing.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitizedHeap = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitizedHeap = true;
#else
constexpr bool kSanitizedHeap = false;
#endif
#else
constexpr bool kSanitizedHeap = false;
#endif

constexpr const char* kMarker = "NETSEEN_REEXECUTED";
constexpr const char* kTunable = "glibc.malloc.hugetlb";

bool switched_off() {
  const char* v = std::getenv("NETSEEN_HUGE_PAGES");
  if (v == nullptr) return false;
  const std::string_view s(v);
  return s == "0" || s == "off" || s == "no" || s == "false";
}

std::uint64_t min_bytes() {
  const char* v = std::getenv("NETSEEN_HUGE_PAGES_MIN_MB");
  if (v == nullptr || *v == '\0') return kHugePagesMinBytes;
  char* end = nullptr;
  const unsigned long long mb = std::strtoull(v, &end, 10);
  if (end == v || *end != '\0' || mb > (std::uint64_t{1} << 40)) return kHugePagesMinBytes;
  return static_cast<std::uint64_t>(mb) << 20;
}

#ifdef __GLIBC__
// glibc.malloc.hugetlb exists from 2.35 on; older versions ignore it (no harm, no gain).
bool glibc_knows_hugetlb() {
  const std::string_view v(gnu_get_libc_version());
  const auto dot = v.find('.');
  if (dot == std::string_view::npos) return false;
  const int major = std::atoi(std::string(v.substr(0, dot)).c_str());
  const int minor = std::atoi(std::string(v.substr(dot + 1)).c_str());
  return major > 2 || (major == 2 && minor >= 35);
}
#endif

}  // namespace

std::string thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(in, line)) return {};
  const auto open = line.find('[');
  const auto close = line.find(']', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return {};
  return line.substr(open + 1, close - open - 1);
}

std::uint64_t analysis_input_bytes(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "analyze") return 0;
  std::uint64_t total = 0;
  for (int i = 2; i < argc; ++i) {
    struct stat st {};
    if (::stat(argv[i], &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      total += static_cast<std::uint64_t>(st.st_size);
    }
  }
  return total;
}

void maybe_reexec_with_huge_pages(int argc, char** argv) {
#ifdef __GLIBC__
  if (const char* marker = std::getenv(kMarker); marker != nullptr) {
    // The restarted process: glibc has read the setting; the environment goes back to what
    // the user gave, so that the commands netseen starts (hooks, pagers) do not inherit it.
    const std::string_view m(marker);
    if (m.starts_with("set:")) ::setenv("GLIBC_TUNABLES", std::string(m.substr(4)).c_str(), 1);
    else ::unsetenv("GLIBC_TUNABLES");
    ::unsetenv(kMarker);
    return;
  }
  if (kSanitizedHeap || switched_off()) return;
  if (getauxval(AT_SECURE) != 0) return;  // set-id or file capabilities: the loader drops GLIBC_TUNABLES
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, kTunable) != nullptr) return;
  if (!glibc_knows_hugetlb()) return;
  if (analysis_input_bytes(argc, argv) < min_bytes()) return;
  if (thp_mode() != "madvise") return;
  // The program's own file by name (exec'ing /proc/self/exe would make its name "exe" in
  // ps, top and /proc/PID/comm); nothing to restart when it is gone or was replaced.
  std::array<char, 4096> self{};
  const ssize_t len = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (len <= 0 || static_cast<std::size_t>(len) >= self.size() - 1) return;
  if (std::string_view(self.data(), static_cast<std::size_t>(len)).ends_with(" (deleted)")) return;
  const std::string saved = tunables != nullptr ? tunables : "";
  const std::string value = (saved.empty() ? std::string() : saved + ":") + kTunable + "=1";
  const std::string marker = tunables != nullptr ? "set:" + saved : "unset";
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0 || ::setenv(kMarker, marker.c_str(), 1) != 0) return;
  ::execv(self.data(), argv);
  // Could not: carry on in this process as it was.
  if (tunables != nullptr) ::setenv("GLIBC_TUNABLES", saved.c_str(), 1);
  else ::unsetenv("GLIBC_TUNABLES");
  ::unsetenv(kMarker);
#else
  (void)argc;
  (void)argv;
#endif
}

}  // namespace netseen::cli
