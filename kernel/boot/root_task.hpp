// The root task: the one user program the kernel starts by itself.
#pragma once

#include "boot/boot_info.hpp"

namespace boot {

// Turns all free memory into untyped capabilities, builds the root task
// from the initrd's "root" program (its CNode, thread, address space, image,
// stack, IPC buffer and boot-info page, all retyped from that memory), gives
// it every capability listed in abi/boot_info.hpp, and makes it ready to
// run. Returns false, with the reason on the console, if the program is
// missing or malformed: then nothing can run.
bool start_root_task(const BootInfo& info);

}  // namespace boot
