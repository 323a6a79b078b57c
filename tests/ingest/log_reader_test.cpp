// Line reader, syslog wrapper, time handling and dialect detection of the log source.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "ingest/line_reader.hpp"
#include "ingest/log_common.hpp"
#include "ingest/source.hpp"
#include "log_testing.hpp"

namespace netseen::ingest {
namespace {

using testing::run_log;

std::vector<Line> all_lines(std::string_view text, std::size_t max_len = limits::kMaxLogLineBytes) {
  LineReader r(Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), max_len);
  std::vector<Line> out;
  Line l;
  while (r.next(l)) out.push_back(l);
  return out;
}

// Findings keep their evidence's input in 16 bits (detect::EvidenceSampler): the input past
// the cap is refused with the reason, the last one within it opens.
TEST(OpenInput, RefusesInputsPastTheCapByName) {
  const auto path = std::filesystem::temp_directory_path() / fmt::format("netseen-cap-{}.log", ::getpid());
  {
    std::ofstream f(path);
    f << "Mar  1 00:00:00 fw kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 TTL=64 PROTO=TCP SPT=1 DPT=2 SYN\n";
  }
  OpenOptions o;
  o.input_index = static_cast<std::uint32_t>(limits::kMaxInputs - 1);
  auto ok = open_input(path.string(), o);
  ASSERT_TRUE(ok) << ok.error().detail;
  o.input_index = static_cast<std::uint32_t>(limits::kMaxInputs);
  auto refused = open_input(path.string(), o);
  std::filesystem::remove(path);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::LimitExceeded);
  EXPECT_NE(refused.error().detail.find("more than 65536 inputs"), std::string::npos) << refused.error().detail;
}

TEST(LineReader, SplitsLfCrlfAndLoneCr) {
  auto lines = all_lines("a\nbb\r\nccc\rdddd");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "bb");
  EXPECT_EQ(lines[2].text, "ccc");
  EXPECT_EQ(lines[3].text, "dddd");  // last line without a newline
  EXPECT_EQ(lines[3].number, 4u);
  EXPECT_EQ(lines[1].offset, 2u);
}

TEST(LineReader, EmptyInputAndEmptyLines) {
  EXPECT_TRUE(all_lines("").empty());
  auto lines = all_lines("\n\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "");
}

TEST(LineReader, LeadingNulsDroppedInnerNulFlagged) {
  const std::string text = std::string("\0\0\0abc\n", 7) + std::string("x\0y\n", 4);
  auto lines = all_lines(text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "abc");
  EXPECT_FALSE(lines[0].has_nul());
  EXPECT_TRUE(lines[1].has_nul());
  EXPECT_EQ(lines[1].text.size(), 3u);
}

TEST(LineReader, LongLinesAreCutAndTheRestSkipped) {
  const std::string text = std::string(100, 'x') + "\nshort\n";
  auto lines = all_lines(text, 10);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].cut);
  EXPECT_EQ(lines[0].text.size(), 10u);
  EXPECT_EQ(lines[1].text, "short");
  EXPECT_FALSE(lines[1].cut);
}

TEST(Syslog, BsdHeaderWithKernelUptime) {
  logs::SyslogHeader h;
  logs::parse_syslog("Mar  1 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT=", h);
  ASSERT_TRUE(h.has_stamp);
  EXPECT_EQ(h.stamp.civil.month, 3);
  EXPECT_EQ(h.stamp.civil.day, 1);
  EXPECT_EQ(h.stamp.civil.second, 11);
  EXPECT_FALSE(h.stamp.has_year);
  EXPECT_EQ(h.host, "linux");
  EXPECT_EQ(h.tag, "kernel");
  EXPECT_TRUE(h.uptime);
  EXPECT_EQ(h.body, "DROP IN=eth1 OUT=");
}

TEST(Syslog, Rfc3339PriRfc5424AndGrepPrefix) {
  logs::SyslogHeader h;
  logs::parse_syslog("<4>2015-03-07T05:09:30.045015+02:00 servername kernel: DROP: IN=eth0 OUT=", h);
  ASSERT_TRUE(h.has_stamp);
  EXPECT_TRUE(h.stamp.has_year);
  EXPECT_TRUE(h.stamp.has_offset);
  EXPECT_EQ(h.stamp.offset_s, 7200);
  EXPECT_EQ(h.stamp.civil.microsecond, 45015);
  EXPECT_EQ(h.host, "servername");
  EXPECT_EQ(h.body, "DROP: IN=eth0 OUT=");

  logs::parse_syslog("<14>1 2014-05-01T08:26:51.179Z fw01 RT_FLOW - RT_FLOW_SESSION_DENY [junos@x a=\"1\"]", h);
  ASSERT_TRUE(h.has_stamp);
  EXPECT_EQ(h.host, "fw01");
  EXPECT_EQ(h.tag, "RT_FLOW");
  EXPECT_EQ(h.body, "[junos@x a=\"1\"]");

  logs::parse_syslog("scan_file:Mar 17 13:39:13 linux kernel: DROP IN=eth0 OUT=", h);
  ASSERT_TRUE(h.has_stamp);
  EXPECT_EQ(h.host, "linux");
  EXPECT_EQ(h.body, "DROP IN=eth0 OUT=");

  logs::parse_syslog("<191>Aug 24 2011 10:00:00: %ASA-4-106023: Deny", h);
  ASSERT_TRUE(h.has_stamp);
  EXPECT_TRUE(h.stamp.has_year);
  EXPECT_EQ(h.stamp.civil.year, 2011);
  EXPECT_TRUE(h.host.empty());
  EXPECT_EQ(h.body, "%ASA-4-106023: Deny");

  logs::parse_syslog("[ 3445.031964] Shorewall:net:DROP:IN=wlan0 OUT=", h);
  EXPECT_FALSE(h.has_stamp);
  EXPECT_TRUE(h.uptime);
  EXPECT_EQ(h.body, "Shorewall:net:DROP:IN=wlan0 OUT=");
}

TEST(Time, FixedOffsetsAndIana) {
  auto utc = logs::TimeZone::parse("UTC");
  ASSERT_TRUE(utc);
  EXPECT_EQ(utc->offset_for_local(0), 0);
  auto plus2 = logs::TimeZone::parse("+02:00");
  ASSERT_TRUE(plus2);
  EXPECT_EQ(plus2->offset_for_local(0), 7200);
  EXPECT_EQ(logs::TimeZone::parse("-0530")->offset_for_local(0), -(5 * 3600 + 30 * 60));
  EXPECT_FALSE(logs::TimeZone::parse("+25:00"));
  EXPECT_FALSE(logs::TimeZone::parse("../../etc/passwd"));
  auto berlin = logs::TimeZone::parse("Europe/Berlin");
  if (!berlin) GTEST_SKIP() << "no system tz database (/usr/share/zoneinfo/Europe/Berlin)";
  // 2021-06-22 12:00 local is CEST (+2), 2021-01-10 12:00 local is CET (+1).
  const auto summer = days_from_civil(2021, 6, 22) * 86400 + 12 * 3600;
  const auto winter = days_from_civil(2021, 1, 10) * 86400 + 12 * 3600;
  EXPECT_EQ(berlin->offset_for_local(summer), 7200);
  EXPECT_EQ(berlin->offset_for_local(winter), 3600);
}

TEST(Time, TzifRejectsGarbage) {
  std::vector<std::uint8_t> junk = {'T', 'Z', 'i', 'f', '2', 0, 0};
  EXPECT_FALSE(logs::TimeZone::from_tzif(junk));
  std::vector<std::uint8_t> huge(44, 0);
  huge[0] = 'T'; huge[1] = 'Z'; huge[2] = 'i'; huge[3] = 'f';
  huge[32] = 0xFF;  // timecnt = 0xFF000000
  EXPECT_FALSE(logs::TimeZone::from_tzif(huge));
}

const char* kTwoYears =
    "Dec 31 23:59:59 h kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=47\n"
    "Jan  1 00:00:01 h kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TOS=0x00 PREC=0x00 TTL=64 ID=2 PROTO=47\n";

TEST(Time, YearOptionAndRollOver) {
  OpenOptions o;
  o.year = 2023;
  auto r = run_log(kTwoYears, o);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(format_rfc3339(r.events[0].ts), "2023-12-31T23:59:59.000000Z");
  EXPECT_EQ(format_rfc3339(r.events[1].ts), "2024-01-01T00:00:01.000000Z");
  EXPECT_EQ(r.stats.first_ts, r.events[0].ts);
  EXPECT_EQ(r.stats.last_ts, r.events[1].ts);
}

TEST(Time, YearFromMtimeGoesBackWhenTheStampIsLater) {
  OpenOptions o;
  // File modified 2025-01-05: the December line is from 2024, the January line from 2025.
  o.mtime_s = (days_from_civil(2025, 1, 5) * 86400);
  std::vector<std::uint8_t> bytes(kTwoYears, kTwoYears + std::strlen(kTwoYears));
  auto src = make_log_source(buffer_from_bytes(std::move(bytes)), "x", o);
  decode::Event ev;
  ASSERT_TRUE(src->next(ev));
  EXPECT_EQ(format_rfc3339(ev.ts), "2024-12-31T23:59:59.000000Z");
  ASSERT_TRUE(src->next(ev));
  EXPECT_EQ(format_rfc3339(ev.ts), "2025-01-01T00:00:01.000000Z");
}

TEST(Time, LocalTimeTakesTzButExplicitOffsetsWin) {
  OpenOptions o;
  o.tz = "+02:00";
  auto r = run_log(
      "Mar 11 20:35:11 h kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TTL=1 ID=1 PROTO=47\n"
      "2015-03-07T05:09:30+01:00 h kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TTL=1 ID=1 PROTO=47\n",
      o);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(format_rfc3339(r.events[0].ts), "2024-03-11T18:35:11.000000Z");
  EXPECT_EQ(format_rfc3339(r.events[1].ts), "2015-03-07T04:09:30.000000Z");
}

TEST(Time, UnknownZoneIsReportedAndUtcUsed) {
  OpenOptions o;
  o.tz = "Mars/Olympus";
  auto r = run_log("Mar 11 20:35:11 h kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 PROTO=47\n", o);
  ASSERT_EQ(r.events.size(), 1u);
  ASSERT_EQ(r.stats.error_count, 1u);
  EXPECT_EQ(r.stats.errors[0].where, "options");
  EXPECT_EQ(format_rfc3339(r.events[0].ts), "2024-03-11T20:35:11.000000Z");
}

TEST(LogSource, MixedSyslogSkipsOtherProgramsAndCountsErrors) {
  auto r = run_log(
      "Mar 11 20:35:10 h sshd[123]: Accepted publickey for root from 10.0.0.9 port 4242\n"
      "\n"
      "Mar 11 20:35:11 h kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TTL=1 ID=1 PROTO=47\n"
      "Mar 11 20:35:12 h kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.999 LEN=20 PROTO=47\n"
      "Mar 11 20:35:13 h CRON[9]: (root) CMD (true)\r\n");
  EXPECT_EQ(r.stats.format, "netfilter");
  EXPECT_EQ(r.stats.records, 5u);
  EXPECT_EQ(r.stats.decoded, 1u);
  EXPECT_EQ(r.stats.skipped, 3u);
  EXPECT_EQ(r.stats.skipped_by_reason.at("not a firewall record"), 2u);
  EXPECT_EQ(r.stats.skipped_by_reason.at("empty line"), 1u);
  ASSERT_EQ(r.stats.error_count, 1u);
  EXPECT_EQ(r.stats.errors[0].where, "line 4");
  EXPECT_NE(r.stats.errors[0].what.find("DST"), std::string::npos) << r.stats.errors[0].what;
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].origin.number, 3u);
  EXPECT_TRUE(r.events[0].origin.is_line);
}

TEST(LogSource, ForcedFormatAndUnknownFormat) {
  OpenOptions o;
  o.force_format = "netfilter";
  auto r = run_log("hello world\nMar 11 20:35:11 h kernel: X IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=47\n", o);
  EXPECT_EQ(r.stats.format, "netfilter");
  EXPECT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.stats.skipped_by_reason.at("not a netfilter record"), 1u);
  o.force_format = "klingon";
  r = run_log("Mar 11 20:35:11 h kernel: X IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=47\n", o);
  EXPECT_TRUE(r.events.empty());
  ASSERT_EQ(r.stats.error_count, 1u);
  EXPECT_NE(r.stats.errors[0].what.find("klingon"), std::string::npos);
}

TEST(LogSource, OverlongLineIsAnErrorNotAnAbort) {
  std::string text = "Mar 11 20:35:11 h kernel: X IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=47 ";
  text += std::string(limits::kMaxLogLineBytes, 'A');
  text += "\nMar 11 20:35:11 h kernel: X IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=47\n";
  auto r = run_log(text);
  EXPECT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.stats.error_count, 1u);
  EXPECT_EQ(r.stats.records, 2u);
}

TEST(LogSource, JournalExportMessages) {
  auto r = run_log(
      "__CURSOR=s=abc\n"
      "__REALTIME_TIMESTAMP=1700000000123456\n"
      "_TRANSPORT=kernel\n"
      "MESSAGE=DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=78 TTL=64 ID=5 PROTO=UDP SPT=137 DPT=137 LEN=58\n"
      "\n");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].ts.us, 1700000000123456);
  EXPECT_EQ(r.events[0].dport, 137);
  EXPECT_EQ(r.stats.skipped_by_reason.at("journal field"), 3u);
}

}  // namespace
}  // namespace netseen::ingest

namespace netseen::ingest {
namespace {

TEST(FieldParsers, NumbersAddressesAndMacs) {
  std::uint64_t v = 0;
  EXPECT_TRUE(logs::parse_uint("18446744073709551615", ~std::uint64_t{0}, v));
  EXPECT_EQ(v, ~std::uint64_t{0});
  EXPECT_FALSE(logs::parse_uint("18446744073709551616", ~std::uint64_t{0}, v));
  EXPECT_FALSE(logs::parse_uint("99999999999999999999", ~std::uint64_t{0}, v));
  EXPECT_FALSE(logs::parse_uint("256", 255, v));
  EXPECT_TRUE(logs::parse_uint("0255", 255, v));
  EXPECT_FALSE(logs::parse_uint("", 255, v));
  EXPECT_FALSE(logs::parse_uint("1a", 255, v));
  EXPECT_FALSE(logs::parse_uint("-1", 255, v));
  std::uint16_t port = 0;
  EXPECT_TRUE(logs::parse_num(std::string_view("65535"), port));
  EXPECT_FALSE(logs::parse_num(std::string_view("65536"), port));
  EXPECT_TRUE(logs::parse_hex("0x4000", 0xFFFF, v));
  EXPECT_EQ(v, 0x4000u);
  EXPECT_FALSE(logs::parse_hex("0x10000", 0xFFFF, v));
  EXPECT_EQ(logs::parse_ip("10.0.0.1"), IpAddress::v4(10, 0, 0, 1));
  EXPECT_FALSE(logs::parse_ip("10.0.0.256"));
  EXPECT_FALSE(logs::parse_ip("10.0.0"));
  EXPECT_FALSE(logs::parse_ip("10.0.0.1."));
  EXPECT_FALSE(logs::parse_ip("1.2.3.4.5"));
  EXPECT_TRUE(logs::parse_ip("2001:0db8:0000:f101:0000:0000:0000:0002"));
  MacAddress m;
  EXPECT_TRUE(logs::parse_mac_prefix("00:1a:9f:91:df:ae:00", m));
  EXPECT_EQ(m.to_string(), "00:1a:9f:91:df:ae");
  EXPECT_FALSE(logs::parse_mac_prefix("00:1a:9f:91:df", m));
  logs::Tokens t(" a\tbb  c\r\n");
  std::string_view tok;
  ASSERT_TRUE(t.next(tok));
  EXPECT_EQ(tok, "a");
  ASSERT_TRUE(t.next(tok));
  EXPECT_EQ(tok, "bb");
  ASSERT_TRUE(t.next(tok));
  EXPECT_EQ(tok, "c\r\n");  // control bytes other than blanks stay inside a token
  EXPECT_FALSE(t.next(tok));
  logs::Tokens long_tokens("abcdefghijklmnop qrstuvwxyz0123456789");
  ASSERT_TRUE(long_tokens.next(tok));
  EXPECT_EQ(tok, "abcdefghijklmnop");
  ASSERT_TRUE(long_tokens.next(tok));
  EXPECT_EQ(tok, "qrstuvwxyz0123456789");
}

}  // namespace
}  // namespace netseen::ingest
