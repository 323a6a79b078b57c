// Transparent huge pages for the heap of a large analysis.
//
// The detectors' state is millions of small heap blocks (per-source target sets, port
// lists, evidence) probed at random: on 4 KiB pages nearly every probe also misses the
// TLB, and the heap is faulted in one 4 KiB page at a time (22,000 faults for 5M log
// lines). glibc can back its heaps with transparent huge pages, but only when told so at
// start-up (GLIBC_TUNABLES=glibc.malloc.hugetlb=1: it then marks what it takes from the
// kernel MADV_HUGEPAGE), which matters where the kernel's THP mode is "madvise" (with
// "always" the heap gets huge pages anyway, with "never" it cannot). So `analyze` of
// inputs totalling kHugePagesMinBytes or more re-executes itself once with that setting
// added; the start-up it repeats (a few milliseconds) is small against such a run.
// NETSEEN_HUGE_PAGES=0 turns it off; NETSEEN_HUGE_PAGES_MIN_MB sets the size.
#pragma once

#include <cstdint>
#include <string>

namespace netseen::cli {

inline constexpr std::uint64_t kHugePagesMinBytes = std::uint64_t{256} << 20;

// The kernel's THP mode: "always", "madvise" or "never"; empty when it cannot be read.
std::string thp_mode();

// The total size of the regular files named on an `analyze` command line (any argument that
// is one: inputs, and the small files of options such as --config); 0 for other commands.
std::uint64_t analysis_input_bytes(int argc, char** argv);

// Re-executes the program with glibc.malloc.hugetlb=1 when it is an analysis of at least
// the minimum size, glibc can use the setting (2.35 or later), the THP mode is "madvise",
// the setting is not already there, and this is not already the re-executed process.
// Returns when it did not (or could not) re-execute. In the re-executed process it puts the
// environment back as the user gave it (glibc has read the setting by then), so the setting
// does not pass on to commands netseen starts.
void maybe_reexec_with_huge_pages(int argc, char** argv);

}  // namespace netseen::cli
