// Client side of the loader server (abi/task.hpp): start programs, wait for
// them, stop them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/syscalls.hpp"

namespace sys::loader {

using abi::Cptr;

struct Task {
    uint64_t pid = 0;
    Cptr exited = 0;      // notification signalled when it ends
    uint64_t memory = 0;  // bytes it was built from
    uint64_t pages = 0;   // user pages it got
    uint64_t page_tables = 0;
};

struct Options {
    uint8_t priority = 100;
    int envc = 0;
    const char* const* envp = nullptr;  // added to its environment (PID= is always there)
    Cptr lend = 0;  // a notification of ours the loader signals too when the task ends (0: none)
};

// Starts argv[0] from the initrd with argv. The exit notification lands in
// receive_slot (an empty slot of ours). On failure returns the error and
// copies the loader's reason into reason.
int64_t spawn(Cptr loader, int argc, const char* const* argv, const Options& options, Cptr receive_slot, Task& task,
              char* reason = nullptr, size_t reason_size = 0);

// Asks whether the task has ended: 1 (its exit status in status), 0 (it
// runs), or the loader's error.
int64_t status(Cptr loader, uint64_t pid, int64_t& status);

// Waits until the task ends; returns its exit status (killed: -9; killed by
// a fault: abi::loader::killed_by_fault_status(vector); see describe_status).
// An error from the loader (it died, say) comes back as a negated abi::Error.
int64_t wait(Cptr loader, const Task& task);

int64_t kill(Cptr loader, const Task& task);

// The name of a CPU exception vector, or of the fault vectors 256/257
// ("lost its address space", "lost its CNode"); "unknown vector" else.
const char* exception_name(uint64_t vector);

// An exit status as text: "exited with status 3", "killed",
// "killed by invalid opcode (vector 6)", "ended: its pager died".
// Writes at most size bytes (NUL included) to out and returns out.
const char* describe_status(int64_t status, char* out, size_t size);

}  // namespace sys::loader
