#include "boot/boot_info.hpp"

#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "mm/physmap.hpp"

namespace boot {

BootInfo read_boot_params(uint64_t boot_params_phys) {
    const auto* bp = mm::phys_to_virt<const arch::BootParams>(boot_params_phys);
    if (bp->hdr.header != arch::setup_header_magic)
        debug::panic("boot: no setup header in boot_params at 0x%lx", boot_params_phys);

    size_t entries = bp->e820_entries;
    if (entries > arch::e820_max_entries) entries = arch::e820_max_entries;
    const char* cmdline = bp->hdr.cmd_line_ptr ? mm::phys_to_virt<const char>(bp->hdr.cmd_line_ptr) : "";

    klog::info("boot: protocol %u.%02u, loader type 0x%x, initrd at 0x%x (%u bytes)",
               bp->hdr.version >> 8, bp->hdr.version & 0xFF, bp->hdr.type_of_loader, bp->hdr.ramdisk_image,
               bp->hdr.ramdisk_size);
    return BootInfo{bp->e820_table, entries, bp->hdr.ramdisk_image, bp->hdr.ramdisk_size,
                    lib::CommandLine(cmdline)};
}

}  // namespace boot
