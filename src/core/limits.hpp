// Every hostile-input cap in netseen, in one place. Hitting one is reported as
// ErrorKind::LimitExceeded (or counted as an anomaly), never silently ignored.
#pragma once

#include <cstddef>

namespace netseen::limits {

inline constexpr std::size_t kMaxNameCompressionJumps = 16;  // NetBIOS/DNS label pointers followed per name
inline constexpr std::size_t kMaxEncodedNameBytes = 255;     // RFC 1002 §4.1 / RFC 1035 name length
inline constexpr std::size_t kMaxNbnsRecords = 64;           // per section (QD/AN/NS/AR)
inline constexpr std::size_t kMaxNodeStatusNames = 255;      // NUM_NAMES is one byte
inline constexpr std::size_t kMaxDnsRecords = 128;
inline constexpr std::size_t kMaxLogLineBytes = 64 * 1024;   // longer lines are cut and flagged
inline constexpr std::size_t kMaxErrorsKeptPerInput = 100;   // further errors are counted only
inline constexpr std::size_t kMaxPcapRecordBytes = 256 * 1024;  // larger declared records are bogus
inline constexpr std::size_t kMaxPcapngBlockBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxNbdsReassemblyBytes = 64 * 1024;  // one reassembled NetBIOS datagram
inline constexpr std::size_t kMaxNbdsPendingDatagrams = 256;       // datagrams being reassembled at once
// Inputs of one run (files on the command line): findings keep where their evidence came
// from in 8 bytes (detect::EvidenceSampler), 16 bits of it for the input. More are refused
// by name, each as an unreadable input.
inline constexpr std::size_t kMaxInputs = 65'536;

}  // namespace netseen::limits
