#include "report/narrative.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "knowledge/kb.hpp"
#include "report/common.hpp"

namespace netseen::report {

namespace {

namespace kb = netseen::knowledge;

constexpr std::size_t kMaxPorts = 6;
constexpr std::size_t kMaxAddresses = 3;
constexpr std::size_t kMaxNames = 6;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The transport a detector's ports belong to when the finding does not say.
std::optional<kb::Proto> default_proto(const detect::Finding& f) {
  const auto t = finding_transport(f);
  if (t == "tcp") return kb::Proto::Tcp;
  if (t == "udp") return kb::Proto::Udp;
  return std::nullopt;
}

// "137/udp", "27374/tcp (SubSeven)", "21-23,25,80": single ports with an optional
// protocol; ranges are skipped (a range says "many", not which service).
void parse_ports(std::string_view text, std::optional<kb::Proto> proto,
                 std::vector<std::pair<std::optional<kb::Proto>, std::uint16_t>>& out) {
  while (!text.empty() && out.size() < kMaxPorts) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::size_t i = 0;
    std::uint32_t port = 0;
    while (i < item.size() && i < 5 && item[i] >= '0' && item[i] <= '9') port = port * 10 + static_cast<std::uint32_t>(item[i++] - '0');
    if (i == 0 || port > 65535 || (i < item.size() && item[i] == '-')) continue;
    auto p = proto;
    if (item.substr(i, 4) == "/tcp") p = kb::Proto::Tcp;
    if (item.substr(i, 4) == "/udp") p = kb::Proto::Udp;
    const std::pair<std::optional<kb::Proto>, std::uint16_t> key{p, static_cast<std::uint16_t>(port)};
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  }
}

std::vector<std::pair<std::optional<kb::Proto>, std::uint16_t>> ports_of(const detect::Finding& f) {
  std::vector<std::pair<std::optional<kb::Proto>, std::uint16_t>> out;
  const auto proto = default_proto(f);
  // Destination ports first, then source ports (meaningful for 137, 53, 20 …).
  for (const char* key : {"port", "service_port", "ports", "first_ports", "probe_list_ports", "source_port",
                          "source_ports"}) {
    for (const auto& [k, v] : f.attributes) {
      if (k != key) continue;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        if (*n >= 0 && *n <= 65535) parse_ports(std::to_string(*n), proto, out);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        parse_ports(*s, proto, out);
      } else if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
        for (const auto& item : *l) parse_ports(item, proto, out);
      }
    }
  }
  if (out.empty() && (starts_with(f.id, "nbstat.") || starts_with(f.id, "nbns."))) out.emplace_back(kb::Proto::Udp, 137);
  return out;
}

// The ICMP messages a detector is about: type, and code (-1 for the type as a whole).
std::vector<std::pair<int, int>> icmp_of(std::string_view id) {
  static const std::vector<std::pair<std::string_view, std::vector<std::pair<int, int>>>> table = {
      {"icmp.frag_needed", {{3, 4}}},
      {"icmp.source_quench", {{4, -1}}},
      {"icmp.redirect", {{5, -1}}},
      {"icmp.router_advertisement", {{9, -1}}},
      {"icmp.parameter_problem", {{12, -1}}},
      {"icmp.unsolicited_echo_reply", {{0, -1}}},
      {"icmp.reassembly_timeout", {{11, 1}}},
      {"icmp.netbios_unreachable", {{3, 3}}},
      {"icmp.stale_dns", {{3, 3}}},
      {"trace.udp", {{11, 0}, {3, 3}}},
      {"trace.icmp", {{8, -1}, {11, 0}}},
      {"dos.smurf", {{0, -1}}},
  };
  for (const auto& [k, v] : table) {
    if (k == id) return v;
  }
  return {};
}

}  // namespace

std::vector<NarrativeItem> finding_narrative(const AnalysisResult& r, const detect::Finding& f) {
  const auto& k = kb::builtin_kb();
  std::vector<NarrativeItem> out;
  const auto desc = detector_description(f.id, {});
  if (!desc.empty()) out.push_back({"What " + f.id + " looks for", fmt::format("{}.", desc)});

  for (const auto& [proto, port] : ports_of(f)) {
    for (const auto p : {kb::Proto::Tcp, kb::Proto::Udp}) {
      if (proto && *proto != p) continue;
      const auto* info = k.port(p, port);
      if (info == nullptr) continue;
      std::string text = info->meaning;
      if (!info->advice.empty()) text += " Advice: " + info->advice;
      out.push_back({fmt::format("{}/{} {}", port, kb::to_string(p), info->service), text});
    }
  }

  for (const auto& [type, code] : icmp_of(f.id)) {
    const auto* info = code < 0 ? k.icmp_type(static_cast<std::uint8_t>(type))
                                : k.icmp(static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(code));
    if (info == nullptr) continue;
    const auto topic = code < 0 ? fmt::format("icmp {} {}", type, info->name)
                                : fmt::format("icmp {}/{} {}", type, code, info->name);
    std::string text = info->meaning;
    if (!info->advice.empty()) text += " Advice: " + info->advice;
    out.push_back({topic, text});
  }

  // Addresses: what the registry said about the first few outside targets on the day.
  std::size_t shown = 0;
  std::set<std::string> notes;
  for (const auto& a : f.target_sample) {
    if (shown == kMaxAddresses) break;
    if (r.engine->context().inside(a)) continue;
    const auto info = k.address(a, f.first_seen);
    std::string text;
    if (info.special != nullptr) {
      text = fmt::format("{} ({}, {}): {}", info.special->name, info.special->block.to_string(), info.special->rfc,
                         info.special->meaning);
    } else if (!info.status_note.empty()) {
      text = info.status_note;
    }
    if (text.empty() || !notes.insert(text).second) continue;  // one line per distinct fact
    out.push_back({a.to_string(), text});
    ++shown;
  }
  for (const auto& [region, n] : f.regions) {
    const auto where = kb::region_of_registry(region);
    if (where.empty()) continue;
    out.push_back({region, fmt::format("{} of the {} target{} {} in the {} region: {}.", n, f.target_count,
                                       f.target_count == 1 ? "" : "s", n == 1 ? "is" : "are", region, where)});
  }

  // The host the finding is about.
  const auto& hosts = r.engine->hosts();
  if (auto it = hosts.find(f.source); it != hosts.end()) {
    const auto g = detect::guess_ttl(it->second);
    if (g.initial != 0) {
      out.push_back({fmt::format("TTL of {}", f.source.to_string()),
                     fmt::format("Its packets arrive with TTL {}: initial TTL {}, {} hop{} away, likely {}. {}", g.observed,
                                 g.initial, g.hops, g.hops == 1 ? "" : "s", g.os_family, g.note)});
    }
    const auto ids = kb::ipid_pattern(it->second.ip_ids);
    if (ids.pattern != kb::IpIdPattern::Unknown && !ids.meaning.empty()) {
      out.push_back({fmt::format("IP ids of {}", f.source.to_string()),
                     fmt::format("{}: {}", kb::to_string(ids.pattern), ids.meaning)});
    }
  }
  if (const auto* names = r.engine->context().names_of(f.source)) {
    std::size_t n = 0;
    for (const auto& nm : *names) {
      if (n == kMaxNames) break;
      const auto lt = nm.name.rfind('<');
      if (lt == std::string::npos || nm.name.size() != lt + 4) continue;
      const auto hex = nm.name.substr(lt + 1, 2);
      unsigned suffix = 0;
      for (const char c : hex) {
        suffix <<= 4;
        if (c >= '0' && c <= '9') suffix |= static_cast<unsigned>(c - '0');
        else if (c >= 'A' && c <= 'F') suffix |= static_cast<unsigned>(c - 'A' + 10);
      }
      const auto* info = k.nb_special(nm.name.substr(0, lt), static_cast<std::uint8_t>(suffix));
      if (info == nullptr) info = k.nb_suffix(static_cast<std::uint8_t>(suffix));
      if (info == nullptr) continue;
      out.push_back({nm.name, fmt::format("{}: {}", info->service, info->meaning)});
      ++n;
    }
  }
  return out;
}

}  // namespace netseen::report
