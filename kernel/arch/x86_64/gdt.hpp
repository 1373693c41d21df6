// Segment descriptors and the task state segment.
//
// Long mode ignores segmentation except for privilege, so the GDT is fixed.
// Its order follows what syscall/sysret require: sysret derives the user
// selectors from one base, user data right before user code.
#pragma once

#include <cstdint>

namespace arch::gdt {

inline constexpr uint16_t kernel_code = 0x08;
inline constexpr uint16_t kernel_data = 0x10;
inline constexpr uint16_t user_data = 0x18 | 3;
inline constexpr uint16_t user_code = 0x20 | 3;
inline constexpr uint16_t tss = 0x28;

// Interrupt stack table slots (1-based, as the IDT encodes them). These
// exceptions get a stack of their own because they can strike while the
// current stack is unusable (a double fault from a kernel stack overflow)
// or at any instruction (NMI, machine check).
inline constexpr uint8_t ist_double_fault = 1;
inline constexpr uint8_t ist_nmi = 2;
inline constexpr uint8_t ist_machine_check = 3;

// Loads the GDT and TSS and reloads every segment register.
void init();

struct [[gnu::packed]] TaskStateSegment {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(TaskStateSegment) == 104);

namespace detail {
extern TaskStateSegment task_state;
}

// The stack the CPU switches to on an interrupt from user mode. Inline:
// every thread switch sets it.
inline void set_kernel_stack(uint64_t rsp0) { detail::task_state.rsp[0] = rsp0; }

}  // namespace arch::gdt
