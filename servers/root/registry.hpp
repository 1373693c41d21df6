// The registry: a thread of the root task that knows every task it started,
// hands out send capabilities to their inboxes (the seed's send(pid, ...)),
// and hears when they exit.
#pragma once

#include <cstdint>

#include "spawn.hpp"

namespace root {

// Starts the registry thread (once).
bool start_registry();
sys::Cptr registry_endpoint();
void register_task(const Task& task);

// Waits until the task has reported its exit; returns its status.
int64_t wait_for_exit(uint64_t pid);

}  // namespace root
