// `netseen explain TOPIC…`: what a port, ICMP message, address, NetBIOS name, RPC program,
// TTL or run of IP IDs means, from the knowledge base (src/knowledge, data/knowledge).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "knowledge/geoip.hpp"
#include "knowledge/kb.hpp"

namespace netseen::cli {

namespace {

namespace kb = netseen::knowledge;
using json = nlohmann::json;

struct ExplainArgs {
  std::vector<std::string> topics;
  std::string format = "text";
  std::string at;
  std::vector<std::string> kb_files;
  std::vector<std::string> check_files;
  std::string geoip;
  bool kb_stats = false;
};

enum class Kind { Port, Icmp, Address, NbName, Rpc, Ttl, IpId };

struct Topic {
  Kind kind = Kind::Port;
  std::string text;                 // as the user wrote it, for headings
  std::optional<kb::Proto> proto;   // Port: nullopt = both
  std::uint32_t number = 0;         // port, ICMP type, RPC program, TTL, NetBIOS suffix
  std::optional<std::uint32_t> code;  // ICMP code
  bool v6 = false;                  // ICMPv6
  IpAddress address;
  std::string nb_name;              // NetBIOS name before <XX>, may be empty
  std::vector<std::uint16_t> ids;   // IP IDs
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::uint32_t> number(std::string_view s, std::uint32_t max) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return std::nullopt;
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    if (v > max) return std::nullopt;
  }
  return static_cast<std::uint32_t>(v);
}

std::optional<std::uint32_t> hex_byte(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 2) return std::nullopt;
  std::uint32_t v = 0;
  for (const char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

// "1C", "0x1C", "<1C>", "NAME<1C>", "NAME#1C", "__MSBROWSE__<01>", or a bare name (suffix 0x00).
bool parse_nbname(std::string_view s, Topic& t) {
  const auto lt = s.find('<');
  if (lt != std::string_view::npos) {
    if (s.back() != '>') return false;
    const auto h = hex_byte(s.substr(lt + 1, s.size() - lt - 2));
    if (!h) return false;
    t.number = *h;
    t.nb_name = std::string(s.substr(0, lt));
  } else if (const auto hash = s.find('#'); hash != std::string_view::npos) {
    const auto h = hex_byte(s.substr(hash + 1));
    if (!h) return false;
    t.number = *h;
    t.nb_name = std::string(s.substr(0, hash));
  } else if (const auto h = hex_byte(s)) {
    t.number = *h;
  } else {
    return false;
  }
  return t.nb_name.size() <= 15;
}

bool parse_ids(std::string_view s, std::vector<std::uint16_t>& out) {
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = s.substr(0, comma);
    if (!item.empty()) {
      const auto v = number(item, 0xFFFF);
      if (!v) return false;
      out.push_back(static_cast<std::uint16_t>(*v));
      if (out.size() > 100000) return false;
    }
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  }
  return !out.empty();
}

constexpr const char* kTopicHelp =
    "topics: PORT (both protocols) or PORT/tcp|udp; icmp TYPE[/CODE]; icmp6 TYPE[/CODE]; an IPv4 or IPv6 "
    "address (with --at YYYY-MM-DD for its status on that day); nbname SUFFIX|NAME<XX>|NAME#XX; rpc PROGRAM; "
    "ttl N; ipid ID,ID,ID (decimal or 0x hex)";

// Turns the words on the command line into topics; a keyword takes the next word.
std::optional<std::string> parse_topics(const std::vector<std::string>& words, std::vector<Topic>& out) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string w = lower(words[i]);
    const auto next = [&]() -> std::optional<std::string> {
      if (i + 1 >= words.size()) return std::nullopt;
      return words[++i];
    };
    Topic t;
    t.text = words[i];
    if (w == "icmp" || w == "icmp4" || w == "icmp6" || w == "icmpv6") {
      const auto arg = next();
      if (!arg) return "'" + words[i] + "' needs TYPE or TYPE/CODE, e.g. 'icmp 3/4'";
      t.kind = Kind::Icmp;
      t.v6 = w == "icmp6" || w == "icmpv6";
      t.text = std::string(t.v6 ? "icmp6 " : "icmp ") + *arg;
      const auto slash = arg->find('/');
      const auto type = number(std::string_view(*arg).substr(0, slash), 255);
      if (!type) return "'" + *arg + "' is not an ICMP TYPE or TYPE/CODE (0-255)";
      t.number = *type;
      if (slash != std::string::npos) {
        const auto code = number(std::string_view(*arg).substr(slash + 1), 255);
        if (!code) return "'" + *arg + "' is not an ICMP TYPE or TYPE/CODE (0-255)";
        t.code = *code;
      }
    } else if (w == "nbname" || w == "nb" || w == "netbios") {
      const auto arg = next();
      if (!arg) return "'nbname' needs a suffix (1C) or a name with its suffix (NAME<1C>)";
      t.kind = Kind::NbName;
      t.text = "nbname " + *arg;
      if (!parse_nbname(*arg, t)) return "'" + *arg + "' is not a NetBIOS suffix (1C) or NAME<XX> / NAME#XX";
    } else if (w == "rpc") {
      const auto arg = next();
      if (!arg) return "'rpc' needs a program number, e.g. 'rpc 100005'";
      t.kind = Kind::Rpc;
      t.text = "rpc " + *arg;
      const auto p = number(*arg, 0xFFFFFFFFU);
      if (!p) return "'" + *arg + "' is not an RPC program number";
      t.number = *p;
    } else if (w == "ttl") {
      const auto arg = next();
      if (!arg) return "'ttl' needs the observed TTL, e.g. 'ttl 113'";
      t.kind = Kind::Ttl;
      t.text = "ttl " + *arg;
      const auto v = number(*arg, 255);
      if (!v) return "'" + *arg + "' is not a TTL (0-255)";
      t.number = *v;
    } else if (w == "ipid") {
      const auto arg = next();
      if (!arg) return "'ipid' needs IP IDs separated by commas, e.g. 'ipid 0xFD01,0xFE01,0xFF01'";
      t.kind = Kind::IpId;
      t.text = "ipid " + *arg;
      if (!parse_ids(*arg, t.ids)) return "'" + *arg + "' is not a comma-separated list of IP IDs (0-65535)";
    } else if (w == "port") {
      const auto arg = next();
      if (!arg) return "'port' needs a number";
      t.text = *arg;
      const auto v = number(*arg, 65535);
      if (!v) return "'" + *arg + "' is not a port (0-65535)";
      t.kind = Kind::Port;
      t.number = *v;
    } else if (const auto slash = w.find('/'); slash != std::string::npos && number(w.substr(0, slash), 65535) &&
                                               (w.substr(slash + 1) == "tcp" || w.substr(slash + 1) == "udp")) {
      t.kind = Kind::Port;
      t.number = *number(w.substr(0, slash), 65535);
      t.proto = w.substr(slash + 1) == "tcp" ? kb::Proto::Tcp : kb::Proto::Udp;
      t.text = w;
    } else if (const auto p = number(w, 65535)) {
      t.kind = Kind::Port;
      t.number = *p;
    } else if (const auto a = IpAddress::parse(words[i])) {
      t.kind = Kind::Address;
      t.address = *a;
    } else {
      return "don't know what '" + words[i] + "' is";
    }
    out.push_back(std::move(t));
  }
  return std::nullopt;
}

// ---- rendering ---------------------------------------------------------------------------

struct Out {
  bool as_json = false;
  std::string text;
  void line(const std::string& s) { text += s + "\n"; }
  void field(std::string_view label, std::string_view value) {
    if (value.empty()) return;
    text += fmt::format("  {:<10}{}\n", std::string(label) + ":", value);
  }
  void object(const json& j) { text += j.dump() + "\n"; }
};

std::string range_text(std::uint16_t port) {
  switch (kb::port_range(port)) {
    case kb::PortRange::WellKnown: return "well-known port, 0-1023";
    case kb::PortRange::Registered: return "registered port, 1024-49151";
    case kb::PortRange::Dynamic: return "dynamic/private port, 49152-65535";
  }
  return "";
}

std::vector<std::string> tag_list(std::uint32_t tags) {
  std::vector<std::string> out;
  const std::string names = kb::tag_names(tags);
  std::size_t start = 0;
  while (start < names.size()) {
    const auto comma = names.find(',', start);
    out.push_back(names.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void explain_port(const kb::KnowledgeBase& k, const Topic& t, Out& o) {
  const auto port = static_cast<std::uint16_t>(t.number);
  std::vector<kb::Proto> protos;
  if (t.proto) protos.push_back(*t.proto);
  else protos = {kb::Proto::Tcp, kb::Proto::Udp};
  for (const auto proto : protos) {
    const auto* p = k.port(proto, port);
    const std::string name = fmt::format("{}/{}", port, kb::to_string(proto));
    if (o.as_json) {
      json j{{"topic", t.text}, {"kind", "port"}, {"port", port}, {"proto", kb::to_string(proto)},
             {"range", kb::to_string(kb::port_range(port))}, {"known", p != nullptr}};
      if (p != nullptr) {
        j["service"] = p->service;
        j["tags"] = tag_list(p->tags);
        j["meaning"] = p->meaning;
        j["advice"] = p->advice;
        j["entry_first"] = p->first;
        j["entry_last"] = p->last;
      }
      o.object(j);
      continue;
    }
    if (!o.text.empty()) o.line("");
    if (p == nullptr) {
      o.line(fmt::format("{} - no entry in the knowledge base; {}", name, range_text(port)));
      if (kb::port_range(port) == kb::PortRange::WellKnown) {
        o.field("meaning", "A well-known port is tightly bound to one service; check the IANA registry.");
      } else {
        o.field("meaning",
                "Ports above 1023 are handed out to clients as dynamic ports (from 1024 on many systems, 32768 "
                "on Linux, 49152 on Windows): this may simply be the client end of a connection. Look at the "
                "other port of the connection for the service.");
      }
      continue;
    }
    o.line(fmt::format("{} - {} ({})", name, p->service, range_text(port)));
    if (p->first != p->last) o.field("entry", fmt::format("ports {}-{}/{}", p->first, p->last, kb::to_string(proto)));
    o.field("tags", kb::tag_names(p->tags));
    o.field("meaning", p->meaning);
    o.field("advice", p->advice);
  }
}

void explain_icmp(const kb::KnowledgeBase& k, const Topic& t, Out& o) {
  const auto type = static_cast<std::uint8_t>(t.number);
  const kb::IcmpInfo* info =
      t.code ? k.icmp(type, static_cast<std::uint8_t>(*t.code), t.v6) : k.icmp_type(type, t.v6);
  const auto codes = t.code ? std::vector<const kb::IcmpInfo*>{} : k.icmp_codes(type, t.v6);
  if (o.as_json) {
    json j{{"topic", t.text}, {"kind", "icmp"}, {"family", t.v6 ? "v6" : "v4"}, {"type", t.number},
           {"known", info != nullptr}};
    if (t.code) j["code"] = *t.code;
    if (info != nullptr) {
      j["name"] = info->name;
      j["verdict"] = info->verdict;
      j["meaning"] = info->meaning;
      j["advice"] = info->advice;
      j["code_specific"] = info->code.has_value();
    }
    if (!codes.empty()) {
      json list = json::array();
      for (const auto* c : codes) list.push_back({{"code", *c->code}, {"name", c->name}, {"verdict", c->verdict}});
      j["codes"] = list;
    }
    o.object(j);
    return;
  }
  if (!o.text.empty()) o.line("");
  if (info == nullptr) {
    o.line(fmt::format("{} - no entry in the knowledge base (not a type in common use)", t.text));
    return;
  }
  o.line(fmt::format("{} - {}", t.text, info->name));
  if (t.code && !info->code) o.field("note", fmt::format("code {} has no entry of its own; this is the type", *t.code));
  o.field("verdict", info->verdict);
  o.field("meaning", info->meaning);
  o.field("advice", info->advice);
  for (const auto* c : codes) o.field("code", fmt::format("{:>3}  {} [{}]", *c->code, c->name, c->verdict));
}

// "DE (Germany)", "AU (Australia), where the block is registered".
std::string country_text(const kb::Country& c) {
  std::string s = c.code;
  if (!c.name.empty()) s += " (" + c.name + ")";
  if (c.registered_only) s += ", where the block is registered";
  return s;
}

// Returns false (with the reason in `err`) when the GeoIP database is corrupt.
bool explain_address(const kb::KnowledgeBase& k, const kb::GeoIp* geo, const Topic& t, std::optional<Timestamp> at,
                     Out& o, std::string& err) {
  const auto info = k.address(t.address, at);
  const std::string date = at ? format_rfc3339(*at).substr(0, 10) : std::string();
  std::optional<kb::Country> country;
  if (geo != nullptr) {
    auto c = geo->country(t.address);
    if (!c) {
      err = c.error().detail;
      return false;
    }
    country = std::move(*c);
  }
  if (o.as_json) {
    json j{{"topic", t.text}, {"kind", "address"}, {"address", t.address.to_string()},
           {"version", t.address.is_v4() ? 4 : 6}};
    if (at) j["at"] = date;
    if (info.special != nullptr) {
      j["special"] = {{"block", info.special->block.to_string()}, {"name", info.special->name},
                      {"rfc", info.special->rfc}, {"routable", info.special->routable},
                      {"meaning", info.special->meaning}};
    }
    if (info.status) {
      j["slash8"] = {{"status", kb::to_string(*info.status)},
                     {"current", kb::to_string(info.current.value_or(kb::SlashEightStatus::Unknown))},
                     {"registry", info.registry}, {"region", info.region}, {"holder", info.holder},
                     {"current_registry", info.current_registry},
                     {"since", info.allocated_text}, {"note", info.status_note}};
    }
    if (geo != nullptr) {
      j["country"] = country ? json{{"code", country->code}, {"name", country->name},
                                    {"registered_only", country->registered_only}}
                             : json(nullptr);
    }
    o.object(j);
    return true;
  }
  if (!o.text.empty()) o.line("");
  o.line(fmt::format("{}{}", t.address.to_string(), at ? " on " + date : std::string()));
  if (info.special != nullptr) {
    const auto& s = *info.special;
    o.field("block", fmt::format("{} - {} ({})", s.block.to_string(), s.name, s.rfc));
    o.field("meaning", s.meaning);
    o.field("routable", s.routable ? "yes, may appear on the public Internet" : "no, never valid on the public Internet");
  }
  if (info.status) {
    o.field("iana", info.status_note);
    if (!info.registry.empty()) {
      o.field("region", fmt::format("{} ({})", info.registry, info.region));
    } else if (!info.current_registry.empty()) {
      o.field("region", fmt::format("none on {}; {} ({}) since {}", date, info.current_registry,
                                    kb::region_of_registry(info.current_registry), info.allocated_text));
    }
    if (!info.holder.empty() && *info.status != kb::SlashEightStatus::Legacy) o.field("history", info.holder);
  } else if (info.special == nullptr) {
    o.field("meaning", "a global unicast IPv6 address; netseen has no registry history for IPv6");
  }
  if (geo != nullptr) {
    o.field("country", country ? country_text(*country) + " (GeoIP database, today)" : "not in the GeoIP database");
  }
  return true;
}

void nb_row(const kb::NbSuffixInfo& n, std::string_view label, Out& o, json* arr) {
  if (arr != nullptr) {
    arr->push_back({{"suffix", fmt::format("{:02X}", n.suffix)}, {"kind", n.group ? "group" : "unique"},
                    {"name", n.special_name.empty() ? "*" : n.special_name}, {"service", n.service},
                    {"meaning", n.meaning}});
    return;
  }
  o.line(fmt::format("  {} <{:02X}> {} - {}", label, n.suffix, n.group ? "group" : "unique", n.service));
  o.field("meaning", n.meaning);
}

void explain_nbname(const kb::KnowledgeBase& k, const Topic& t, Out& o) {
  const auto suffix = static_cast<std::uint8_t>(t.number);
  std::vector<const kb::NbSuffixInfo*> rows;
  if (!t.nb_name.empty()) {
    if (const auto* s = k.nb_special(t.nb_name, suffix)) rows.push_back(s);
  }
  for (const bool group : {false, true}) {
    if (const auto* g = k.nb_suffix(suffix, group)) rows.push_back(g);
  }
  if (o.as_json) {
    json j{{"topic", t.text}, {"kind", "nbname"}, {"suffix", fmt::format("{:02X}", suffix)},
           {"known", !rows.empty()}};
    if (!t.nb_name.empty()) j["name"] = t.nb_name;
    json arr = json::array();
    for (const auto* r : rows) nb_row(*r, "", o, &arr);
    j["entries"] = arr;
    o.object(j);
    return;
  }
  if (!o.text.empty()) o.line("");
  o.line(fmt::format("{} - NetBIOS name{} with suffix <{:02X}>", t.text,
                     t.nb_name.empty() ? std::string() : " " + t.nb_name, suffix));
  if (rows.empty()) {
    o.field("meaning", "no entry in the knowledge base: an application-specific suffix");
    return;
  }
  for (const auto* r : rows) nb_row(*r, r->special_name.empty() ? "any name" : r->special_name, o, nullptr);
}

void explain_rpc(const kb::KnowledgeBase& k, const Topic& t, Out& o) {
  const auto* r = k.rpc(t.number);
  std::vector<const kb::RpcProcInfo*> procs;
  for (std::uint32_t p = 0; p < 32; ++p) {
    if (const auto* pi = k.rpc_proc(t.number, p)) procs.push_back(pi);
  }
  if (o.as_json) {
    json j{{"topic", t.text}, {"kind", "rpc"}, {"program", t.number}, {"known", r != nullptr}};
    if (r != nullptr) {
      j["name"] = r->name;
      j["meaning"] = r->meaning;
    }
    if (!procs.empty()) {
      json arr = json::array();
      for (const auto* p : procs) arr.push_back({{"procedure", p->procedure}, {"name", p->name}, {"meaning", p->meaning}});
      j["procedures"] = arr;
    }
    o.object(j);
    return;
  }
  if (!o.text.empty()) o.line("");
  if (r == nullptr) {
    o.line(fmt::format("{} - no entry in the knowledge base", t.text));
    o.field("meaning", "an RPC program netseen does not know; look it up in /etc/rpc or the RFC 5531 registry");
    return;
  }
  o.line(fmt::format("{} - {}", t.text, r->name));
  o.field("meaning", r->meaning);
  for (const auto* p : procs) o.field("proc", fmt::format("{} {}: {}", p->procedure, p->name, p->meaning));
}

void explain_ttl(const kb::KnowledgeBase& k, const Topic& t, Out& o) {
  const auto g = k.ttl(static_cast<std::uint8_t>(t.number));
  if (o.as_json) {
    json j{{"topic", t.text}, {"kind", "ttl"}, {"observed", g.observed}, {"known", g.initial != 0}};
    if (g.initial != 0) {
      j["initial"] = g.initial;
      j["hops"] = g.hops;
      j["os_family"] = g.os_family;
      j["note"] = g.note;
    }
    o.object(j);
    return;
  }
  if (!o.text.empty()) o.line("");
  if (g.initial == 0) {
    o.line(fmt::format("{} - no initial TTL in the knowledge base covers this value", t.text));
    return;
  }
  o.line(fmt::format("{} - likely {}, {} hop{} away (initial TTL {})", t.text, g.os_family, g.hops,
                     g.hops == 1 ? "" : "s", g.initial));
  o.field("note", g.note);
  o.field("caveat", "a guess: stacks can be reconfigured, and scanners (nmap decoys) randomise the TTL");
}

void explain_ipid(const Topic& t, Out& o) {
  const auto v = kb::ipid_pattern(t.ids);
  std::string swapped;
  for (const auto id : t.ids) {
    if (!swapped.empty()) swapped += ' ';
    swapped += fmt::format("0x{:04X}", static_cast<std::uint16_t>((id >> 8) | (id << 8)));
  }
  if (o.as_json) {
    o.object({{"topic", t.text}, {"kind", "ipid"}, {"ids", t.ids}, {"pattern", kb::to_string(v.pattern)},
              {"meaning", v.meaning}});
    return;
  }
  if (!o.text.empty()) o.line("");
  o.line(fmt::format("{} - {}", t.text, kb::to_string(v.pattern)));
  o.field("meaning", v.meaning);
  if (v.pattern == kb::IpIdPattern::IncrementalLe) o.field("swapped", swapped);
}

// Entries per table of the knowledge base in use (built-in plus any --kb files).
void print_kb_stats(const kb::KnowledgeBase& k, Out& o) {
  const auto c = k.counts();
  const std::pair<const char*, std::size_t> rows[] = {
      {"ports", c.ports},       {"icmp", c.icmp},           {"special", c.special}, {"slash8", c.slash8},
      {"nbsuffix", c.nb_suffixes}, {"rpc", c.rpc},          {"rpc_procedures", c.rpc_procs}, {"ttl", c.ttl}};
  if (o.as_json) {
    json j{{"kind", "kb-stats"}};
    for (const auto& [name, n] : rows) j[name] = n;
    o.object(j);
    return;
  }
  o.line("knowledge base entries per table");
  for (const auto& [name, n] : rows) o.line(fmt::format("  {:<16}{:>6}", name, n));
}

int check_kb(const std::vector<std::string>& files) {
  int rc = kExitOk;
  for (const auto& f : files) {
    kb::KnowledgeBase k;
    kb::LoadReport report;
    k.load_file(f, report);
    for (const auto& d : report.diagnostics) fmt::print(stderr, "{}\n", d.to_string());
    if (!report.ok()) {
      rc = kExitKnowledge;
      continue;
    }
    const auto c = k.counts();
    const auto rows = c.ports + c.icmp + c.special + c.slash8 + c.nb_suffixes + c.rpc + c.rpc_procs + c.ttl;
    fmt::print("{}: valid, {} entr{}\n", f, rows, rows == 1 ? "y" : "ies");
  }
  return rc;
}

int run_explain(const ExplainArgs& a) {
  if (!a.check_files.empty()) {
    const int rc = check_kb(a.check_files);
    if (rc != kExitOk || a.topics.empty()) return rc;
  }
  if (a.topics.empty() && !a.kb_stats) {
    fmt::print(stderr, "netseen explain: nothing to explain; {}\n", kTopicHelp);
    return kExitUsage;
  }
  std::vector<Topic> topics;
  if (const auto err = parse_topics(a.topics, topics)) {
    fmt::print(stderr, "netseen explain: {}\n{}\n", *err, kTopicHelp);
    return kExitUsage;
  }
  std::optional<Timestamp> at;
  if (!a.at.empty()) {
    at = parse_rfc3339(a.at);
    if (!at) {
      fmt::print(stderr, "netseen explain: --at '{}' is not a date (YYYY-MM-DD or RFC 3339)\n", a.at);
      return kExitUsage;
    }
  }
  std::optional<kb::KnowledgeBase> custom;
  if (!a.kb_files.empty()) {
    kb::LoadReport report;
    auto loaded = kb::KnowledgeBase::load(a.kb_files, report);
    for (const auto& d : report.diagnostics) fmt::print(stderr, "{}\n", d.to_string());
    if (!loaded) {
      fmt::print(stderr, "netseen explain: the knowledge base is invalid\n");
      return kExitKnowledge;
    }
    custom.emplace(std::move(*loaded));
  }
  const kb::KnowledgeBase& k = custom ? *custom : kb::builtin_kb();
  std::optional<kb::GeoIp> geo;
  if (!a.geoip.empty()) {
    auto opened = kb::GeoIp::open(a.geoip);
    if (!opened) {
      fmt::print(stderr, "netseen explain: --geoip {}\n", opened.error().detail);
      return opened.error().kind == ErrorKind::Io ? kExitInput : kExitKnowledge;
    }
    geo.emplace(std::move(*opened));
  }
  Out o;
  o.as_json = a.format == "json";
  if (a.kb_stats) print_kb_stats(k, o);
  for (const auto& t : topics) {
    switch (t.kind) {
      case Kind::Port: explain_port(k, t, o); break;
      case Kind::Icmp: explain_icmp(k, t, o); break;
      case Kind::Address: {
        std::string err;
        if (!explain_address(k, geo ? &*geo : nullptr, t, at, o, err)) {
          fmt::print(stderr, "netseen explain: --geoip {}\n", err);
          return kExitKnowledge;
        }
        break;
      }
      case Kind::NbName: explain_nbname(k, t, o); break;
      case Kind::Rpc: explain_rpc(k, t, o); break;
      case Kind::Ttl: explain_ttl(k, t, o); break;
      case Kind::IpId: explain_ipid(t, o); break;
    }
  }
  std::fwrite(o.text.data(), 1, o.text.size(), stdout);
  return kExitOk;
}

}  // namespace

void register_explain(CLI::App& app, Context& ctx) {
  auto holder = std::make_shared<ExplainArgs>();
  auto& args = *holder;
  auto* cmd = app.add_subcommand(
      "explain",
      "What a port, ICMP message, address, NetBIOS name, RPC program, TTL or IP ID sequence means.\n"
      "Examples: 137/udp  31337  icmp 3/4  1.11.68.22 --at 2004-09-14  169.254.3.4  nbname 1C\n"
      "          nbname '__MSBROWSE__<01>'  rpc 100005  ttl 113  ipid 0xFD01,0xFE01,0xFF01");
  cmd->add_option("TOPIC", args.topics, "what to explain (see the examples)");
  cmd->add_option("--format", args.format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--at", args.at, "date for address questions (YYYY-MM-DD): the /8's IANA status on that day");
  cmd->add_option("--kb", args.kb_files, "extra knowledge-base table file overriding the built-in rows (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--geoip", args.geoip,
                  "MaxMind DB (.mmdb) country database: show the country of addresses (optional)");
  cmd->add_flag("--kb-stats", args.kb_stats, "print the number of entries in each knowledge-base table");
  cmd->add_option("--check-kb", args.check_files,
                  "validate a knowledge-base table file; prints file:line diagnostics, exit 4 when invalid")
      ->allow_extra_args(false);
  cmd->callback([&ctx, holder] { ctx.exit_code = run_explain(*holder); });
}

}  // namespace netseen::cli
