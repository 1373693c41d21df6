// Bookkeeping for the capabilities a task manages itself: free slots in its
// CNode, untyped memory to retype objects from, and mapping frames with the
// page tables they need.
#pragma once

#include <cstdint>

#include "sys/syscall.hpp"

namespace sys {

// The first empty slot of our own CNode at or after `from` (below `end`),
// or 0: where a task's own free slots begin after what it was given.
Cptr first_empty_slot(Cptr from, Cptr end);

// Hands out empty slots of one CNode, lowest first; freed slots are reused.
class SlotAllocator {
public:
    void init(Cptr cnode, Cptr first, Cptr end);
    Cptr allocate();  // 0 when full
    void free(Cptr slot);
    Cptr cnode() const { return cnode_; }

private:
    static constexpr unsigned free_list_capacity = 64;
    Cptr cnode_ = 0;
    Cptr next_ = 0;
    Cptr end_ = 0;
    Cptr freed_[free_list_capacity];
    unsigned freed_count_ = 0;
};

// Retypes objects from a set of untyped regions, mirroring the kernel's
// per-region watermark so it knows where an object still fits.
class UntypedPool {
public:
    explicit UntypedPool(SlotAllocator& slots) : slots_(slots) {}

    bool add(Cptr untyped, uint8_t size_bits);
    // A new object in a new slot; 0 on failure, with the kernel's result in
    // *result if given.
    Cptr allocate(ObjectType type, unsigned size_bits = 0, int64_t* result = nullptr);
    // A new object in the given empty slot; the kernel's result.
    int64_t allocate_into(ObjectType type, unsigned size_bits, Cptr slot);
    // Maps a frame, first creating and mapping any page table it needs.
    int64_t map_frame(Cptr frame, Cptr vspace, uint64_t address, uint8_t rights);
    // A new frame mapped at address; 0 on failure.
    Cptr map_new_frame(Cptr vspace, uint64_t address, uint8_t rights);
    // Bytes above the regions' watermarks: what may still be retyped
    // (alignment may waste some of it).
    uint64_t free_bytes() const;

private:
    struct Region {
        Cptr cptr;
        uint8_t size_bits;
        uint64_t used;
    };
    static constexpr unsigned capacity = 128;
    SlotAllocator& slots_;
    Region regions_[capacity];
    unsigned count_ = 0;
};

}  // namespace sys
