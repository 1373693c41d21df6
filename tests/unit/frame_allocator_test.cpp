// Host unit tests for mm::FrameAllocator (kernel/mm/frame_allocator.cpp).
#include "mm/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <vector>

namespace {

using mm::page_size;

// An allocator with exactly the storage it asks for (so ASan sees overruns),
// prefilled with garbage to check that init() clears it.
struct Fixture {
    explicit Fixture(uint64_t limit)
        : storage(std::make_unique<uint64_t[]>(mm::FrameAllocator::bitmap_words(limit))) {
        for (size_t i = 0; i < mm::FrameAllocator::bitmap_words(limit); ++i) storage[i] = ~0ull;
        allocator.init(storage.get(), limit);
    }
    std::unique_ptr<uint64_t[]> storage;
    mm::FrameAllocator allocator;
};

// Every frame below limit that is_free() reports free.
std::set<uint64_t> free_set(const mm::FrameAllocator& a) {
    std::set<uint64_t> out;
    for (uint64_t p = 0; p < a.physical_limit(); p += page_size)
        if (a.is_free(p)) out.insert(p);
    return out;
}

std::vector<uint64_t> drain(mm::FrameAllocator& a) {
    std::vector<uint64_t> out;
    uint64_t p;
    while (a.allocate(p)) {
        out.push_back(p);
        if (out.size() > 1'000'000) break;  // runaway guard
    }
    return out;
}

TEST(FrameAllocator, BitmapWords) {
    EXPECT_EQ(mm::FrameAllocator::bitmap_words(0), 0u);
    EXPECT_EQ(mm::FrameAllocator::bitmap_words(page_size - 1), 0u);
    EXPECT_EQ(mm::FrameAllocator::bitmap_words(page_size), 1u);
    EXPECT_EQ(mm::FrameAllocator::bitmap_words(64 * page_size), 1u);
    EXPECT_EQ(mm::FrameAllocator::bitmap_words(65 * page_size), 2u);
    EXPECT_EQ(mm::FrameAllocator::bitmap_words(128 * page_size), 2u);
    EXPECT_EQ(mm::FrameAllocator::bitmap_words(4ull << 30), (4ull << 30) / page_size / 64);
}

TEST(FrameAllocator, StartsAllUsed) {
    Fixture f(256 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    EXPECT_EQ(f.allocator.physical_limit(), 256 * page_size);
    EXPECT_TRUE(free_set(f.allocator).empty());
    uint64_t p = 0xdead;
    EXPECT_FALSE(f.allocator.allocate(p));
}

TEST(FrameAllocator, LimitRoundsDown) {
    Fixture f(10 * page_size + 123);
    EXPECT_EQ(f.allocator.physical_limit(), 10 * page_size);
    f.allocator.release_range(0, 11 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 10u);
}

TEST(FrameAllocator, ZeroLimit) {
    Fixture f(0);
    EXPECT_EQ(f.allocator.physical_limit(), 0u);
    f.allocator.release_range(0, 1 << 20);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    uint64_t p;
    EXPECT_FALSE(f.allocator.allocate(p));
    EXPECT_FALSE(f.allocator.free(0));
    EXPECT_FALSE(f.allocator.is_free(0));
}

TEST(FrameAllocator, ReleaseRangeRoundsInward) {
    Fixture f(64 * page_size);
    f.allocator.release_range(page_size + 1, 4 * page_size - 1);  // covers only frame 2 wholly
    EXPECT_EQ(free_set(f.allocator), (std::set<uint64_t>{2 * page_size}));
    EXPECT_EQ(f.allocator.free_frames(), 1u);

    f.allocator.release_range(10 * page_size, 12 * page_size);  // aligned: exact
    EXPECT_EQ(free_set(f.allocator),
              (std::set<uint64_t>{2 * page_size, 10 * page_size, 11 * page_size}));

    f.allocator.release_range(20 * page_size + 1, 21 * page_size + 5);  // no whole frame
    f.allocator.release_range(30 * page_size, 30 * page_size + 4095);
    f.allocator.release_range(40 * page_size + 1, 40 * page_size + 2);
    f.allocator.release_range(50 * page_size, 50 * page_size);  // empty
    f.allocator.release_range(52 * page_size, 51 * page_size);  // inverted
    EXPECT_EQ(f.allocator.free_frames(), 3u);
}

TEST(FrameAllocator, ReserveRangeRoundsOutward) {
    Fixture f(64 * page_size);
    f.allocator.release_range(0, 64 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 64u);
    f.allocator.reserve_range(page_size + 1, 3 * page_size - 1);  // touches frames 1 and 2
    EXPECT_FALSE(f.allocator.is_free(page_size));
    EXPECT_FALSE(f.allocator.is_free(2 * page_size));
    EXPECT_TRUE(f.allocator.is_free(0));
    EXPECT_TRUE(f.allocator.is_free(3 * page_size));
    EXPECT_EQ(f.allocator.free_frames(), 62u);

    f.allocator.reserve_range(10 * page_size + 100, 10 * page_size + 101);  // one byte
    EXPECT_FALSE(f.allocator.is_free(10 * page_size));
    EXPECT_EQ(f.allocator.free_frames(), 61u);

    f.allocator.reserve_range(20 * page_size, 22 * page_size);  // aligned: exact
    EXPECT_TRUE(f.allocator.is_free(19 * page_size));
    EXPECT_FALSE(f.allocator.is_free(20 * page_size));
    EXPECT_FALSE(f.allocator.is_free(21 * page_size));
    EXPECT_TRUE(f.allocator.is_free(22 * page_size));
    EXPECT_EQ(f.allocator.free_frames(), 59u);

    f.allocator.reserve_range(30 * page_size, 30 * page_size);  // empty
    EXPECT_EQ(f.allocator.free_frames(), 59u);
}

TEST(FrameAllocator, RangesAreClampedToLimit) {
    Fixture f(100 * page_size);
    f.allocator.release_range(90 * page_size, 1000 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 10u);
    f.allocator.release_range(200 * page_size, 300 * page_size);  // wholly beyond
    EXPECT_EQ(f.allocator.free_frames(), 10u);
    f.allocator.reserve_range(95 * page_size, 5000 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 5u);
    f.allocator.reserve_range(500 * page_size, 600 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 5u);
}

TEST(FrameAllocator, RepeatedReleaseAndReserveCountOnce) {
    Fixture f(128 * page_size);
    f.allocator.release_range(0, 10 * page_size);
    f.allocator.release_range(5 * page_size, 15 * page_size);  // overlaps
    EXPECT_EQ(f.allocator.free_frames(), 15u);
    f.allocator.reserve_range(0, 3 * page_size);
    f.allocator.reserve_range(0, 3 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 12u);
    f.allocator.reserve_range(100 * page_size, 110 * page_size);  // already used
    EXPECT_EQ(f.allocator.free_frames(), 12u);
    EXPECT_EQ(free_set(f.allocator).size(), 12u);
}

// Rounding must not overflow near the top of the address space.
TEST(FrameAllocator, ReserveRangeUpToTopOfAddressSpace) {
    // A range ending at the top covers every frame from its base to the limit.
    Fixture f(128 * page_size);
    f.allocator.release_range(0, 128 * page_size);
    f.allocator.reserve_range(64 * page_size, UINT64_MAX);
    EXPECT_EQ(f.allocator.free_frames(), 64u);
    EXPECT_TRUE(f.allocator.is_free(63 * page_size));
    EXPECT_FALSE(f.allocator.is_free(64 * page_size));
    f.allocator.reserve_range(0, UINT64_MAX);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
}

TEST(FrameAllocator, ReleaseRangeNearTopOfAddressSpace) {
    // A release wholly above the limit frees nothing.
    Fixture f(128 * page_size);
    f.allocator.release_range(UINT64_MAX - 100, UINT64_MAX);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    f.allocator.release_range(UINT64_MAX - 2 * page_size, UINT64_MAX);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    EXPECT_TRUE(free_set(f.allocator).empty());
}

TEST(FrameAllocator, AllocateLowestFirstInsideReleasedRanges) {
    Fixture f(1024 * page_size);
    f.allocator.release_range(700 * page_size, 703 * page_size);
    f.allocator.release_range(100 * page_size, 102 * page_size);
    f.allocator.release_range(130 * page_size, 131 * page_size);
    EXPECT_EQ(f.allocator.free_frames(), 6u);
    std::vector<uint64_t> got = drain(f.allocator);
    EXPECT_EQ(got, (std::vector<uint64_t>{100 * page_size, 101 * page_size, 130 * page_size,
                                          700 * page_size, 701 * page_size, 702 * page_size}));
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    for (uint64_t p : got) EXPECT_FALSE(f.allocator.is_free(p));
}

TEST(FrameAllocator, AllocatesEveryFreeFrameExactlyOnce) {
    Fixture f(4096 * page_size);
    f.allocator.release_range(0, 4096 * page_size);
    f.allocator.reserve_range(0, 256 * page_size);
    f.allocator.reserve_range(1000 * page_size + 7, 1100 * page_size - 7);
    const uint64_t expected_free = 4096 - 256 - 100;
    EXPECT_EQ(f.allocator.free_frames(), expected_free);
    std::vector<uint64_t> got = drain(f.allocator);
    ASSERT_EQ(got.size(), expected_free);
    std::set<uint64_t> unique(got.begin(), got.end());
    EXPECT_EQ(unique.size(), got.size());
    for (size_t i = 0; i < got.size(); ++i) {
        uint64_t p = got[i];
        EXPECT_EQ(p % page_size, 0u);
        EXPECT_LT(p, 4096 * page_size);
        EXPECT_GE(p, 256 * page_size);
        EXPECT_FALSE(p >= 1000 * page_size && p < 1100 * page_size) << p;
        if (i) {
            EXPECT_LT(got[i - 1], p);  // lowest first, so increasing
        }
    }
    EXPECT_EQ(f.allocator.free_frames(), 0u);
}

TEST(FrameAllocator, ExhaustionReturnsFalse) {
    Fixture f(64 * page_size);
    f.allocator.release_range(5 * page_size, 7 * page_size);
    uint64_t p;
    EXPECT_TRUE(f.allocator.allocate(p));
    EXPECT_TRUE(f.allocator.allocate(p));
    const uint64_t sentinel = 0x1234;
    p = sentinel;
    EXPECT_FALSE(f.allocator.allocate(p));
    EXPECT_FALSE(f.allocator.allocate(p));  // and again
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    // Freeing after exhaustion makes the frame available again.
    EXPECT_TRUE(f.allocator.free(6 * page_size));
    EXPECT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 6 * page_size);
    // And releasing after exhaustion too.
    EXPECT_FALSE(f.allocator.allocate(p));
    f.allocator.release_range(0, page_size);
    EXPECT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 0u);
}

TEST(FrameAllocator, FreeRejectsBadFramesAndChangesNothing) {
    Fixture f(100 * page_size);
    f.allocator.release_range(0, 10 * page_size);
    uint64_t a;
    ASSERT_TRUE(f.allocator.allocate(a));
    ASSERT_EQ(a, 0u);
    const std::set<uint64_t> before = free_set(f.allocator);
    const uint64_t count = f.allocator.free_frames();

    EXPECT_FALSE(f.allocator.free(1));                    // unaligned
    EXPECT_FALSE(f.allocator.free(page_size + 8));        // unaligned, inside a free frame
    EXPECT_FALSE(f.allocator.free(50 * page_size + 1));   // unaligned, inside a used frame
    EXPECT_FALSE(f.allocator.free(100 * page_size));      // exactly at the limit
    EXPECT_FALSE(f.allocator.free(1000 * page_size));     // beyond
    EXPECT_FALSE(f.allocator.free(UINT64_MAX & ~(page_size - 1)));
    EXPECT_FALSE(f.allocator.free(page_size));            // already free
    EXPECT_FALSE(f.allocator.free(9 * page_size));        // already free

    EXPECT_EQ(free_set(f.allocator), before);
    EXPECT_EQ(f.allocator.free_frames(), count);

    // A double free is caught.
    EXPECT_TRUE(f.allocator.free(a));
    EXPECT_FALSE(f.allocator.free(a));
    EXPECT_EQ(f.allocator.free_frames(), count + 1);
}

TEST(FrameAllocator, FreeAnyUsedFrame) {
    // Frames never released (e.g. firmware memory) may still be freed later.
    Fixture f(200 * page_size);
    EXPECT_TRUE(f.allocator.free(150 * page_size));
    EXPECT_EQ(f.allocator.free_frames(), 1u);
    uint64_t p;
    EXPECT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 150 * page_size);
}

TEST(FrameAllocator, FreeThenAllocateReuses) {
    Fixture f(512 * page_size);
    f.allocator.release_range(0, 512 * page_size);
    std::vector<uint64_t> got = drain(f.allocator);
    ASSERT_EQ(got.size(), 512u);
    EXPECT_TRUE(f.allocator.free(300 * page_size));
    EXPECT_TRUE(f.allocator.free(17 * page_size));
    EXPECT_TRUE(f.allocator.free(400 * page_size));
    EXPECT_EQ(f.allocator.free_frames(), 3u);
    uint64_t p;
    ASSERT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 17 * page_size);  // lowest first, even below the last hint
    ASSERT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 300 * page_size);
    ASSERT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 400 * page_size);
    EXPECT_FALSE(f.allocator.allocate(p));
}

TEST(FrameAllocator, ReleaseBelowHintIsFound) {
    Fixture f(512 * page_size);
    f.allocator.release_range(400 * page_size, 401 * page_size);
    uint64_t p;
    ASSERT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 400 * page_size);
    f.allocator.release_range(3 * page_size, 4 * page_size);
    ASSERT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 3 * page_size);
}

TEST(FrameAllocator, ReserveTakesFramesAway) {
    Fixture f(128 * page_size);
    f.allocator.release_range(0, 128 * page_size);
    f.allocator.reserve_range(0, 127 * page_size);
    uint64_t p;
    ASSERT_TRUE(f.allocator.allocate(p));
    EXPECT_EQ(p, 127 * page_size);
    EXPECT_FALSE(f.allocator.allocate(p));
}

class FrameAllocatorOddLimit : public ::testing::TestWithParam<uint64_t> {};

TEST_P(FrameAllocatorOddLimit, NeverReturnsFrameAtOrAboveLimit) {
    const uint64_t frames = GetParam();
    const uint64_t limit = frames * page_size;
    Fixture f(limit);
    f.allocator.release_range(0, UINT64_MAX & ~(page_size - 1));
    EXPECT_EQ(f.allocator.free_frames(), frames);
    std::vector<uint64_t> got = drain(f.allocator);
    EXPECT_EQ(got.size(), frames);
    for (uint64_t p : got) EXPECT_LT(p, limit);
    EXPECT_EQ(f.allocator.free_frames(), 0u);
    // Frames at and past the limit are never free, whatever is asked.
    EXPECT_FALSE(f.allocator.is_free(limit));
    EXPECT_FALSE(f.allocator.free(limit));
    EXPECT_FALSE(f.allocator.free(limit + 63 * page_size));
    // Freeing the last frame and allocating again returns exactly it.
    if (frames) {
        EXPECT_TRUE(f.allocator.free(limit - page_size));
        uint64_t p;
        ASSERT_TRUE(f.allocator.allocate(p));
        EXPECT_EQ(p, limit - page_size);
    }
}

INSTANTIATE_TEST_SUITE_P(Limits, FrameAllocatorOddLimit,
                         ::testing::Values(uint64_t(1), uint64_t(7), uint64_t(63), uint64_t(64),
                                           uint64_t(65), uint64_t(100), uint64_t(127), uint64_t(129),
                                           uint64_t(1000)));

TEST(FrameAllocatorRandom, MatchesSetModel) {
    const uint64_t frames = 64 * 20 + 37;  // not a multiple of 64
    const uint64_t limit = frames * page_size;
    Fixture f(limit);
    std::mt19937_64 rng(12345);
    std::set<uint64_t> model;      // free frames
    std::set<uint64_t> allocated;  // frames handed out and not yet returned

    auto random_address = [&] { return rng() % (limit + 8 * page_size); };
    for (int step = 0; step < 20000; ++step) {
        switch (rng() % 10) {
        case 0: {  // release a range (rounded inward)
            uint64_t base = random_address(), end = base + rng() % (40 * page_size);
            f.allocator.release_range(base, end);
            uint64_t first = (base + page_size - 1) / page_size, last = end / page_size;
            for (uint64_t fr = first; fr < last && fr < frames; ++fr) {
                model.insert(fr * page_size);
                allocated.erase(fr * page_size);
            }
            break;
        }
        case 1: {  // reserve a small range (rounded outward)
            uint64_t base = random_address(), end = base + rng() % (4 * page_size);
            f.allocator.reserve_range(base, end);
            uint64_t first = base / page_size, last = (end + page_size - 1) / page_size;
            for (uint64_t fr = first; fr < last && fr < frames; ++fr) model.erase(fr * page_size);
            break;
        }
        case 2:
        case 3:
        case 4:
        case 5: {  // allocate
            uint64_t p = 0xbad;
            bool ok = f.allocator.allocate(p);
            ASSERT_EQ(ok, !model.empty()) << "step " << step;
            if (ok) {
                ASSERT_EQ(p, *model.begin()) << "step " << step;  // lowest first
                model.erase(model.begin());
                allocated.insert(p);
            }
            break;
        }
        case 6:
        case 7: {  // free something we allocated
            if (allocated.empty()) break;
            auto it = allocated.begin();
            std::advance(it, long(rng() % allocated.size()));
            uint64_t p = *it;
            ASSERT_TRUE(f.allocator.free(p)) << "step " << step;
            allocated.erase(it);
            model.insert(p);
            break;
        }
        default: {  // free an arbitrary address: succeeds only for a used, aligned, in-range frame
            uint64_t p = rng() % 2 ? random_address() : random_address() & ~(page_size - 1);
            bool expected = p % page_size == 0 && p < limit && !model.count(p);
            ASSERT_EQ(f.allocator.free(p), expected) << "step " << step << " p " << p;
            if (expected) {
                model.insert(p);
                allocated.erase(p);
            }
            break;
        }
        }
        ASSERT_EQ(f.allocator.free_frames(), model.size()) << "step " << step;
        if (step % 64 == 0) {
            ASSERT_EQ(free_set(f.allocator), model) << "step " << step;
        }
    }
    ASSERT_EQ(free_set(f.allocator), model);
    // Draining returns exactly the model, in order.
    std::vector<uint64_t> got = drain(f.allocator);
    EXPECT_EQ(got, std::vector<uint64_t>(model.begin(), model.end()));
}

}  // namespace
