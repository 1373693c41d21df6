// Slots of the swap disk: 4 KiB each (8 sectors), one bit each, set while
// a page's copy lives there. Pure logic over caller-owned words, no heap:
// the pager links it, and so do the host tests (tests/unit/swap_slots_test).
//
// Allocation is in runs, next-fit from a cursor that sweeps the disk: the
// victims the pager evicts together get consecutive slots, so one request
// writes them all, and pages evicted in address order can be read back
// together. A run of the length asked for is preferred anywhere on the
// disk; only when none exists is a shorter one handed out (the caller
// then writes the cluster in several requests).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pager {

class SwapSlots {
public:
    static constexpr uint32_t none = UINT32_MAX;

    // words: (count + 63) / 64 of them, owned by the caller. All slots free.
    void init(uint64_t* words, uint32_t count) {
        words_ = words;
        count_ = count;
        used_ = 0;
        cursor_ = 0;
        for (uint32_t w = 0; w < (count + 63) / 64; ++w) words_[w] = 0;
    }

    uint32_t count() const { return count_; }
    uint32_t used() const { return used_; }
    bool is_used(uint32_t slot) const { return slot < count_ && (words_[slot / 64] >> (slot % 64) & 1); }

    // A run of up to `want` free slots, marked used: its first slot, with its
    // length in *got; `none` when the disk is full. A run of `want` slots
    // is preferred (searched from the cursor round the whole disk); failing
    // that, the first free run after the cursor, however short.
    uint32_t allocate_run(uint32_t want, uint32_t* got) {
        *got = 0;
        if (!want || used_ == count_) return none;
        uint32_t start = find_run(want, want);
        if (start == none) start = find_run(want, 1);
        if (start == none) return none;
        uint32_t n = 0;
        while (n < want && start + n < count_ && !is_used(start + n)) {
            set(start + n);
            ++n;
        }
        used_ += n;
        cursor_ = start + n == count_ ? 0 : start + n;
        *got = n;
        return start;
    }

    // Gives a slot back; freeing a free slot (or one past the end) does nothing.
    void free(uint32_t slot) {
        if (!is_used(slot)) return;
        words_[slot / 64] &= ~(uint64_t(1) << (slot % 64));
        --used_;
    }

private:
    void set(uint32_t slot) { words_[slot / 64] |= uint64_t(1) << (slot % 64); }

    // The first free run of at least `minimum` slots (runs do not wrap past
    // the end) found from the cursor round the disk, or none.
    uint32_t find_run(uint32_t want, uint32_t minimum) const {
        if (minimum > want) minimum = want;
        uint32_t slot = cursor_, scanned = 0;
        while (scanned < count_) {
            if (slot >= count_) slot = 0;
            // Skip full words at once.
            if (slot % 64 == 0 && words_[slot / 64] == ~uint64_t(0) && count_ - slot >= 64) {
                slot += 64;
                scanned += 64;
                continue;
            }
            if (is_used(slot)) {
                ++slot;
                ++scanned;
                continue;
            }
            uint32_t length = 0;
            while (length < want && slot + length < count_ && !is_used(slot + length)) ++length;
            if (length >= minimum) return slot;
            slot += length;
            scanned += length;
        }
        return none;
    }

    uint64_t* words_ = nullptr;
    uint32_t count_ = 0, used_ = 0, cursor_ = 0;
};

}  // namespace pager
