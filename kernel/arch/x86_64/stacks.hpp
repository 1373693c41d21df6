// The kernel's fixed stacks, each with an unmapped guard page directly below
// it, so that running off the bottom faults instead of overwriting whatever
// lies there.
//
// The stacks are page-aligned in .bss: the boot stack (entry.asm), the
// kernel stack every entry from user mode runs on (cpu_local.cpp) and the
// IST stacks of #DF, NMI and #MC (gdt.cpp). mm::init_kernel_space unmaps
// each guard page from the kernel image mapping, the address the stack is
// used through. (The same physical page stays reachable through the direct
// map; nothing uses it there.)
//
// An overflow then faults on the guard page. The CPU cannot push the #PF
// frame onto the same stack, so it raises #DF, which runs on an IST stack of
// its own; trap_dispatch looks the faulting address up here and panics with
// "<name> overflow".
#pragma once

#include <cstddef>
#include <cstdint>

namespace arch::stacks {

inline constexpr size_t guard_size = 4096;
inline constexpr size_t stack_size = 16384;

// A stack with its guard page below it; the guard is the first page.
struct alignas(4096) GuardedStack {
    uint8_t guard[guard_size];
    uint8_t stack[stack_size];

    uint64_t top() const { return uint64_t(stack + stack_size); }
};

enum class Id : unsigned { boot, kernel, double_fault, nmi, machine_check, count };

struct Range {
    const char* name;     // "kernel stack"
    uint64_t guard;       // first byte of the guard page
    uint64_t bottom;      // first byte of the stack (= guard + guard_size)
    uint64_t top;         // one past the last byte
};

const Range& range(Id id);

// The stack whose guard page holds address, or nullptr.
const Range* guard_holding(uint64_t address);

// Initial stack pointers of the kernel stack and of IST stack `slot`
// (gdt::ist_double_fault, ist_nmi, ist_machine_check).
uint64_t kernel_stack_top();
uint64_t ist_stack_top(uint8_t slot);

}  // namespace arch::stacks
