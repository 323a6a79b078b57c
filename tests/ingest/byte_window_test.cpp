// ByteWindow reads a regular file in pieces; whatever the piece size, readers must see the
// bytes, records and damage reports they see when the whole input is in memory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "../decode/frame_builder.hpp"
#include "ingest/byte_window.hpp"
#include "ingest/pcap.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {
namespace {

using namespace netseen::testing;  // NOLINT(google-build-using-namespace)

class TempFile {
 public:
  TempFile(const std::string& name, const Buf& bytes)
      : path_(std::string(NETSEEN_BINARY_DIR) + "/byte_window_test." + name) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (f != nullptr) {
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Buf pattern(std::size_t n) {
  Buf b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>((i * 131U + i / 251U) & 0xFFU);
  return b;
}

TEST(ByteWindow, AFileReadInPiecesGivesTheBytesMemoryHolds) {
  const Buf bytes = pattern(10'000);
  const TempFile file("bin", bytes);
  auto handle = FileHandle::open(file.path());
  ASSERT_TRUE(handle.has_value());
  for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{4096}}) {
    ByteWindow from_file(*handle, piece);
    ByteWindow in_memory{Bytes(bytes)};
    EXPECT_EQ(from_file.size(), bytes.size());
    std::mt19937 rng(static_cast<unsigned>(piece));
    std::size_t pos = 0;
    for (int step = 0; step < 3000; ++step) {
      // Mostly forward, as readers go, with jumps back (resynchronisation) and past the end.
      const auto kind = rng() % 10;
      if (kind < 7) pos += rng() % 200;
      else if (kind < 9) pos -= std::min<std::size_t>(pos, rng() % 600);
      else pos = bytes.size() - 50 + rng() % 100;
      const std::size_t n = rng() % 700;
      const Bytes a = from_file.at(pos, n);
      const Bytes b = in_memory.at(pos, n);
      ASSERT_EQ(a.size(), b.size()) << "piece " << piece << " pos " << pos << " n " << n;
      ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin())) << "piece " << piece << " pos " << pos;
      if (pos >= bytes.size()) pos = 0;
    }
    EXPECT_TRUE(from_file.error().empty());
    EXPECT_GE(from_file.bytes_read(), bytes.size() / 2);
  }
}

TEST(ByteWindow, AFileCutShortAfterOpeningReadsAsTruncatedWithAnError) {
  const Buf bytes = pattern(5'000);
  const TempFile file("cut", bytes);
  auto handle = FileHandle::open(file.path());
  ASSERT_TRUE(handle.has_value());
  ByteWindow w(*handle, 512);
  ASSERT_EQ(w.at(0, 100).size(), 100U);
  ASSERT_EQ(::truncate(file.path().c_str(), 3'000), 0);
  const Bytes tail = w.at(2'900, 500);
  EXPECT_EQ(tail.size(), 100U);
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), bytes.begin() + 2'900));
  EXPECT_EQ(w.size(), 3'000U);
  EXPECT_NE(w.error().find("ends at offset 3000"), std::string::npos) << w.error();
  EXPECT_TRUE(w.at(3'000, 10).empty());
}

TEST(ByteWindow, DirectoriesAndMissingFilesAreIoErrors) {
  auto dir = FileHandle::open(NETSEEN_BINARY_DIR);
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::Io);
  EXPECT_NE(dir.error().message().find("is a directory"), std::string::npos);
  EXPECT_FALSE(FileHandle::open(std::string(NETSEEN_BINARY_DIR) + "/no-such-file").has_value());
}

TEST(ByteWindow, LookingFarAheadAtEveryStepDoesNotReReadTheFile) {
  // What a resynchronisation over damage does: a small read at each step and one a megabyte
  // ahead (a block's trailing length). The window must not move there and back every time.
  const Buf bytes = pattern(3 << 20);
  const TempFile file("far", bytes);
  auto handle = FileHandle::open(file.path());
  ASSERT_TRUE(handle.has_value());
  ByteWindow w(*handle);
  for (std::size_t pos = 0; pos < (2U << 20); pos += 4) {
    const Bytes here = w.at(pos, 8);
    ASSERT_EQ(here.size(), 8U);
    ASSERT_EQ(here[3], bytes[pos + 3]);
    const Bytes far = w.at(pos + (1U << 20), 4);
    ASSERT_EQ(far.size(), 4U);
    ASSERT_EQ(far[1], bytes[pos + (1U << 20) + 1]);
  }
  EXPECT_LT(w.bytes_read(), 3 * bytes.size()) << "read " << w.bytes_read() << " bytes of a " << bytes.size()
                                              << "-byte file";
  EXPECT_TRUE(w.error().empty());
}

struct Seen {
  std::vector<std::uint64_t> frames;
  std::vector<std::int64_t> stamps;
  std::vector<std::uint32_t> links;
  std::vector<Buf> data;
  std::vector<std::string> errors;
  bool operator==(const Seen&) const = default;
};

template <typename Reader>
Seen read_all(Result<Reader> r) {
  Seen s;
  EXPECT_TRUE(r.has_value());
  if (!r) return s;
  InputStats st;
  CaptureRecord rec;
  while (r->next(rec, st)) {
    s.frames.push_back(rec.frame);
    s.stamps.push_back(rec.ts.us);
    s.links.push_back(rec.linktype);
    s.data.emplace_back(rec.data.begin(), rec.data.end());
  }
  for (const auto& e : st.errors) s.errors.push_back(e.where + ": " + e.what);
  return s;
}

Buf frame_of(std::size_t i) {
  const V4 a{10, 0, 0, static_cast<std::uint8_t>(i)};
  const V4 b{10, 0, 1, static_cast<std::uint8_t>(i * 7)};
  return ethernet(0x0800, ipv4(a, b, 17, udp(a, b, 137, 40000, Buf(20 + (i * 37) % 900, static_cast<std::uint8_t>(i)))));
}

TEST(ByteWindow, CaptureReadersSeeTheSameRecordsAndDamageInAnyPieceSize) {
  // pcap: varied record sizes, garbage with a bogus length mid-file, a cut final record.
  std::vector<Rec> first, second;
  for (std::size_t i = 0; i < 40; ++i) first.push_back({1000 + static_cast<std::uint32_t>(i), 5, frame_of(i), 0});
  for (std::size_t i = 40; i < 80; ++i) second.push_back({1000 + static_cast<std::uint32_t>(i), 9, frame_of(i), 0});
  Buf pcap = pcap_file(1, first);
  const Buf garbage{0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 9, 9, 9};
  pcap.insert(pcap.end(), garbage.begin(), garbage.end());
  const Buf rest = pcap_file(1, second);
  pcap.insert(pcap.end(), rest.begin() + 24, rest.end());
  pcap.resize(pcap.size() - 11);

  // pcapng: two interfaces, a skipped block, a new section, a damaged block length.
  Buf ng = concat(pcapng_shb(), concat(pcapng_idb(1), pcapng_idb(101, 9)));
  for (std::size_t i = 0; i < 30; ++i) ng = concat(ng, pcapng_epb(static_cast<std::uint32_t>(i % 2), 1'000'000 + i, frame_of(i)));
  ng = concat(ng, pcapng_block(5, Buf(12, 0)));
  Buf bad = pcapng_epb(0, 7, frame_of(99));
  bad[4] = 0x03;
  ng = concat(ng, bad);
  ng = concat(ng, concat(pcapng_shb(), pcapng_idb(1)));
  for (std::size_t i = 30; i < 60; ++i) ng = concat(ng, pcapng_epb(0, 2'000'000 + i, frame_of(i)));

  const TempFile pcap_file_on_disk("pcap", pcap);
  const TempFile ng_file_on_disk("pcapng", ng);
  const Seen pcap_memory = read_all(PcapReader::open(Bytes(pcap)));
  const Seen ng_memory = read_all(PcapngReader::open(Bytes(ng)));
  ASSERT_EQ(pcap_memory.frames.size(), 80U);
  ASSERT_EQ(pcap_memory.errors.size(), 2U);  // the garbage and the cut final record
  ASSERT_EQ(ng_memory.frames.size(), 60U);
  ASSERT_FALSE(ng_memory.errors.empty());

  for (const std::size_t piece : {std::size_t{16}, std::size_t{100}, std::size_t{1000}, std::size_t{0}}) {
    auto p = FileHandle::open(pcap_file_on_disk.path());
    auto n = FileHandle::open(ng_file_on_disk.path());
    ASSERT_TRUE(p.has_value() && n.has_value());
    EXPECT_EQ(read_all(PcapReader::open(ByteWindow(*p, piece))), pcap_memory) << "piece " << piece;
    EXPECT_EQ(read_all(PcapngReader::open(ByteWindow(*n, piece))), ng_memory) << "piece " << piece;
  }
}

}  // namespace
}  // namespace netseen::ingest
