#include "report/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "report/common.hpp"

namespace netseen::report {

namespace {

using nlohmann::ordered_json;

// JSON Lines written straight into the output string. nlohmann's document model cost about
// 80,000 instructions per finding and 40,000 per host record (a node per value, a linear
// key search per member); a report of a month of logs has tens of thousands of each. The
// text is the one ordered_json::dump(-1, ' ', false, replace) would give: strings that are
// plain printable ASCII or valid UTF-8 without anything to escape are copied as they are,
// every other string and every floating-point number goes through nlohmann itself.
class Writer {
 public:
  explicit Writer(std::string& out, const ReportSink* sink = nullptr) : out_(out), sink_(sink) {}

  Writer& object() {
    open('{');
    return *this;
  }
  Writer& array() {
    open('[');
    return *this;
  }
  Writer& end_object() {
    close('}');
    return *this;
  }
  Writer& end_array() {
    close(']');
    return *this;
  }
  Writer& key(std::string_view k) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    string(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  Writer& str(std::string_view v) {
    prefix();
    string(v);
    return *this;
  }
  Writer& num(std::uint64_t v) {
    prefix();
    out_ += fmt::format_int(v).str();
    return *this;
  }
  Writer& num(std::int64_t v) {
    prefix();
    out_ += fmt::format_int(v).str();
    return *this;
  }
  Writer& num(int v) { return num(static_cast<std::int64_t>(v)); }
  Writer& real(double v) {
    prefix();
    out_ += ordered_json(v).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    return *this;
  }
  Writer& boolean(bool v) {
    prefix();
    out_ += v ? "true" : "false";
    return *this;
  }
  Writer& null() {
    prefix();
    out_ += "null";
    return *this;
  }
  Writer& strings(const std::vector<std::string>& v) {
    array();
    for (const auto& x : v) str(x);
    return end_array();
  }
  void end_line() {
    out_ += '\n';
    if (sink_ != nullptr) drain(out_, *sink_);
  }

 private:
  void open(char c) {
    prefix();
    out_ += c;
    first_.push_back(true);
  }
  void close(char c) {
    out_ += c;
    first_.pop_back();
  }
  // The comma before a value in an array (a member's value follows its key directly).
  void prefix() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  void string(std::string_view v) {
    if (copyable(v)) {
      out_.push_back('"');
      out_.append(v);
      out_.push_back('"');
    } else {
      out_ += ordered_json(std::string(v)).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    }
  }
  // True when nlohmann would write the bytes unchanged: no control character, quote or
  // backslash, and well-formed UTF-8 (no overlong form, surrogate or code point above
  // U+10FFFF — what its decoder rejects).
  static bool copyable(std::string_view v) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    const auto* end = p + v.size();
    // Eight bytes at a time while they are printable ASCII other than '"' and '\\' (a
    // false alarm from a borrow only sends those bytes through the exact loop below).
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    while (end - p >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, p, sizeof w);
      const std::uint64_t quote = w ^ (kOnes * '"'), slash = w ^ (kOnes * '\\');
      const std::uint64_t odd = (w | ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
                                 ((slash - kOnes) & ~slash)) & kHigh;
      if (odd != 0) break;
      p += 8;
    }
    while (p < end) {
      const unsigned c = *p;
      if (c < 0x80) {
        if (c < 0x20 || c == '"' || c == '\\') return false;
        ++p;
        continue;
      }
      std::size_t n = 0;
      unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
      if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
      } else {
        return false;
      }
      if (static_cast<std::size_t>(end - p) <= n) return false;
      if (p[1] < lo || p[1] > hi) return false;
      for (std::size_t i = 2; i <= n; ++i) {
        if ((p[i] & 0xC0) != 0x80) return false;
      }
      p += n + 1;
    }
    return true;
  }

  std::string& out_;
  std::vector<bool> first_;  // per open object/array: nothing written in it yet
  bool after_key_ = false;
  const ReportSink* sink_;  // when set, whole lines are handed on in pieces (end_line)
};

void attr_value(Writer& w, const detect::AttrValue& v) {
  std::visit(
      [&w](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::int64_t>) w.num(x);
        else if constexpr (std::is_same_v<T, double>) w.real(x);
        else if constexpr (std::is_same_v<T, std::string>) w.str(x);
        else if constexpr (std::is_same_v<T, bool>) w.boolean(x);
        else w.strings(x);
      },
      v);
}

// Divides by the whole number of units per 1 (100, 1000): 0.7 prints as 0.7, not as
// 0.7000000000000001 (which 70 * 0.01 gives).
double round_to(double v, double unit) { return std::round(v / unit) / std::round(1.0 / unit); }

void time_or_null(Writer& w, bool have, Timestamp t) {
  if (have) w.str(format_rfc3339(t));
  else w.null();
}

void input_json(Writer& w, const ingest::InputStats& in) {
  w.object();
  w.key("kind").str("input");
  w.key("path").str(in.path);
  w.key("format").str(in.format);
  w.key("records").num(in.records);
  w.key("decoded").num(in.decoded);
  w.key("skipped").num(in.skipped);
  w.key("skipped_by_reason").object();
  for (const auto& [k, n] : in.skipped_by_reason) w.key(k).num(n);
  w.end_object();
  if (in.events_not_logged != 0) w.key("events_not_logged").num(in.events_not_logged);
  w.key("error_count").num(in.error_count);
  w.key("errors").array();
  for (const auto& e : in.errors) w.object().key("where").str(e.where).key("what").str(e.what).end_object();
  w.end_array();
  w.key("first_ts");
  time_or_null(w, in.have_ts, in.first_ts);
  w.key("last_ts");
  time_or_null(w, in.have_ts, in.last_ts);
  if (in.live) {
    w.key("kernel_received").num(in.kernel_received);
    w.key("kernel_dropped").num(in.kernel_dropped);
    w.key("interface_dropped").num(in.interface_dropped);
  }
  w.end_object();
}

// Only with --geoip: {"code", "name", "registered_only"} or null.
void country_json(Writer& w, const std::optional<knowledge::Country>& c) {
  if (!c) {
    w.null();
    return;
  }
  w.object().key("code").str(c->code).key("name").str(c->name).key("registered_only").boolean(c->registered_only);
  w.end_object();
}

// `status` (netseen watch) is added as the last member when not empty.
void finding_json(Writer& w, const AnalysisResult& r, const detect::Finding& f, std::string_view status = {}) {
  w.object();
  w.key("kind").str("finding");
  w.key("id").str(f.id);
  w.key("severity").str(to_string(f.severity));
  w.key("verdict").str(to_string(f.verdict));
  w.key("confidence").real(round_to(f.confidence, 0.01));
  w.key("source").str(f.source.to_string());
  if (r.engine && r.engine->context().has_geoip()) {
    w.key("source_country");
    country_json(w, r.engine->context().country(f.source));
  }
  w.key("targets").object();
  w.key("count").num(f.target_count);
  w.key("sample").array();
  for (const auto& a : f.target_sample) w.str(a.to_string());
  w.end_array();
  w.key("regions").object();
  for (const auto& [k, n] : f.regions) w.key(k).num(n);
  w.end_object().end_object();
  w.key("first_seen").str(format_rfc3339(f.first_seen));
  w.key("last_seen").str(format_rfc3339(f.last_seen));
  w.key("events").num(f.events);
  w.key("title").str(f.title);
  w.key("explanation").str(f.explanation);
  w.key("advice").str(f.advice);
  w.key("evidence").array();
  for (const auto& o : f.evidence) {
    w.object().key("input").str(input_name(r, o.input)).key(o.is_line ? "line" : "frame").num(o.number).end_object();
  }
  w.end_array();
  // An object has each key once: a repeated attribute keeps its first place and its last value.
  w.key("attributes").object();
  for (std::size_t i = 0; i < f.attributes.size(); ++i) {
    const auto& k = f.attributes[i].first;
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j) seen = f.attributes[j].first == k;
    if (seen) continue;
    std::size_t last = i;
    for (std::size_t j = i + 1; j < f.attributes.size(); ++j) {
      if (f.attributes[j].first == k) last = j;
    }
    w.key(k);
    attr_value(w, f.attributes[last].second);
  }
  w.end_object();
  w.key("dedup_key").str(f.dedup_key);
  // The history marks are parallel to the engine's findings; a finding from elsewhere (a
  // watch snapshot) has none. Pointers are compared with std::less, which is defined even
  // for objects of different arrays.
  const std::vector<detect::Finding>* all = r.engine ? &r.engine->findings() : nullptr;
  const std::less<const detect::Finding*> before;
  if (r.history && all != nullptr && !all->empty() && !before(&f, all->data()) &&
      before(&f, all->data() + all->size())) {
    const auto i = static_cast<std::size_t>(&f - all->data());
    if (i < r.history->findings.size()) {
      const auto& h = r.history->findings[i];
      w.key("history").object();
      w.key("status").str(to_string(h.status));
      w.key("first_seen").str(format_rfc3339(h.first_seen));
      w.key("runs").num(h.runs);
      w.end_object();
    }
  }
  if (!status.empty()) w.key("status").str(status);
  w.end_object();
}

void host_json(Writer& w, const AnalysisResult& r, const IpAddress& a,
               const std::map<IpAddress, std::vector<std::string>>& ids_by_host) {
  const auto& ctx = r.engine->context();
  w.object();
  w.key("kind").str("host");
  w.key("address").str(a.to_string());
  w.key("inside").boolean(ctx.inside(a));
  if (ctx.has_geoip()) {
    w.key("country");
    country_json(w, ctx.country(a));
  }
  const auto& all = r.engine->hosts();
  auto it = all.find(a);
  const detect::HostFacts empty{};
  const auto& h = it == all.end() ? empty : it->second;
  w.key("events").num(h.events_as_source);
  w.key("events_received").num(h.events_as_destination);
  w.key("bytes").num(h.bytes_as_source);
  const auto g = detect::guess_ttl(h, &ctx.kb());
  w.key("ttl_initial_guess");
  if (g.initial != 0) w.num(std::uint64_t{g.initial});
  else w.null();
  w.key("hops");
  if (g.initial != 0) w.num(std::uint64_t{g.hops});
  else w.null();
  w.key("os_family_guess");
  if (g.initial != 0) w.str(g.os_family);
  else w.null();
  if (const auto tc = detect::ttl_consistency(h); tc.inconsistent) {
    w.key("ttl_inconsistency").object();
    w.key("initial_ttls").array();
    for (int v : tc.initials) w.num(v);
    w.end_array();
    w.key("hops_min").num(tc.hops_min);
    w.key("hops_max").num(tc.hops_max);
    w.key("summary").str(tc.summary());
    w.end_object();
  }
  w.key("ipid_pattern").str(detect::ipid_pattern(h));
  if (h.ip_ids_from_log) w.key("ipid_from_log").boolean(true);
  const auto* names = ctx.names_of(a);
  w.key("netbios_names").array();
  if (names != nullptr) {
    for (const auto& nm : *names) w.str(nm.name);
  }
  w.end_array();
  w.key("netbios_name_types").array();
  if (names != nullptr) {
    for (const auto& nm : *names) {
      w.object().key("name").str(nm.name).key("type").str(nm.group ? "group" : "unique").end_object();
    }
  }
  w.end_array();
  w.key("findings");
  if (auto fi = ids_by_host.find(a); fi != ids_by_host.end()) w.strings(fi->second);
  else w.array().end_array();
  if (const auto* hh = r.history ? r.history->host(a) : nullptr) {
    w.key("history").object();
    w.key("new").boolean(hh->is_new);
    w.key("first_seen").str(format_rfc3339(hh->first_seen));
    w.key("runs").num(hh->runs);
    w.end_object();
  }
  w.end_object();
}

}  // namespace

std::string render_finding_json(const AnalysisResult& r, const detect::Finding& f, std::string_view status) {
  std::string out;
  Writer w(out);
  finding_json(w, r, f, status);
  return out;
}

std::string render_json(const AnalysisResult& r, const JsonOptions& o) {
  return collect([&](const ReportSink& sink) { render_json(r, o, sink); });
}

void render_json(const AnalysisResult& r, const JsonOptions& o, const ReportSink& sink) {
  std::string out;
  Writer w(out, &sink);
  for (const auto& in : r.inputs) {
    input_json(w, in);
    w.end_line();
  }
  for (const auto& u : r.unreadable) {
    w.object();
    w.key("kind").str("input");
    w.key("path").str(u.path);
    w.key("format").str("unreadable");
    w.key("records").num(0);
    w.key("decoded").num(0);
    w.key("skipped").num(0);
    w.key("skipped_by_reason").object().end_object();
    w.key("error_count").num(1);
    w.key("errors").array().object().key("where").str("open").key("what").str(u.reason).end_object().end_array();
    w.key("first_ts").null();
    w.key("last_ts").null();
    w.end_object();
    w.end_line();
  }
  const auto findings = select_findings(r, o.host);
  std::map<IpAddress, std::vector<std::string>> ids_by_host;
  std::map<std::string, std::uint64_t> by_sev;
  for (const auto* f : findings) {
    finding_json(w, r, *f);
    w.end_line();
    auto& ids = ids_by_host[f->source];
    if (std::find(ids.begin(), ids.end(), f->id) == ids.end()) ids.push_back(f->id);
    ++by_sev[std::string(to_string(f->severity))];
  }
  // Hosts: every source of traffic and every host a finding is about, by address.
  std::set<IpAddress> hosts;
  for (const auto& [a, h] : r.engine->hosts()) {
    if (h.events_as_source > 0 && (!o.host || a == *o.host)) hosts.insert(a);
  }
  for (const auto& [a, ids] : ids_by_host) hosts.insert(a);
  for (const auto& a : hosts) {
    host_json(w, r, a, ids_by_host);
    w.end_line();
  }
  w.object();
  w.key("kind").str("summary");
  std::uint64_t records = 0;
  for (const auto& in : r.inputs) records += in.records;
  w.key("records").num(records);
  w.key("events").num(r.engine->stats().events);
  w.key("hosts").num(std::uint64_t{r.engine->hosts().size()});
  w.key("findings").object();
  for (const char* k : {"critical", "high", "medium", "low", "info"}) w.key(k).num(by_sev[k]);
  w.end_object();
  w.key("evicted").object();
  for (const auto& [k, n] : r.engine->context().evictions()) w.key(k).num(n);
  w.end_object();
  if (r.history) {
    const auto& h = *r.history;
    std::uint64_t counts[3] = {0, 0, 0};
    for (const auto& f : h.findings) ++counts[static_cast<std::size_t>(f.status)];
    w.key("history").object();
    w.key("db").str(h.db_path);
    w.key("run").num(h.run);
    w.key("previous_run");
    if (h.previous_run_at) w.str(format_rfc3339(*h.previous_run_at));
    else w.null();
    w.key("new_hosts").num(std::uint64_t{h.new_hosts});
    w.key("findings").object().key("new").num(counts[0]).key("grown").num(counts[1]).key("known").num(counts[2]);
    w.end_object();
    w.key("reset");
    if (h.reset_notice.empty()) w.null();
    else w.str(h.reset_notice);
    w.end_object();
  }
  w.key("elapsed_s").real(round_to(r.elapsed_s, 0.001));
  w.end_object();
  w.end_line();
  drain(out, sink, true);
}

}  // namespace netseen::report
