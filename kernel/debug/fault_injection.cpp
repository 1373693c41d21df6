#include "debug/fault_injection.hpp"

#include <cstdint>

#include "arch/x86_64/stacks.hpp"
#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "common/string.hpp"

namespace debug {

namespace {
// An address in the unmapped lower half: what a stray user pointer looks like.
constexpr uintptr_t unmapped_address = 0xDEAD000;
}  // namespace

void trigger_page_fault() { *reinterpret_cast<volatile uint64_t*>(unmapped_address) = 0x1234; }

void trigger_divide_error() {
    volatile uint64_t zero = 0;
    uint64_t low = 1, high = 0;
    asm volatile("divq %2" : "+a"(low), "+d"(high) : "r"(zero));
}

void trigger_invalid_opcode() { asm volatile("ud2"); }

void trigger_general_protection() {
    // A non-canonical address raises #GP rather than a page fault.
    *reinterpret_cast<volatile uint64_t*>(0x8000000000000000ull) = 0;
}

void trigger_panic() { panic("deliberate panic requested on the command line"); }

namespace {

// Never reached: a bound the compiler cannot see through, so the recursion
// is not flagged as infinite and cannot be cut short.
volatile uint64_t recursion_limit = ~0ull;

}  // namespace

// Not a tail call (the result is used after the call) and a volatile frame
// the compiler must keep: every level really takes stack.
uint64_t recurse_without_end(uint64_t depth) {
    volatile uint64_t frame[16];
    frame[depth % 16] = depth;
    if (depth == recursion_limit) return 0;
    return recurse_without_end(depth + 1) + frame[(depth + 1) % 16];
}

void trigger_boot_stack_overflow() { recurse_without_end(0); }

void trigger_stack_overflow() {
    // Boot code runs on the boot stack; the kernel stack (the one every
    // entry from user mode runs on) is free until the first thread runs.
    // Recurse there. The old frame pointer stays, so backtraces still work.
    asm volatile(
        "mov %0, %%rsp\n"
        "call *%1\n"
        "ud2\n"
        :
        : "r"(arch::stacks::kernel_stack_top()), "r"(&trigger_boot_stack_overflow)
        : "memory");
    __builtin_unreachable();
}

void inject_fault(const char* kind) {
    struct Fault {
        const char* name;
        void (*trigger)();
    };
    static constexpr Fault faults[] = {
        {"page_fault", trigger_page_fault},         {"divide_error", trigger_divide_error},
        {"invalid_opcode", trigger_invalid_opcode}, {"general_protection", trigger_general_protection},
        {"panic", trigger_panic},
        {"stack_overflow", trigger_stack_overflow}, {"boot_stack_overflow", trigger_boot_stack_overflow},
    };
    for (const Fault& f : faults) {
        if (lib::equal(f.name, kind)) {
            klog::warn("fault injection: triggering %s as asked on the command line", kind);
            f.trigger();
        }
    }
    klog::warn("fault injection: unknown kind '%s' ignored", kind);
}

}  // namespace debug
