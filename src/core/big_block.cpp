#include "core/big_block.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace netseen::big_block {

namespace {

bool mapped(std::size_t bytes) noexcept { return kMapsLargeBlocks && bytes >= kHugePage; }

std::size_t rounded(std::size_t bytes) noexcept { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

}  // namespace

void* allocate(std::size_t bytes) {
  if (!mapped(bytes)) return ::operator new(bytes);
  // Map one huge page more than needed and cut the ends off, leaving a 2 MiB-aligned block.
  const std::size_t size = rounded(bytes);
  void* raw = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const auto aligned = (start + kHugePage - 1) & ~(std::uintptr_t{kHugePage} - 1);
  if (aligned > start) ::munmap(raw, aligned - start);
  const std::size_t tail = (start + size + kHugePage) - (aligned + size);
  if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + size), tail);
  auto* block = reinterpret_cast<void*>(aligned);
  // A hint: where huge pages are off ("never") the block is ordinary pages.
  (void)::madvise(block, size, MADV_HUGEPAGE);
  return block;
}

void release(void* block, std::size_t bytes) noexcept {
  if (block == nullptr) return;
  if (!mapped(bytes)) {
    ::operator delete(block);
    return;
  }
  ::munmap(block, rounded(bytes));
}

}  // namespace netseen::big_block
