// The query log of `netseen respond --format json`: one JSON object per datagram the responder
// received, tagged "netseen":"respond" (detected by content). Each line becomes a UDP event
// from the querier to the responder with the NBNS summary filled in (transaction id, opcode,
// flags, question name and type), so the NetBIOS detectors see the queries as if captured.
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_netseen_respond_dialect();

}  // namespace netseen::ingest::logs
