// The seed's message-passing API: up to 256 bytes to a task named by its id,
// and from any task. It runs over endpoints: every task has an inbox, and
// the root task's registry hands out send capabilities to inboxes (cached
// here after the first use).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sys {

// This task's id (0 if the system did not give it one).
uint64_t my_pid();

// Sends len (<= 256) bytes to task pid, waiting until it receives them.
// Returns len, or a negated abi::Error.
int64_t send(uint64_t pid, const void* buf, size_t len);

// Waits for a message to this task; copies at most len bytes into buf.
// Returns the message's length (or a negated abi::Error); the sender's id
// goes to *from if given.
int64_t recv(void* buf, size_t len, uint64_t* from = nullptr);

// Called by the start-up code with main's result: tells the registry.
void report_exit(int status);

}  // namespace sys
