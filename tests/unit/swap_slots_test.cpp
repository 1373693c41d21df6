// Host unit tests for the pager's swap-slot allocator (servers/pager/swap_slots.hpp).
#include "swap_slots.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using pager::SwapSlots;

struct Disk {
    std::vector<uint64_t> words;
    SwapSlots slots;
    explicit Disk(uint32_t count) : words((count + 63) / 64, ~0ull) { slots.init(words.data(), count); }
};

TEST(SwapSlots, StartsFreeAndHandsOutConsecutiveRuns) {
    Disk d(1000);
    EXPECT_EQ(d.slots.used(), 0u);
    uint32_t got = 0;
    EXPECT_EQ(d.slots.allocate_run(16, &got), 0u);
    EXPECT_EQ(got, 16u);
    EXPECT_EQ(d.slots.allocate_run(16, &got), 16u);  // next-fit: right after
    EXPECT_EQ(got, 16u);
    EXPECT_EQ(d.slots.used(), 32u);
    for (uint32_t s = 0; s < 32; ++s) EXPECT_TRUE(d.slots.is_used(s));
    EXPECT_FALSE(d.slots.is_used(32));
}

TEST(SwapSlots, PrefersAFullRunOverAnEarlierHole) {
    Disk d(256);
    uint32_t got = 0;
    d.slots.allocate_run(32, &got);  // 0..31
    d.slots.free(5);                 // a hole of one behind the cursor
    d.slots.allocate_run(32, &got);  // 32..63; cursor at 64
    // Wrap-around: the cursor is at 64, so 64.. is found first anyway; fill to the end.
    while (d.slots.used() < 255) d.slots.allocate_run(32, &got);
    EXPECT_EQ(d.slots.used(), 255u);
    d.slots.free(100);
    d.slots.free(101);
    d.slots.free(102);
    // No run of 8 exists: the first free run after the cursor, however short.
    uint32_t first = d.slots.allocate_run(8, &got);
    EXPECT_TRUE((first == 5 && got == 1) || (first == 100 && got == 3)) << first << " " << got;
}

TEST(SwapSlots, FindsALongRunPastShortHoles) {
    Disk d(512);
    uint32_t got = 0;
    for (int i = 0; i < 16; ++i) d.slots.allocate_run(32, &got);  // all 512 used
    ASSERT_EQ(d.slots.used(), 512u);
    d.slots.free(10);                                              // a short hole
    for (uint32_t s = 300; s < 316; ++s) d.slots.free(s);          // a run of 16
    uint32_t first = d.slots.allocate_run(16, &got);
    EXPECT_EQ(first, 300u);
    EXPECT_EQ(got, 16u);
    first = d.slots.allocate_run(16, &got);
    EXPECT_EQ(first, 10u);
    EXPECT_EQ(got, 1u);
    EXPECT_EQ(d.slots.allocate_run(1, &got), SwapSlots::none);
    EXPECT_EQ(got, 0u);
}

TEST(SwapSlots, RunsStopAtTheEndAndCountIsExact) {
    Disk d(70);  // not a multiple of 64: the last word is partial
    uint32_t got = 0;
    EXPECT_EQ(d.slots.allocate_run(32, &got), 0u);
    EXPECT_EQ(d.slots.allocate_run(32, &got), 32u);
    EXPECT_EQ(d.slots.allocate_run(32, &got), 64u);
    EXPECT_EQ(got, 6u);  // only 6 slots left
    EXPECT_EQ(d.slots.allocate_run(1, &got), SwapSlots::none);
    d.slots.free(69);
    d.slots.free(69);  // twice: no effect
    d.slots.free(70);  // past the end: no effect
    EXPECT_EQ(d.slots.used(), 69u);
    EXPECT_EQ(d.slots.allocate_run(4, &got), 69u);
    EXPECT_EQ(got, 1u);
}

TEST(SwapSlots, ManyAllocationsAndFreesNeverHandOutAUsedSlot) {
    Disk d(4096);
    std::vector<bool> mine(4096, false);
    uint64_t state = 12345;
    auto next = [&] { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; };
    for (int round = 0; round < 20000; ++round) {
        if (next() % 3) {
            uint32_t got = 0;
            uint32_t first = d.slots.allocate_run(uint32_t(1 + next() % 32), &got);
            if (first == SwapSlots::none) continue;
            for (uint32_t s = first; s < first + got; ++s) {
                ASSERT_FALSE(mine[s]) << "slot " << s << " handed out twice";
                mine[s] = true;
            }
        } else {
            uint32_t s = uint32_t(next() % 4096);
            if (mine[s]) {
                d.slots.free(s);
                mine[s] = false;
            }
        }
        uint32_t count = 0;
        for (bool b : mine) count += b;
        ASSERT_EQ(d.slots.used(), count);
    }
}

}  // namespace
