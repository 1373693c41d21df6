// The user threads' floating-point and vector state (x87, SSE, and AVX
// where the CPU has it). The kernel itself never touches these registers
// (-mgeneral-regs-only), so the registers always hold the state of the last
// user thread that used them, and are saved only when another thread uses
// them: a thread that is not that owner runs with CR0.TS set, and its
// first FPU or SSE instruction traps (#NM) to exchange the states
// (sched::claim_fpu). Switching between threads that leave the FPU alone
// costs a CR0.TS flip, no save and no restore.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arch/x86_64/cpu.hpp"

namespace arch::fpu {

// Largest save area this kernel supports; thread objects reserve this much.
inline constexpr size_t max_state_size = 1024;

// Enables SSE (and XSAVE with AVX where present) and prepares the state a
// new thread starts with. Returns the save area size in use.
size_t init();

// A clean state for a new thread (x87 and SSE control words at defaults).
void init_state(void* area);
void save(void* area);
void restore(const void* area);

bool has_avx();

namespace detail {
extern bool trapping;  // CR0.TS is set
}

// Whether the next FPU or SSE instruction in user mode traps (#NM). Writes
// CR0 only when that changes.
inline void trap_next_use(bool trap) {
    if (trap == detail::trapping) return;
    detail::trapping = trap;
    if (trap) write_cr0(read_cr0() | cr0::task_switched);
    else asm volatile("clts" ::: "memory");
}

}  // namespace arch::fpu
