// PriceLadder: a window of kSlots consecutive prices of one book side, one
// slot per tick, each holding that price's PriceLevel (or none), with a
// two-level bitmap of the live slots (those whose level holds orders; an
// emptied level leaves its slot at once).
//
// Positions count in "keys" that grow towards the best price (the price for
// bids, minus the price for asks), so the best level is the highest set bit
// whichever the side. Finding a price's level is an index; the best level
// after the best one empties is two count-leading-zeros. Moving the window
// costs in proportion to the live levels, not to the window's size.
//
// Owned by a BookSide; engine thread only.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "engine/price_level.h"

namespace exchange {

class PriceLadder {
 public:
  static constexpr std::size_t kSlots = 4096;  // a power of 64
  static constexpr std::size_t kWords = kSlots / 64;
  static_assert(kWords <= 64, "the summary word covers at most 64 words");

  // The slot of `key`, or kSlots when `key` is outside the window.
  std::size_t SlotOf(std::int64_t key) const {
    const std::uint64_t d = static_cast<std::uint64_t>(key - base_);
    if (d >= span_) return kSlots;
    if (tick_ == 1) return d;
    const auto tick = static_cast<std::uint64_t>(tick_);
    return d % tick == 0 ? d / tick : kSlots;  // off the tick: never in the window
  }
  std::int64_t KeyOf(std::size_t slot) const {
    return base_ + static_cast<std::int64_t>(slot) * tick_;
  }

  // The largest tick a window can span without overflow.
  static constexpr std::int64_t kMaxTick = (std::int64_t{1} << 50) / kSlots;

  // Places the window so that slot 0 is `base` (a multiple of the tick, at
  // most kMaxTick). The ladder must be empty (Clear()).
  void Place(std::int64_t base, std::int64_t tick) {
    base_ = base;
    tick_ = tick;
    span_ = static_cast<std::uint64_t>(tick) * kSlots;
  }

  PriceLevel* level(std::size_t slot) const { return slots_[slot]; }
  void set_level(std::size_t slot, PriceLevel* level) { slots_[slot] = level; }

  void MarkLive(std::size_t slot) {
    words_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    summary_ |= std::uint64_t{1} << (slot / 64);
    ++live_;
  }
  void MarkEmpty(std::size_t slot) {
    std::uint64_t& w = words_[slot / 64];
    w &= ~(std::uint64_t{1} << (slot % 64));
    if (w == 0) summary_ &= ~(std::uint64_t{1} << (slot / 64));
    --live_;
  }

  std::size_t live() const { return live_; }

  // The highest live slot, or kSlots when none is.
  std::size_t Highest() const {
    if (summary_ == 0) return kSlots;
    const std::size_t w = 63 - static_cast<std::size_t>(std::countl_zero(summary_));
    return w * 64 + 63 - static_cast<std::size_t>(std::countl_zero(words_[w]));
  }

  // The highest live slot below `slot`, or kSlots when none is.
  std::size_t HighestBelow(std::size_t slot) const {
    if (slot == 0) return kSlots;
    --slot;
    std::size_t w = slot / 64;
    const unsigned shift = 63 - static_cast<unsigned>(slot % 64);
    std::uint64_t bits = (words_[w] << shift) >> shift;  // bits at or below slot
    if (bits == 0) {
      const std::uint64_t lower = w == 0 ? 0 : summary_ & ((std::uint64_t{1} << w) - 1);
      if (lower == 0) return kSlots;
      w = 63 - static_cast<std::size_t>(std::countl_zero(lower));
      bits = words_[w];
    }
    return w * 64 + 63 - static_cast<std::size_t>(std::countl_zero(bits));
  }

  // Calls f(slot, level) for every live slot, lowest first.
  template <typename F>
  void ForEachLive(F&& f) const {
    for (std::uint64_t summary = summary_; summary != 0; summary &= summary - 1) {
      const std::size_t w = static_cast<std::size_t>(std::countr_zero(summary));
      for (std::uint64_t bits = words_[w]; bits != 0; bits &= bits - 1) {
        const std::size_t slot = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        f(slot, slots_[slot]);
      }
    }
  }

  // Forgets every level (the caller has taken them); only live slots hold one.
  void Clear() {
    ForEachLive([this](std::size_t slot, PriceLevel*) { slots_[slot] = nullptr; });
    for (std::uint64_t summary = summary_; summary != 0; summary &= summary - 1) {
      words_[static_cast<std::size_t>(std::countr_zero(summary))] = 0;
    }
    summary_ = 0;
    live_ = 0;
  }

 private:
  std::int64_t base_ = 0;
  std::int64_t tick_ = 1;
  std::uint64_t span_ = 0;  // kSlots ticks; 0 until placed, so nothing is inside
  std::uint64_t summary_ = 0;
  std::size_t live_ = 0;
  std::array<std::uint64_t, kWords> words_{};
  std::array<PriceLevel*, kSlots> slots_{};
};

}  // namespace exchange
