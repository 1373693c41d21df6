// Physical frame allocator: one bit per 4 KiB frame (1 = free), so that
// freeing is O(1), double frees are caught, and any frame can be reserved
// after the fact. Allocation scans from a moving hint, a word at a time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mm {

inline constexpr uint64_t page_size = 4096;

class FrameAllocator {
public:
    // Words of bitmap storage needed to track frames below limit.
    static constexpr size_t bitmap_words(uint64_t physical_limit) {
        return size_t((physical_limit / page_size + 63) / 64);
    }

    // Starts with every frame below physical_limit in use; storage must hold
    // bitmap_words(physical_limit) words.
    void init(uint64_t* storage, uint64_t physical_limit);

    // Marks the whole frames inside [base, end) free or used.
    void release_range(uint64_t base, uint64_t end);
    void reserve_range(uint64_t base, uint64_t end);

    // Returns false when no frame is free.
    bool allocate(uint64_t& physical);
    // Returns false, changing nothing, for an unaligned, out-of-range or
    // already free frame.
    bool free(uint64_t physical);

    // Takes the lowest run of consecutive free frames out of the allocator
    // (marks it used) and returns it; false when nothing is free. The boot
    // code hands all memory to user space this way, as untyped regions.
    bool take_free_run(uint64_t& base, uint64_t& length);

    bool is_free(uint64_t physical) const;
    uint64_t free_frames() const { return free_count_; }
    uint64_t physical_limit() const { return frame_count_ * page_size; }

private:
    void set_range(uint64_t base, uint64_t end, bool free);

    uint64_t* bitmap_ = nullptr;
    uint64_t frame_count_ = 0;
    uint64_t free_count_ = 0;
    size_t hint_ = 0;  // no free frame lies in words below it
};

}  // namespace mm
