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
inline constexpr Cptr first_free = 8;
}  // namespace task_slot

inline constexpr unsigned task_cnode_radix = 8;

// Registry protocol: calls on task_slot::registry.
namespace registry {
// lookup(pid) -> a send capability to pid's inbox (one capability in the
// reply), badged with the caller's id; label 0 on success, else an error code.
inline constexpr uint64_t lookup = 1;
// exited(status): the task reports its end (libsys does this after main).
inline constexpr uint64_t exited = 2;
}  // namespace registry

}  // namespace abi
