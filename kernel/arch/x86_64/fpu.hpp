// The user threads' floating-point and vector state (x87, SSE, and AVX
// where the CPU has it). The kernel itself never touches these registers
// (-mgeneral-regs-only), so the registers always hold the state of the last
// user thread that ran, and are saved only when another thread needs them.
#pragma once

#include <cstddef>
#include <cstdint>

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

}  // namespace arch::fpu
