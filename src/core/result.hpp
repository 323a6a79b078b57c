// Result<T> and Error: how every parser in netseen reports failure.
//
// Libraries return values, never throw. An Error says what kind of failure it is
// (truncated input is not the same as malformed input), which layer found it, the
// byte offset or line where it was found, and a human-readable detail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace netseen {

enum class ErrorKind : std::uint8_t {
  Truncated,      // the input ended before a field it declared
  Malformed,      // a field holds an impossible value
  Unsupported,    // valid, but a variant netseen does not decode
  LimitExceeded,  // a safety cap (count, depth, jumps, memory) was hit
  Io,             // the operating system refused (open, read, mmap)
};

std::string_view to_string(ErrorKind kind) noexcept;

struct Error {
  ErrorKind kind = ErrorKind::Malformed;
  std::string_view layer;  // static string: "core", "nbns", "pcap", "netfilter", …
  std::size_t offset = 0;  // byte offset (or line number for line-oriented inputs)
  std::string detail;

  // "malformed nbns at offset 12: label length 0x45 exceeds 63"
  [[nodiscard]] std::string message() const;
};

Error make_error(ErrorKind kind, std::string_view layer, std::size_t offset, std::string detail);

// A tag so a Result<T> can be built from an Error unambiguously.
struct Unexpected {
  Error error;
};
inline Unexpected fail(ErrorKind kind, std::string_view layer, std::size_t offset, std::string detail) {
  return Unexpected{make_error(kind, layer, offset, std::move(detail))};
}

// A subset of std::expected<T, Error> (C++23, not available with g++ 12 / clang 14 here).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Ok) {}  // NOLINT
  Result(Unexpected u) : err_(std::move(u.error)), ok_(false) {}  // NOLINT
  Result(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT
  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { return err_; }

 private:
  Error err_{};
  bool ok_ = true;
};

}  // namespace netseen

// Propagate an error without GNU statement expressions (they break -Wpedantic):
//   NETSEEN_TRY_ASSIGN(auto header, parse_header(r));
//   NETSEEN_TRY(check_something(r));          // for Result<void> or when the value is unused
#define NETSEEN_CONCAT_INNER_(a, b) a##b
#define NETSEEN_CONCAT_(a, b) NETSEEN_CONCAT_INNER_(a, b)
#define NETSEEN_TRY_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp) return tmp.error();                  \
  lhs = std::move(*tmp)
#define NETSEEN_TRY_ASSIGN(lhs, expr) NETSEEN_TRY_ASSIGN_IMPL_(NETSEEN_CONCAT_(netseen_try_, __LINE__), lhs, expr)
#define NETSEEN_TRY(expr)                                            \
  do {                                                               \
    auto netseen_try_r_ = (expr);                                    \
    if (!netseen_try_r_) return netseen_try_r_.error();              \
  } while (false)
