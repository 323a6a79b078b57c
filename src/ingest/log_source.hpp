// Firewall logs (netfilter, ipchains, Windows Firewall, Cisco, pf, …) as an EventSource.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ingest/input_buffer.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {

// Reads the buffer line by line; each line goes to the dialect recognised from the file's
// first lines (or per line in mixed syslog files), or to options.force_format.
std::unique_ptr<EventSource> make_log_source(std::shared_ptr<const InputBuffer> buffer, std::string path,
                                             const OpenOptions& options);

// The same over a stream (stdin, a pipe) read in bounded pieces, so that memory stays
// bounded whatever the input size: `head` holds the bytes already read from `fd` (used to
// recognise the format); the source reads the rest as it goes, and closes `fd` when it
// owns it.
std::unique_ptr<EventSource> make_stream_log_source(int fd, bool owns_fd, std::vector<std::uint8_t> head,
                                                    std::string path, const OpenOptions& options,
                                                    std::uint64_t size = 0);

}  // namespace netseen::ingest
