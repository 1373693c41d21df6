#include "mm/range_set.hpp"

namespace mm {

void RangeSet::erase(size_t index, size_t n) {
    for (size_t i = index; i + n < count_; ++i) ranges_[i] = ranges_[i + n];
    count_ -= n;
}

bool RangeSet::insert(size_t index, PhysRange range) {
    if (count_ == capacity) return false;
    for (size_t i = count_; i > index; --i) ranges_[i] = ranges_[i - 1];
    ranges_[index] = range;
    ++count_;
    return true;
}

bool RangeSet::add(uint64_t base, uint64_t end) {
    if (base >= end) return true;
    // First range that ends at or after base: it may touch the new one.
    size_t first = 0;
    while (first < count_ && ranges_[first].end < base) ++first;
    size_t last = first;  // one past the ranges that touch [base, end)
    while (last < count_ && ranges_[last].base <= end) ++last;
    if (first == last) return insert(first, PhysRange{base, end});
    PhysRange merged{base < ranges_[first].base ? base : ranges_[first].base,
                     end > ranges_[last - 1].end ? end : ranges_[last - 1].end};
    ranges_[first] = merged;
    erase(first + 1, last - first - 1);
    return true;
}

bool RangeSet::remove(uint64_t base, uint64_t end) {
    if (base >= end) return true;
    for (size_t i = 0; i < count_; ++i) {
        PhysRange& r = ranges_[i];
        if (r.end <= base || r.base >= end) continue;
        if (r.base < base && r.end > end) {  // a hole in the middle: split
            if (!insert(i + 1, PhysRange{end, r.end})) return false;
            ranges_[i].end = base;
            return true;
        }
        if (r.base < base) {
            r.end = base;
        } else if (r.end > end) {
            r.base = end;
        } else {
            erase(i, 1);
            --i;
        }
    }
    return true;
}

uint64_t RangeSet::total() const {
    uint64_t sum = 0;
    for (size_t i = 0; i < count_; ++i) sum += ranges_[i].size();
    return sum;
}

}  // namespace mm
