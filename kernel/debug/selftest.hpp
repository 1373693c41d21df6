// Kernel self tests, run at boot with "selftest" on the command line. They
// check the machinery user space cannot see directly (frame allocator, page
// tables, timer, symbols) and report TAP on the console, so the boot test
// can show each case.
#pragma once

#include "boot/boot_info.hpp"

namespace debug {

// Returns true if every test passed.
bool run_selftests(const boot::BootInfo& info);

}  // namespace debug
