// NetBIOS session service, tcp/139 (RFC 1002 §4.3), and the direct-hosted SMB framing of
// tcp/445 (same 4-byte header, type 0x00, 24-bit length).
//
//   +--------+--------+-----------------+
//   |  TYPE  | FLAGS  |     LENGTH      |  139: FLAGS = 7 reserved bits + E (length bit 16)
//   +--------+--------+-----------------+  445: FLAGS byte is the high byte of a 24-bit length
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "netbios/name.hpp"
#include "netbios/nbns.hpp"  // ParseOptions

namespace netseen::netbios {

inline constexpr std::uint16_t kNbssPort = 139;
inline constexpr std::uint16_t kSmbDirectPort = 445;

enum class SessionType : std::uint8_t {
  Message = 0x00,
  Request = 0x81,
  PositiveResponse = 0x82,
  NegativeResponse = 0x83,
  RetargetResponse = 0x84,
  KeepAlive = 0x85,
};
std::string_view session_type_name(std::uint8_t type) noexcept;  // "session_message", … "unknown"

// NEGATIVE SESSION RESPONSE error codes (§4.3.4).
inline constexpr std::uint8_t kSessErrNotListeningOnCalled = 0x80;
inline constexpr std::uint8_t kSessErrNotListeningForCalling = 0x81;
inline constexpr std::uint8_t kSessErrCalledNotPresent = 0x82;
inline constexpr std::uint8_t kSessErrInsufficientResources = 0x83;
inline constexpr std::uint8_t kSessErrUnspecified = 0x8F;
std::string_view session_error_meaning(std::uint8_t code) noexcept;

enum class Framing : std::uint8_t {
  Nbss,       // tcp/139: 17-bit length (E bit), all six types
  SmbDirect,  // tcp/445: type 0x00 only, 24-bit length
};

struct NbssFrameHeader {
  static constexpr std::size_t kWireSize = 4;
  std::uint8_t type = 0;
  std::uint8_t flags = 0;    // as on the wire (on 445: the length's high byte)
  std::uint32_t length = 0;  // payload length after the 4-byte header
};
inline constexpr std::uint32_t kNbssMaxLength = 0x1FFFF;      // 17 bits
inline constexpr std::uint32_t kSmbDirectMaxLength = 0xFFFFFF;  // 24 bits

// Parses the 4-byte header at the start of `data`. Errors: Truncated (< 4 bytes),
// Malformed (unknown type; reserved flag bits set on 139; non-zero type on 445).
Result<NbssFrameHeader> parse_nbss_header(Bytes data, Framing framing);

struct NbssSessionRequest {
  NetbiosName called;
  NetbiosName calling;
};
struct NbssRetarget {
  std::uint32_t address = 0;  // host byte order
  std::uint16_t port = 0;
};

// Payload decoders (payload = the bytes after the 4-byte header).
Result<NbssSessionRequest> parse_session_request(Bytes payload, const ParseOptions& options = {});
Result<std::uint8_t> parse_negative_response(Bytes payload);  // the error code
Result<NbssRetarget> parse_retarget(Bytes payload);

// Builders (header included). Session messages longer than the framing allows -> LimitExceeded.
Result<std::vector<std::uint8_t>> build_session_request(const NbssSessionRequest& request);
std::vector<std::uint8_t> build_positive_response();
std::vector<std::uint8_t> build_negative_response(std::uint8_t error_code);
std::vector<std::uint8_t> build_retarget(const NbssRetarget& retarget);
std::vector<std::uint8_t> build_keep_alive();
Result<std::vector<std::uint8_t>> build_session_message(Bytes payload, Framing framing = Framing::Nbss);

// One frame out of the framer. The payload kept is at most `max_kept_payload` bytes (the
// rest of a long session message is skipped, not buffered); `header.length` is the declared
// length and `payload_truncated` says the kept bytes are a prefix.
struct NbssFrame {
  NbssFrameHeader header;
  std::vector<std::uint8_t> payload;
  bool payload_truncated = false;
  std::size_t stream_offset = 0;  // offset of the header in the byte stream
};

// Incremental framer for one direction of a TCP stream. Feed bytes in any split; take
// frames with next(). Memory is bounded by max_kept_payload + 4 whatever the declared
// lengths (nothing is allocated from a declared length). A header error makes the framer
// fail (sticky); the caller may resync() to drop what is buffered and continue.
class NbssFramer {
 public:
  explicit NbssFramer(Framing framing = Framing::Nbss, std::size_t max_kept_payload = 64 * 1024) noexcept
      : framing_(framing), max_kept_(max_kept_payload) {}
  // Appends bytes as they arrived on the wire (copies at most what a frame still needs).
  void feed(Bytes chunk);
  // The next complete frame; nullopt when more bytes are needed; an error once the stream
  // holds an invalid header (offset = stream offset of that header).
  Result<std::optional<NbssFrame>> next();
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  void resync() noexcept;
  [[nodiscard]] std::size_t buffered() const noexcept;
  [[nodiscard]] std::size_t stream_offset() const noexcept { return consumed_; }
  [[nodiscard]] std::size_t frames() const noexcept { return frames_; }
  // The header of the frame being assembled (nullptr between frames): at the end of a
  // stream this is a truncated session message; missing_payload() says how much is absent.
  [[nodiscard]] const NbssFrameHeader* pending_header() const noexcept {
    return have_header_ ? &current_.header : nullptr;
  }
  [[nodiscard]] std::size_t missing_payload() const noexcept { return have_header_ ? remaining_payload_ : 0; }

 private:
  void pump();
  Framing framing_;
  std::size_t max_kept_;
  std::vector<std::uint8_t> pending_;  // unconsumed input (bounded: see pump())
  std::vector<NbssFrame> ready_;       // complete frames not yet taken
  std::size_t ready_head_ = 0;
  // The frame being assembled.
  bool have_header_ = false;
  NbssFrame current_;
  std::size_t remaining_payload_ = 0;
  std::size_t consumed_ = 0;  // stream bytes consumed so far
  std::size_t frames_ = 0;
  bool failed_ = false;
  Error error_{};
};

}  // namespace netseen::netbios
