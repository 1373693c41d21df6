// Host unit tests for mm::RangeSet (kernel/mm/range_set.cpp).
#include "mm/range_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace {

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

Ranges contents(const mm::RangeSet& set) {
    Ranges out;
    for (size_t i = 0; i < set.count(); ++i) out.emplace_back(set[i].base, set[i].end);
    return out;
}

// Sorted, non-empty, disjoint and not touching (touching ranges must merge).
::testing::AssertionResult well_formed(const mm::RangeSet& set) {
    if (set.count() > mm::RangeSet::capacity)
        return ::testing::AssertionFailure() << "count " << set.count() << " exceeds capacity";
    for (size_t i = 0; i < set.count(); ++i) {
        if (set[i].base >= set[i].end)
            return ::testing::AssertionFailure() << "range " << i << " is empty or inverted";
        if (i && set[i - 1].end >= set[i].base)
            return ::testing::AssertionFailure()
                   << "ranges " << i - 1 << " and " << i << " overlap or touch";
    }
    return ::testing::AssertionSuccess();
}

// A set holding n disjoint one-unit ranges [10k, 10k + 1).
mm::RangeSet spaced(size_t n) {
    mm::RangeSet set;
    for (size_t k = 0; k < n; ++k) EXPECT_TRUE(set.add(10 * k, 10 * k + 1));
    return set;
}

TEST(RangeSet, StartsEmpty) {
    mm::RangeSet set;
    EXPECT_EQ(set.count(), 0u);
    EXPECT_EQ(set.total(), 0u);
    EXPECT_TRUE(set.remove(0, 100));
    EXPECT_EQ(set.count(), 0u);
}

TEST(RangeSet, AddSingle) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(0x1000, 0x3000));
    EXPECT_EQ(contents(set), (Ranges{{0x1000, 0x3000}}));
    EXPECT_EQ(set[0].size(), 0x2000u);
    EXPECT_EQ(set.total(), 0x2000u);
}

TEST(RangeSet, AddKeepsSorted) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(50, 60));
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(90, 95));
    EXPECT_TRUE(set.add(30, 40));
    EXPECT_EQ(contents(set), (Ranges{{10, 20}, {30, 40}, {50, 60}, {90, 95}}));
    EXPECT_TRUE(well_formed(set));
    EXPECT_EQ(set.total(), 10u + 10 + 10 + 5);
}

TEST(RangeSet, AddEmptyOrInvertedIsNoOp) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(5, 5));
    EXPECT_TRUE(set.add(9, 3));
    EXPECT_EQ(set.count(), 0u);
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(20, 20));  // empty, even though it touches
    EXPECT_TRUE(set.add(15, 15));
    EXPECT_EQ(contents(set), (Ranges{{10, 20}}));
}

TEST(RangeSet, AddMergesTouching) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(20, 30));  // touches the end
    EXPECT_EQ(contents(set), (Ranges{{10, 30}}));
    EXPECT_TRUE(set.add(0, 10));  // touches the start
    EXPECT_EQ(contents(set), (Ranges{{0, 30}}));
}

TEST(RangeSet, AddDoesNotMergeAcrossGap) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(21, 30));
    EXPECT_TRUE(set.add(0, 9));
    EXPECT_EQ(contents(set), (Ranges{{0, 9}, {10, 20}, {21, 30}}));
}

TEST(RangeSet, AddMergesOverlapping) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(15, 25));
    EXPECT_EQ(contents(set), (Ranges{{10, 25}}));
    EXPECT_TRUE(set.add(5, 12));
    EXPECT_EQ(contents(set), (Ranges{{5, 25}}));
}

TEST(RangeSet, AddContainedOrContaining) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(12, 18));  // inside
    EXPECT_EQ(contents(set), (Ranges{{10, 20}}));
    EXPECT_TRUE(set.add(10, 20));  // identical
    EXPECT_EQ(contents(set), (Ranges{{10, 20}}));
    EXPECT_TRUE(set.add(0, 100));  // swallows it
    EXPECT_EQ(contents(set), (Ranges{{0, 100}}));
}

TEST(RangeSet, AddBridgesSeveral) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(0, 5));
    EXPECT_TRUE(set.add(10, 15));
    EXPECT_TRUE(set.add(20, 25));
    EXPECT_TRUE(set.add(30, 35));
    EXPECT_TRUE(set.add(40, 45));
    // Overlaps [10,15), covers [20,25) and touches [30,35) at 30.
    EXPECT_TRUE(set.add(12, 30));
    EXPECT_EQ(contents(set), (Ranges{{0, 5}, {10, 35}, {40, 45}}));
    // Bridges everything exactly by touching both ends.
    EXPECT_TRUE(set.add(5, 40));
    EXPECT_EQ(contents(set), (Ranges{{0, 45}}));
}

TEST(RangeSet, AddCoversSeveralAndExtends) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 15));
    EXPECT_TRUE(set.add(20, 25));
    EXPECT_TRUE(set.add(30, 35));
    EXPECT_TRUE(set.add(100, 110));
    EXPECT_TRUE(set.add(5, 40));
    EXPECT_EQ(contents(set), (Ranges{{5, 40}, {100, 110}}));
    EXPECT_EQ(set.total(), 35u + 10);
}

TEST(RangeSet, AddNearTopOfAddressSpace) {
    mm::RangeSet set;
    const uint64_t top = UINT64_MAX;
    EXPECT_TRUE(set.add(top - 10, top));
    EXPECT_TRUE(set.add(0, 1));
    EXPECT_TRUE(set.add(top - 20, top - 10));
    EXPECT_EQ(contents(set), (Ranges{{0, 1}, {top - 20, top}}));
    EXPECT_EQ(set.total(), 21u);
}

TEST(RangeSet, RemoveNothing) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(30, 40));
    EXPECT_TRUE(set.remove(0, 10));   // touches the start only
    EXPECT_TRUE(set.remove(20, 30));  // exactly the gap
    EXPECT_TRUE(set.remove(40, 50));  // touches the end only
    EXPECT_TRUE(set.remove(15, 15));  // empty
    EXPECT_TRUE(set.remove(18, 12));  // inverted
    EXPECT_EQ(contents(set), (Ranges{{10, 20}, {30, 40}}));
}

TEST(RangeSet, RemovePrefix) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.remove(10, 13));
    EXPECT_EQ(contents(set), (Ranges{{13, 20}}));
    EXPECT_TRUE(set.remove(0, 15));  // starting before the range
    EXPECT_EQ(contents(set), (Ranges{{15, 20}}));
}

TEST(RangeSet, RemoveSuffix) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.remove(17, 20));
    EXPECT_EQ(contents(set), (Ranges{{10, 17}}));
    EXPECT_TRUE(set.remove(15, 100));  // ending after the range
    EXPECT_EQ(contents(set), (Ranges{{10, 15}}));
}

TEST(RangeSet, RemoveMiddleSplits) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(0, 5));
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(30, 35));
    EXPECT_TRUE(set.remove(12, 15));
    EXPECT_EQ(contents(set), (Ranges{{0, 5}, {10, 12}, {15, 20}, {30, 35}}));
    EXPECT_EQ(set.total(), 5u + 2 + 5 + 5);
    EXPECT_TRUE(well_formed(set));
}

TEST(RangeSet, RemoveWhole) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(0, 5));
    EXPECT_TRUE(set.add(10, 20));
    EXPECT_TRUE(set.add(30, 35));
    EXPECT_TRUE(set.remove(10, 20));  // exactly
    EXPECT_EQ(contents(set), (Ranges{{0, 5}, {30, 35}}));
    EXPECT_TRUE(set.remove(25, 40));  // with margin
    EXPECT_EQ(contents(set), (Ranges{{0, 5}}));
    EXPECT_TRUE(set.remove(0, 5));
    EXPECT_EQ(set.count(), 0u);
    EXPECT_EQ(set.total(), 0u);
}

TEST(RangeSet, RemoveSpanningSeveral) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(0, 10));
    EXPECT_TRUE(set.add(20, 30));
    EXPECT_TRUE(set.add(40, 50));
    EXPECT_TRUE(set.add(60, 70));
    EXPECT_TRUE(set.add(80, 90));
    // Trims the second, drops the third and fourth, trims the fifth.
    EXPECT_TRUE(set.remove(25, 85));
    EXPECT_EQ(contents(set), (Ranges{{0, 10}, {20, 25}, {85, 90}}));
    // Drops the first two entirely (consecutive erasures, including index 0).
    EXPECT_TRUE(set.remove(0, 30));
    EXPECT_EQ(contents(set), (Ranges{{85, 90}}));
}

TEST(RangeSet, RemoveEverything) {
    mm::RangeSet set = spaced(50);
    EXPECT_TRUE(set.remove(0, UINT64_MAX));
    EXPECT_EQ(set.count(), 0u);
}

TEST(RangeSet, RemoveThenAddRestores) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(0, 100));
    EXPECT_TRUE(set.remove(40, 60));
    EXPECT_TRUE(set.add(40, 60));
    EXPECT_EQ(contents(set), (Ranges{{0, 100}}));
}

TEST(RangeSet, FillToCapacity) {
    mm::RangeSet set = spaced(mm::RangeSet::capacity);
    EXPECT_EQ(set.count(), mm::RangeSet::capacity);
    EXPECT_TRUE(well_formed(set));
    EXPECT_EQ(set.total(), mm::RangeSet::capacity);
}

TEST(RangeSet, AddWhenFullFailsAndChangesNothing) {
    mm::RangeSet set = spaced(mm::RangeSet::capacity);
    const Ranges before = contents(set);
    EXPECT_FALSE(set.add(3, 5));        // new range in a gap
    EXPECT_FALSE(set.add(100000, 100001));  // past the end
    EXPECT_EQ(contents(set), before);
    // Lowest range starts at 0, so prepend by using a fresh full set.
    mm::RangeSet shifted;
    for (size_t k = 0; k < mm::RangeSet::capacity; ++k) EXPECT_TRUE(shifted.add(10 * k + 5, 10 * k + 6));
    const Ranges shifted_before = contents(shifted);
    EXPECT_FALSE(shifted.add(0, 2));  // in front
    EXPECT_EQ(contents(shifted), shifted_before);
}

TEST(RangeSet, AddWhenFullStillMerges) {
    mm::RangeSet set = spaced(mm::RangeSet::capacity);
    // Touching, overlapping or bridging needs no new slot.
    EXPECT_TRUE(set.add(1, 3));  // extends [0,1)
    EXPECT_EQ(set.count(), mm::RangeSet::capacity);
    EXPECT_EQ(set[0].end, 3u);
    EXPECT_TRUE(set.add(15, 20));  // touches [20,21)
    EXPECT_EQ(set[2].base, 15u);
    EXPECT_TRUE(set.add(30, 41));  // bridges [30,31) and [40,41)
    EXPECT_EQ(set.count(), mm::RangeSet::capacity - 1);
    EXPECT_TRUE(well_formed(set));
    // Now there is room for one more.
    EXPECT_TRUE(set.add(5, 6));
    EXPECT_EQ(set.count(), mm::RangeSet::capacity);
    EXPECT_FALSE(set.add(7, 8));
    EXPECT_TRUE(well_formed(set));
}

TEST(RangeSet, RemoveSplitWhenFullFailsAndChangesNothing) {
    mm::RangeSet set;
    for (size_t k = 0; k < mm::RangeSet::capacity; ++k) EXPECT_TRUE(set.add(10 * k, 10 * k + 5));
    const Ranges before = contents(set);
    EXPECT_FALSE(set.remove(11, 13));  // would split [10,15)
    EXPECT_EQ(contents(set), before);
    EXPECT_FALSE(set.remove(10 * (mm::RangeSet::capacity - 1) + 1,
                            10 * (mm::RangeSet::capacity - 1) + 2));  // split the last
    EXPECT_EQ(contents(set), before);
    // Removes that need no split still work when full.
    EXPECT_TRUE(set.remove(10, 12));  // prefix
    EXPECT_TRUE(set.remove(23, 25));  // suffix
    EXPECT_TRUE(set.remove(30, 35));  // whole
    EXPECT_TRUE(set.remove(4, 6));    // gap plus a suffix of [0,5)
    EXPECT_EQ(set.count(), mm::RangeSet::capacity - 1);
    EXPECT_EQ(set[0].end, 4u);
    EXPECT_EQ(set[1].base, 12u);
    EXPECT_EQ(set[2].end, 23u);
    EXPECT_EQ(set[3].base, 40u);
    // Now a split fits.
    EXPECT_TRUE(set.remove(41, 42));
    EXPECT_EQ(set.count(), mm::RangeSet::capacity);
    EXPECT_TRUE(well_formed(set));
}

TEST(RangeSet, Total) {
    mm::RangeSet set;
    EXPECT_TRUE(set.add(0x100000, 0x9f000 + 0x100000));
    EXPECT_TRUE(set.add(0x1000, 0x9f000));
    EXPECT_EQ(set.total(), 0x9f000u + 0x9e000u);
    EXPECT_TRUE(set.remove(0x2000, 0x3000));
    EXPECT_EQ(set.total(), 0x9f000u + 0x9d000u);
    EXPECT_TRUE(set.add(0, UINT64_MAX));
    EXPECT_EQ(set.total(), UINT64_MAX);
}

// Randomized: compare against a bitmap over a small address space.
class RangeSetRandom : public ::testing::TestWithParam<uint32_t> {};

TEST_P(RangeSetRandom, MatchesBitmapModel) {
    constexpr uint64_t space = 1024;
    std::mt19937_64 rng(GetParam());
    mm::RangeSet set;
    std::vector<char> model(space, 0);
    size_t failed_adds = 0, failed_removes = 0, max_count = 0;

    auto model_ranges = [&] {
        Ranges out;
        for (uint64_t i = 0; i < space;) {
            if (!model[i]) {
                ++i;
                continue;
            }
            uint64_t j = i;
            while (j < space && model[j]) ++j;
            out.emplace_back(i, j);
            i = j;
        }
        return out;
    };

    for (int step = 0; step < 20000; ++step) {
        // Mostly short ranges, so the set fragments enough to reach capacity.
        uint64_t base = rng() % (space + 1);
        uint64_t length = (rng() % 64 == 0) ? rng() % (space / 2) : rng() % 3;
        uint64_t end = base + length > space ? space : base + length;
        if (rng() % 16 == 0) std::swap(base, end);  // sometimes inverted
        const Ranges before = contents(set);
        const bool adding = rng() % 2 == 0;
        std::vector<char> next = model;
        for (uint64_t i = base; i < end; ++i) next[i] = adding;
        if (adding ? set.add(base, end) : set.remove(base, end)) {
            model = next;
        } else {
            (adding ? failed_adds : failed_removes)++;
            // A failure is only allowed when the result would not fit.
            size_t needed = 0;
            for (uint64_t i = 0; i < space; ++i)
                if (next[i] && (i == 0 || !next[i - 1])) ++needed;
            ASSERT_GT(needed, mm::RangeSet::capacity) << "step " << step;
            ASSERT_EQ(contents(set), before) << "failed op changed the set, step " << step;
        }
        ASSERT_TRUE(well_formed(set)) << "step " << step;
        max_count = std::max(max_count, set.count());
        ASSERT_EQ(contents(set), model_ranges()) << "step " << step << (adding ? " add [" : " remove [")
                                                 << base << ", " << end << ")";
        uint64_t total = 0;
        for (char b : model) total += uint64_t(b);
        ASSERT_EQ(set.total(), total) << "step " << step;
    }
    // Random bits over 1024 units form ~256 runs: make sure capacity was hit.
    EXPECT_EQ(max_count, mm::RangeSet::capacity);
    EXPECT_GT(failed_adds, 0u);
    EXPECT_GT(failed_removes, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RangeSetRandom, ::testing::Values(1u, 42u, 0xdeadbeefu));

// Randomized with large, sparse coordinates, against a std::set of pages.
TEST(RangeSetRandomPages, MatchesPageSetModel) {
    constexpr uint64_t page = 4096;
    constexpr uint64_t pages = 2000;
    const uint64_t origin = 0xffff'8000'0000'0000ull;
    std::mt19937_64 rng(7);
    mm::RangeSet set;
    std::set<uint64_t> model;  // page indices
    for (int step = 0; step < 1500; ++step) {
        uint64_t first = rng() % pages;
        uint64_t count = 1 + rng() % 40;
        uint64_t last = first + count > pages ? pages : first + count;
        bool adding = rng() % 3 != 0;
        const Ranges before = contents(set);
        bool ok = adding ? set.add(origin + first * page, origin + last * page)
                         : set.remove(origin + first * page, origin + last * page);
        std::set<uint64_t> next = model;
        for (uint64_t p = first; p < last; ++p) {
            if (adding) next.insert(p);
            else next.erase(p);
        }
        if (ok) {
            model = std::move(next);
        } else {
            size_t needed = 0;
            for (uint64_t p : next)
                if (!next.count(p - 1)) ++needed;
            ASSERT_GT(needed, mm::RangeSet::capacity) << "step " << step;
            ASSERT_EQ(contents(set), before) << "step " << step;
        }
        ASSERT_TRUE(well_formed(set));
        std::set<uint64_t> actual;
        for (size_t i = 0; i < set.count(); ++i) {
            ASSERT_EQ(set[i].base % page, 0u);
            ASSERT_EQ(set[i].end % page, 0u);
            for (uint64_t a = set[i].base; a < set[i].end; a += page) actual.insert((a - origin) / page);
        }
        ASSERT_EQ(actual, model) << "step " << step;
        ASSERT_EQ(set.total(), model.size() * page);
    }
}

}  // namespace
