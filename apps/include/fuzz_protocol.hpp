// The system-call fuzzer's contract with the root task (run=fuzz), shared by
// servers/root/fuzz.cpp, apps/syscall_fuzz and apps/fuzz_checker.
//
// The root task builds the fuzz task from one untyped region: its CNode
// holds the standard slots (abi/task.hpp), a "playground" of real
// capabilities the fuzzer may abuse (slots below), empty slots for what it
// makes itself, and from body_first on the frames and page tables the task
// is made of. A status page, written by the fuzzer and read by the root
// task, carries the call counts (the heartbeat) and the last calls made, so
// the root task can report them when the fuzzer stops.
#pragma once

#include <cstdint>

namespace fuzz {

// --- the fuzz task's CNode ----------------------------------------------------
namespace slot {
inline constexpr uint64_t playground_first = 16;
inline constexpr uint64_t untyped = 16;          // 256 KiB to retype
inline constexpr uint64_t untyped_small = 17;    // 16 KiB
inline constexpr uint64_t cnode_copy = 18;       // a copy of its own CNode capability
inline constexpr uint64_t cnode_small = 19;      // a CNode of radix 4
inline constexpr uint64_t endpoint = 20;         // 20, 21: endpoints (all rights)
inline constexpr uint64_t endpoint_minted = 22;  // 22, 23: badged mints of them
inline constexpr uint64_t notification = 24;     // 24, 25: notifications
inline constexpr uint64_t notification_minted = 26;  // 26, 27: badged mints
inline constexpr uint64_t frame_mapped = 28;     // 28..31: frames mapped at playground_address
inline constexpr uint64_t frame_unmapped = 32;   // 32..35: frames not mapped
inline constexpr uint64_t page_table = 36;       // 36, 37, 38: levels 1, 2, 3, not mapped
inline constexpr uint64_t thread = 39;           // another thread: its CNode is ours, its
                                                 // address space the one below, its fault
                                                 // endpoint slot 20; suspended
inline constexpr uint64_t vspace = 40;           // another address space
inline constexpr uint64_t thread_copy = 41;      // a copy of 39
inline constexpr uint64_t frame_copy = 42;       // a copy of 28 (unmapped)
inline constexpr uint64_t endpoint_read = 43;    // 20 minted receive-only
inline constexpr uint64_t server = 44;           // a thread in its own address space, with
                                                 // its own IPC buffer (45), faults to 21;
                                                 // the fuzzer starts it as a receiver on 20
inline constexpr uint64_t server_ipc_buffer = 45;
inline constexpr uint64_t playground_end = 46;   // 46..127: empty, for the fuzzer's own
inline constexpr uint64_t free_end = 128;
inline constexpr uint64_t body_first = 128;      // its image, stack, IPC buffer, page tables
inline constexpr uint64_t inspect_console = 254; // the console with the read right: the introspection calls
inline constexpr uint64_t trace_console = 255;   // a second console, for fuzz_trace=1
}  // namespace slot

inline constexpr unsigned cnode_radix = 8;
inline constexpr uint64_t slot_count = 1ull << cnode_radix;

// Where the playground frames 28..31 are mapped in the fuzz task.
inline constexpr uint64_t playground_address = 0x0000400000000000ull;
inline constexpr uint64_t playground_pages = 4;
// The server thread's IPC buffer.
inline constexpr uint64_t server_ipc_address = 0x0000480000000000ull;
// The status page, mapped in the fuzz task and in the root task.
inline constexpr uint64_t status_address = 0x0000500000000000ull;

inline constexpr unsigned call_kinds = 32;  // abi::Syscall::count, plus one bucket for "out of range"
inline constexpr unsigned ring_size = 16;

struct Call {
    uint64_t number;
    uint64_t args[6];
    int64_t result;
};

struct Status {
    volatile uint64_t calls;            // made so far by this incarnation (the heartbeat)
    volatile uint64_t done;             // 1: the budget is used up
    volatile uint64_t calls_by_kind[call_kinds];
    volatile uint64_t ok_by_kind[call_kinds];
    volatile uint64_t ring_next;        // ring[(ring_next - 1) % ring_size] is the last call
    Call ring[ring_size];
};
static_assert(sizeof(Status) <= 4096);

// --- the checker ----------------------------------------------------------------
// The checker task calls its echo partner on checker_slot::partner; the
// root task signals checker_slot::stop to ask for counts, and the checker
// calls checker_slot::report with them: w0 pages verified, w1 messages,
// w2 errors. The reply's label: 0 go on, 1 stop.
namespace checker_slot {
inline constexpr uint64_t partner = 9;
inline constexpr uint64_t report = 10;
inline constexpr uint64_t stop = 11;
}  // namespace checker_slot
inline constexpr uint64_t checker_pages = 32;
inline constexpr uint64_t report_go_on = 0;
inline constexpr uint64_t report_stop = 1;

// splitmix64: the seeds' generator on both sides.
inline uint64_t splitmix(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace fuzz

namespace fuzz {

inline const char* call_name(uint64_t n) {
    static constexpr const char* names[] = {
        "debug_write", "exit", "yield", "cap_copy", "cap_mint", "cap_move", "cap_delete", "cap_revoke",
        "cap_identify", "untyped_retype", "thread_configure", "thread_set_priority", "thread_write_registers",
        "thread_read_registers", "thread_resume", "thread_suspend", "page_table_map", "frame_map", "frame_unmap",
        "notification_signal", "notification_wait", "notification_poll", "endpoint_send", "endpoint_recv",
        "endpoint_call", "endpoint_reply", "endpoint_reply_recv", "thread_bind_notification", "frame_protect",
        "address_space_query", "system_poweroff"};
    return n < sizeof names / sizeof *names ? names[n] : "(out of range)";
}

// The counting bucket of a call number: itself, or the last for any number out of range.
inline unsigned call_kind(uint64_t n) { return n < call_kinds - 1 ? unsigned(n) : call_kinds - 1; }

}  // namespace fuzz
