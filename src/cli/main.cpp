#include <malloc.h>

#include "cli/commands.hpp"
#include "cli/huge_pages.hpp"

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // Grow the heaps 64 MiB at a time beyond what is asked. With glibc's default (128 KiB) the
  // detectors' tables, growing and rehashing as an analysis goes on, made each thread's heap
  // grow and shrink thousands of times (4,445 mprotect calls on the side thread for 1.3M log
  // lines) and fault the same pages in again: 8-14 % of the run's time (docs/performance.md,
  // ninth round). Untouched address space costs no memory; peak RSS grew 5-10 %.
  mallopt(M_TOP_PAD, 64 << 20);
#endif
  // Large analyses restart once with glibc's heaps on transparent huge pages (cli/huge_pages.hpp).
  netseen::cli::maybe_reexec_with_huge_pages(argc, argv);
  return netseen::cli::run(argc, argv);
}
