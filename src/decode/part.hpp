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
#include <memory>
#include <utility>

namespace netseen::decode {

template <class T>
class Part {
 public:
  Part() noexcept = default;
  Part(const Part& o) : p_(o.on_ ? std::make_unique<T>(*o.p_) : nullptr), on_(o.on_) {}
  Part(Part&& o) noexcept : p_(std::move(o.p_)), on_(o.on_) { o.on_ = false; }
  Part& operator=(const Part& o) {
    if (this == &o) return *this;
    if (o.on_) emplace(*o.p_);
    else on_ = false;
    return *this;
  }
  Part& operator=(Part&& o) noexcept {
    if (this == &o) return *this;
    p_ = std::move(o.p_);
    on_ = o.on_;
    o.on_ = false;
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
  ~Part() = default;

  // Engages the part with T(args...), reusing the storage of an earlier one.
  template <class... Args>
  T& emplace(Args&&... args) {
    if (p_) *p_ = T(std::forward<Args>(args)...);
    else p_ = std::make_unique<T>(std::forward<Args>(args)...);
    on_ = true;
    return *p_;
  }
  void reset() noexcept { on_ = false; }

  [[nodiscard]] bool has_value() const noexcept { return on_; }
  explicit operator bool() const noexcept { return on_; }
  T* operator->() noexcept {
    assert(on_);
    return p_.get();
  }
  const T* operator->() const noexcept {
    assert(on_);
    return p_.get();
  }
  T& operator*() noexcept {
    assert(on_);
    return *p_;
  }
  const T& operator*() const noexcept {
    assert(on_);
    return *p_;
  }
  // The storage of a disengaged part, for reset_event to move reusable buffers out of it
  // before they are overwritten (nullptr when none was ever allocated).
  T* storage() noexcept { return p_.get(); }

 private:
  std::unique_ptr<T> p_;
  bool on_ = false;
};

}  // namespace netseen::decode
