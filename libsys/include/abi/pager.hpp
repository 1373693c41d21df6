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
// grow_heap(w0 = pages[, w1 = heap flags]) -> w0 = address of the new pages (zero-filled on
// first touch), contiguous with earlier growth.
inline constexpr uint64_t grow_heap = 3;
// grow_heap flags: the task will touch the new pages in order, so every
// fault in them maps a whole cluster (fault-around without waiting for a
// run to show; docs/paging.md). Other bits are refused (bad_argument).
inline constexpr uint64_t heap_sequential = 1;
// statistics() -> w0 faults, w1 evictions, w2 write-backs, w3 read-backs,
// for the caller; then, for the whole pager (words 4..7, in the IPC
// buffer): w4 disk write requests, w5 disk read requests, w6 pages read
// ahead (read with a faulting page, not faulted for), w7 1 when the store
// is the disk (write-backs and read-backs are then pages written to and
// read from the disk), 0 when it is RAM; fault-around (docs/paging.md):
// w8 pages mapped ahead of faults (clusters and the disk's read-ahead),
// w9 of those found used at the task's next fault, w10 found unused. Also printed on the console.
// w11: TSC cycles the pager spent in disk requests (from its submit to the
// completion it waited for: the block server, the device and any idle time
// between), so a benchmark can split a swap fault's time (docs/benchmarks.md).
inline constexpr uint64_t statistics = 4;
inline constexpr uint64_t statistics_words = 12;

// add_region(RegionRequest) from the manager: memory of a task that the
// pager fills on first touch, from a file in the initrd (the part of
// [vaddr, vaddr + file_size) in the page) and zeros elsewhere. Clean pages
// are dropped on eviction and filled again from the file.
inline constexpr uint64_t add_region = 5;

// Regions the pager keeps per task: add_region and grow_heap together. The
// loader registers a program's segments only if they take at most half of
// them (the rest is for the heap); a program with more is loaded eagerly.
inline constexpr unsigned max_regions = 16;
inline constexpr unsigned max_clients = 1024;  // tasks attached at once (about 600 bytes of table each)

// debug_crash(w0 = N) from the manager: the pager executes ud2 itself when
// it handles its Nth fault from now, to test what happens when a server
// dies (the root task's kill_pager_after=N).
inline constexpr uint64_t debug_crash = 6;

// Faults the pager does not resolve go to the task's supervisor, the
// loader, without the pager ever waiting on it: the pager writes a record
// into a ring in a page shared with the loader, signals the loader's
// notification (the capability in fault_notification_slot of its CNode),
// and stops the thread by its reply to the kernel. The root task maps the
// page at fault_ring_address in both. The pager only advances head, the
// loader only tail; a record is complete before head moves past it. When
// the ring is full the pager keeps the record and retries on each later
// message it handles (the loader's detach calls among them).
inline constexpr Cptr fault_notification_slot = 9;  // in the pager's CNode: write right

// Swap (docs/paging.md, "Swap"): when the machine has a disk, the root task
// puts a client capability to the block server (abi/blk.hpp; write and
// grant rights, badged with the pager's client id) in blk_slot of the
// pager's CNode, and a notification (read and write) in
// blk_notification_slot. The pager lends the server a copy of it badged
// blk_done_bit for its completions. If the block server dies, the root task
// revokes its endpoint and signals the notifications its clients lent it,
// so a pager waiting for a completion wakes and finds the server gone.
// Without a capability in blk_slot the pager keeps its store in RAM.
inline constexpr Cptr blk_slot = 10;
inline constexpr Cptr blk_notification_slot = 11;
inline constexpr uint64_t blk_done_bit = 1;
inline constexpr uint64_t fault_ring_address = 0x0000600000000000ull;

enum class FaultReason : uint8_t {
    exception = 0,      // not a page fault: never the pager's to resolve
    outside_memory,     // a page fault outside every region of the task
    read_only,          // a write to read-only memory
    not_executable,     // an instruction fetch from memory without execute
    out_of_frames,      // no frame could be freed for the page
    cannot_map,         // the page could not be mapped
    lost_objects,       // vector 256/257: the thread lost its address space or CNode
    store_full,         // the backing store is full: the pager killed the task
    no_page_tables,     // no memory for its page tables: the pager killed the task
    swap_write_failed,  // a page of it could not be written to the swap disk: killed
    swap_read_failed,   // a page of it could not be read from the swap disk: killed
};

struct FaultRecord {
    uint64_t task;
    uint64_t address;   // CR2 for a page fault
    uint64_t ip;
    uint16_t vector;
    FaultReason reason;
    uint8_t reserved;
    uint32_t code;      // the CPU's error code
};
static_assert(sizeof(FaultRecord) == 32);

inline constexpr uint64_t fault_ring_capacity = (4096 - 64) / sizeof(FaultRecord);

struct FaultRing {
    volatile uint64_t head;  // records written, by the pager
    volatile uint64_t tail;  // records taken, by the loader
    uint64_t reserved[6];
    FaultRecord records[fault_ring_capacity];
};
static_assert(sizeof(FaultRing) <= 4096);

inline const char* describe(FaultReason reason) {
    switch (reason) {
    case FaultReason::exception: return "not a page fault";
    case FaultReason::outside_memory: return "address outside its memory";
    case FaultReason::read_only: return "write to read-only memory";
    case FaultReason::not_executable: return "execution of non-executable memory";
    case FaultReason::out_of_frames: return "out of frames";
    case FaultReason::cannot_map: return "cannot map the page";
    case FaultReason::lost_objects: return "lost its address space or CNode";
    case FaultReason::store_full: return "backing store full";
    case FaultReason::no_page_tables: return "no memory for its page tables";
    case FaultReason::swap_write_failed: return "its page could not be written to the swap disk";
    case FaultReason::swap_read_failed: return "its page could not be read from the swap disk";
    }
    return "unknown";
}

// killed(w0 = task id) from the manager -> w0 = 1 if the pager killed the
// task (its store was full, its page tables did not fit, or a page of it
// could not be written to or read from the swap disk; its faults are
// refused), 0 if not, 2 if the pager does not know it.
inline constexpr uint64_t killed = 7;

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

// For an operator (the shell, abi/shell.hpp): its capability carries
// operator_badge, far above any task id, so it is never taken for a task.
inline constexpr uint64_t operator_badge = 1ull << 40;
// state() from anyone -> w0 the frame budget, w1 resident pages (frames in
// use), w2 backing-store pages in use, w3 the store's capacity in pages;
// in the IPC buffer w4 the policy (its name's first 8 bytes, NUL-padded),
// w5 faults, w6 evictions, w7 write-backs, w8 read-backs (all tasks), w9
// tasks attached, w10 1 when the store is the swap disk, w11 tasks killed.
inline constexpr uint64_t state = 8;
inline constexpr uint64_t state_words = 12;
// set_policy(payload = a policy's name: clockpro, clock, fifo, random)
// from the manager or an operator: replacement goes on under that policy,
// which starts with the resident pages as if loaded now (it has no history
// of them). bad_argument for an unknown name.
inline constexpr uint64_t set_policy = 9;

}  // namespace abi::pager
