#include "mm/kernel_space.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/paging.hpp"
#include "arch/x86_64/stacks.hpp"
#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "mm/kernel_image.hpp"
#include "mm/physical_memory.hpp"

namespace mm {

namespace {

using namespace arch::paging;

uint64_t root;
// Device mappings go above the kernel image, in the last GiB.
uint64_t next_device_va = 0xFFFFFFFFC0000000ull;

void map_or_panic(uint64_t va, uint64_t pa, uint64_t page_flags, uint64_t size) {
    Error e = map(root, va, pa, page_flags, size, allocate_zeroed_frame);
    if (e != Error::none) debug::panic("kernel space: cannot map 0x%lx: %s", va, describe(e));
}

void map_image_range(const char* start, const char* end, uint64_t page_flags) {
    for (uint64_t va = uint64_t(start); va < uint64_t(end); va += small_page)
        map_or_panic(va, kernel_virt_to_phys(reinterpret_cast<const void*>(va)), page_flags, small_page);
}

}  // namespace

void init_kernel_space() {
    if (!allocate_zeroed_frame(root)) debug::panic("kernel space: no frame for the PML4");

    const RangeSet& ram = usable_ram();
    uint64_t mapped_end = 0;
    for (size_t i = 0; i < ram.count(); ++i) {
        uint64_t start = ram[i].base & ~(large_page - 1);
        if (start < mapped_end) start = mapped_end;
        for (uint64_t pa = start; pa < ram[i].end; pa += large_page)
            map_or_panic(direct_map_base + pa, pa, flags::writable | flags::no_execute | flags::global,
                         large_page);
        if (start < ram[i].end) mapped_end = (ram[i].end + large_page - 1) & ~(large_page - 1);
    }

    map_image_range(__kernel_start, __text_end, flags::global);
    map_image_range(__text_end, __rodata_end, flags::no_execute | flags::global);
    map_image_range(__rodata_end, __kernel_end, flags::writable | flags::no_execute | flags::global);

    arch::write_cr3(root);
    // Guard pages under the kernel's stacks. Unmapped only now, from the
    // active tables, so that unmap's invlpg also drops whatever the boot
    // tables' 2 MiB pages left in the TLB for them.
    for (unsigned i = 0; i < unsigned(arch::stacks::Id::count); ++i) {
        const arch::stacks::Range& stack = arch::stacks::range(arch::stacks::Id(i));
        Error e = unmap(root, stack.guard);
        if (e != Error::none) debug::panic("kernel space: cannot unmap the %s guard page: %s", stack.name, describe(e));
    }
    klog::info("paging: kernel page tables active (direct map of %lu MiB, text RX, rodata R, data RW%s, %u stack guard pages)",
               mapped_end >> 20, nx_enabled() ? ", NX on" : ", no NX on this CPU", unsigned(arch::stacks::Id::count));
}

uint64_t kernel_root() { return root; }

void* map_device(uint64_t physical, size_t size) {
    uint64_t offset = physical & (small_page - 1);
    uint64_t va = next_device_va;
    for (uint64_t done = 0; done < offset + size; done += small_page)
        map_or_panic(va + done, (physical - offset) + done,
                     flags::writable | flags::no_execute | flags::cache_disable | flags::write_through,
                     small_page);
    next_device_va += (offset + size + small_page - 1) & ~(small_page - 1);
    return reinterpret_cast<void*>(va + offset);
}

}  // namespace mm
