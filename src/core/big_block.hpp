// Memory for large tables (FlatMap's slot arrays): blocks of 2 MiB or more come straight
// from the kernel, aligned to 2 MiB and marked for transparent huge pages (madvise
// MADV_HUGEPAGE), so a table of tens of megabytes probed at random spends one TLB entry per
// 2 MiB instead of per 4 KiB page. Smaller blocks, and builds under AddressSanitizer (which
// checks heap blocks only), use operator new. Either way the block is uninitialised and
// given back with the same size.
#pragma once

#include <cstddef>

namespace netseen::big_block {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Whether blocks of kHugePage or more are mapped (not under AddressSanitizer).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kMapsLargeBlocks = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kMapsLargeBlocks = false;
#else
inline constexpr bool kMapsLargeBlocks = true;
#endif
#else
inline constexpr bool kMapsLargeBlocks = true;
#endif

// Throws std::bad_alloc when the memory cannot be had, as operator new does.
void* allocate(std::size_t bytes);
void release(void* block, std::size_t bytes) noexcept;

}  // namespace netseen::big_block
