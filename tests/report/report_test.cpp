// The report layer: bounded collectors, HTML escaping of hostile input, the HTML report's
// self-containment and structure, the ECS mapping, --explain narratives and progress.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <regex>
#include <string>
#include <vector>

#include "report/collectors.hpp"
#include "report/common.hpp"
#include "report/ecs.hpp"
#include "report/html.hpp"
#include "report/json.hpp"
#include "report/narrative.hpp"
#include "report/pipeline.hpp"
#include "report/text.hpp"

namespace netseen::report {
namespace {

std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(HtmlEscape, EscapesMarkupAndRepairsBytes) {
  EXPECT_EQ(html_escape("<script>a&b\"c'd</script>"), "&lt;script&gt;a&amp;b&quot;c&#39;d&lt;/script&gt;");
  EXPECT_EQ(html_escape("caf\xC3\xA9 \xE2\x80\x94 ok"), "caf\xC3\xA9 \xE2\x80\x94 ok");  // valid UTF-8 kept
  EXPECT_EQ(html_escape("a\xFF" "b"), "a\xEF\xBF\xBD" "b");                            // invalid byte
  EXPECT_EQ(html_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                       // overlong '/'
  EXPECT_EQ(html_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");        // surrogate
  EXPECT_EQ(html_escape(std::string("x\0y\x1b", 4)), "x\xEF\xBF\xBDy\xEF\xBF\xBD");      // controls
  EXPECT_EQ(html_escape("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                       // truncated sequence
}

TEST(TimeHistogram, KeepsEveryEventInAFixedNumberOfBuckets) {
  TimeHistogram h;
  std::uint64_t total = 0;
  // Ten years of events, arriving out of order (later first, then earlier): the width grows
  // to the right and to the left, and nothing is lost.
  const std::int64_t base = 1'600'000'000LL * 1'000'000;
  for (std::int64_t i = 0; i < 20000; ++i) {
    const std::int64_t t = base + ((i * 7919) % 20000 - 10000) * 15'768'000'000LL;  // ±5 years in steps
    h.add(Timestamp{t}, 1);
    ++total;
  }
  const auto& c = h.counts();
  EXPECT_EQ(std::accumulate(c.begin(), c.end(), std::uint64_t{0}), total);
  const std::int64_t span = h.width_us() * static_cast<std::int64_t>(TimeHistogram::kBuckets);
  EXPECT_GE(span, 20000LL * 15'768'000'000LL / 2);
  EXPECT_LE(h.origin_us(), base - 10000LL * 15'768'000'000LL);
}

TEST(TimeHistogram, SurvivesHostileTimestamps) {
  TimeHistogram h;
  for (const auto t : {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), std::int64_t{0},
                       std::int64_t{-1}, std::int64_t{1'000'000}}) {
    h.add(Timestamp{t}, 2);
  }
  const auto& c = h.counts();
  EXPECT_EQ(std::accumulate(c.begin(), c.end(), std::uint64_t{0}), 10u);
}

TEST(TimeHistogram, ShortCapturesGetFineBuckets) {
  TimeHistogram h;
  for (int i = 0; i < 50; ++i) h.add(Timestamp{1'000'000'000 + i * 10'000}, 1);  // 0.5 s
  EXPECT_EQ(h.width_us(), TimeHistogram::kInitialWidthUs);
}

decode::Event udp_event(const char* src, const char* dst, std::uint16_t dport, std::int64_t ts_us = 1'000'000) {
  decode::Event e;
  e.ip_version = 4;
  e.src = *IpAddress::parse(src);
  e.dst = *IpAddress::parse(dst);
  e.transport = decode::Transport::Udp;
  e.protocol = 17;
  e.sport = 137;
  e.dport = dport;
  e.ts = Timestamp{ts_us};
  return e;
}

TEST(PortCounts, TopIsOrderedAndBounded) {
  PortCounts p;
  for (int i = 0; i < 5; ++i) p.add(udp_event("10.0.0.1", "10.0.0.2", 137));
  for (int i = 0; i < 5; ++i) {
    auto e = udp_event("10.0.0.1", "10.0.0.2", 445);
    e.transport = decode::Transport::Tcp;
    p.add(e);
  }
  p.add(udp_event("10.0.0.1", "10.0.0.2", 53));
  const auto top = p.top(2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].transport, decode::Transport::Tcp);  // ties: tcp before udp
  EXPECT_EQ(top[0].port, 445);
  EXPECT_EQ(top[1].port, 137);
  EXPECT_EQ(top[1].events, 5u);
  EXPECT_EQ(p.top(100).size(), 3u);
}

// A node-status answer (RFC 1002 §4.2.18) with the given raw 15-byte names.
std::vector<std::uint8_t> nbstat_answer(const std::vector<std::pair<std::string, std::uint16_t>>& names) {
  std::vector<std::uint8_t> m = {0x13, 0x37, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0};
  m.push_back(0x20);
  m.push_back('C');
  m.push_back('K');
  for (int i = 0; i < 30; ++i) m.push_back('A');
  m.push_back(0);
  m.insert(m.end(), {0x00, 0x21, 0x00, 0x01, 0, 0, 0, 0});
  const std::size_t rdlen = 1 + 18 * names.size() + 46;
  m.push_back(static_cast<std::uint8_t>(rdlen >> 8));
  m.push_back(static_cast<std::uint8_t>(rdlen));
  m.push_back(static_cast<std::uint8_t>(names.size()));
  for (const auto& [n, flags] : names) {
    std::string raw = n.substr(0, 15);
    raw.resize(15, ' ');
    for (const char c : raw) m.push_back(static_cast<std::uint8_t>(c));
    m.push_back(0x00);  // suffix
    m.push_back(static_cast<std::uint8_t>(flags >> 8));
    m.push_back(static_cast<std::uint8_t>(flags));
  }
  m.insert(m.end(), {0x00, 0x16, 0x3e, 0x01, 0x02, 0x03});
  for (int i = 0; i < 40; ++i) m.push_back(0);
  return m;
}

decode::Event nbstat_event(const char* responder, const std::vector<std::uint8_t>& payload) {
  auto e = udp_event(responder, "10.0.0.99", 40000);
  e.app = decode::App::Nbns;
  decode::Nbns n;
  n.response = true;
  n.qtype = 0x21;
  n.ancount = 1;
  e.nbns = n;
  e.app_payload = std::span<const std::uint8_t>(payload.data(), payload.size());
  return e;
}

TEST(NodeStatusLog, ReadsFlagsAndStaysWithinItsCap) {
  NodeStatusLog log;
  const auto answer = nbstat_answer({{"FILESRV", 0x0400}, {"OFFICE", 0x8400}});
  log.add(nbstat_event("10.0.0.10", answer));
  log.add(nbstat_event("10.0.0.10", answer));
  ASSERT_EQ(log.tables().size(), 1u);
  const auto& t = log.tables().begin()->second;
  EXPECT_EQ(t.answers, 2u);
  ASSERT_EQ(t.names.size(), 2u);
  EXPECT_EQ(t.names[0].name, "FILESRV<00>");
  EXPECT_FALSE(t.names[0].group);
  EXPECT_TRUE(t.names[0].active);
  EXPECT_TRUE(t.names[1].group);
  ASSERT_TRUE(t.unit_id.has_value());
  EXPECT_EQ(t.unit_id->to_string(), "00:16:3e:01:02:03");
  for (std::size_t i = 0; i < NodeStatusLog::kMaxTables + 50; ++i) {
    const auto a = IpAddress::v4(0x0A010000u + static_cast<std::uint32_t>(i)).to_string();
    log.add(nbstat_event(a.c_str(), answer));
  }
  EXPECT_EQ(log.tables().size(), NodeStatusLog::kMaxTables);
  EXPECT_EQ(log.dropped(), 51u);  // 10.1.0.x beyond the cap; 10.0.0.10 was already there
}

// An analysis built from hand-made events (no input files).
AnalysisResult analysis_of(const std::vector<decode::Event>& events) {
  AnalysisResult r;
  r.engine = std::move(*detect::Engine::create({}));
  r.data = std::make_unique<ReportData>();
  for (const auto& e : events) {
    r.engine->on_event(e);
    r.data->on_event(e);
  }
  r.engine->finish();
  return r;
}

TEST(HtmlReport, HostileNetbiosNamesAreEscaped) {
  const auto answer = nbstat_answer({{"<script>x</sc", 0x0400}, {"\"'><img src=", 0x0400}});
  const auto r = analysis_of({nbstat_event("10.0.0.10", answer)});
  const auto html = render_html(r, {});
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;script&gt;x&lt;/sc</td>"), std::string::npos);  // node-status table
  EXPECT_NE(html.find("<td>&quot;&#39;&gt;&lt;img src=</td>"), std::string::npos);
  EXPECT_NE(html.find("00:16:3e:01:02:03"), std::string::npos);
}

AnalysisResult bundled_example(bool data) {
  AnalyzeOptions o;
  o.inputs = {std::string(NETSEEN_SOURCE_DIR) + "/examples/office.pcap",
              std::string(NETSEEN_SOURCE_DIR) + "/examples/firewall.log"};
  o.display_names = {"example/office.pcap", "example/firewall.log"};
  o.collect_report_data = data;
  AnalysisResult r;
  EXPECT_TRUE(run_analysis(o, r).has_value());
  return r;
}

TEST(HtmlReport, SelfContainedWithChartsTablesAndEveryFinding) {
  const auto r = bundled_example(true);
  ASSERT_FALSE(r.engine->findings().empty());
  const auto html = render_html(r, {});
  EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // Nothing that could make the browser fetch: no external URLs in src/href/url(), no scripts.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?\s*(https?:|//|ftp:))", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(url\(\s*["']?\s*(https?:|//))", std::regex::icase)));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  for (const char* id : {"summary", "findings", "timeline", "top", "regions", "netbios", "traffic"}) {
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\""), std::string::npos) << id;
  }
  // Every chart is named and described for screen readers.
  const auto svgs = count_of(html, "<svg ");
  EXPECT_GE(svgs, 5u);  // timeline, sources, destinations, ports, regions
  EXPECT_EQ(count_of(html, "role=\"img\""), svgs);
  EXPECT_GE(count_of(html, "<desc id="), svgs);
  EXPECT_NE(html.find("prefers-color-scheme:dark"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  for (const auto& f : r.engine->findings()) EXPECT_NE(html.find(">" + f.id + "<"), std::string::npos) << f.id;
  EXPECT_NE(html.find("RIPE NCC"), std::string::npos);       // destinations by region
  EXPECT_NE(html.find("137/udp netbios-ns"), std::string::npos);  // top ports with the service name
}

TEST(HtmlReport, SaysWhenChartDataWasNotCollected) {
  const auto r = bundled_example(false);
  const auto html = render_html(r, {});
  EXPECT_NE(html.find("Port counts were not collected"), std::string::npos);
}

TEST(EcsReport, OneAlertPerFindingWithEcsFields) {
  const auto r = bundled_example(false);
  const auto out = render_ecs(r, {{}, "9.9.9"});
  std::size_t lines = 0;
  std::size_t pos = 0;
  const auto& findings = r.engine->findings();
  while (pos < out.size()) {
    const auto nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    const auto j = nlohmann::json::parse(out.substr(pos, nl - pos));
    ASSERT_LT(lines, findings.size());
    const auto& f = findings[lines];
    EXPECT_EQ(j["event"]["kind"], "alert");
    EXPECT_EQ(j["event"]["module"], "netseen");
    EXPECT_EQ(j["event"]["severity"], ecs_severity(f.severity));
    EXPECT_EQ(j["rule"]["id"], f.id);
    EXPECT_EQ(j["source"]["ip"], f.source.to_string());
    EXPECT_EQ(j["@timestamp"], format_rfc3339(f.first_seen));
    EXPECT_EQ(j["observer"]["version"], "9.9.9");
    EXPECT_EQ(j["netseen"]["severity"], std::string(to_string(f.severity)));
    EXPECT_EQ(j["message"], f.title);
    if (f.id == "nbstat.sweep") {
      EXPECT_EQ(j["network"]["transport"], "udp");
      EXPECT_EQ(j["source"]["port"], 137);
      EXPECT_EQ(j["netseen"]["targets"]["count"], 120);
    }
    ++lines;
    pos = nl + 1;
  }
  EXPECT_EQ(lines, findings.size());
  EXPECT_EQ(ecs_severity(detect::Severity::Info), 1);
  EXPECT_EQ(ecs_severity(detect::Severity::Critical), 5);
}

TEST(Narrative, SweepExplainsThePortTheRegionAndTheHost) {
  const auto r = bundled_example(false);
  const detect::Finding* sweep = nullptr;
  for (const auto& f : r.engine->findings()) {
    if (f.id == "nbstat.sweep") sweep = &f;
  }
  ASSERT_NE(sweep, nullptr);
  std::vector<std::string> topics;
  for (const auto& it : finding_narrative(r, *sweep)) topics.push_back(it.topic);
  EXPECT_NE(std::find(topics.begin(), topics.end(), "137/udp netbios-ns"), topics.end());
  EXPECT_NE(std::find(topics.begin(), topics.end(), "RIPE NCC"), topics.end());
  EXPECT_NE(std::find(topics.begin(), topics.end(), "TTL of 192.168.1.66"), topics.end());
  TextOptions t;
  t.explain = true;
  const auto with = render_text(r, t);
  t.explain = false;
  const auto without = render_text(r, t);
  EXPECT_NE(with.find("137/udp netbios-ns — NetBIOS name service"), std::string::npos);
  EXPECT_EQ(without.find("Background:"), std::string::npos);
}

TEST(Progress, ReportsBytesAndEndsWithDone) {
  AnalyzeOptions o;
  o.inputs = {std::string(NETSEEN_SOURCE_DIR) + "/examples/office.pcap",
              std::string(NETSEEN_SOURCE_DIR) + "/examples/firewall.log"};
  std::vector<Progress> seen;
  o.progress = [&](const Progress& p) { seen.push_back(p); };
  o.progress_interval_s = 0;
  AnalysisResult r;
  ASSERT_TRUE(run_analysis(o, r).has_value());
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(seen.back().done);
  for (std::size_t i = 0; i + 1 < seen.size(); ++i) EXPECT_FALSE(seen[i].done);
  EXPECT_EQ(seen.back().records, 446u);
  EXPECT_GT(seen.back().bytes_total, 0u);
  EXPECT_EQ(seen.back().bytes_read, seen.back().bytes_total);
}

// A detector that finds one thing per target gives one host many findings: the grouped
// headline names each host once and says how many findings there are.
TEST(Headlines, NameEachHostOnceAndCountFindingsApart) {
  std::vector<detect::Finding> fs(7);
  for (std::size_t i = 0; i < fs.size(); ++i) {
    fs[i].id = "trace.udp";
    fs[i].severity = detect::Severity::Info;
    fs[i].source = *IpAddress::parse(i < 5 ? "192.168.1.103" : "192.168.1.104");
  }
  std::vector<const detect::Finding*> ptrs;
  for (const auto& f : fs) ptrs.push_back(&f);
  auto hs = group_headlines(ptrs, 8);
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_TRUE(hs[0].grouped);
  EXPECT_EQ(hs[0].findings.size(), 7u);
  EXPECT_NE(hs[0].text.find("trace.udp: 7 findings on 2 hosts (192.168.1.103, 192.168.1.104)"), std::string::npos)
      << hs[0].text;
  EXPECT_EQ(count_of(hs[0].text, "192.168.1.103"), 1u);

  // One finding per host keeps the short form.
  for (std::size_t i = 0; i < fs.size(); ++i) fs[i].source = *IpAddress::parse("10.0.0." + std::to_string(i + 1));
  hs = group_headlines(ptrs, 8);
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_NE(hs[0].text.find("trace.udp on 7 hosts (10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4 and 3 more)"),
            std::string::npos)
      << hs[0].text;
}

// The JSON Lines writer copies plain strings and hands everything else to nlohmann: its text
// must be nlohmann's dump (error handler "replace") for any bytes a hostile input can put in
// a string — control characters, quotes, backslashes, valid and broken UTF-8 — and a
// repeated attribute key appears once (first place, last value), as in nlohmann's objects.
TEST(JsonLines, StringsAreWrittenAsNlohmannWouldWriteThem) {
  const std::vector<std::string> cases = {
      "plain ascii", "", "quote \" and back\\slash", std::string("nul \0 inside", 12), "tab\tnewline\ncr\r",
      "bell \x07 esc \x1b del \x7f", "em dash \xE2\x80\x94 arrow \xE2\x86\x92", "four bytes \xF0\x9F\x98\x80",
      "lone continuation \x80 here", "truncated \xE2\x80", "truncated at end \xF0\x9F\x98", "overlong \xC0\xAF",
      "overlong three \xE0\x80\xAF", "surrogate \xED\xA0\x80", "above U+10FFFF \xF4\x90\x80\x80", "\xFF\xFE",
      "latin-1 caf\xE9", "ok then bad \xC3\xA9\xC3", "two-byte max \xDF\xBF", "\xEF\xBF\xBD replacement itself"};
  AnalysisResult r;
  for (const auto& c : cases) {
    detect::Finding f;
    f.id = "test.strings";
    f.title = c;
    f.attr("k", c);
    const std::string line = render_finding_json(r, f, "");
    const std::string want = nlohmann::ordered_json(c).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    EXPECT_NE(line.find("\"title\":" + want + ",\"explanation\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"attributes\":{\"k\":" + want + "}"), std::string::npos) << line;
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  }
  detect::Finding f;
  f.id = "test.keys";
  f.confidence = 0.7;
  f.attr("n", std::int64_t{1});
  f.attr("x", 2.5);
  f.attr("n", std::int64_t{-3});
  f.attr("list", std::vector<std::string>{"a", "b"});
  f.attr("flag", true);
  const std::string line = render_finding_json(r, f, "new");
  EXPECT_NE(line.find("\"confidence\":0.7,"), std::string::npos) << line;
  EXPECT_NE(line.find("\"attributes\":{\"n\":-3,\"x\":2.5,\"list\":[\"a\",\"b\"],\"flag\":true}"), std::string::npos)
      << line;
  const std::string tail = ",\"status\":\"new\"}";
  EXPECT_EQ(line.substr(line.size() - tail.size()), tail) << line;
}

}  // namespace
}  // namespace netseen::report

namespace netseen::report {
namespace {

// The report goes to its sink while it is rendered: in pieces of whole lines, each near
// kReportChunk, that put together are the report the string renderers return.
TEST(StreamedReport, ComesInPiecesOfWholeLinesThatMakeTheSameReport) {
  std::vector<decode::Event> events;
  for (int i = 0; i < 6000; ++i) {  // 6,000 sources: host records for about 1.5 MB of JSON
    const auto src = fmt::format("10.{}.{}.{}", 1 + i / 60000, (i / 250) % 250, 1 + i % 250);
    events.push_back(udp_event(src.c_str(), "240.0.0.1", static_cast<std::uint16_t>(40000 + i % 100), 1'000'000 + i));
  }
  const auto r = analysis_of(events);
  const auto check = [](const std::string& whole, auto&& render) {
    std::vector<std::string> pieces;
    render([&pieces](std::string_view p) { pieces.emplace_back(p); });
    std::string joined;
    for (const auto& p : pieces) joined += p;
    EXPECT_EQ(joined, whole);
    EXPECT_GE(pieces.size(), whole.size() / (2 * kReportChunk)) << "rendered whole, then written";
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      EXPECT_FALSE(pieces[i].empty());
      EXPECT_EQ(pieces[i].back(), '\n') << "piece " << i << " ends inside a line";
      if (i + 1 < pieces.size()) {
        EXPECT_LT(pieces[i].size(), kReportChunk + 64 * 1024) << "piece " << i;
      }
    }
  };
  const auto json = render_json(r, {});
  ASSERT_GT(json.size(), 4 * kReportChunk);
  check(json, [&](const ReportSink& s) { render_json(r, {}, s); });
  TextOptions t;
  t.all = true;
  const auto text = render_text(r, t);
  ASSERT_GT(text.size(), 4 * kReportChunk);
  check(text, [&](const ReportSink& s) { render_text(r, t, s); });
  const auto ecs = render_ecs(r, {});
  ASSERT_GT(ecs.size(), 4 * kReportChunk);
  check(ecs, [&](const ReportSink& s) { render_ecs(r, {}, s); });
}

}  // namespace
}  // namespace netseen::report
