// Part<T>: an optional protocol part of an Event (its ICMP, DNS, NBNS, … summary).
//
// It reads like std::optional<T> (`if (ev.icmp)`, `ev.icmp->type`, `ev.icmp.emplace()`,
// `ev.icmp.reset()`), with two differences that matter to the pipeline:
//   - the part lives on the heap and the Event holds only a pointer and an engaged flag, so
//     the six parts add 96 bytes to the Event instead of ~600, and asking whether a part is
//     there reads the Event's first cache lines instead of one line per part;
//   - reset() only clears the flag and keeps the storage, so an Event that is reused packet
//     after packet (a reader's Event, a slot of the threaded pipeline's batches) allocates a
//     part once and then never again; emplace() assigns a fresh T into it.
// Copies are deep, moves take the storage; a disengaged part's stale contents are never
// visible (every accessor asserts the flag in debug builds).
#pragma once

#include <cassert>
#include <cstdint>
#include <utility>

namespace netseen::decode {

template <class T>
class Part {
  static_assert(alignof(T) >= 2, "the engaged flag lives in the pointer's low bit");

 public:
  Part() noexcept = default;
  Part(const Part& o) {
    if (o.has_value()) bits_ = tag(new T(*o.ptr()), true);
  }
  Part(Part&& o) noexcept : bits_(o.bits_) { o.bits_ = 0; }
  Part& operator=(const Part& o) {
    if (this == &o) return *this;
    if (o.has_value()) emplace(*o.ptr());
    else reset();
    return *this;
  }
  Part& operator=(Part&& o) noexcept {
    if (this == &o) return *this;
    delete ptr();
    bits_ = o.bits_;
    o.bits_ = 0;
    return *this;
  }
  Part& operator=(const T& v) {
    emplace(v);
    return *this;
  }
  Part& operator=(T&& v) {
    emplace(std::move(v));
    return *this;
  }
  ~Part() { delete ptr(); }

  // Engages the part with T(args...), reusing the storage of an earlier one.
  template <class... Args>
  T& emplace(Args&&... args) {
    T* p = ptr();
    if (p != nullptr) *p = T(std::forward<Args>(args)...);
    else p = new T(std::forward<Args>(args)...);
    bits_ = tag(p, true);
    return *p;
  }
  void reset() noexcept { bits_ &= ~kOn; }

  [[nodiscard]] bool has_value() const noexcept { return (bits_ & kOn) != 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T* operator->() noexcept {
    assert(has_value());
    return ptr();
  }
  const T* operator->() const noexcept {
    assert(has_value());
    return ptr();
  }
  T& operator*() noexcept {
    assert(has_value());
    return *ptr();
  }
  const T& operator*() const noexcept {
    assert(has_value());
    return *ptr();
  }
  // The storage, engaged or not (nullptr when none was ever allocated).
  T* storage() noexcept { return ptr(); }

 private:
  static constexpr std::uintptr_t kOn = 1;
  static std::uintptr_t tag(T* p, bool on) noexcept { return reinterpret_cast<std::uintptr_t>(p) | (on ? kOn : 0); }
  [[nodiscard]] T* ptr() const noexcept { return reinterpret_cast<T*>(bits_ & ~kOn); }

  // The storage's address, and in its low bit (always 0 in an address of a T) the flag: one
  // word per part, so the six parts of an Event take 48 bytes.
  std::uintptr_t bits_ = 0;
};

}  // namespace netseen::decode
