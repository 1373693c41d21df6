// Starting programs from the initrd in address spaces of their own. (The
// loader server takes this over; the ELF parser is already the shared one.)
#pragma once

#include <cstdint>

#include "sys/syscall.hpp"

namespace root {

struct Task {
    uint64_t pid;
    sys::Cptr cnode, thread, vspace, inbox;
};

// Loads `name` from the initrd, gives it the standard capabilities
// (abi/task.hpp), its argv and PID= in its environment, and starts it at
// `priority`. Returns false with the reason on the console.
bool spawn(const char* name, int argc, const char* const* argv, uint8_t priority, Task& task);

}  // namespace root
