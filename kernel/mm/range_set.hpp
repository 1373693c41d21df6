// A sorted set of disjoint half-open physical ranges [base, end), with
// union and subtraction. Used to turn the firmware's memory map into the
// frames the kernel may hand out. Fixed capacity, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mm {

struct PhysRange {
    uint64_t base;
    uint64_t end;  // exclusive
    uint64_t size() const { return end - base; }
};

class RangeSet {
public:
    static constexpr size_t capacity = 128;

    // Adds [base, end), merging with neighbours it touches or overlaps.
    // Returns false (and changes nothing) if the set is full.
    bool add(uint64_t base, uint64_t end);
    // Removes [base, end) from every range. Returns false (and changes
    // nothing) if splitting a range would overflow the capacity.
    bool remove(uint64_t base, uint64_t end);

    size_t count() const { return count_; }
    const PhysRange& operator[](size_t i) const { return ranges_[i]; }
    uint64_t total() const;

private:
    void erase(size_t index, size_t n);
    bool insert(size_t index, PhysRange range);

    PhysRange ranges_[capacity];
    size_t count_ = 0;
};

}  // namespace mm
