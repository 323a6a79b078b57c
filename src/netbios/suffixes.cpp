#include "netbios/suffixes.hpp"

#include <array>

namespace netseen::netbios {

namespace {

using S = NameScope;

// Sorted by suffix, Unique before Group before Either.
constexpr std::array<SuffixInfo, 32> kTable{{
    {0x00, S::Unique, "Workstation Service", "workstation"},
    {0x00, S::Group, "Domain/Workgroup Name", "domain_name"},
    {0x01, S::Unique, "Messenger Service (legacy)", "messenger_legacy"},
    {0x01, S::Group, "Master Browser (__MSBROWSE__)", "msbrowse"},
    {0x02, S::Unique, "Workstation/Redirector", "redirector"},
    {0x03, S::Unique, "Messenger Service", "messenger"},
    {0x05, S::Unique, "Forwarded Name", "forwarded_name"},
    {0x06, S::Unique, "RAS Server Service", "ras_server"},
    {0x1B, S::Unique, "Domain Master Browser", "domain_master_browser"},
    {0x1C, S::Group, "Domain Controllers", "domain_controllers"},
    {0x1D, S::Unique, "Master Browser", "master_browser"},
    {0x1E, S::Group, "Browser Service Elections", "browser_elections"},
    {0x1F, S::Unique, "NetDDE Service", "netdde"},
    {0x20, S::Unique, "File Server Service", "file_server"},
    {0x21, S::Unique, "RAS Client Service", "ras_client"},
    {0x22, S::Unique, "Microsoft Exchange Interchange (MSMail Connector)", "exchange_interchange"},
    {0x23, S::Unique, "Microsoft Exchange Store", "exchange_store"},
    {0x24, S::Unique, "Microsoft Exchange Directory", "exchange_directory"},
    {0x2B, S::Unique, "Lotus Notes Server Service", "lotus_notes_server"},
    {0x2F, S::Group, "Lotus Notes (IRISMULTICAST)", "lotus_notes_multicast"},
    {0x30, S::Unique, "Modem Sharing Server Service", "modem_sharing_server"},
    {0x31, S::Unique, "Modem Sharing Client Service", "modem_sharing_client"},
    {0x33, S::Group, "Lotus Notes (IRISNAMESERVER)", "lotus_notes_nameserver"},
    {0x43, S::Unique, "SMS Clients Remote Control", "sms_remote_control"},
    {0x44, S::Unique, "SMS Administrators Remote Control Tool", "sms_admin_remote_control"},
    {0x45, S::Unique, "SMS Clients Remote Chat", "sms_remote_chat"},
    {0x46, S::Unique, "SMS Clients Remote Transfer", "sms_remote_transfer"},
    {0x4C, S::Unique, "DEC Pathworks TCP/IP Service", "pathworks_4c"},
    {0x52, S::Unique, "DEC Pathworks TCP/IP Service", "pathworks_52"},
    {0x6A, S::Unique, "Microsoft Exchange IMC", "exchange_imc"},
    {0x87, S::Unique, "Microsoft Exchange MTA", "exchange_mta"},
    {0xBE, S::Unique, "Network Monitor Agent", "netmon_agent"},
}};
constexpr SuffixInfo kNetmonApp{0xBF, S::Unique, "Network Monitor Application", "netmon_application"};

constexpr std::array<std::uint8_t, 16> kMsBrowse{0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R',
                                                 'O',  'W',  'S', 'E', '_', '_', 0x02, 0x01};

}  // namespace

std::string_view to_string(NameScope s) noexcept {
  switch (s) {
    case NameScope::Unique: return "unique";
    case NameScope::Group: return "group";
    case NameScope::Either: return "either";
  }
  return "either";
}

std::span<const SuffixInfo> suffix_table() noexcept {
  static constexpr auto kAll = [] {
    std::array<SuffixInfo, kTable.size() + 1> all{};
    for (std::size_t i = 0; i < kTable.size(); ++i) all[i] = kTable[i];
    all[kTable.size()] = kNetmonApp;
    return all;
  }();
  return kAll;
}

std::optional<SuffixInfo> describe_suffix(std::uint8_t suffix, bool group) noexcept {
  const NameScope want = group ? NameScope::Group : NameScope::Unique;
  std::optional<SuffixInfo> either, other;
  for (const auto& e : suffix_table()) {
    if (e.suffix != suffix) continue;
    if (e.scope == want) return e;
    if (e.scope == NameScope::Either) {
      either = e;
    } else if (!other) {
      other = e;
    }
  }
  if (either) return either;
  return other;
}

bool is_msbrowse(std::span<const std::uint8_t, 16> raw) noexcept {
  for (std::size_t i = 0; i < 15; ++i) {
    if (raw[i] != kMsBrowse[i]) return false;
  }
  return true;
}

}  // namespace netseen::netbios
