#include "arch/x86_64/fpu.hpp"

#include "arch/x86_64/cpu.hpp"
#include "debug/panic.hpp"
#include "common/string.hpp"

namespace arch::fpu {

namespace {

bool use_xsave = false;
bool avx = false;
size_t state_size = 512;
uint64_t xcr0 = 0;
alignas(64) uint8_t initial_state[max_state_size];

constexpr uint64_t cr0_monitor_coprocessor = 1ull << 1;
constexpr uint64_t cr0_emulation = 1ull << 2;
constexpr uint64_t cr4_osxsave = 1ull << 18;
constexpr uint64_t xcr0_x87 = 1, xcr0_sse = 2, xcr0_avx = 4;

void xsetbv(uint32_t index, uint64_t value) {
    asm volatile("xsetbv" ::"c"(index), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)));
}

}  // namespace

size_t init() {
    write_cr0((read_cr0() & ~(cr0_emulation | cr0::task_switched)) | cr0_monitor_coprocessor);
    uint64_t cr4 = read_cr4() | cr4::osfxsr | cr4::osxmmexcpt;
    auto leaf1 = cpuid(1);
    bool has_xsave = leaf1.ecx & (1u << 26);
    avx = has_xsave && (leaf1.ecx & (1u << 28));
    if (has_xsave) {
        write_cr4(cr4 | cr4_osxsave);
        xcr0 = xcr0_x87 | xcr0_sse | (avx ? xcr0_avx : 0);
        xsetbv(0, xcr0);
        state_size = cpuid(0xD, 0).ebx;  // size for the features now enabled in XCR0
        use_xsave = true;
    } else {
        write_cr4(cr4);
    }
    if (state_size > max_state_size) debug::panic("fpu: save area of %zu bytes is too large", state_size);

    // Capture a clean register state once; new threads start from a copy.
    asm volatile("fninit");
    uint32_t mxcsr = 0x1F80;  // all SIMD exceptions masked, round to nearest
    asm volatile("ldmxcsr %0" ::"m"(mxcsr));
    save(initial_state);
    return state_size;
}

void init_state(void* area) { memcpy(area, initial_state, state_size); }

void save(void* area) {
    if (use_xsave) asm volatile("xsave64 (%0)" ::"r"(area), "a"(uint32_t(xcr0)), "d"(uint32_t(xcr0 >> 32)) : "memory");
    else asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void restore(const void* area) {
    if (use_xsave) asm volatile("xrstor64 (%0)" ::"r"(area), "a"(uint32_t(xcr0)), "d"(uint32_t(xcr0 >> 32)) : "memory");
    else asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

bool has_avx() { return avx; }

namespace detail {
bool trapping;  // init() clears TS
}

}  // namespace arch::fpu
