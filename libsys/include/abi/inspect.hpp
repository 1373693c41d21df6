// Introspection: the records the debug_*_info calls copy out (docs/abi.md,
// "Introspection"). Shared by the kernel, which fills them, and by the
// console shell and the tests, which read them. Every object is named by
// its "object id": the physical address of the kernel object, the same
// for every capability to it, so records of different calls can be
// matched (a thread's address space with a vspace capability, a waiter's
// endpoint with an endpoint capability).
#pragma once

#include <cstdint>

namespace abi::inspect {

inline constexpr unsigned name_size = 16;        // a thread's name: up to 15 characters and a NUL
inline constexpr uint64_t max_records = 64;      // records per call
inline constexpr uint64_t max_slots_scanned = 1024;  // CNode slots looked at per debug_cspace_info

// The kernel's thread states, in its own order (static_asserts there).
enum class ThreadState : uint8_t {
    inactive,              // created, suspended, exited, or stopped by a fault
    ready,
    running,
    blocked_send,          // waiting_on: the endpoint
    blocked_receive,       // waiting_on: the endpoint
    blocked_reply,         // partner: the thread whose reply it waits for
    blocked_notification,  // waiting_on: the notification
};

namespace thread_flags {
inline constexpr uint8_t idle = 1;      // the kernel's idle thread (id 0)
inline constexpr uint8_t faulting = 2;  // its fault is out to its fault handler
}  // namespace thread_flags

struct ThreadInfo {
    uint64_t id;
    char name[name_size];     // NUL-terminated; empty until thread_set_name
    ThreadState state;
    uint8_t priority;
    uint8_t flags;            // thread_flags
    uint8_t reserved[5];
    uint64_t address_space;   // object id of its address space (the task it belongs to); 0: none
    uint64_t cpu_ticks;       // TSC ticks it has run, counted at each switch
    uint64_t faults;          // exceptions it took in user mode (page faults included)
    uint64_t waiting_on;      // object id of the endpoint or notification it is blocked on; 0: none
    uint64_t partner;         // blocked_reply: id of the thread that owes the reply; 0: none
    uint64_t rip;             // its saved user instruction pointer (the last entry to the kernel)
};
static_assert(sizeof(ThreadInfo) == 80);

struct CapInfo {
    uint64_t slot;            // index in the CNode listed
    uint8_t type;             // abi::ObjectType
    uint8_t rights;
    uint8_t size_bits;        // CNode: its radix (list it with a longer path); untyped: log2 size
    uint8_t reserved[5];
    uint64_t badge;           // endpoints and notifications; 0 otherwise
    uint64_t object;          // object id
};
static_assert(sizeof(CapInfo) == 32);

enum class WaitKind : uint8_t {
    send,                     // blocked sending on the endpoint (badge: of the capability used)
    call,                     // the same, a call: it will wait for the reply
    receive,                  // blocked receiving on the endpoint
    notification,             // waiting on the notification
};

struct WaitInfo {
    uint64_t object;          // object id of the endpoint or notification
    uint64_t thread;          // id of the waiting thread
    uint64_t badge;           // send and call: the badge the receiver will see
    WaitKind kind;
    uint8_t reserved[7];
};
static_assert(sizeof(WaitInfo) == 32);

// debug_cspace_info names a CNode below a thread's root CNode by a path:
// slot indices of CNode capabilities, 16 bits each, the first in the low
// bits, ending at the first zero group (slot 0 is never valid). 0 is the
// root itself.
inline constexpr unsigned path_bits = 16;
inline constexpr unsigned max_path_depth = 64 / path_bits;
// Extends path by one step into the CNode at slot index; false when the
// path is already max_path_depth deep or index cannot be a step.
constexpr bool path_append(uint64_t& path, uint64_t index) {
    if (index == 0 || index > 0xFFFF) return false;
    for (unsigned depth = 0; depth < max_path_depth; ++depth)
        if (!((path >> (depth * path_bits)) & 0xFFFF)) {
            path |= index << (depth * path_bits);
            return true;
        }
    return false;
}

}  // namespace abi::inspect
