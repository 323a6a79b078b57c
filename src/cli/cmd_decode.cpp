// netseen decode: the forensic view. One line per packet (or log line) like tcpdump -nn,
// with NetBIOS in detail; -v adds every NetBIOS field; --format json writes one object per
// packet. --filter keeps packets by protocol, port, host or network (all terms must match).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/live_args.hpp"
#include "core/ip_address.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"
#include "decode/frame.hpp"
#include "ingest/live_capture.hpp"
#include "ingest/source.hpp"
#include "netbios/browser.hpp"
#include "netbios/nbds.hpp"
#include "netbios/nbns.hpp"
#include "netbios/nbss.hpp"
#include "netbios/suffixes.hpp"

namespace netseen::cli {

namespace {

using decode::App;
using decode::Event;
using decode::Transport;
using nlohmann::ordered_json;

struct DecodeArgs {
  std::vector<std::string> inputs;
  std::string format = "text";
  bool verbose = false;
  std::vector<std::string> filter;
  bool count_only = false;
  std::string log_format;
  int year = 0;
  std::string tz;
  bool quiet = false;
  LiveArgs live;
};

// ---------------------------------------------------------------- filter

struct Term {
  enum class Kind { Proto, Port, Host, Net } kind = Kind::Proto;
  std::string proto;
  std::uint16_t port = 0;
  Cidr net;
};

bool proto_matches(const std::string& p, const Event& ev) {
  if (p == "ip") return ev.ip_version == 4;
  if (p == "ip6" || p == "ipv6") return ev.ip_version == 6;
  if (p == "arp") return ev.ethertype == 0x0806;
  if (p == "tcp") return ev.transport == Transport::Tcp;
  if (p == "udp") return ev.transport == Transport::Udp;
  if (p == "icmp") return ev.transport == Transport::Icmp;
  if (p == "icmp6" || p == "icmpv6") return ev.transport == Transport::Icmpv6;
  if (p == "dns") return ev.app == App::Dns;
  if (p == "nbns") return ev.app == App::Nbns;
  if (p == "nbds") return ev.app == App::Nbds;
  if (p == "nbss") return ev.app == App::Nbss || ev.nbss.has_value();
  if (p == "smb") return ev.smb.has_value();
  if (p == "netbios") return ev.nbns || ev.nbds || ev.nbss;
  return false;
}

bool known_proto(const std::string& p) {
  for (const char* k : {"ip", "ip6", "ipv6", "arp", "tcp", "udp", "icmp", "icmp6", "icmpv6", "dns", "nbns", "nbds",
                        "nbss", "smb", "netbios"}) {
    if (p == k) return true;
  }
  return false;
}

// "udp port 137 host 10.0.0.1", "net 10.0.0.0/8", "nbns": every term must match.
std::optional<std::vector<Term>> parse_filter(const std::vector<std::string>& parts, std::string& why) {
  std::vector<std::string> words;
  for (const auto& p : parts) {
    std::size_t i = 0;
    while (i < p.size()) {
      while (i < p.size() && (p[i] == ' ' || p[i] == ',')) ++i;
      std::size_t j = i;
      while (j < p.size() && p[j] != ' ' && p[j] != ',') ++j;
      if (j > i) words.push_back(p.substr(i, j - i));
      i = j;
    }
  }
  std::vector<Term> out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "and") continue;
    Term t;
    if (w == "port" || w == "host" || w == "net") {
      if (i + 1 >= words.size()) {
        why = fmt::format("'{}' needs a value", w);
        return std::nullopt;
      }
      const std::string& v = words[++i];
      if (w == "port") {
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (end == v.c_str() || *end != '\0' || n < 0 || n > 65535) {
          why = fmt::format("bad port '{}'", v);
          return std::nullopt;
        }
        t.kind = Term::Kind::Port;
        t.port = static_cast<std::uint16_t>(n);
      } else {
        auto c = Cidr::parse(v);
        if (!c || (w == "host" && v.find('/') != std::string::npos)) {
          why = fmt::format("bad {} '{}'", w, v);
          return std::nullopt;
        }
        t.kind = w == "host" ? Term::Kind::Host : Term::Kind::Net;
        t.net = *c;
      }
    } else if (known_proto(w)) {
      t.proto = w;
    } else {
      why = fmt::format("unknown filter term '{}' (protocols: tcp udp icmp icmp6 ip ip6 arp dns nbns nbds nbss smb "
                        "netbios; port N; host ADDR; net CIDR)",
                        w);
      return std::nullopt;
    }
    out.push_back(std::move(t));
  }
  return out;
}

bool matches(const std::vector<Term>& terms, const Event& ev) {
  for (const auto& t : terms) {
    switch (t.kind) {
      case Term::Kind::Proto:
        if (!proto_matches(t.proto, ev)) return false;
        break;
      case Term::Kind::Port:
        if (ev.transport != Transport::Tcp && ev.transport != Transport::Udp) return false;
        if (ev.sport != t.port && ev.dport != t.port) return false;
        break;
      case Term::Kind::Host:
      case Term::Kind::Net:
        if (!(ev.src.valid() && t.net.contains(ev.src)) && !(ev.dst.valid() && t.net.contains(ev.dst))) return false;
        break;
    }
  }
  return true;
}

// ---------------------------------------------------------------- names

std::string nb_display(const decode::NbName& n) {
  auto name = netbios::NetbiosName::from_raw(std::span<const std::uint8_t, 16>(n.raw), n.scope);
  if (!name) return "?";
  return name->display();
}

std::string_view rr_type_name(std::uint16_t t) {
  switch (t) {
    case 0x0020: return "NB";
    case 0x0021: return "NBSTAT";
    case 0x0001: return "A";
    case 0x0002: return "NS";
    case 0x000A: return "NULL";
    default: return "";
  }
}

std::string type_text(std::uint16_t t) {
  const auto n = rr_type_name(t);
  return n.empty() ? fmt::format("type 0x{:04x}", t) : std::string(n);
}

std::string_view dns_type_name(std::uint16_t t) {
  switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 32: return "NB";
    case 33 + 0x100: return "";
    case 255: return "ANY";
    default: return "";
  }
}

std::string_view dns_rcode_name(std::uint8_t r) {
  switch (r) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    default: return "";
  }
}

std::string_view icmp_name(std::uint8_t type, std::uint8_t code, bool v6) {
  if (v6) {
    switch (type) {
      case 1: return "destination unreachable";
      case 2: return "packet too big";
      case 3: return "time exceeded";
      case 4: return "parameter problem";
      case 128: return "echo request";
      case 129: return "echo reply";
      case 133: return "router solicitation";
      case 134: return "router advertisement";
      case 135: return "neighbor solicitation";
      case 136: return "neighbor advertisement";
      default: return "";
    }
  }
  switch (type) {
    case 0: return "echo reply";
    case 3:
      switch (code) {
        case 0: return "net unreachable";
        case 1: return "host unreachable";
        case 2: return "protocol unreachable";
        case 3: return "port unreachable";
        case 4: return "fragmentation needed";
        case 9:
        case 10: return "administratively prohibited";
        case 13: return "communication administratively prohibited";
        default: return "destination unreachable";
      }
    case 4: return "source quench";
    case 5: return "redirect";
    case 8: return "echo request";
    case 11: return code == 0 ? "time exceeded in transit" : "fragment reassembly time exceeded";
    case 12: return "parameter problem";
    case 13: return "timestamp request";
    case 14: return "timestamp reply";
    case 17: return "address mask request";
    case 18: return "address mask reply";
    default: return "";
  }
}

std::string proto_name(std::uint8_t p) {
  switch (p) {
    case 1: return "ICMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 58: return "ICMP6";
    case 132: return "SCTP";
    case 2: return "IGMP";
    case 47: return "GRE";
    case 50: return "ESP";
    default: return fmt::format("proto {}", p);
  }
}

std::string tcp_flags_text(std::uint8_t f) {
  std::string s;
  if (f & decode::tcpflag::kSyn) s += 'S';
  if (f & decode::tcpflag::kFin) s += 'F';
  if (f & decode::tcpflag::kRst) s += 'R';
  if (f & decode::tcpflag::kPsh) s += 'P';
  if (f & decode::tcpflag::kUrg) s += 'U';
  if (f & decode::tcpflag::kEce) s += 'E';
  if (f & decode::tcpflag::kCwr) s += 'W';
  if (f & decode::tcpflag::kAck) s += '.';
  if (s.empty()) s = "none";
  return s;
}

std::string endpoint(const IpAddress& a, std::uint16_t port, bool with_port) {
  return with_port ? fmt::format("{}.{}", a.to_string(), port) : a.to_string();
}

std::string nm_flags_text(std::uint8_t f) {
  std::string s;
  auto add = [&s](const char* n) {
    if (!s.empty()) s += ',';
    s += n;
  };
  if (f & netbios::nm_flags::kAA) add("AA");
  if (f & netbios::nm_flags::kTC) add("TC");
  if (f & netbios::nm_flags::kRD) add("RD");
  if (f & netbios::nm_flags::kRA) add("RA");
  if (f & netbios::nm_flags::kB) add("B");
  return s;
}

std::vector<std::string> nm_flags_list(std::uint8_t f) {
  std::vector<std::string> v;
  if (f & netbios::nm_flags::kAA) v.emplace_back("AA");
  if (f & netbios::nm_flags::kTC) v.emplace_back("TC");
  if (f & netbios::nm_flags::kRD) v.emplace_back("RD");
  if (f & netbios::nm_flags::kRA) v.emplace_back("RA");
  if (f & netbios::nm_flags::kB) v.emplace_back("B");
  return v;
}

std::string suffix_meaning(std::uint8_t suffix, bool group) {
  auto d = netbios::describe_suffix(suffix, group);
  return d ? std::string(d->service) : std::string();
}

std::string node_name_flags(const netbios::NodeName& n) {
  std::string s = n.group() ? "GROUP" : "UNIQUE";
  s += fmt::format(" {}-node", netbios::node_type_letter(n.ont()));
  if (n.active()) s += " ACTIVE";
  if (n.permanent()) s += " PERMANENT";
  if (n.conflict()) s += " CONFLICT";
  if (n.deregistering()) s += " DEREGISTERING";
  return s;
}

// ---------------------------------------------------------------- text

std::string nbns_summary(const Event& ev) {
  const decode::Nbns& n = *ev.nbns;
  std::string s = fmt::format("NBNS {}", netbios::opcode_name(n.opcode));
  if (n.response) s += " response";
  if (n.response && n.rcode != 0) s += fmt::format(" {}", netbios::rcode_name(n.rcode));
  if (n.qtype != 0) s += fmt::format(" {}", type_text(n.qtype));
  if (n.question) s += fmt::format(" {}", nb_display(*n.question));
  s += fmt::format(" id 0x{:04x}", n.id);
  if (n.broadcast()) s += " broadcast";
  for (const auto& a : n.nb_addresses) s += fmt::format(" addr {}", a.to_string());
  if (!n.node_status_names.empty()) s += fmt::format(" names {}", n.node_status_names.size());
  if (n.unit_id) s += fmt::format(" unit {}", n.unit_id->to_string());
  return s;
}

std::string nbds_summary(const Event& ev) {
  const decode::Nbds& d = *ev.nbds;
  std::string s = fmt::format("NBDS {}", netbios::datagram_type_name(d.msg_type));
  if (d.source_name) s += fmt::format(" {}", nb_display(*d.source_name));
  if (d.destination_name) s += fmt::format(" > {}", nb_display(*d.destination_name));
  if (!d.mailslot.empty()) s += fmt::format(" {}", d.mailslot);
  if (d.browser_opcode != 0) s += fmt::format(" {}", netbios::browser_opcode_name(d.browser_opcode));
  if (!d.server_name.empty()) s += fmt::format(" {}", d.server_name);
  return s;
}

std::string smb_summary(const decode::Smb& m) {
  if (m.version == 3) return "SMB3 encrypted";
  const char* name = decode::smb_command_name(m.version, m.command);
  std::string s = m.version == 2 ? "SMB2 " : "SMB ";
  s += name != nullptr ? std::string(name) : fmt::format("command 0x{:02x}", m.command);
  s += m.response ? " Response" : " Request";
  if (m.status != 0) s += fmt::format(" status 0x{:08x}", m.status);
  return s;
}

std::string app_summary(const Event& ev) {
  if (ev.nbns) return nbns_summary(ev);
  if (ev.nbds) return nbds_summary(ev);
  if (ev.smb) return smb_summary(*ev.smb);
  if (ev.nbss) {
    const decode::Nbss& s = *ev.nbss;
    std::string out = fmt::format("NBSS {}", netbios::session_type_name(s.type));
    if (s.called) out += fmt::format(" to {}", nb_display(*s.called));
    if (s.calling) out += fmt::format(" from {}", nb_display(*s.calling));
    if (s.type == 0x83) out += fmt::format(" error 0x{:02x} ({})", s.error_code, netbios::session_error_meaning(s.error_code));
    return out;
  }
  if (ev.dns) {
    const decode::Dns& d = *ev.dns;
    const auto tn = dns_type_name(d.qtype);
    std::string s = fmt::format("DNS {}", d.response ? "response" : "query");
    if (d.response) {
      const auto rn = dns_rcode_name(d.rcode);
      s += rn.empty() ? fmt::format(" rcode {}", d.rcode) : fmt::format(" {}", rn);
    }
    s += tn.empty() ? fmt::format(" type {}", d.qtype) : fmt::format(" {}", tn);
    s += fmt::format(" {} id 0x{:04x}", d.qname, d.id);
    if (d.response) s += fmt::format(" answers {}", d.answers);
    for (const auto& p : d.ptr_targets) s += fmt::format(" ptr {}", p);
    return s;
  }
  return {};
}

std::string text_line(const Event& ev) {
  std::string s = fmt::format("{} {} ", ev.origin.number, format_rfc3339(ev.ts));
  if (ev.origin.is_line) s = fmt::format("line {} {} ", ev.origin.number, format_rfc3339(ev.ts));
  if (!ev.rule.empty() || ev.action != decode::Action::Unknown) {
    s += fmt::format("[{}{}{}] ", decode::to_string(ev.action), ev.rule.empty() ? "" : " rule ", ev.rule);
  }
  if (ev.vlan != 0) s += fmt::format("vlan {} ", ev.vlan);
  if (ev.ip_version == 0) {
    if (ev.src_mac) s += fmt::format("{} > {} ", ev.src_mac->to_string(), ev.dst_mac ? ev.dst_mac->to_string() : "?");
    if (ev.ethertype == 0x0806) s += "ARP";
    else if (ev.ethertype == 0) s += "non-IP (802.3/LLC)";
    else s += fmt::format("ethertype 0x{:04x}", ev.ethertype);
  } else {
    const bool ports = ev.transport == Transport::Tcp || ev.transport == Transport::Udp;
    s += fmt::format("{} > {}: ", endpoint(ev.src, ev.sport, ports), endpoint(ev.dst, ev.dport, ports));
    const std::string app = app_summary(ev);
    switch (ev.transport) {
      case Transport::Tcp:
        if (!app.empty()) {
          s += app;
        } else {
          s += fmt::format("TCP [{}] seq {}", tcp_flags_text(ev.tcp_flags), ev.tcp_seq);
          if (ev.tcp_flags & decode::tcpflag::kAck) s += fmt::format(" ack {}", ev.tcp_ack);
          s += fmt::format(" win {} len {}", ev.tcp_window, ev.payload_len);
        }
        break;
      case Transport::Udp:
        s += app.empty() ? fmt::format("UDP len {}", ev.payload_len) : app;
        break;
      case Transport::Icmp:
      case Transport::Icmpv6: {
        const bool v6 = ev.transport == Transport::Icmpv6;
        s += v6 ? "ICMP6" : "ICMP";
        if (ev.icmp) {
          const auto& ic = *ev.icmp;
          s += fmt::format(" {}/{}", ic.type, ic.code);
          const auto name = icmp_name(ic.type, ic.code, v6);
          if (!name.empty()) s += fmt::format(" {}", name);
          const bool echo = v6 ? (ic.type == 128 || ic.type == 129) : (ic.type == 0 || ic.type == 8);
          if (echo) s += fmt::format(" id {} seq {}", ic.id, ic.seq);
          if (ic.mtu != 0) s += fmt::format(" mtu {}", ic.mtu);
          if (ic.quoted) {
            const auto& q = *ic.quoted;
            s += fmt::format(" quoting {} {} > {}", proto_name(q.protocol), endpoint(q.src, q.sport, q.has_ports),
                             endpoint(q.dst, q.dport, q.has_ports));
          }
        }
        break;
      }
      default:
        s += proto_name(ev.protocol);
        if (ev.later_fragment) s += " fragment";
        break;
    }
    if (ev.fragment && ev.transport != Transport::None) s += " (fragment)";
  }
  if (!ev.anomalies.empty()) {
    s += " !";
    for (const auto& a : ev.anomalies) s += fmt::format(" {}", a.id);
  }
  s += '\n';
  return s;
}

// -v: every NetBIOS field, indented under the packet's line.
void verbose_nbns(const netbios::NbnsMessage& m, std::string& out) {
  const auto& h = m.header;
  out += fmt::format("    NBNS {} ({}) id 0x{:04x} {} opcode {} ({}) flags [{}] rcode {} ({})\n",
                     netbios::to_string(m.kind()), h.response ? "response" : "request", h.id,
                     h.response ? "R=1" : "R=0", h.opcode, netbios::opcode_name(h.opcode), nm_flags_text(h.nm_flags),
                     h.rcode, netbios::rcode_name(h.rcode));
  out += fmt::format("    counts: questions {} answers {} authority {} additional {}\n", h.qdcount, h.ancount,
                     h.nscount, h.arcount);
  for (const auto& q : m.questions) {
    const auto meaning = suffix_meaning(q.name.suffix(), false);
    out += fmt::format("    question {} {} class {}{}\n", q.name.display(), type_text(q.type), q.qclass,
                       meaning.empty() ? "" : fmt::format("  ({})", meaning));
  }
  auto rrs = [&out](const char* section, const std::vector<netbios::NbnsResourceRecord>& v) {
    for (const auto& rr : v) {
      out += fmt::format("    {} {} {} ttl {} rdlength {}\n", section,
                         rr.name_is_netbios ? rr.name.display() : rr.dns_name, type_text(rr.type), rr.ttl,
                         rr.rdlength);
      for (const auto& a : rr.addresses) {
        out += fmt::format("      address {} {} {}-node\n", IpAddress::v4(a.address).to_string(),
                           a.group() ? "GROUP" : "UNIQUE", netbios::node_type_letter(a.ont()));
      }
      if (rr.node_status) {
        const auto& ns = *rr.node_status;
        out += fmt::format("      node status: {} names\n", ns.num_names);
        for (const auto& n : ns.names) {
          const auto meaning = suffix_meaning(n.raw[15], n.group());
          out += fmt::format("        {:<22} {}{}\n", n.display(), node_name_flags(n),
                             meaning.empty() ? "" : fmt::format("  ({})", meaning));
        }
        if (ns.statistics) {
          const auto& st = *ns.statistics;
          out += fmt::format("      unit id {}  jumpers 0x{:02x} test result 0x{:02x} version 0x{:04x} period {}\n",
                             st.unit_id.to_string(), st.jumpers, st.test_result, st.version_number,
                             st.period_of_statistics);
          out += fmt::format("      crcs {} alignment errors {} collisions {} send aborts {} good sends {} good "
                             "receives {} retransmits {}\n",
                             st.number_of_crcs, st.number_alignment_errors, st.number_of_collisions,
                             st.number_send_aborts, st.number_good_sends, st.number_good_receives,
                             st.number_retransmits);
          out += fmt::format("      no resource {} free ncbs {} total ncbs {} max total ncbs {} pending sessions {} "
                             "max pending {} max sessions {} packet size {}\n",
                             st.number_no_resource_conditions, st.number_free_command_blocks,
                             st.total_number_command_blocks, st.max_total_number_command_blocks,
                             st.number_pending_sessions, st.max_number_pending_sessions,
                             st.max_total_sessions_possible, st.session_data_packet_size);
        }
      }
      if (!rr.nsd_name.empty()) out += fmt::format("      name server {}\n", rr.nsd_name);
      if (rr.nsd_address) out += fmt::format("      name server address {}\n", IpAddress::v4(*rr.nsd_address).to_string());
    }
  };
  rrs("answer", m.answers);
  rrs("authority", m.authority);
  rrs("additional", m.additional);
  for (const auto& d : m.diagnostics) out += fmt::format("    note {} at {}: {}\n", d.id, d.offset, d.detail);
}

void verbose_nbds(const netbios::NbdsMessage& m, std::string& out) {
  out += fmt::format("    NBDS {} flags 0x{:02x}{}{} node {} id 0x{:04x} source {}:{}\n", netbios::datagram_type_name(m.type),
                     m.flags, m.first() ? " FIRST" : "", m.more() ? " MORE" : "",
                     static_cast<unsigned>(m.node_type()), m.dgm_id, IpAddress::v4(m.source_ip).to_string(),
                     m.source_port);
  if (m.source_name) {
    const auto meaning = suffix_meaning(m.source_name->suffix(), false);
    out += fmt::format("    source name {}{}\n", m.source_name->display(), meaning.empty() ? "" : "  (" + meaning + ")");
  }
  if (m.destination_name) {
    const auto meaning = suffix_meaning(m.destination_name->suffix(), true);
    out += fmt::format("    destination name {}{}\n", m.destination_name->display(),
                       meaning.empty() ? "" : "  (" + meaning + ")");
  }
  if (m.type == 0x13) out += fmt::format("    error 0x{:02x} ({})\n", m.error_code, netbios::datagram_error_meaning(m.error_code));
  if (!m.carries_data() || m.user_data.empty()) return;
  auto slot = netbios::parse_mailslot(Bytes(m.user_data));
  if (!slot) return;
  out += fmt::format("    mailslot {} priority {} class {}\n", slot->mailslot, slot->priority, slot->mailslot_class);
  auto b = netbios::parse_browser(Bytes(slot->data));
  if (!b) return;
  out += fmt::format("    browser {}", netbios::browser_opcode_name(b->opcode));
  if (!b->server_name.empty()) out += fmt::format(" server {}", b->server_name);
  if (b->opcode == 1 || b->opcode == 12 || b->opcode == 15) {
    out += fmt::format(" os {}.{} type 0x{:08x} browser {}.{} periodicity {} ms update {}", b->os_major, b->os_minor,
                       b->server_type, b->browser_major, b->browser_minor, b->periodicity_ms, b->update_count);
    if (!b->comment.empty()) out += fmt::format(" comment \"{}\"", b->comment);
  } else if (b->opcode == 8) {
    out += fmt::format(" version {} criteria 0x{:08x} uptime {} ms", b->election_version, b->election_criteria,
                       b->uptime_ms);
  }
  out += '\n';
}

void verbose_text(const Event& ev, std::string& out) {
  if (ev.app_payload.empty()) return;
  const Bytes p(ev.app_payload.data(), ev.app_payload.size());
  if (ev.nbns) {
    auto m = netbios::parse_nbns(p);
    if (m) verbose_nbns(*m, out);
    else out += fmt::format("    NBNS not parsed: {}\n", m.error().message());
  } else if (ev.nbds) {
    auto m = netbios::parse_nbds(p);
    if (m) verbose_nbds(*m, out);
    else out += fmt::format("    NBDS not parsed: {}\n", m.error().message());
  } else if (ev.nbss && ev.nbss->called) {
    const auto& s = *ev.nbss;
    out += fmt::format("    called {} ({})\n", nb_display(*s.called), suffix_meaning(s.called->suffix(), false));
    if (s.calling) out += fmt::format("    calling {} ({})\n", nb_display(*s.calling), suffix_meaning(s.calling->suffix(), false));
  }
  for (const auto& a : ev.anomalies) {
    if (!a.detail.empty()) out += fmt::format("    anomaly {}: {}\n", a.id, a.detail);
  }
}

// ---------------------------------------------------------------- JSON

ordered_json name_json(const std::array<std::uint8_t, 16>& raw, std::string_view scope = {}) {
  auto n = netbios::NetbiosName::from_raw(std::span<const std::uint8_t, 16>(raw), scope);
  ordered_json j;
  j["name"] = n ? n->base() : std::string();
  j["suffix"] = fmt::format("{:02x}", raw[15]);
  j["display"] = n ? n->display() : std::string();
  return j;
}

ordered_json nbns_json(const Event& ev) {
  ordered_json j;
  const decode::Nbns& s = *ev.nbns;
  j["id"] = s.id;
  j["response"] = s.response;
  j["opcode"] = std::string(netbios::opcode_name(s.opcode));
  j["rcode"] = s.rcode;
  j["flags"] = nm_flags_list(s.nm_flags);
  const Bytes p(ev.app_payload.data(), ev.app_payload.size());
  auto m = netbios::parse_nbns(p);
  if (!m) {
    j["error"] = m.error().message();
    return j;
  }
  j["kind"] = std::string(netbios::to_string(m->kind()));
  ordered_json qs = ordered_json::array();
  for (const auto& q : m->questions) {
    ordered_json e = name_json(q.name.raw, q.name.scope);
    e["type"] = type_text(q.type);
    qs.push_back(std::move(e));
  }
  j["questions"] = std::move(qs);
  auto rrs = [](const std::vector<netbios::NbnsResourceRecord>& v) {
    ordered_json arr = ordered_json::array();
    for (const auto& rr : v) {
      ordered_json e = rr.name_is_netbios ? name_json(rr.name.raw, rr.name.scope) : ordered_json{{"name", rr.dns_name}};
      e["type"] = type_text(rr.type);
      e["ttl"] = rr.ttl;
      if (!rr.addresses.empty()) {
        ordered_json addrs = ordered_json::array();
        for (const auto& a : rr.addresses) {
          addrs.push_back({{"address", IpAddress::v4(a.address).to_string()},
                           {"group", a.group()},
                           {"node_type", std::string(1, netbios::node_type_letter(a.ont()))}});
        }
        e["addresses"] = std::move(addrs);
      }
      if (rr.node_status) {
        ordered_json names = ordered_json::array();
        for (const auto& n : rr.node_status->names) {
          ordered_json x = name_json(n.raw);
          x["group"] = n.group();
          x["node_type"] = std::string(1, netbios::node_type_letter(n.ont()));
          x["active"] = n.active();
          x["permanent"] = n.permanent();
          x["conflict"] = n.conflict();
          x["deregistering"] = n.deregistering();
          names.push_back(std::move(x));
        }
        e["names"] = std::move(names);
        if (const auto& st = rr.node_status->statistics) {
          e["unit_id"] = st->unit_id.to_string();
          e["statistics"] = {{"jumpers", st->jumpers},
                             {"test_result", st->test_result},
                             {"version_number", st->version_number},
                             {"period_of_statistics", st->period_of_statistics},
                             {"number_of_crcs", st->number_of_crcs},
                             {"number_alignment_errors", st->number_alignment_errors},
                             {"number_of_collisions", st->number_of_collisions},
                             {"number_send_aborts", st->number_send_aborts},
                             {"number_good_sends", st->number_good_sends},
                             {"number_good_receives", st->number_good_receives},
                             {"number_retransmits", st->number_retransmits},
                             {"number_no_resource_conditions", st->number_no_resource_conditions},
                             {"number_free_command_blocks", st->number_free_command_blocks},
                             {"total_number_command_blocks", st->total_number_command_blocks},
                             {"max_total_number_command_blocks", st->max_total_number_command_blocks},
                             {"number_pending_sessions", st->number_pending_sessions},
                             {"max_number_pending_sessions", st->max_number_pending_sessions},
                             {"max_total_sessions_possible", st->max_total_sessions_possible},
                             {"session_data_packet_size", st->session_data_packet_size}};
        }
      }
      arr.push_back(std::move(e));
    }
    return arr;
  };
  j["answers"] = rrs(m->answers);
  if (!m->authority.empty()) j["authority"] = rrs(m->authority);
  if (!m->additional.empty()) j["additional"] = rrs(m->additional);
  return j;
}

ordered_json event_json(const Event& ev) {
  ordered_json j;
  j[ev.origin.is_line ? "line" : "frame"] = ev.origin.number;
  j["input"] = ev.origin.input;
  j["ts"] = format_rfc3339(ev.ts);
  if (ev.wire_len != 0) j["len"] = ev.wire_len;
  if (ev.src_mac) j["src_mac"] = ev.src_mac->to_string();
  if (ev.dst_mac) j["dst_mac"] = ev.dst_mac->to_string();
  if (ev.vlan != 0) j["vlan"] = ev.vlan;
  if (ev.ethertype != 0) j["ethertype"] = fmt::format("0x{:04x}", ev.ethertype);
  if (ev.action != decode::Action::Unknown) j["action"] = decode::to_string(ev.action);
  if (ev.direction != decode::Direction::Unknown) j["direction"] = decode::to_string(ev.direction);
  if (!ev.rule.empty()) j["rule"] = ev.rule;
  if (!ev.in_iface.empty()) j["in_iface"] = ev.in_iface;
  if (!ev.out_iface.empty()) j["out_iface"] = ev.out_iface;
  if (ev.ip_version != 0) {
    j["ip_version"] = ev.ip_version;
    j["src"] = ev.src.to_string();
    j["dst"] = ev.dst.to_string();
    j["ip_proto"] = ev.protocol;
    if (ev.has_ttl) j["ttl"] = ev.ttl;
    if (ev.has_ip_id) j["ip_id"] = ev.ip_id;
    if (ev.fragment) j["fragment"] = ev.later_fragment ? "later" : "first";
  }
  j["protocol"] = ev.app != App::None ? decode::to_string(ev.app)
                  : ev.transport != Transport::None ? decode::to_string(ev.transport)
                  : ev.ethertype == 0x0806 ? "arp"
                  : ev.ip_version != 0 ? "ip"
                                       : "other";
  if (ev.transport == Transport::Tcp || ev.transport == Transport::Udp) {
    j["sport"] = ev.sport;
    j["dport"] = ev.dport;
    j["payload_len"] = ev.payload_len;
  }
  if (ev.transport == Transport::Tcp) {
    j["tcp_flags"] = tcp_flags_text(ev.tcp_flags);
    j["seq"] = ev.tcp_seq;
    j["ack"] = ev.tcp_ack;
    j["window"] = ev.tcp_window;
  }
  if (ev.icmp) {
    const auto& ic = *ev.icmp;
    ordered_json i{{"type", ic.type}, {"code", ic.code}};
    const bool v6 = ev.transport == Transport::Icmpv6;
    const auto name = icmp_name(ic.type, ic.code, v6);
    if (!name.empty()) i["name"] = std::string(name);
    if ((v6 && (ic.type == 128 || ic.type == 129)) || (!v6 && (ic.type == 0 || ic.type == 8))) {
      i["id"] = ic.id;
      i["seq"] = ic.seq;
    }
    if (ic.mtu != 0) i["mtu"] = ic.mtu;
    if (ic.gateway.valid()) i["gateway"] = ic.gateway.to_string();
    if (ic.quoted) {
      const auto& q = *ic.quoted;
      ordered_json qj{{"src", q.src.to_string()}, {"dst", q.dst.to_string()}, {"ip_proto", q.protocol},
                      {"ttl", q.ttl},             {"ip_id", q.ip_id}};
      if (q.has_ports) {
        qj["sport"] = q.sport;
        qj["dport"] = q.dport;
      }
      i["quoted"] = std::move(qj);
    }
    j["icmp"] = std::move(i);
  }
  if (ev.dns) {
    const auto& d = *ev.dns;
    j["dns"] = {{"id", d.id},          {"response", d.response}, {"opcode", d.opcode}, {"rcode", d.rcode},
                {"qname", d.qname},    {"qtype", d.qtype},       {"answers", d.answers}, {"ptr", d.ptr_targets}};
  }
  if (ev.nbns) j["netbios"] = nbns_json(ev);
  if (ev.nbds) {
    const auto& d = *ev.nbds;
    ordered_json n{{"service", "datagram"}, {"msg_type", std::string(netbios::datagram_type_name(d.msg_type))}};
    if (d.source_name) n["source"] = name_json(d.source_name->raw, d.source_name->scope);
    if (d.destination_name) n["destination"] = name_json(d.destination_name->raw, d.destination_name->scope);
    if (!d.mailslot.empty()) n["mailslot"] = d.mailslot;
    if (d.browser_opcode != 0) n["browser"] = std::string(netbios::browser_opcode_name(d.browser_opcode));
    if (!d.server_name.empty()) n["server_name"] = d.server_name;
    j["netbios"] = std::move(n);
  }
  if (ev.nbss) {
    const auto& s = *ev.nbss;
    ordered_json n{{"service", "session"}, {"type", std::string(netbios::session_type_name(s.type))}};
    if (s.called) n["called"] = name_json(s.called->raw, s.called->scope);
    if (s.calling) n["calling"] = name_json(s.calling->raw, s.calling->scope);
    if (s.type == 0x83) n["error_code"] = s.error_code;
    j["nbss"] = std::move(n);
  }
  if (ev.smb) {
    const auto& m = *ev.smb;
    const char* name = decode::smb_command_name(m.version, m.command);
    j["smb"] = {{"version", m.version},
                {"command", m.command},
                {"command_name", name != nullptr ? name : ""},
                {"status", fmt::format("0x{:08x}", m.status)},
                {"response", m.response}};
  }
  if (!ev.anomalies.empty()) {
    ordered_json a = ordered_json::array();
    for (const auto& x : ev.anomalies) a.push_back(x.detail.empty() ? ordered_json{{"id", x.id}}
                                                                     : ordered_json{{"id", x.id}, {"detail", x.detail}});
    j["anomalies"] = std::move(a);
  }
  return j;
}

// ---------------------------------------------------------------- run

class Out {
 public:
  void add(const std::string& s) {
    buf_ += s;
    if (buf_.size() > (1U << 16)) flush();
  }
  void flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    buf_.clear();
  }
  ~Out() { flush(); }
  Out() = default;
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;

 private:
  std::string buf_;
};

int run_decode(DecodeArgs& a) {
  const bool live = !a.live.interface.empty();
  if (live && !a.inputs.empty()) {
    fmt::print(stderr, "netseen decode: give either INPUT files or -i INTERFACE, not both\n");
    return kExitUsage;
  }
  if (!live && !a.live.filter.empty()) {
    fmt::print(stderr, "netseen decode: --bpf applies to live capture (-i INTERFACE)\n");
    return kExitUsage;
  }
  if (a.inputs.empty() && !live) {
    fmt::print(stderr, "netseen decode: no input given (a capture or log file, - for stdin, or -i INTERFACE)\n");
    return kExitUsage;
  }
  std::string why;
  auto terms = parse_filter(a.filter, why);
  if (!terms) {
    fmt::print(stderr, "netseen decode: --filter: {}\n", why);
    return kExitUsage;
  }
  const bool json = a.format == "json";
  int unreadable = 0;
  Out out;
  std::uint64_t total_events = 0, shown = 0;
  // Decodes one source to the end; a live one is written out packet by packet.
  auto run_source = [&](ingest::EventSource& src, const std::string& name, bool flush_each) {
    Event ev;
    while (src.next(ev)) {
      ++total_events;
      if (!terms->empty() && !matches(*terms, ev)) continue;
      ++shown;
      if (a.count_only) continue;
      if (json) {
        out.add(event_json(ev).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        out.add("\n");
      } else {
        std::string line = text_line(ev);
        if (a.verbose) verbose_text(ev, line);
        out.add(line);
      }
      if (flush_each) {
        out.flush();
        std::fflush(stdout);
      }
    }
    const ingest::InputStats& st = src.stats();
    out.flush();
    for (const auto& e : st.errors) fmt::print(stderr, "netseen decode: {}: {}: {}\n", name, e.where, e.what);
    if (st.error_count > st.errors.size()) {
      fmt::print(stderr, "netseen decode: {}: {} more errors not shown\n", name, st.error_count - st.errors.size());
    }
    if (!a.quiet || a.count_only) {
      std::string skipped;
      for (const auto& [reason, n] : st.skipped_by_reason) skipped += fmt::format(" {}={}", reason, n);
      fmt::print(stderr, "netseen decode: {}: {} {} records, {} events, {} skipped{}{}, {} errors\n", name,
                 st.format, st.records, st.decoded, st.skipped, skipped.empty() ? "" : " (", skipped.empty() ? "" : skipped.substr(1) + ")",
                 st.error_count);
      if (st.live) {
        fmt::print(stderr, "netseen decode: {}: kernel: {} received, {} dropped, {} dropped by the interface\n", name,
                   st.kernel_received, st.kernel_dropped, st.interface_dropped);
      }
    }
  };
  if (live) {
    install_stop_signals();
    auto src = ingest::LiveSource::open(live_options(a.live));
    if (!src) {
      fmt::print(stderr, "netseen decode: {}\n", src.error().detail);
      return live_open_exit_code(src.error());
    }
    if (!a.quiet) {
      fmt::print(stderr, "netseen decode: capturing on {} ({}); Ctrl-C ends\n", a.live.interface,
                 decode::linktype_name((*src)->linktype()));
    }
    run_source(**src, a.live.interface, true);
  }
  for (std::size_t i = 0; i < a.inputs.size(); ++i) {
    ingest::OpenOptions open;
    open.input_index = static_cast<std::uint32_t>(i);
    open.force_format = a.log_format;
    open.year = a.year;
    open.tz = a.tz;
    auto src = ingest::open_input(a.inputs[i], open);
    if (!src) {
      fmt::print(stderr, "netseen decode: {}: {}\n", a.inputs[i], src.error().message());
      ++unreadable;
      continue;
    }
    run_source(**src, a.inputs[i], false);
  }
  if (a.count_only) fmt::print("{} events, {} matched\n", total_events, shown);
  if (!a.inputs.empty() && unreadable == static_cast<int>(a.inputs.size())) return kExitInput;
  return unreadable > 0 ? kExitInput : kExitOk;
}

}  // namespace

void register_decode(CLI::App& app, Context& ctx) {
  auto holder = std::make_shared<DecodeArgs>();
  auto& args = *holder;
  auto* cmd = app.add_subcommand(
      "decode", "Packet-by-packet (or line-by-line) decode, NetBIOS in full detail: the forensic view.");
  cmd->add_option("INPUT", args.inputs, "capture files (pcap, pcapng, gzip accepted), firewall logs, - for stdin");
  cmd->add_option("--format", args.format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("-v,--verbose", args.verbose, "every NetBIOS field, names with suffix meanings, node-status tables");
  cmd->add_option("--filter", args.filter,
                  "keep packets matching every term: tcp udp icmp icmp6 ip ip6 arp dns nbns nbds nbss smb netbios, "
                  "'port N', 'host ADDR', 'net CIDR'")
      ->allow_extra_args(false);
  cmd->add_flag("--count", args.count_only, "decode everything but print only the counts");
  cmd->add_option("--log-format", args.log_format, "force a log dialect instead of detecting it");
  cmd->add_option("--year", args.year, "year for syslog time stamps that carry none")->check(CLI::Range(1970, 2100));
  cmd->add_option("--tz", args.tz, "time zone of local-time logs (default UTC)");
  cmd->add_flag("-q,--quiet", args.quiet, "no per-input summary on stderr");
  add_live_options(cmd, args.live, "--bpf", "-c,--packets");
  cmd->callback([&ctx, holder] { ctx.exit_code = run_decode(*holder); });
}

}  // namespace netseen::cli
