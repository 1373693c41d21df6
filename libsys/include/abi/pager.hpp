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

// Regions the pager keeps per task: add_region and grow_heap together. The
// loader registers a program's segments only if they take at most half of
// them (the rest is for the heap); a program with more is loaded eagerly.
inline constexpr unsigned max_regions = 16;

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
