// Firewall logs (netfilter, ipchains, Windows Firewall, Cisco, pf, …) as an EventSource.
#pragma once

#include <memory>
#include <string>

#include "ingest/input_buffer.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {

// Reads the buffer line by line; each line goes to the dialect recognised from the file's
// first lines (or per line in mixed syslog files), or to options.force_format.
std::unique_ptr<EventSource> make_log_source(std::shared_ptr<const InputBuffer> buffer, std::string path,
                                             const OpenOptions& options);

}  // namespace netseen::ingest
