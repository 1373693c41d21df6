// What the kernel learns from the boot loader, in kernel terms.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/x86_64/boot_params.hpp"
#include "lib/command_line.hpp"

namespace boot {

struct BootInfo {
    const arch::E820Entry* e820;
    size_t e820_entries;
    uint64_t initrd_phys;
    uint64_t initrd_size;
    lib::CommandLine cmdline;
};

// Reads the boot_params page the setup stub built (through the direct map),
// checks its header, and prints what the loader handed over. Panics if the
// page is not a boot_params page: nothing could be trusted then.
BootInfo read_boot_params(uint64_t boot_params_phys);

}  // namespace boot
