#include "mm/frame_allocator.hpp"

namespace mm {

void FrameAllocator::init(uint64_t* storage, uint64_t physical_limit) {
    bitmap_ = storage;
    frame_count_ = physical_limit / page_size;
    free_count_ = 0;
    hint_ = 0;
    for (size_t i = 0; i < bitmap_words(physical_limit); ++i) bitmap_[i] = 0;
}

void FrameAllocator::set_range(uint64_t base, uint64_t end, bool make_free) {
    // Only whole frames: round a free range inward, a used range outward
    // (without adding first, which would wrap at the top of the space).
    uint64_t first = base / page_size + (make_free && base % page_size ? 1 : 0);
    uint64_t last = end / page_size + (!make_free && end % page_size ? 1 : 0);
    if (last > frame_count_) last = frame_count_;
    for (uint64_t f = first; f < last; ++f) {
        uint64_t bit = 1ull << (f % 64);
        uint64_t& word = bitmap_[f / 64];
        if (bool(word & bit) == make_free) continue;
        word ^= bit;
        free_count_ += make_free ? 1 : -1;
    }
    if (make_free && first < last && first / 64 < hint_) hint_ = size_t(first / 64);
}

void FrameAllocator::release_range(uint64_t base, uint64_t end) { set_range(base, end, true); }
void FrameAllocator::reserve_range(uint64_t base, uint64_t end) { set_range(base, end, false); }

bool FrameAllocator::allocate(uint64_t& physical) {
    size_t words = size_t((frame_count_ + 63) / 64);
    for (size_t i = hint_; i < words; ++i) {
        if (!bitmap_[i]) continue;
        unsigned bit = unsigned(__builtin_ctzll(bitmap_[i]));
        bitmap_[i] &= bitmap_[i] - 1;
        --free_count_;
        hint_ = i;
        physical = (uint64_t(i) * 64 + bit) * page_size;
        return true;
    }
    hint_ = words;
    return false;
}

bool FrameAllocator::free(uint64_t physical) {
    if (physical % page_size || physical / page_size >= frame_count_ || is_free(physical)) return false;
    uint64_t f = physical / page_size;
    bitmap_[f / 64] |= 1ull << (f % 64);
    ++free_count_;
    if (f / 64 < hint_) hint_ = size_t(f / 64);
    return true;
}

bool FrameAllocator::take_free_run(uint64_t& base, uint64_t& length) {
    uint64_t first;
    if (!allocate(first)) return false;
    uint64_t end = first + page_size;
    while (end / page_size < frame_count_ && is_free(end)) end += page_size;
    reserve_range(first + page_size, end);
    base = first;
    length = end - first;
    return true;
}

bool FrameAllocator::is_free(uint64_t physical) const {
    uint64_t f = physical / page_size;
    return f < frame_count_ && (bitmap_[f / 64] >> (f % 64)) & 1;
}

}  // namespace mm
