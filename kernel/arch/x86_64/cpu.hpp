// Thin wrappers over x86_64 instructions that C++ cannot express. Each is
// always_inline so that it costs exactly the instruction it names.
#pragma once

#include <cstdint>

namespace arch {

[[gnu::always_inline]] inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
[[gnu::always_inline]] inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
[[gnu::always_inline]] inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
[[gnu::always_inline]] inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
[[gnu::always_inline]] inline uint16_t inw(uint16_t port) {
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
[[gnu::always_inline]] inline uint32_t inl(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

[[gnu::always_inline]] inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}
[[gnu::always_inline]] inline void wrmsr(uint32_t msr, uint64_t v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(uint32_t(v)), "d"(uint32_t(v >> 32)));
}

[[gnu::always_inline]] inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

struct CpuidResult { uint32_t eax, ebx, ecx, edx; };
[[gnu::always_inline]] inline CpuidResult cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

#define ARCH_CONTROL_REGISTER(n)                                                   \
    [[gnu::always_inline]] inline uint64_t read_cr##n() {                          \
        uint64_t v;                                                                \
        asm volatile("mov %%cr" #n ", %0" : "=r"(v));                              \
        return v;                                                                  \
    }                                                                              \
    [[gnu::always_inline]] inline void write_cr##n(uint64_t v) {                   \
        asm volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                       \
    }
ARCH_CONTROL_REGISTER(0)
ARCH_CONTROL_REGISTER(2)
ARCH_CONTROL_REGISTER(3)
ARCH_CONTROL_REGISTER(4)
#undef ARCH_CONTROL_REGISTER

[[gnu::always_inline]] inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }
[[gnu::always_inline]] inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
[[gnu::always_inline]] inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
// sti takes effect after the next instruction, so "sti; hlt" cannot lose a
// wake-up interrupt between the two.
[[gnu::always_inline]] inline void enable_interrupts_and_halt() { asm volatile("sti; hlt" ::: "memory"); }
[[gnu::always_inline]] inline void halt() { asm volatile("hlt" ::: "memory"); }
[[gnu::always_inline]] inline uint64_t read_rbp() {
    uint64_t v;
    asm volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}

[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

namespace msr {
inline constexpr uint32_t efer = 0xC0000080;
inline constexpr uint32_t apic_base = 0x1B;
}  // namespace msr

namespace cr0 {
inline constexpr uint64_t task_switched = 1ull << 3;
inline constexpr uint64_t write_protect = 1ull << 16;
}
namespace cr4 {
inline constexpr uint64_t pge = 1ull << 7;
inline constexpr uint64_t osfxsr = 1ull << 9;
inline constexpr uint64_t osxmmexcpt = 1ull << 10;
inline constexpr uint64_t umip = 1ull << 11;
inline constexpr uint64_t smep = 1ull << 20;
inline constexpr uint64_t smap = 1ull << 21;
}  // namespace cr4
namespace efer {
inline constexpr uint64_t nxe = 1ull << 11;
}

}  // namespace arch
