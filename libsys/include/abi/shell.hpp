// How the root task starts the shell (apps/shell, `run=shell`) and what the
// shell may ask it. The shell is built by the root task itself, not by the
// loader: it needs capabilities no ordinary task holds (a console client,
// a loader capability that may lend a notification, the pager's statistics
// and policy switch), and a notification of its own to wait on.
#pragma once

#include <cstdint>

#include "abi/task.hpp"

namespace abi::shell {

// Its CNode: the standard slots (abi::task_slot) with the debug console
// readable as well (the kernel's introspection calls need the read
// right), the root task's shell endpoint in registry (badged
// operator_badge) and the pager in pager (badged operator_badge:
// statistics and the policy, no faults), and after them:
inline constexpr Cptr loader_slot = 9;        // the loader (write, grant), badged operator_badge
inline constexpr Cptr console_slot = 10;      // a console client (write, grant)
inline constexpr Cptr notification_slot = 11; // its own notification (all rights)
inline constexpr Cptr first_image_slot = 12;

// The badge of every capability the shell holds to a server: far above
// any task id the loader gives (they count up from 2), so the loader and
// the pager never mistake the shell for one of their tasks.
inline constexpr uint64_t operator_badge = 1ull << 40;

// Requests to the root task on the registry endpoint (abi::registry::exited
// ends the session):
// memory() -> w0 bytes of RAM handed to the root task at boot, w1 bytes the
// root task still holds unallocated, w2 the loader's pool (bytes), w3 the
// pager's regions (bytes); in the IPC buffer w4 the pager's frame budget,
// w5 the TSC rate (Hz).
inline constexpr uint64_t memory = 16;
inline constexpr uint64_t memory_words = 6;
// ping() -> an empty reply at once: the far end of the shell's IPC
// round-trip benchmark.
inline constexpr uint64_t ping = 17;
// crash_console() -> the root task has the console server execute ud2 (a
// test of its supervision: the shell's next console call fails, and the
// shell ends). Replies when the server is gone.
inline constexpr uint64_t crash_console = 18;

}  // namespace abi::shell
