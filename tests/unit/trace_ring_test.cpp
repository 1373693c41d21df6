// Host unit tests for trace::Ring (kernel/trace/ring.hpp), the kernel trace
// buffer's ring: checked against a reference model (a deque) on random
// operation sequences, and on the edges: full, empty, wrap-around of the
// array.
#include "trace/ring.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

namespace {

using Ring = trace::Ring<uint64_t, 8>;

// What peek offers, as one vector in order.
std::vector<uint64_t> peeked(const Ring& ring, size_t max) {
    Ring::Span first, second;
    ring.peek(max, first, second);
    std::vector<uint64_t> out(first.first, first.first + first.count);
    out.insert(out.end(), second.first, second.first + second.count);
    return out;
}

TEST(TraceRing, KeepsTheOldestAndCountsTheDropped) {
    Ring ring;
    for (uint64_t i = 0; i < 8; ++i) EXPECT_TRUE(ring.push(i));
    EXPECT_FALSE(ring.push(100));
    EXPECT_FALSE(ring.push(101));
    EXPECT_EQ(ring.size(), 8u);
    EXPECT_EQ(peeked(ring, 100), (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(ring.take_lost(), 2u);
    EXPECT_EQ(ring.take_lost(), 0u) << "taking the count restarts it";
}

TEST(TraceRing, PeekConsumesNothingAndWrapsInTwoSpans) {
    Ring ring;
    for (uint64_t i = 0; i < 6; ++i) ring.push(i);
    ring.consume(5);
    for (uint64_t i = 6; i < 12; ++i) ring.push(i);  // indices 6, 7, then 0..3
    Ring::Span first, second;
    ring.peek(100, first, second);
    EXPECT_EQ(first.count, 3u);   // 5, 6, 7 up to the array's end
    EXPECT_EQ(second.count, 4u);  // 8..11 from its start
    EXPECT_EQ(peeked(ring, 100), (std::vector<uint64_t>{5, 6, 7, 8, 9, 10, 11}));
    EXPECT_EQ(peeked(ring, 100), (std::vector<uint64_t>{5, 6, 7, 8, 9, 10, 11})) << "peek twice, same records";
    EXPECT_EQ(peeked(ring, 2), (std::vector<uint64_t>{5, 6}));
    EXPECT_EQ(peeked(ring, 0), std::vector<uint64_t>{});
}

TEST(TraceRing, ConsumeNeverPassesTheWriter) {
    Ring ring;
    ring.push(1);
    ring.consume(5);
    EXPECT_EQ(ring.size(), 0u);
    EXPECT_TRUE(ring.push(2));
    EXPECT_EQ(peeked(ring, 8), std::vector<uint64_t>{2});
}

TEST(TraceRing, ClearDropsRecordsAndTheLostCount) {
    Ring ring;
    for (uint64_t i = 0; i < 10; ++i) ring.push(i);
    ring.clear();
    EXPECT_EQ(ring.size(), 0u);
    EXPECT_EQ(ring.take_lost(), 0u);
    for (uint64_t i = 0; i < 8; ++i) EXPECT_TRUE(ring.push(i)) << "a cleared ring has all its room";
}

// The model: a bounded FIFO with a lost counter.
TEST(TraceRing, MatchesAModelOnRandomOperations) {
    std::mt19937_64 random(14);
    for (int round = 0; round < 200; ++round) {
        Ring ring;
        std::deque<uint64_t> model;
        uint64_t lost = 0, next = 0;
        for (int step = 0; step < 500; ++step) {
            switch (random() % 4) {
            case 0:
            case 1: {
                bool stored = ring.push(next);
                ASSERT_EQ(stored, model.size() < 8);
                if (stored) model.push_back(next);
                else ++lost;
                ++next;
                break;
            }
            case 2: {
                size_t max = random() % 10, n = std::min(max, model.size());
                ASSERT_EQ(peeked(ring, max), std::vector<uint64_t>(model.begin(), model.begin() + long(n)));
                ring.consume(n);
                model.erase(model.begin(), model.begin() + long(n));
                break;
            }
            case 3: ASSERT_EQ(ring.take_lost(), lost); lost = 0; break;
            }
            ASSERT_EQ(ring.size(), model.size());
        }
    }
}

}  // namespace
