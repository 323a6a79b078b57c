#include "knowledge/geoip.hpp"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

namespace netseen::knowledge {

namespace {

constexpr std::string_view kLayer = "geoip";
constexpr std::size_t kMaxNameBytes = 64;

// Well-formed UTF-8 without control characters (C0, DEL, C1): safe to print and to put in JSON.
bool printable_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return false;
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1FU;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0FU;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3FU);
    }
    const std::uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F)) return false;
    i += n + 1;
  }
  return true;
}

// Reads a UTF-8 string at `path` below `entry`. nullopt when the key is absent or not a
// string; an Error for a corrupt data section.
Result<std::optional<std::string>> get_string(MMDB_entry_s entry, const char* const* path, const std::string& file) {
  MMDB_entry_data_s data{};
  const int rc = MMDB_aget_value(&entry, &data, path);
  if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return std::optional<std::string>{};
  if (rc != MMDB_SUCCESS) {
    return fail(ErrorKind::Malformed, kLayer, 0, file + ": corrupt MaxMind DB data section: " + MMDB_strerror(rc));
  }
  if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return std::optional<std::string>{};
  return std::optional<std::string>{std::string(data.utf8_string, data.data_size)};
}

}  // namespace

struct GeoIp::Impl {
  std::string path;
  MMDB_s db{};
  bool opened = false;
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (opened) MMDB_close(&db);
  }
};

GeoIp::GeoIp(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
GeoIp::GeoIp(GeoIp&&) noexcept = default;
GeoIp& GeoIp::operator=(GeoIp&&) noexcept = default;
GeoIp::~GeoIp() = default;

Result<GeoIp> GeoIp::open(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    const auto why = ec ? ec.message() : std::string("No such file or directory");
    return fail(ErrorKind::Io, kLayer, 0, path + ": cannot open the GeoIP database: " + why);
  }
  if (!fs::is_regular_file(st)) {
    return fail(ErrorKind::Io, kLayer, 0, path + ": the GeoIP database is not a regular file");
  }
  if (fs::file_size(path, ec) == 0 && !ec) {
    return fail(ErrorKind::Malformed, kLayer, 0, path + ": not a valid MaxMind DB (.mmdb) country database: the file is empty");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  errno = 0;
  const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &impl->db);
  if (rc != MMDB_SUCCESS) {
    // MMDB_open frees what it allocated on failure; there is nothing to close.
    if (rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR) {
      return fail(ErrorKind::Io, kLayer, 0,
                  path + ": cannot read the GeoIP database: " + (errno != 0 ? std::strerror(errno) : MMDB_strerror(rc)));
    }
    return fail(ErrorKind::Malformed, kLayer, 0,
                path + ": not a valid MaxMind DB (.mmdb) country database: " + MMDB_strerror(rc));
  }
  impl->opened = true;
  return GeoIp(std::move(impl));
}

Result<std::optional<Country>> GeoIp::country(const IpAddress& a) const {
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s found{};
  if (a.is_v4()) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(a.v4_value());
    found = MMDB_lookup_sockaddr(&impl_->db, reinterpret_cast<const sockaddr*>(&sin), &mmdb_error);
  } else {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    std::memcpy(sin6.sin6_addr.s6_addr, a.bytes().data(), 16);
    found = MMDB_lookup_sockaddr(&impl_->db, reinterpret_cast<const sockaddr*>(&sin6), &mmdb_error);
  }
  if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return std::optional<Country>{};
  if (mmdb_error != MMDB_SUCCESS) {
    return fail(ErrorKind::Malformed, kLayer, 0,
                impl_->path + ": corrupt MaxMind DB search tree: " + MMDB_strerror(mmdb_error));
  }
  if (!found.found_entry) return std::optional<Country>{};

  static const char* const kCode[] = {"country", "iso_code", nullptr};
  static const char* const kName[] = {"country", "names", "en", nullptr};
  static const char* const kRegCode[] = {"registered_country", "iso_code", nullptr};
  static const char* const kRegName[] = {"registered_country", "names", "en", nullptr};
  Country c;
  auto code = get_string(found.entry, kCode, impl_->path);
  if (!code) return code.error();
  const char* const* name_path = kName;
  if (!*code) {
    code = get_string(found.entry, kRegCode, impl_->path);
    if (!code) return code.error();
    if (!*code) return std::optional<Country>{};
    c.registered_only = true;
    name_path = kRegName;
  }
  std::string cc = std::move(**code);
  if (cc.size() != 2) {
    return fail(ErrorKind::Malformed, kLayer, 0, impl_->path + ": country code is not two letters");
  }
  for (auto& ch : cc) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (ch < 'A' || ch > 'Z') {
      return fail(ErrorKind::Malformed, kLayer, 0, impl_->path + ": country code is not two letters");
    }
  }
  c.code = std::move(cc);
  auto name = get_string(found.entry, name_path, impl_->path);
  if (!name) return name.error();
  // A name that is too long, not UTF-8 or carries control characters is dropped, not printed.
  if (*name && (*name)->size() <= kMaxNameBytes && printable_utf8(**name)) c.name = std::move(**name);
  return std::optional<Country>{std::move(c)};
}

const std::string& GeoIp::path() const noexcept { return impl_->path; }

std::string GeoIp::database_type() const {
  const char* t = impl_->db.metadata.database_type;
  return t != nullptr ? std::string(t) : std::string();
}

unsigned GeoIp::ip_version() const noexcept { return impl_->db.metadata.ip_version; }

std::uint64_t GeoIp::build_epoch() const noexcept { return impl_->db.metadata.build_epoch; }

}  // namespace netseen::knowledge
