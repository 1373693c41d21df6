#include "arch/x86_64/gdt.hpp"

#include "arch/x86_64/stacks.hpp"

namespace arch::gdt {

namespace detail {
TaskStateSegment task_state;
}
using detail::task_state;

namespace {

struct [[gnu::packed]] DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};


// Access byte 0x9A/0x92 (present, ring 0, code/data), 0xFA/0xF2 for ring 3;
// flag L (bit 53) marks 64-bit code.
uint64_t descriptors[7] = {
    0,
    0x00AF9A000000FFFF,  // kernel code
    0x00CF92000000FFFF,  // kernel data
    0x00CFF2000000FFFF,  // user data
    0x00AFFA000000FFFF,  // user code
    0, 0,                // TSS (16 bytes), filled in at init
};

}  // namespace

void init() {
    task_state.iomap_base = sizeof task_state;  // no I/O permission bitmap
    // The IST stacks, with their guard pages, are in stacks.cpp.
    task_state.ist[ist_double_fault - 1] = stacks::ist_stack_top(ist_double_fault);
    task_state.ist[ist_nmi - 1] = stacks::ist_stack_top(ist_nmi);
    task_state.ist[ist_machine_check - 1] = stacks::ist_stack_top(ist_machine_check);

    uint64_t base = uint64_t(&task_state);
    uint64_t limit = sizeof task_state - 1;
    descriptors[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                     ((base >> 24) & 0xFF) << 56;
    descriptors[6] = base >> 32;

    DescriptorPointer gdtr{sizeof descriptors - 1, uint64_t(descriptors)};
    asm volatile(
        "lgdt %0\n"
        "mov %1, %%ds\n"
        "mov %1, %%es\n"
        "mov %1, %%ss\n"
        "xor %%eax, %%eax\n"
        "mov %%eax, %%fs\n"
        "mov %%eax, %%gs\n"
        // A far return is the way to reload CS in long mode.
        "pushq %2\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "ltr %w3\n"
        :
        : "m"(gdtr), "r"(uint64_t(kernel_data)), "i"(kernel_code), "r"(uint64_t(tss))
        : "rax", "memory");
}


}  // namespace arch::gdt
