#include "debug/fault_injection.hpp"

#include <cstdint>

#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "lib/string.hpp"

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

void inject_fault(const char* kind) {
    struct Fault {
        const char* name;
        void (*trigger)();
    };
    static constexpr Fault faults[] = {
        {"page_fault", trigger_page_fault},         {"divide_error", trigger_divide_error},
        {"invalid_opcode", trigger_invalid_opcode}, {"general_protection", trigger_general_protection},
        {"panic", trigger_panic},
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
