#include "arch/x86_64/cpu_local.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/gdt.hpp"
#include "arch/x86_64/stacks.hpp"

extern "C" void syscall_entry();

namespace arch {

namespace {

constexpr uint32_t msr_gs_base = 0xC0000101;
constexpr uint32_t msr_kernel_gs_base = 0xC0000102;
constexpr uint32_t msr_star = 0xC0000081;
constexpr uint32_t msr_lstar = 0xC0000082;
constexpr uint32_t msr_fmask = 0xC0000084;
constexpr uint64_t efer_sce = 1ull << 0;

// Flags cleared on syscall entry: IF (the kernel runs with interrupts off),
// TF (no single-stepping into the kernel), DF (the ABI wants it clear), AC
// (user must not leave SMAP open), NT.
constexpr uint64_t syscall_flag_mask = (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14);

}  // namespace

namespace detail {
CpuLocal local;
}
using detail::local;

void init_cpu_local_and_syscalls() {
    local.kernel_stack_top = stacks::kernel_stack_top();
    // In the kernel GS points at CpuLocal; user mode gets its own GS base
    // through the swapgs on every entry and exit.
    wrmsr(msr_gs_base, uint64_t(&local));
    wrmsr(msr_kernel_gs_base, 0);
    // STAR: kernel CS in 47:32; user selectors derive from 63:48 (sysret
    // loads CS = base + 16, SS = base + 8; see gdt.hpp).
    wrmsr(msr_star, (uint64_t(gdt::kernel_code) << 32) | (uint64_t(gdt::user_data - 8) << 48));
    wrmsr(msr_lstar, uint64_t(&syscall_entry));
    wrmsr(msr_fmask, syscall_flag_mask);
    wrmsr(msr::efer, rdmsr(msr::efer) | efer_sce);
}

}  // namespace arch
