// The trace buffer's ring: pure logic, no hardware, so the host unit test
// (tests/unit/trace_ring_test.cpp) runs exactly the kernel's code.
//
// One writer (the kernel, with interrupts off) and one reader (trace_read,
// also in the kernel), so no atomics. When every slot holds an unread
// record, push drops the new one and counts it as lost: the reader never
// finds its next record overwritten under it, and a trace keeps its start,
// which is what explains what follows.
#pragma once

#include <cstddef>
#include <cstdint>

namespace trace {

template <typename T, size_t Capacity>
class Ring {
    static_assert(Capacity > 0 && (Capacity & (Capacity - 1)) == 0, "a power of two, so indices wrap by masking");

public:
    // A run of unread records that lies contiguous in memory.
    struct Span {
        const T* first;
        size_t count;
    };

    // Stores item, or counts it lost when the ring is full; true if stored.
    bool push(const T& item) {
        if (size() == Capacity) {
            ++lost_;
            return false;
        }
        items_[head_ & (Capacity - 1)] = item;
        ++head_;
        return true;
    }

    // The oldest unread records, at most max of them, as up to two spans
    // (the second when they wrap around the end of the array). Nothing is
    // consumed until consume() says so, so a failed copy loses nothing.
    void peek(size_t max, Span& first, Span& second) const {
        size_t n = size() < max ? size() : max;
        size_t start = tail_ & (Capacity - 1);
        size_t before_end = Capacity - start;
        first = Span{items_ + start, n < before_end ? n : before_end};
        second = Span{items_, n - first.count};
    }

    // Marks the n oldest records read (n <= size()).
    void consume(size_t n) { tail_ += n <= size() ? n : size(); }

    // Records lost since the last call, and the count restarted.
    uint64_t take_lost() {
        uint64_t n = lost_;
        lost_ = 0;
        return n;
    }

    void clear() {
        tail_ = head_;
        lost_ = 0;
    }

    size_t size() const { return size_t(head_ - tail_); }
    static constexpr size_t capacity() { return Capacity; }

private:
    // Free-running counts: head_ - tail_ is the number unread, correct across
    // wrap-around of the 64-bit counters too.
    uint64_t head_ = 0, tail_ = 0;
    uint64_t lost_ = 0;
    T items_[Capacity] = {};
};

}  // namespace trace
