// Exit codes of the netseen binary (../shared/design/product.md).
#pragma once

namespace netseen::cli {
inline constexpr int kExitOk = 0;            // done
inline constexpr int kExitFindings = 1;      // done, findings at or above --fail-on
inline constexpr int kExitUsage = 2;         // usage error, or a command that is not available yet
inline constexpr int kExitInput = 3;         // an input could not be read at all
inline constexpr int kExitKnowledge = 4;     // the knowledge base is invalid
}  // namespace netseen::cli
