// The register image interrupt_entry.asm builds on the stack for every
// interrupt and exception. Field order is the push order, reversed.
#pragma once

#include <cstdint>

namespace arch {

struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    // Pushed by the CPU.
    uint64_t rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};

static_assert(sizeof(TrapFrame) == 22 * 8);

}  // namespace arch
