// Fuzzes the SMB mailslot wrapper and the browser protocol decoder.
#include <cstddef>
#include <cstdint>

#include "netbios/browser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  using namespace netseen::netbios;
  const Bytes in(data, size);
  if (auto slot = parse_mailslot(in)) {
    if (slot->data.size() > size) __builtin_trap();
    (void)parse_browser(Bytes(slot->data));
  }
  auto b = parse_browser(in);
  if (b) {
    // What decodes re-encodes, and the re-encoding decodes to the same names.
    auto bytes = build_browser(*b);
    if (bytes) {
      auto again = parse_browser(Bytes(*bytes));
      if (!again || again->opcode != b->opcode) __builtin_trap();
      if (again->server_name != b->server_name && b->server_name.find('\0') == std::string::npos) __builtin_trap();
    }
  }
  return 0;
}
