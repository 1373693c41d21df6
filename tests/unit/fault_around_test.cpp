// Host unit tests for the pager's fault-around adaptation
// (servers/pager/fault_around.{hpp,cpp}): the window's rules one by one,
// then whole access patterns replayed through a model of the pager (a
// fault maps a cluster of fresh pages; at the next fault the pages mapped
// ahead count as used if they were touched since, as their accessed bits
// would say).
#include "fault_around.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using pager::FaultAround;

TEST(FaultAround, OffWithAWindowOfOne) {
    FaultAround a;
    a.init(1);
    for (uint64_t p = 0; p < 100; ++p) {
        EXPECT_EQ(a.plan(p), 1u);
        a.mapped(p, 1);
    }
}

TEST(FaultAround, AFaultOutsideARunMapsItsPageOnly) {
    FaultAround a;
    a.init(32);
    EXPECT_EQ(a.plan(10), 1u);  // the very first fault
    a.mapped(10, 1);
    EXPECT_EQ(a.plan(12), 1u);  // not the next page
    a.mapped(12, 1);
    EXPECT_EQ(a.plan(11), 1u);  // backwards
}

TEST(FaultAround, ARunStartsSmallAndGrowsWithItselfWhileEveryPageAheadIsUsed) {
    FaultAround a;
    a.init(32);
    EXPECT_EQ(a.plan(0), 1u);
    a.mapped(0, 1);
    EXPECT_EQ(a.plan(1), FaultAround::first_window);
    a.mapped(1, 2);
    EXPECT_EQ(a.ahead(), 1u);
    // The window doubles (4, 8, 16, 32); the run so far caps each cluster
    // (3 pages covered before page 3, 6 before page 6, ...).
    unsigned expected[] = {3, 6, 12, 24, 32, 32};
    uint64_t page = 3;
    for (unsigned want : expected) {
        a.feedback(a.ahead(), 0);
        ASSERT_TRUE(a.continues(page));
        EXPECT_EQ(a.plan(page), want);
        a.mapped(page, want);
        page += want;
    }
    EXPECT_EQ(a.window(), 32u);
}

// A fault-around state whose run began at page 0 and went on to page 1,
// after `feedbacks` reports of `used` and `unused` pages ahead.
FaultAround after_feedback(unsigned max, int feedbacks, unsigned used, unsigned unused) {
    FaultAround a;
    a.init(max);
    a.plan(0);
    a.mapped(0, 1);
    a.plan(1);
    for (int i = 0; i < feedbacks; ++i) a.feedback(used, unused);
    return a;
}

// The pager found every page between the end of the last cluster and the
// fault resident (kept by the replacement policy): the walk went through
// them, so the fault continues the run, which has covered them too.
TEST(FaultAround, AWalkThroughResidentPagesContinuesTheRun) {
    FaultAround a;
    a.init(32);
    uint64_t p = 0;
    for (unsigned k = 0; k < 6; ++k) {  // a run of 1, 2, 3, 6, 12, 24 pages: window 32
        unsigned n = a.plan(p);
        a.mapped(p, n);
        a.feedback(a.ahead(), 0);
        p += n;
    }
    ASSERT_EQ(a.window(), 32u);
    EXPECT_EQ(a.plan(p + 40), 1u) << "without the walk: a new run";
    a.walked_to(p + 40);
    EXPECT_EQ(a.next(), p + 40);
    EXPECT_EQ(a.plan(p + 40), 32u) << "the walk continues the run, at the full window";
    a.mapped(p + 40, 32);
    // Fresh run: a walk of 3 resident pages after a one-page cluster
    // counts them (run of 4), no more.
    FaultAround b;
    b.init(32);
    b.plan(100);
    b.mapped(100, 1);
    b.walked_to(104);
    EXPECT_EQ(b.plan(104), 2u);  // window 2 (a run's first cluster), the run covers 4
    // Backwards, to the same page, or before any fault: ignored.
    FaultAround c;
    c.init(32);
    c.walked_to(50);
    EXPECT_EQ(c.plan(50), 1u);
    c.mapped(50, 1);
    c.walked_to(40);
    c.walked_to(51);
    EXPECT_EQ(c.next(), 51u);
    EXPECT_EQ(c.plan(40), 1u);
}

TEST(FaultAround, MoreUnusedThanUsedHalvesTheWindowHalfAndHalfKeepsIt) {
    FaultAround a = after_feedback(32, 5, 1, 0);
    ASSERT_EQ(a.window(), 32u);
    a.feedback(15, 16);
    EXPECT_EQ(a.window(), 16u);
    a.feedback(8, 7);
    EXPECT_EQ(a.window(), 16u);  // most used: kept
    a.feedback(4, 4);
    EXPECT_EQ(a.window(), 16u);  // half and half: kept
    a.feedback(0, 15);
    EXPECT_EQ(a.window(), 8u);
    for (int i = 0; i < 10; ++i) a.feedback(0, 7);
    EXPECT_EQ(a.window(), 1u);  // never below one page
    a.feedback(0, 0);           // nothing was ahead: no change
    EXPECT_EQ(a.window(), 1u);
}

TEST(FaultAround, AClosedWindowOpensAgainWhenARunGoesOn) {
    FaultAround a = after_feedback(8, 5, 0, 3);
    ASSERT_EQ(a.window(), 1u);
    a.mapped(50, 1);
    EXPECT_EQ(a.plan(51), FaultAround::first_window);
}

TEST(FaultAround, TheWindowNeverPassesItsMaximum) {
    for (unsigned max : {2u, 3u, 5u, 16u}) {
        FaultAround a;
        a.init(max);
        a.plan(0);
        a.mapped(0, 1);
        uint64_t page = 1;
        for (int i = 0; i < 20; ++i) {
            unsigned n = a.plan(page);
            EXPECT_LE(n, max);
            a.mapped(page, n);
            a.feedback(a.ahead(), 0);
            page += n;
        }
        EXPECT_EQ(a.window(), max);
    }
}

// --- whole patterns through a model of the pager ------------------------------

struct Outcome {
    uint64_t touches = 0, faults = 0, ahead = 0, used = 0, unused = 0;
};

// Replays touches of page numbers below `pages`: an unmapped page faults;
// the fault first gives feedback on the last cluster's pages ahead, then
// maps plan() pages from the faulting one (fewer at the end or at a page
// already mapped). Nothing is evicted.
Outcome replay(const std::vector<uint64_t>& touches, uint64_t pages, unsigned max) {
    FaultAround a;
    a.init(max);
    std::vector<bool> mapped(pages), accessed(pages);
    uint64_t ahead_first = 0;
    unsigned ahead_count = 0;
    Outcome o;
    for (uint64_t p : touches) {
        ++o.touches;
        if (mapped[p]) {
            accessed[p] = true;
            continue;
        }
        ++o.faults;
        if (ahead_count) {
            unsigned used = 0;
            for (unsigned i = 0; i < ahead_count; ++i) used += accessed[ahead_first + i];
            o.used += used;
            o.unused += ahead_count - used;
            a.feedback(used, ahead_count - used);
        }
        unsigned want = a.plan(p), n = 0;
        while (n < want && p + n < pages && !mapped[p + n]) mapped[p + n++] = true;
        accessed[p] = true;
        a.mapped(p, n);
        ahead_first = p + 1;
        ahead_count = n - 1;
        o.ahead += n - 1;
    }
    return o;
}

uint64_t xorshift(uint64_t& s) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

TEST(FaultAroundPatterns, ASequentialSweepTakesAFewFaultsAndWastesNothing) {
    std::vector<uint64_t> t;
    for (uint64_t p = 0; p < 4096; ++p) t.push_back(p);
    Outcome o = replay(t, 4096, 32);
    // 1 + 2 + 3 + 6 + 12 + 24 pages, then clusters of 32: 6 + 127 faults.
    EXPECT_LE(o.faults, 4096u / 32 + 6);
    EXPECT_EQ(o.ahead, 4096u - o.faults);
    EXPECT_EQ(o.unused, 0u);
}

TEST(FaultAroundPatterns, RandomTouchesMapAlmostNothingAhead) {
    std::vector<uint64_t> t;
    uint64_t s = 12345;
    for (int i = 0; i < 20000; ++i) t.push_back(xorshift(s) % 8192);
    Outcome o = replay(t, 8192, 32);
    // A fault lands right after the previous cluster only by chance (about
    // 1 in 8,192), and the pages that buys are then found unused.
    EXPECT_LE(o.ahead * 100, o.faults);  // under 1% of the pages faulted
}

TEST(FaultAroundPatterns, StridedTouchesMapNothingAhead) {
    for (uint64_t stride : {2u, 3u, 4u, 16u}) {
        std::vector<uint64_t> t;
        for (uint64_t p = 0; p < 8192; p += stride) t.push_back(p);
        Outcome o = replay(t, 8192, 32);
        EXPECT_EQ(o.ahead, 0u) << "stride " << stride;
        EXPECT_EQ(o.faults, t.size());
    }
}

TEST(FaultAroundPatterns, ShortRunsAtRandomPlacesWasteLittle) {
    // Runs of consecutive pages, each starting anywhere: clusters grow
    // with the run, so what is mapped past a run's end is at most about
    // what the run used.
    for (uint64_t run : {4u, 8u, 24u}) {
        std::vector<uint64_t> t;
        uint64_t s = 99;
        for (int r = 0; r < 2000; ++r) {
            uint64_t start = xorshift(s) % (1 << 20);
            for (uint64_t i = 0; i < run; ++i) t.push_back(start + i);
        }
        Outcome o = replay(t, (1 << 20) + run, 32);
        EXPECT_LT(o.faults, t.size()) << "run " << run;        // fault-around helped
        EXPECT_LE(o.unused * 2, o.touches) << "run " << run;   // waste under half a page per touch
        EXPECT_LE(o.used + o.unused, o.ahead);
    }
}

TEST(FaultAroundPatterns, AfterARunEndsRandomTouchesCloseTheWindow) {
    std::vector<uint64_t> t;
    for (uint64_t p = 0; p < 1024; ++p) t.push_back(p);
    uint64_t s = 7;
    for (int i = 0; i < 5000; ++i) t.push_back(1024 + xorshift(s) % 100000);
    Outcome o = replay(t, 1024 + 100000, 32);
    // The sweep's last cluster may overshoot into the random part once;
    // after that nothing is mapped ahead.
    EXPECT_LE(o.unused, 32u + 16u);
}

}  // namespace
