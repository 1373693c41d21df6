// Per-CPU data reached through GS in the kernel (swapgs on every entry from
// user mode). The assembly entry paths use these fields by offset, so the
// layout is fixed and checked below.
#pragma once

#include <cstddef>
#include <cstdint>

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

CpuLocal& cpu_local();

// Sets up GS for the kernel, the syscall MSRs (STAR, LSTAR, FMASK) and
// EFER.SCE.
void init_cpu_local_and_syscalls();

// Where the next entry from user mode saves that thread's registers: the
// end of its TrapFrame. Both the TSS (interrupts) and GS (syscall) use it.
void set_user_context(void* context_end);

}  // namespace arch
