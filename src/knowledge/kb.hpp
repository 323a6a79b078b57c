// The knowledge base: what a port, an ICMP message, an address, a NetBIOS name suffix, an
// RPC program, a TTL or a run of IP IDs means to a firewall administrator.
//
// The facts live in human-editable text tables under data/ (one file per table, header line
// `# netseen-kb <table> <version>`, then a column line, then tab-separated rows). They are
// compiled into the binary; a user may add or override rows with extra files (`--kb FILE`).
// Loading validates every row and reports problems as compiler-style diagnostics
// `file:line: reason`. Lookups are O(1) (ports, ICMP, /8s, suffixes: direct tables) or
// O(log n) (special-purpose blocks, RPC programs: sorted vectors); the analyzer calls them
// per event. A KnowledgeBase is immutable after loading and safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"

namespace netseen::knowledge {

// One problem found while loading a table: `file:line: reason`.
struct Diagnostic {
  std::string file;
  std::size_t line = 0;  // 1-based; 0 when the problem concerns the whole file
  std::string reason;
  [[nodiscard]] std::string to_string() const;  // "file:line: reason"
};

// ---- ports ------------------------------------------------------------------------------
// Tags are a small fixed vocabulary so detectors can ask "is this a trojan port?" cheaply.
namespace tag {
inline constexpr std::uint32_t kTrojan = 1u << 0;      // remote-access trojan / backdoor default
inline constexpr std::uint32_t kGame = 1u << 1;        // multiplayer game traffic
inline constexpr std::uint32_t kNetbios = 1u << 2;     // NetBIOS / SMB / Windows networking
inline constexpr std::uint32_t kRpc = 1u << 3;         // ONC/DCE RPC
inline constexpr std::uint32_t kRemoteAccess = 1u << 4;// remote shells and desktops
inline constexpr std::uint32_t kDatabase = 1u << 5;
inline constexpr std::uint32_t kMail = 1u << 6;
inline constexpr std::uint32_t kWeb = 1u << 7;
inline constexpr std::uint32_t kProxy = 1u << 8;       // open-proxy probes
inline constexpr std::uint32_t kInfra = 1u << 9;       // DNS, DHCP, NTP, SNMP, syslog…
inline constexpr std::uint32_t kDiscovery = 1u << 10;  // LAN discovery chatter (SSDP, mDNS, LLMNR…)
inline constexpr std::uint32_t kTraceroute = 1u << 11; // UDP traceroute range
inline constexpr std::uint32_t kSourcePort = 1u << 12; // meaningful mainly as a source port
inline constexpr std::uint32_t kInsecure = 1u << 13;   // clear-text or historically abused
inline constexpr std::uint32_t kScanTarget = 1u << 14; // commonly probed by worms/scanners
inline constexpr std::uint32_t kEphemeral = 1u << 15;  // client side of a connection, usually
}  // namespace tag
// Name ("trojan", "game", …) → bit; 0 when unknown.
std::uint32_t tag_from_name(std::string_view name) noexcept;
// "trojan,netbios" for the bits set, in bit order.
std::string tag_names(std::uint32_t tags);

enum class Proto : std::uint8_t { Tcp, Udp };
std::string_view to_string(Proto p) noexcept;  // "tcp" / "udp"
// decode::Transport → Proto (Tcp/Udp only).
std::optional<Proto> proto_of(decode::Transport t) noexcept;

// IANA port ranges.
enum class PortRange : std::uint8_t { WellKnown, Registered, Dynamic };  // 0-1023, 1024-49151, 49152-65535
PortRange port_range(std::uint16_t port) noexcept;
std::string_view to_string(PortRange r) noexcept;  // "well-known" / "registered" / "dynamic"

struct PortInfo {
  std::uint16_t first = 0, last = 0;  // the row covered [first, last]
  Proto proto = Proto::Tcp;
  std::string service;   // short name: "netbios-ns", "Back Orifice"
  std::string meaning;   // what traffic to this port usually means
  std::string advice;    // what a firewall administrator should do about it
  std::uint32_t tags = 0;
  [[nodiscard]] bool has(std::uint32_t t) const noexcept { return (tags & t) != 0; }
};

// ---- ICMP -------------------------------------------------------------------------------
struct IcmpInfo {
  std::uint8_t type = 0;
  std::optional<std::uint8_t> code;  // nullopt: the row describes the type as a whole
  bool v6 = false;
  std::string name;        // "destination unreachable: fragmentation needed"
  std::string meaning;
  std::string verdict;     // "normal" | "error" | "suspicious" | "attack" | "obsolete"
  std::string advice;
};

// ---- addresses --------------------------------------------------------------------------
// The IANA status of an IPv4 /8 at a given date.
enum class SlashEightStatus : std::uint8_t { Reserved, Unallocated, Registry, Legacy, Multicast, Future, Unknown };
std::string_view to_string(SlashEightStatus s) noexcept;  // "reserved", "unallocated", "allocated", "legacy", …

struct SpecialBlock {
  Cidr block;
  std::string name;    // "Private-Use", "Link Local", "Documentation (TEST-NET-1)"
  std::string rfc;     // "RFC 1918"
  std::string meaning;
  bool routable = false;  // may appear as a source/destination on the public Internet
};

// "APNIC" → "Asia-Pacific"; "" for a name that is not a regional Internet registry.
std::string_view region_of_registry(std::string_view registry) noexcept;

struct AddressInfo {
  IpAddress address;
  const SpecialBlock* special = nullptr;  // the most specific special-purpose block, if any
  // IPv4 only: the /8's status at the requested date (or today when none was given).
  std::optional<SlashEightStatus> status;
  std::string registry;   // "APNIC", "RIPE NCC", "ARIN", "LACNIC", "AFRINIC", "" for none
  std::string region;     // "Asia-Pacific", "Europe, Middle East, Central Asia", …
  std::string holder;     // legacy holder or designation text from the IANA table
  std::optional<Timestamp> allocated_on;  // when the /8 got its current designation
  std::string allocated_text;             // the same as written in the table: "2010-01"
  std::optional<SlashEightStatus> current;  // the /8's status today (status may differ for an old date)
  std::string current_registry;             // the registry today, even when `registry` is empty for an old date
  std::string status_note;  // human sentence: "unallocated (reserved by IANA) on 2004-09-14; allocated to APNIC in 2010-01"
};

// ---- NetBIOS, RPC, TTL, IP ID -----------------------------------------------------------
struct NbSuffixInfo {
  std::uint8_t suffix = 0;
  bool group = false;
  std::string special_name;  // "" for any name; "__MSBROWSE__" or "INet~Services" for special rows
  std::string service;       // "Workstation Service", "Domain Master Browser"
  std::string meaning;
};

struct RpcInfo {
  std::uint32_t program = 0;
  std::string name;     // "mountd"
  std::string meaning;
};

// A procedure of an RPC program (the portmapper's NULL/SET/UNSET/GETPORT/DUMP/CALLIT).
struct RpcProcInfo {
  std::uint32_t program = 0;
  std::uint32_t procedure = 0;
  std::string name;     // "GETPORT"
  std::string meaning;
};

struct TtlGuess {
  std::uint8_t observed = 0;
  std::uint8_t initial = 0;   // 32, 60, 64, 128 or 255
  std::uint8_t hops = 0;      // initial - observed
  // Views into the knowledge base (valid as long as it lives): ttl() allocates nothing.
  std::string_view os_family;  // "Windows", "Linux, macOS, BSD, Android, iOS", …
  std::string_view note;
};

enum class IpIdPattern : std::uint8_t { Unknown, Zero, Constant, IncrementalBe, IncrementalLe, Random };
std::string_view to_string(IpIdPattern p) noexcept;  // "zero", "constant", "incremental-be", "incremental-le", "random", "unknown"

struct IpIdVerdict {
  IpIdPattern pattern = IpIdPattern::Unknown;
  std::string meaning;
};
// Classifies a run of IP IDs from one host, in arrival order. Needs at least 3 values for a
// verdict other than Unknown (2 for Zero/Constant). Pure function; no table behind it.
IpIdVerdict ipid_pattern(std::span<const std::uint16_t> ids);

// ---- the knowledge base -----------------------------------------------------------------
// What a loaded text file contributed (for `explain --check-kb` and the tests).
struct LoadReport {
  std::vector<Diagnostic> diagnostics;
  [[nodiscard]] bool ok() const noexcept { return diagnostics.empty(); }
};

struct TableCounts {
  std::size_t ports = 0, icmp = 0, special = 0, slash8 = 0, nb_suffixes = 0, rpc = 0, rpc_procs = 0, ttl = 0;
};

class KnowledgeBase {
 public:
  KnowledgeBase();
  ~KnowledgeBase();
  KnowledgeBase(KnowledgeBase&&) noexcept;
  KnowledgeBase& operator=(KnowledgeBase&&) noexcept;
  KnowledgeBase(const KnowledgeBase&) = delete;
  KnowledgeBase& operator=(const KnowledgeBase&) = delete;

  // Adds the rows of one table text (the table is named by its header line). Rows for a key
  // that already exists replace the earlier row (user files override the built-in data).
  // Invalid rows are skipped and reported; `name` is used in diagnostics.
  void load_text(std::string_view name, std::string_view text, LoadReport& report);
  // Reads a file and load_text()s it; an unreadable file is one diagnostic (line 0).
  void load_file(const std::string& path, LoadReport& report);
  // Built-in tables plus extra files, in order. Fails (with every diagnostic) when any file is invalid.
  static Result<KnowledgeBase> load(std::span<const std::string> extra_files, LoadReport& report);

  // Lookups. Pointers stay valid as long as the KnowledgeBase does; nullptr when unknown.
  [[nodiscard]] const PortInfo* port(Proto proto, std::uint16_t port) const noexcept;
  [[nodiscard]] const PortInfo* port(decode::Transport t, std::uint16_t port) const noexcept;
  // ICMP: the code-specific row if there is one, else the type row.
  [[nodiscard]] const IcmpInfo* icmp(std::uint8_t type, std::uint8_t code, bool v6 = false) const noexcept;
  [[nodiscard]] const IcmpInfo* icmp_type(std::uint8_t type, bool v6 = false) const noexcept;
  // Every code row of a type (for `explain icmp 3`), in code order.
  [[nodiscard]] std::vector<const IcmpInfo*> icmp_codes(std::uint8_t type, bool v6 = false) const;
  [[nodiscard]] AddressInfo address(const IpAddress& a, std::optional<Timestamp> at = std::nullopt) const;
  // Cheap per-event helpers (no strings built).
  [[nodiscard]] const SpecialBlock* special_block(const IpAddress& a) const noexcept;
  [[nodiscard]] SlashEightStatus slash8_status(std::uint8_t first_octet, std::optional<Timestamp> at = std::nullopt) const noexcept;
  // "APNIC", "RIPE NCC", …; "" for reserved / multicast / legacy without a registry.
  [[nodiscard]] std::string_view registry_of(const IpAddress& a, std::optional<Timestamp> at = std::nullopt) const noexcept;
  [[nodiscard]] const NbSuffixInfo* nb_suffix(std::uint8_t suffix, bool group) const noexcept;
  // Either unique or group row, unique preferred.
  [[nodiscard]] const NbSuffixInfo* nb_suffix(std::uint8_t suffix) const noexcept;
  // A special 15-character name ("__MSBROWSE__") with its suffix; nullptr when not special.
  [[nodiscard]] const NbSuffixInfo* nb_special(std::string_view name, std::uint8_t suffix) const noexcept;
  [[nodiscard]] const RpcInfo* rpc(std::uint32_t program) const noexcept;
  [[nodiscard]] const RpcProcInfo* rpc_proc(std::uint32_t program, std::uint32_t procedure) const noexcept;
  [[nodiscard]] TtlGuess ttl(std::uint8_t observed) const noexcept;

  [[nodiscard]] TableCounts counts() const noexcept;

  struct Impl;  // implementation detail (kb.cpp), public only so the loader can fill it

 private:
  std::unique_ptr<Impl> impl_;
};

// The built-in tables (compiled in from data/), loaded once on first use, thread-safe.
// The built-in data is validated by the tests; were it ever invalid, the valid rows are kept.
const KnowledgeBase& builtin_kb();
// The names and texts of the embedded data files (for --check-kb of the built-in set and tests).
struct EmbeddedTable {
  std::string_view name;
  std::string_view text;
};
std::span<const EmbeddedTable> embedded_tables() noexcept;

}  // namespace netseen::knowledge
