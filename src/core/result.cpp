#include "core/result.hpp"

#include <fmt/format.h>

namespace netseen {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Truncated: return "truncated";
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::LimitExceeded: return "limit exceeded";
    case ErrorKind::Io: return "i/o error";
  }
  return "error";
}

Error make_error(ErrorKind kind, std::string_view layer, std::size_t offset, std::string detail) {
  return Error{kind, layer, offset, std::move(detail)};
}

std::string Error::message() const {
  if (layer.empty()) return fmt::format("{} at offset {}: {}", to_string(kind), offset, detail);
  return fmt::format("{} {} at offset {}: {}", to_string(kind), layer, offset, detail);
}

}  // namespace netseen
