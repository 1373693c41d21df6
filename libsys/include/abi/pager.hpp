// The pager server's protocol (servers/pager). Tasks reach it through
// abi::task_slot::pager, a capability badged with their id that is also
// their threads' fault endpoint: page faults arrive as fault messages
// (abi/ipc.hpp) on the same endpoint. The loader, holding the unbadged
// capability (badge manager_badge), attaches and detaches address spaces.
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace abi::pager {

inline constexpr uint64_t manager_badge = 0;

// Budgets the pager accepts. One x86 instruction can need six pages
// present at once (an instruction that straddles two pages, a string move
// whose source and destination each straddle two), so a budget below
// that can livelock; eight leaves two frames of slack. The upper limits are
// those of the pager's static bookkeeping; the root task also checks both
// against RAM and against the pager's CNode (at most 2^16 slots: two per
// frame, one per store page, one per page table).
inline constexpr uint64_t min_frames = 8;
inline constexpr uint64_t max_frames = 8192;        // 32 MiB
inline constexpr uint64_t max_store_pages = 65536;  // 256 MiB
inline constexpr Cptr service_slot = 8;  // in the pager's own CNode: its receive capability

// attach(w0 = task id), one capability: the task's address space.
inline constexpr uint64_t attach = 1;
// detach(w0 = task id): forget the task, free its frames and backing pages.
inline constexpr uint64_t detach = 2;
// grow_heap(w0 = pages) -> w0 = address of the new pages (zero-filled on
// first touch), contiguous with earlier growth.
inline constexpr uint64_t grow_heap = 3;
// statistics() -> w0 faults, w1 evictions, w2 write-backs, w3 read-backs,
// for the caller; also printed on the console, with the totals.
inline constexpr uint64_t statistics = 4;

// add_region(RegionRequest) from the manager: memory of a task that the
// pager fills on first touch, from a file in the initrd (the part of
// [vaddr, vaddr + file_size) in the page) and zeros elsewhere. Clean pages
// are dropped on eviction and filled again from the file.
inline constexpr uint64_t add_region = 5;

// killed(w0 = task id) from the manager -> w0 = 1 if the pager killed the
// task (its store was full or its page tables did not fit; its faults are
// refused), 0 if not, 2 if the pager does not know it.
inline constexpr uint64_t killed = 6;

struct RegionRequest {
    uint64_t task;
    uint64_t vaddr;        // the segment as the ELF file gives it
    uint64_t memory_size;
    uint64_t file_offset;  // of its bytes, from the start of the initrd
    uint64_t file_size;
    uint8_t rights;
    uint8_t reserved[7];
};

// Where grow_heap places a task's heap.
inline constexpr uint64_t heap_base = 0x0000010000000000ull;

}  // namespace abi::pager
