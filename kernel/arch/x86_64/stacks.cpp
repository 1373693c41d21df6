#include "arch/x86_64/stacks.hpp"

#include "arch/x86_64/gdt.hpp"

// The boot stack is entry.asm's: the kernel needs it before any C++ runs.
extern "C" const uint8_t boot_stack_guard[], boot_stack[], boot_stack_top[];

namespace arch::stacks {

namespace {

// In a section of their own, so they sit together at the start of .bss.
[[gnu::section(".bss.stacks")]] GuardedStack kernel_stack;
[[gnu::section(".bss.stacks")]] GuardedStack ist_stacks[3];  // indexed by IST slot - 1

static_assert(sizeof(GuardedStack) == guard_size + stack_size);
static_assert(gdt::ist_double_fault == 1 && gdt::ist_nmi == 2 && gdt::ist_machine_check == 3);

Range ranges[unsigned(Id::count)];

Range of(const char* name, const GuardedStack& s) {
    return Range{name, uint64_t(s.guard), uint64_t(s.stack), s.top()};
}

const Range* table() {
    if (!ranges[0].name) {
        ranges[unsigned(Id::boot)] = Range{"boot stack", uint64_t(boot_stack_guard), uint64_t(boot_stack),
                                           uint64_t(boot_stack_top)};
        ranges[unsigned(Id::kernel)] = of("kernel stack", kernel_stack);
        ranges[unsigned(Id::double_fault)] = of("double-fault stack", ist_stacks[gdt::ist_double_fault - 1]);
        ranges[unsigned(Id::nmi)] = of("NMI stack", ist_stacks[gdt::ist_nmi - 1]);
        ranges[unsigned(Id::machine_check)] = of("machine-check stack", ist_stacks[gdt::ist_machine_check - 1]);
    }
    return ranges;
}

}  // namespace

const Range& range(Id id) { return table()[unsigned(id)]; }

const Range* guard_holding(uint64_t address) {
    const Range* r = table();
    for (unsigned i = 0; i < unsigned(Id::count); ++i)
        if (address >= r[i].guard && address < r[i].guard + guard_size) return &r[i];
    return nullptr;
}

uint64_t kernel_stack_top() { return kernel_stack.top(); }
uint64_t ist_stack_top(uint8_t slot) { return ist_stacks[slot - 1].top(); }

}  // namespace arch::stacks
