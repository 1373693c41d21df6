// What every program the root task starts finds in its CNode, and the
// protocol of the root task's registry (the seed's send(pid, ...) and
// recv(...) run over it).
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace abi {

namespace task_slot {
inline constexpr Cptr cnode = 1;       // its own CNode
inline constexpr Cptr thread = 2;      // its main thread
inline constexpr Cptr vspace = 3;      // its address space
inline constexpr Cptr console = 4;     // the kernel debug console (write)
inline constexpr Cptr ipc_buffer = 5;  // the main thread's IPC buffer frame
inline constexpr Cptr registry = 6;    // the root task's registry, badged with this task's id
inline constexpr Cptr inbox = 7;       // its own endpoint, where send(pid, ...) messages arrive
inline constexpr Cptr pager = 8;       // the pager, badged with its id; also its fault endpoint
inline constexpr Cptr first_free = 9;
}  // namespace task_slot

inline constexpr unsigned task_cnode_radix = 8;

// The loader server's protocol. Every task reaches it through
// task_slot::registry (badged with the task's id); the root task holds a
// capability badged 1. Replies: label 0 on success, else an abi::Error
// code with the reason as text in the payload.
namespace registry {
// lookup(w0 = pid) -> one capability: a send capability to pid's inbox,
// badged with the caller's id (the seed's send(pid, ...)).
inline constexpr uint64_t lookup = 1;
// exited(w0 = status): the task reports its end (libsys does this after
// main). The loader then takes the task down and frees its memory.
inline constexpr uint64_t exited = 2;
}  // namespace registry

namespace loader {

// The loader's CNode: six slots per task it keeps, 4,096 tasks at most.
inline constexpr unsigned cnode_radix = 14;
// spawn(SpawnRequest) -> w0 = the new task's id, w1 = bytes of memory it
// was built from; one capability: a notification signalled when it ends.
// The request may carry one capability, a notification of the spawner's
// (the spawner's capability to the loader needs the grant right): the
// loader signals it too when the task ends.
inline constexpr uint64_t spawn = 3;
// status(w0 = pid) -> w0 = 1 if it has ended, w1 = its exit status.
inline constexpr uint64_t status = 4;
// kill(w0 = pid): stops the task and frees everything it had; its status
// becomes killed_status. Only its parent or the root task may.
inline constexpr uint64_t kill = 5;

// pager_died (from the root task only): the pager is gone. The loader ends
// every task that depended on it (status pager_died_status) and starts
// later tasks without demand paging.
inline constexpr uint64_t pager_died = 6;
// debug_crash (from the root task only): the loader executes ud2, to test
// what happens when a server dies (run=loader-dies).
inline constexpr uint64_t debug_crash = 7;

// Exit statuses the loader gives, apart from what a task returns from main:
// killed (kill), killed by a fault the pager does not resolve (the vector:
// 0-31 an exception, 256/257 a lost address space or CNode), or ended
// because its pager died. Statuses from -4096 down to -4609 are reserved
// for these; sys::loader::describe_status turns them into text.
inline constexpr int64_t killed_status = -9;
inline constexpr int64_t fault_status_base = -4096;
inline constexpr uint64_t fault_status_vectors = 512;
constexpr int64_t killed_by_fault_status(uint64_t vector) {
    return fault_status_base - int64_t(vector % fault_status_vectors);
}
constexpr bool is_fault_status(int64_t status) {
    return status <= fault_status_base && status > fault_status_base - int64_t(fault_status_vectors);
}
constexpr uint64_t fault_status_vector(int64_t status) { return uint64_t(fault_status_base - status); }
inline constexpr int64_t pager_died_status = fault_status_base - int64_t(fault_status_vectors);  // -4608

inline constexpr Cptr service_slot = 9;  // the loader's own receive capability
// In the loader's CNode: the notification the pager signals when it has put
// a fault record in the shared ring (abi/pager.hpp), read right only; the
// loader binds it to its thread.
inline constexpr Cptr fault_notification_slot = 10;

struct SpawnRequest {
    uint8_t priority;
    uint8_t argc;
    uint8_t envc;
    uint8_t reserved[5];
    char strings[248];  // argc then envc NUL-terminated strings; the first is the program's name
};
static_assert(sizeof(SpawnRequest) == 256);
}  // namespace loader

}  // namespace abi
