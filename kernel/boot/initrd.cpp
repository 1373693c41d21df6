#include "boot/initrd.hpp"

#include "debug/log.hpp"
#include "common/cpio.hpp"
#include "mm/physmap.hpp"

namespace boot {

void list_initrd(const BootInfo& info) {
    if (!info.initrd_size) {
        klog::warn("initrd: none was loaded (QEMU: -initrd build/initrd.img)");
        return;
    }
    const void* archive = mm::phys_to_virt(info.initrd_phys);
    cpio::Reader reader(archive, info.initrd_size);
    cpio::File file;
    size_t count = 0;
    klog::info("initrd: %lu bytes at physical 0x%lx:", info.initrd_size, info.initrd_phys);
    while (reader.next(file)) {
        klog::info("  %-24.*s %8zu bytes  mode %06o", int(file.name_length), file.name, file.size, file.mode);
        ++count;
    }
    if (reader.error() != cpio::Error::none) {
        klog::error("initrd: malformed archive at offset %zu: %s", reader.error_offset(),
                    cpio::describe(reader.error()));
        return;
    }
    klog::info("initrd: %zu files", count);
}

}  // namespace boot
