// Fuzz harness: the pcapng reader (sections, interfaces, packet blocks, resynchronisation)
// and every frame through the decoder.
#include <cstddef>
#include <cstdint>

#include "decode/frame.hpp"
#include "ingest/pcap.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;  // NOLINT(google-build-using-namespace)
  const Bytes bytes(data, size);
  auto reader = ingest::PcapngReader::open(bytes);
  if (!reader) return 0;
  ingest::InputStats stats;
  ingest::CaptureRecord rec;
  decode::Event ev;
  while (reader->next(rec, stats)) {
    if (rec.data.data() < data || rec.data.data() + rec.data.size() > data + size) __builtin_trap();
    decode::reset_event(ev);
    static_cast<void>(decode::decode_frame(rec.linktype, rec.data, rec.wire_len, {}, ev));
  }
  if (reader->interfaces() > ingest::kMaxPcapngInterfaces) __builtin_trap();
  return 0;
}
