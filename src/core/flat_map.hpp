// Open-addressing hash tables for the per-host and per-pair state of the detectors.
//
// std::unordered_map allocates one node per entry and reaches it through two or three
// dependent loads (bucket, the node before, the node): with tens of thousands of hosts
// spread over the heap, every event paid several cache misses per table (the profile of
// `analyze` on a 1M-line log had a third of its cycles in node-chasing finds). Here the
// entries sit in one array, found by linear probing from the hash's home slot; a separate
// array of one-byte tags (empty, or 7 bits of the hash) is what the probe walks, so a miss
// costs one cache line of tags and a hit usually one more for the entry.
//
// Differences from std::unordered_map that callers must respect:
//   * inserting may move every entry (rehash): references, pointers and iterators into the
//     table are invalidated by any insert; erase moves later entries of the same probe run
//     back into the hole (backward-shift deletion, no tombstones);
//   * erasing while iterating: use erase_if(); erase(iterator) returns the position to
//     continue from, but an entry moved back across the end of the array may be visited
//     twice;
//   * iteration order is the slot order: deterministic for the same inserts, unrelated to
//     insertion order. Output that must be ordered sorts.
// The load factor stays at most 3/4; the capacity is a power of two (at least 8 once used).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "core/big_block.hpp"

namespace netseen {

namespace flat_detail {

// Spreads any hash (std::hash of an integer is the identity) over all 64 bits.
inline std::uint64_t mix(std::uint64_t h) noexcept {
  h ^= h >> 32;
  h *= 0x9E3779B97F4A7C15ULL;
  h ^= h >> 29;
  return h;
}

template <class K, class V>
struct MapPolicy {
  using slot_type = std::pair<K, V>;
  static const K& key(const slot_type& s) noexcept { return s.first; }
};
template <class K>
struct SetPolicy {
  using slot_type = K;
  static const K& key(const slot_type& s) noexcept { return s; }
};

template <class K, class Policy, class Hash, class Eq>
class Table {
 public:
  using key_type = K;
  using slot_type = typename Policy::slot_type;
  // Rehash and backward-shift deletion move entries and cannot undo a half-done move.
  static_assert(std::is_nothrow_move_constructible_v<slot_type>, "FlatMap entries must move without throwing");
  using size_type = std::size_t;

  template <bool Const>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = slot_type;
    using difference_type = std::ptrdiff_t;
    using reference = std::conditional_t<Const, const slot_type&, slot_type&>;
    using pointer = std::conditional_t<Const, const slot_type*, slot_type*>;
    using table_ptr = std::conditional_t<Const, const Table*, Table*>;

    Iter() = default;
    Iter(table_ptr t, std::size_t i) noexcept : t_(t), i_(i) { skip(); }
    template <bool C = Const, class = std::enable_if_t<C>>
    Iter(const Iter<false>& o) noexcept : t_(o.t_), i_(o.i_) {}  // NOLINT(google-explicit-constructor)

    reference operator*() const noexcept { return t_->slots_[i_]; }
    pointer operator->() const noexcept { return &t_->slots_[i_]; }
    Iter& operator++() noexcept {
      ++i_;
      skip();
      return *this;
    }
    Iter operator++(int) noexcept {
      Iter r = *this;
      ++*this;
      return r;
    }
    friend bool operator==(const Iter& a, const Iter& b) noexcept { return a.i_ == b.i_; }

   private:
    friend class Table;
    friend class Iter<!Const>;
    void skip() noexcept {
      while (i_ < t_->cap_ && t_->ctrl_[i_] == 0) ++i_;
    }
    table_ptr t_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  Table() = default;
  ~Table() { release(); }
  Table(const Table& o) : hash_(o.hash_), eq_(o.eq_) {
    if (o.size_ == 0) return;
    allocate(o.cap_);
    try {
      for (std::size_t i = 0; i < o.cap_; ++i) {
        if (o.ctrl_[i] == 0) continue;
        ::new (static_cast<void*>(slots_ + i)) slot_type(o.slots_[i]);
        ctrl_[i] = o.ctrl_[i];
        ++size_;
      }
    } catch (...) {
      release();  // the entries built so far (counted in size_, marked in ctrl_), then the block
      throw;
    }
  }
  Table(Table&& o) noexcept { swap(o); }
  Table& operator=(const Table& o) {
    if (this != &o) {
      Table t(o);
      swap(t);
    }
    return *this;
  }
  Table& operator=(Table&& o) noexcept {
    if (this != &o) {
      release();
      swap(o);
    }
    return *this;
  }
  void swap(Table& o) noexcept {
    std::swap(ctrl_, o.ctrl_);
    std::swap(slots_, o.slots_);
    std::swap(cap_, o.cap_);
    std::swap(size_, o.size_);
    std::swap(shift_, o.shift_);
    std::swap(hash_, o.hash_);
    std::swap(eq_, o.eq_);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t capacity() const noexcept { return cap_; }

  iterator begin() noexcept { return iterator(this, 0); }
  iterator end() noexcept { return iterator(this, cap_); }
  const_iterator begin() const noexcept { return const_iterator(this, 0); }
  const_iterator end() const noexcept { return const_iterator(this, cap_); }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }

  iterator find(const K& k) noexcept { return iterator(this, locate(k)); }
  const_iterator find(const K& k) const noexcept { return const_iterator(this, locate(k)); }
  [[nodiscard]] bool contains(const K& k) const noexcept { return locate(k) != cap_; }
  // Start loading what a find(k) will read and return at once, so that a caller that knows
  // its next keys can ask for them a few events ahead and the misses of a table far larger
  // than the caches overlap instead of stalling one by one. In two steps, as the entry's
  // slot is known only from the tags (linear probing often places it a few slots past its
  // home, and a big entry spans several lines): prefetch_tags(k) loads the line of tags k's
  // probe starts in (and, for small entries, the line of its home slot, where the entry
  // most likely is); prefetch_entry(k), some time later with those tags in the cache, walks
  // them to k's slot and loads the lines of its first `HotBytes` (what the caller touches
  // on every event: it keeps those fields first). Nothing when k is absent. Only hints: no
  // state changes, and an insert before the find may move the entry.
  // Always inlined: out of line, GCC finds them pure (a prefetch writes nothing) and drops
  // every call, prefetches and all.
  [[gnu::always_inline]] void prefetch_tags(const K& k) const noexcept {
    if (size_ == 0) return;
    const auto i = static_cast<std::size_t>(flat_detail::mix(hash_(k)) >> shift_);
    __builtin_prefetch(ctrl_ + i);
    if constexpr (sizeof(slot_type) <= 16) __builtin_prefetch(slots_ + i);
  }
  // ForInsert: a table whose absent keys are then inserted (or replace_near'd) — for an
  // absent k, the first line of its home slot and of the free slot its probe ends at.
  template <std::size_t HotBytes = 128, bool ForInsert = false>
  [[gnu::always_inline]] void prefetch_entry(const K& k) const noexcept {
    if (size_ == 0) return;
    const std::uint64_t h = flat_detail::mix(hash_(k));
    const std::uint8_t tag = tag_of(h);
    const std::size_t mask = cap_ - 1;
    const auto home = static_cast<std::size_t>(h >> shift_);
    std::size_t i = home;
    for (std::size_t walked = 0; walked < 64; ++walked, i = (i + 1) & mask) {
      const std::uint8_t c = ctrl_[i];
      if (c == 0) {
        if constexpr (ForInsert) {
          __builtin_prefetch(slots_ + home);
          __builtin_prefetch(slots_ + i);
        }
        return;
      }
      if (c != tag) continue;
      constexpr std::size_t kBytes = HotBytes < sizeof(slot_type) ? HotBytes : sizeof(slot_type);
      // The slot may start anywhere in a line: its last hot byte decides the last line.
      const auto at = reinterpret_cast<std::uintptr_t>(slots_ + i);
      for (auto line = at & ~std::uintptr_t{63}; line <= at + kBytes - 1; line += 64) {
        __builtin_prefetch(reinterpret_cast<const void*>(line));
      }
      return;
    }
  }
  [[nodiscard]] std::size_t count(const K& k) const noexcept { return contains(k) ? 1 : 0; }

  void clear() noexcept {
    for (std::size_t i = 0; i < cap_; ++i) {
      if (ctrl_[i] != 0) {
        std::destroy_at(slots_ + i);
        ctrl_[i] = 0;
      }
    }
    size_ = 0;
  }

  // Room for n entries without a rehash.
  void reserve(std::size_t n) {
    std::size_t want = 8;
    while (want * 3 / 4 < n) want *= 2;
    if (want > cap_) rehash(want);
  }

  iterator erase(const_iterator it) noexcept {
    erase_at(it.i_);
    return iterator(this, it.i_);
  }
  iterator erase(iterator it) noexcept { return erase(const_iterator(it)); }
  std::size_t erase(const K& k) noexcept {
    const auto i = locate(k);
    if (i == cap_) return 0;
    erase_at(i);
    return 1;
  }
  // The first entry for which pred(slot) holds among the (at most) `max_look` entries met
  // walking on from k's home slot — entries a new k would sit among; end() when none.
  // For a capped table that makes room for a new key by dropping a nearby entry of little
  // worth (a random choice, as the keys' hashes are).
  template <class Pred>
  iterator find_near(const K& k, std::size_t max_look, Pred pred) noexcept {
    if (size_ == 0) return end();
    const std::size_t mask = cap_ - 1;
    std::size_t i = static_cast<std::size_t>(flat_detail::mix(hash_(k)) >> shift_);
    for (std::size_t seen = 0, walked = 0; seen < max_look && walked < cap_; ++walked, i = (i + 1) & mask) {
      if (ctrl_[i] == 0) continue;
      if (pred(static_cast<const slot_type&>(slots_[i]))) return iterator(this, i);
      ++seen;
    }
    return end();
  }

  // For a capped table: makes room for k (absent) by dropping the entry find_near(k,
  // max_look, pred) would choose, and builds k's entry from `args` (as try_emplace). When
  // that entry lies on k's own probe run (no free slot between k's home and it), k takes
  // its slot in place: no backward shift, whose walk reads the key of every entry after
  // the hole (a cache miss each in a table larger than the caches), and no second walk to
  // a free slot. Else as erase() then insert. end() when there is no such entry (nothing
  // changed); the caller counts the eviction either way.
  template <class Pred, class... Args>
  iterator replace_near(const K& k, std::size_t max_look, Pred pred, Args&&... args) {
    if (size_ == 0) return end();
    const std::uint64_t h = flat_detail::mix(hash_(k));
    const std::size_t mask = cap_ - 1;
    std::size_t i = static_cast<std::size_t>(h >> shift_);
    bool passed_free = false;
    std::size_t victim = cap_;
    for (std::size_t seen = 0, walked = 0; seen < max_look && walked < cap_; ++walked, i = (i + 1) & mask) {
      if (ctrl_[i] == 0) {
        passed_free = true;
        continue;
      }
      if (pred(static_cast<const slot_type&>(slots_[i]))) {
        victim = i;
        break;
      }
      ++seen;
    }
    if (victim == cap_) return end();
    if (passed_free) {
      erase_at(victim);
      return iterator(this, emplace_absent(k, std::forward<Args>(args)...));
    }
    static_assert(std::is_nothrow_move_constructible_v<slot_type>, "replace_near moves the new entry into place");
    slot_type fresh(std::forward<Args>(args)...);  // may throw: nothing changed yet
    std::destroy_at(slots_ + victim);
    ::new (static_cast<void*>(slots_ + victim)) slot_type(std::move(fresh));
    ctrl_[victim] = tag_of(h);
    return iterator(this, victim);
  }

  // Removes every entry for which pred(slot) is true; returns how many.
  template <class Pred>
  std::size_t erase_if(Pred pred) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < cap_;) {
      if (ctrl_[i] != 0 && pred(static_cast<const slot_type&>(slots_[i]))) {
        erase_at(i);  // a later entry may now sit at i: look at i again
        ++n;
      } else {
        ++i;
      }
    }
    return n;
  }

 protected:
  // Slot of k, or cap_ when absent.
  std::size_t locate(const K& k) const noexcept {
    if (size_ == 0) return cap_;
    const std::uint64_t h = flat_detail::mix(hash_(k));
    const std::uint8_t tag = tag_of(h);
    const std::size_t mask = cap_ - 1;
    for (std::size_t i = h >> shift_;; i = (i + 1) & mask) {
      const std::uint8_t c = ctrl_[i];
      if (c == 0) return cap_;
      if (c == tag && eq_(Policy::key(slots_[i]), k)) return i;
    }
  }

  // The slot of k, constructing it from args when absent; second = whether it was inserted.
  // A present key never rehashes (references stay valid); `args` must not refer into the
  // table (a rehash moves every entry before the new one is built).
  template <class... Args>
  std::pair<std::size_t, bool> find_or_insert(const K& k, Args&&... args) {
    if (const auto found = locate(k); found != cap_) return {found, false};
    if ((size_ + 1) * 4 > cap_ * 3) {
      const K key = k;  // k may be an entry's own key, moved by the rehash
      rehash(cap_ == 0 ? 8 : cap_ * 2);
      return {emplace_absent(key, std::forward<Args>(args)...), true};
    }
    return {emplace_absent(k, std::forward<Args>(args)...), true};
  }

  slot_type* slots_ = nullptr;

 private:
  // Builds the entry of k, known to be absent, in the first free slot of its probe run.
  template <class... Args>
  std::size_t emplace_absent(const K& k, Args&&... args) {
    const std::uint64_t h = flat_detail::mix(hash_(k));
    const std::size_t mask = cap_ - 1;
    std::size_t i = h >> shift_;
    while (ctrl_[i] != 0) i = (i + 1) & mask;
    ::new (static_cast<void*>(slots_ + i)) slot_type(std::forward<Args>(args)...);
    ctrl_[i] = tag_of(h);
    ++size_;
    return i;
  }

  std::uint8_t tag_of(std::uint64_t h) const noexcept {
    // 7 bits just below the home index: independent of it, never 0.
    return static_cast<std::uint8_t>(0x80u | ((h >> (shift_ - 7)) & 0x7Fu));
  }
  std::size_t home_of(const slot_type& s) const noexcept {
    return static_cast<std::size_t>(flat_detail::mix(hash_(Policy::key(s))) >> shift_);
  }

  void allocate(std::size_t cap) {
    // One block: the slots, then the tags.
    static_assert(alignof(slot_type) <= alignof(std::max_align_t), "over-aligned slot");
    const std::size_t bytes = cap * sizeof(slot_type) + cap;
    auto* block = static_cast<unsigned char*>(big_block::allocate(bytes));
    slots_ = reinterpret_cast<slot_type*>(block);
    ctrl_ = block + cap * sizeof(slot_type);
    std::memset(ctrl_, 0, cap);
    cap_ = cap;
    int log2 = 0;
    while ((std::size_t{1} << log2) < cap) ++log2;
    shift_ = 64 - log2;
    size_ = 0;
  }

  void release() noexcept {
    if (cap_ == 0) return;
    clear();
    big_block::release(slots_, cap_ * sizeof(slot_type) + cap_);
    slots_ = nullptr;
    ctrl_ = nullptr;
    cap_ = 0;
    shift_ = 64;
  }

  void rehash(std::size_t cap) {
    slot_type* old_slots = slots_;
    std::uint8_t* old_ctrl = ctrl_;
    const std::size_t old_cap = cap_;
    const std::size_t old_size = size_;
    allocate(cap);
    const std::size_t mask = cap_ - 1;
    for (std::size_t j = 0; j < old_cap; ++j) {
      if (old_ctrl[j] == 0) continue;
      const std::uint64_t h = flat_detail::mix(hash_(Policy::key(old_slots[j])));
      std::size_t i = h >> shift_;
      while (ctrl_[i] != 0) i = (i + 1) & mask;
      ::new (static_cast<void*>(slots_ + i)) slot_type(std::move(old_slots[j]));
      std::destroy_at(old_slots + j);
      ctrl_[i] = tag_of(h);
    }
    size_ = old_size;
    if (old_cap != 0) big_block::release(old_slots, old_cap * sizeof(slot_type) + old_cap);
  }

  // Backward-shift deletion: entries after the hole whose home lies at or before it move
  // back, so every probe run stays unbroken.
  void erase_at(std::size_t hole) noexcept {
    std::destroy_at(slots_ + hole);
    ctrl_[hole] = 0;
    --size_;
    const std::size_t mask = cap_ - 1;
    for (std::size_t j = (hole + 1) & mask; ctrl_[j] != 0; j = (j + 1) & mask) {
      const std::size_t home = home_of(slots_[j]);
      if (((j - home) & mask) < ((j - hole) & mask)) continue;  // home is after the hole
      ::new (static_cast<void*>(slots_ + hole)) slot_type(std::move(slots_[j]));
      std::destroy_at(slots_ + j);
      ctrl_[hole] = ctrl_[j];
      ctrl_[j] = 0;
      hole = j;
    }
  }

  std::uint8_t* ctrl_ = nullptr;
  std::size_t cap_ = 0;
  std::size_t size_ = 0;
  int shift_ = 64;
  [[no_unique_address]] Hash hash_{};
  [[no_unique_address]] Eq eq_{};
};

}  // namespace flat_detail

// Key → value. value_type is std::pair<K, V>; do not change the key through an iterator.
template <class K, class V, class Hash = std::hash<K>, class Eq = std::equal_to<K>>
class FlatMap : public flat_detail::Table<K, flat_detail::MapPolicy<K, V>, Hash, Eq> {
  using Base = flat_detail::Table<K, flat_detail::MapPolicy<K, V>, Hash, Eq>;

 public:
  using mapped_type = V;
  using value_type = std::pair<K, V>;
  using typename Base::const_iterator;
  using typename Base::iterator;

  template <class... Args>
  std::pair<iterator, bool> try_emplace(const K& k, Args&&... args) {
    const auto [i, inserted] =
        this->find_or_insert(k, std::piecewise_construct, std::forward_as_tuple(k),
                             std::forward_as_tuple(std::forward<Args>(args)...));
    return {iterator(this, i), inserted};
  }
  // As std::unordered_map::emplace(key, value): no effect when the key is present.
  template <class VV>
  std::pair<iterator, bool> emplace(const K& k, VV&& v) {
    return try_emplace(k, std::forward<VV>(v));
  }
  std::pair<iterator, bool> insert(const value_type& kv) { return try_emplace(kv.first, kv.second); }
  template <class It>
  void insert(It first, It last) {
    for (; first != last; ++first) insert(*first);
  }
  V& operator[](const K& k) { return try_emplace(k).first->second; }
  // Table::replace_near with the value built from `args`.
  template <class Pred, class... Args>
  iterator replace_near(const K& k, std::size_t max_look, Pred pred, Args&&... args) {
    return Base::replace_near(k, max_look, pred, std::piecewise_construct, std::forward_as_tuple(k),
                              std::forward_as_tuple(std::forward<Args>(args)...));
  }
};

template <class K, class Hash = std::hash<K>, class Eq = std::equal_to<K>>
class FlatSet : public flat_detail::Table<K, flat_detail::SetPolicy<K>, Hash, Eq> {
  using Base = flat_detail::Table<K, flat_detail::SetPolicy<K>, Hash, Eq>;

 public:
  using value_type = K;
  using typename Base::const_iterator;
  using typename Base::iterator;

  std::pair<iterator, bool> insert(const K& k) {
    const auto [i, inserted] = this->find_or_insert(k, k);
    return {iterator(this, i), inserted};
  }
  std::pair<iterator, bool> emplace(const K& k) { return insert(k); }
  template <class It>
  void insert(It first, It last) {
    for (; first != last; ++first) insert(*first);
  }
};

}  // namespace netseen
