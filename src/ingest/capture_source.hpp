// Capture files (pcap, pcapng) as an EventSource: frames are decoded by src/decode.
#pragma once

#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "decode/frame.hpp"
#include "ingest/byte_window.hpp"
#include "ingest/input_buffer.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {

// True when the bytes start with a classic pcap magic (either byte order, µs or ns) or a
// pcapng section header block.
bool looks_like_capture(Bytes head) noexcept;

std::unique_ptr<EventSource> make_capture_source(std::shared_ptr<const InputBuffer> buffer, std::string path,
                                                 const OpenOptions& options);
// The same with an explicit decode depth / checksum policy (the analyzer pays only for what
// its detectors need).
std::unique_ptr<EventSource> make_capture_source(std::shared_ptr<const InputBuffer> buffer, std::string path,
                                                 const OpenOptions& options, const decode::DecodeOptions& decode);
// A regular capture file read through a window of read() pieces (byte_window.hpp).
std::unique_ptr<EventSource> make_capture_source(std::shared_ptr<const FileHandle> file, std::string path,
                                                 const OpenOptions& options, const decode::DecodeOptions& decode);

}  // namespace netseen::ingest
