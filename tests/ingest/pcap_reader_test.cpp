#include <gtest/gtest.h>

#include <filesystem>

#include "../decode/frame_builder.hpp"
#include "decode/frame.hpp"
#include "ingest/capture_source.hpp"
#include "ingest/pcap.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {
namespace {

using namespace netseen::testing;  // NOLINT(google-build-using-namespace)

const V4 kA{192, 168, 0, 1};
const V4 kB{192, 168, 0, 255};

Buf udp_frame(std::uint16_t dport) {
  return ethernet(0x0800, ipv4(kA, kB, 17, udp(kA, kB, 138, dport, Buf(10, 0x20))));
}

std::vector<CaptureRecord> read_pcap(const Buf& file, InputStats& stats) {
  std::vector<CaptureRecord> out;
  auto r = PcapReader::open(Bytes(file));
  EXPECT_TRUE(r.has_value());
  if (!r) return out;
  CaptureRecord rec;
  while (r->next(rec, stats)) out.push_back(rec);
  return out;
}

TEST(PcapReader, BothByteOrdersAndResolutions) {
  for (const bool big : {false, true}) {
    for (const bool nano : {false, true}) {
      const Buf file = pcap_file(1, {{1'100'000'000, nano ? 123'456'789U : 123'456U, udp_frame(1), 0},
                                     {1'100'000'001, 0, udp_frame(2), 0}},
                                 big, nano);
      InputStats st;
      const auto recs = read_pcap(file, st);
      ASSERT_EQ(recs.size(), 2U) << big << nano;
      EXPECT_EQ(recs[0].frame, 1U);
      EXPECT_EQ(recs[1].frame, 2U);
      EXPECT_EQ(recs[0].linktype, 1U);
      EXPECT_EQ(recs[0].ts.us, 1'100'000'000LL * 1'000'000 + 123'456);
      EXPECT_EQ(recs[1].ts.us, 1'100'000'001LL * 1'000'000);
      EXPECT_EQ(recs[0].data.size(), udp_frame(1).size());
      EXPECT_EQ(st.error_count, 0U);
    }
  }
}

TEST(PcapReader, RejectsWhatIsNotPcap) {
  const Buf junk{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  auto r = PcapReader::open(Bytes(junk));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  Buf header_only = pcap_file(1, {});
  header_only.resize(20);
  auto t = PcapReader::open(Bytes(header_only));
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().kind, ErrorKind::Truncated);
}

TEST(PcapReader, TruncatedFinalRecordIsReportedWithItsFrameNumberAndKept) {
  Buf file = pcap_file(1, {{1, 0, udp_frame(1), 0}, {2, 0, udp_frame(2), 0}, {3, 0, udp_frame(3), 0}});
  file.resize(file.size() - 5);
  InputStats st;
  const auto recs = read_pcap(file, st);
  ASSERT_EQ(recs.size(), 3U);
  EXPECT_EQ(recs[2].data.size(), udp_frame(3).size() - 5);
  ASSERT_EQ(st.errors.size(), 1U);
  EXPECT_EQ(st.errors[0].where, "frame 3");
  EXPECT_NE(st.errors[0].what.find("truncated record"), std::string::npos);
}

TEST(PcapReader, TruncatedRecordHeaderAtTheEnd) {
  Buf file = pcap_file(1, {{1, 0, udp_frame(1), 0}});
  file.insert(file.end(), {1, 2, 3, 4, 5, 6});
  InputStats st;
  EXPECT_EQ(read_pcap(file, st).size(), 1U);
  ASSERT_EQ(st.errors.size(), 1U);
  EXPECT_EQ(st.errors[0].where, "frame 2");
}

TEST(PcapReader, GarbageBetweenRecordsIsSkippedAndReadingContinues) {
  const Buf a = pcap_file(1, {{10, 0, udp_frame(1), 0}});
  const Buf b = pcap_file(1, {{11, 0, udp_frame(2), 0}, {12, 0, udp_frame(3), 0}});
  Buf file = a;
  // A record header with a bogus length, then garbage, then two good records.
  const Buf garbage{0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 9, 9, 9};
  file.insert(file.end(), garbage.begin(), garbage.end());
  file.insert(file.end(), b.begin() + 24, b.end());
  InputStats st;
  const auto recs = read_pcap(file, st);
  ASSERT_EQ(recs.size(), 3U);
  EXPECT_EQ(recs[1].ts.seconds(), 11);
  EXPECT_EQ(recs[2].ts.seconds(), 12);
  EXPECT_EQ(recs[1].frame, 2U);
  ASSERT_EQ(st.errors.size(), 1U);
  EXPECT_EQ(st.errors[0].where, "frame 2");
  EXPECT_NE(st.errors[0].what.find("skipped 19 bytes"), std::string::npos) << st.errors[0].what;
}

TEST(PcapReader, SnaplenCutPacketsDecodeWithAnAnomaly) {
  const Buf full = udp_frame(137);
  const Buf cut(full.begin(), full.begin() + 44);
  const Buf file = pcap_file(1, {{1, 0, cut, static_cast<std::uint32_t>(full.size())}}, false, false, 44);
  auto src = make_capture_source(buffer_from_bytes(file), "mem", OpenOptions{});
  decode::Event ev;
  ASSERT_TRUE(src->next(ev));
  EXPECT_EQ(ev.wire_len, full.size());
  EXPECT_EQ(ev.dport, 137);
  EXPECT_TRUE(decode::has_anomaly(ev, "snaplen_cut"));
  EXPECT_EQ(src->stats().error_count, 0U);
}

TEST(PcapngReader, SeveralInterfacesLinkTypesAndResolutions) {
  const Buf eth = udp_frame(53);
  const Buf raw = ipv4(kA, kB, 17, udp(kA, kB, 1, 2, Buf(3, 0)));
  Buf file = pcapng_shb();
  for (const Buf& b : {pcapng_idb(1), pcapng_idb(101, 9)}) file = concat(file, b);  // if0 µs, if1 ns
  file = concat(file, pcapng_epb(0, 1'600'000'000'123'456ULL, eth));
  file = concat(file, pcapng_block(5, Buf(12, 0)));               // interface statistics: skipped
  file = concat(file, pcapng_block(0x0BAD, Buf{1, 2, 3, 4, 5}));  // custom: skipped
  file = concat(file, pcapng_epb(1, 1'600'000'001'000'000'500ULL, raw));
  file = concat(file, pcapng_epb(7, 1, raw));  // undeclared interface
  auto r = PcapngReader::open(Bytes(file));
  ASSERT_TRUE(r.has_value());
  InputStats st;
  CaptureRecord rec;
  ASSERT_TRUE(r->next(rec, st));
  EXPECT_EQ(rec.frame, 1U);
  EXPECT_EQ(rec.linktype, 1U);
  EXPECT_EQ(rec.ts.us, 1'600'000'000'123'456LL);
  ASSERT_TRUE(r->next(rec, st));
  EXPECT_EQ(rec.frame, 2U);
  EXPECT_EQ(rec.linktype, 101U);
  EXPECT_EQ(rec.ts.us, 1'600'000'001'000'000LL);
  EXPECT_EQ(rec.data.size(), raw.size());
  EXPECT_FALSE(r->next(rec, st));
  ASSERT_EQ(st.errors.size(), 1U);
  EXPECT_EQ(st.errors[0].where, "frame 3");
  EXPECT_EQ(st.skipped_by_reason["undeclared-interface"], 1U);
}

TEST(PcapngReader, DamagedBlockLengthResynchronises) {
  Buf file = concat(pcapng_shb(), pcapng_idb(1));
  Buf bad = pcapng_epb(0, 5, udp_frame(1));
  bad[4] = 0x03;  // length not a multiple of 4
  file = concat(file, bad);
  file = concat(file, pcapng_epb(0, 6, udp_frame(2)));
  auto r = PcapngReader::open(Bytes(file));
  ASSERT_TRUE(r.has_value());
  InputStats st;
  CaptureRecord rec;
  ASSERT_TRUE(r->next(rec, st));
  EXPECT_EQ(rec.ts.us, 6);
  EXPECT_GE(st.error_count, 1U);
  EXPECT_EQ(st.errors[0].where, "frame 1");
}

TEST(CaptureSource, YieldsEventsWithOriginAndStats) {
  const Buf file = pcap_file(1, {{100, 5, udp_frame(138), 0}, {101, 0, Buf{1, 2, 3}, 0}, {102, 7, udp_frame(139), 0}});
  OpenOptions o;
  o.input_index = 4;
  auto src = make_capture_source(buffer_from_bytes(file), "mem.pcap", o);
  decode::Event ev;
  ASSERT_TRUE(src->next(ev));
  EXPECT_EQ(ev.origin.input, 4U);
  EXPECT_EQ(ev.origin.number, 1U);
  EXPECT_FALSE(ev.origin.is_line);
  EXPECT_EQ(ev.dport, 138);
  ASSERT_TRUE(src->next(ev));
  EXPECT_EQ(ev.origin.number, 3U);  // frame 2 was too short for Ethernet
  EXPECT_EQ(ev.dport, 139);
  EXPECT_FALSE(src->next(ev));
  const InputStats& st = src->stats();
  EXPECT_EQ(st.format, "pcap");
  EXPECT_EQ(st.records, 3U);
  EXPECT_EQ(st.decoded, 2U);
  EXPECT_EQ(st.skipped, 1U);
  EXPECT_EQ(st.skipped_by_reason.at("truncated-link"), 1U);
  EXPECT_EQ(st.first_ts.us, 100'000'005);
  EXPECT_EQ(st.last_ts.us, 102'000'007);
  EXPECT_EQ(st.bytes_read, st.bytes_total);
  EXPECT_EQ(st.bytes_total, file.size());
}

TEST(CaptureSource, OpenInputRecognisesCapturesByContent) {
  const Buf file = pcap_file(1, {{1, 0, udp_frame(138), 0}});
  const std::string path = std::string(NETSEEN_BINARY_DIR) + "/pcap_reader_test.log";  // name says log
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(file.data(), 1, file.size(), f);
    std::fclose(f);
  }
  auto src = open_input(path, OpenOptions{});
  ASSERT_TRUE(src.has_value());
  decode::Event ev;
  ASSERT_TRUE((*src)->next(ev));
  EXPECT_EQ(ev.dport, 138);
  EXPECT_EQ((*src)->stats().format, "pcap");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace netseen::ingest
