// Fuzz harness: one whole frame through the decoder. The first byte picks the link type
// so that every link-layer decoder (and all that sits on top) is reached.
#include <array>
#include <cstddef>
#include <cstdint>

#include "decode/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;  // NOLINT(google-build-using-namespace)
  static constexpr std::array<std::uint32_t, 12> kLinks{
      decode::linktype::kEthernet, decode::linktype::kRaw,      decode::linktype::kNull,
      decode::linktype::kLoop,     decode::linktype::kLinuxSll, decode::linktype::kLinuxSll2,
      decode::linktype::kNflog,    decode::linktype::kPflog,    decode::linktype::kIpv4,
      decode::linktype::kIpv6,     decode::linktype::kRawBsd14, 147};
  if (size == 0) return 0;
  const std::uint32_t link = kLinks[data[0] % kLinks.size()];
  const Bytes frame(data + 1, size - 1);
  decode::Event ev;
  for (const auto depth : {decode::Depth::Application, decode::Depth::Transport}) {
    decode::DecodeOptions opt;
    opt.depth = depth;
    decode::reset_event(ev);
    static_cast<void>(decode::decode_frame(link, frame, static_cast<std::uint32_t>(frame.size()), opt, ev));
    if (!ev.app_payload.empty() &&
        (ev.app_payload.data() < frame.data() || ev.app_payload.data() + ev.app_payload.size() > frame.data() + frame.size())) {
      __builtin_trap();
    }
  }
  return 0;
}
