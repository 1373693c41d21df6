// Per-CPU data reached through GS in the kernel (swapgs on every entry from
// user mode). The assembly entry paths use these fields by offset, so the
// layout is fixed and checked below.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/x86_64/gdt.hpp"

namespace arch {

struct CpuLocal {
    uint64_t kernel_stack_top;  // the kernel runs on this stack for every entry from user mode
    uint64_t user_rsp_scratch;  // syscall entry parks the user's RSP here
    uint64_t context_end;       // end of the running thread's saved-register area
};

// Offsets used by syscall_entry.asm and interrupt_entry.asm.
inline constexpr size_t cpu_local_kernel_stack_top = 0;
inline constexpr size_t cpu_local_user_rsp_scratch = 8;
inline constexpr size_t cpu_local_context_end = 16;
static_assert(offsetof(CpuLocal, kernel_stack_top) == cpu_local_kernel_stack_top);
static_assert(offsetof(CpuLocal, user_rsp_scratch) == cpu_local_user_rsp_scratch);
static_assert(offsetof(CpuLocal, context_end) == cpu_local_context_end);

namespace detail {
extern CpuLocal local;
}

inline CpuLocal& cpu_local() { return detail::local; }

// Sets up GS for the kernel, the syscall MSRs (STAR, LSTAR, FMASK) and
// EFER.SCE.
void init_cpu_local_and_syscalls();

// Where the next entry from user mode saves that thread's registers: the
// end of its TrapFrame. Both the TSS (interrupts) and GS (syscall) use it.
// Inline: every thread switch sets it.
inline void set_user_context(void* context_end) {
    detail::local.context_end = uint64_t(context_end);
    gdt::set_kernel_stack(uint64_t(context_end));
}

}  // namespace arch
