// The initial RAM disk: a cpio (newc) archive of user programs.
#pragma once

#include "boot/boot_info.hpp"

namespace boot {

// Lists every file of the initrd on the console; a malformed archive is
// reported with the reason and offset, and is then ignored.
void list_initrd(const BootInfo& info);

}  // namespace boot
