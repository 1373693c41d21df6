// The legacy 8259A PIC pair: remapped away from the exception vectors and
// masked. Lines are unmasked only for drivers in user space that hold the
// line's interrupt handler capability (object/irq.cpp); the kernel's own
// timer is the local APIC's.
#pragma once

#include <cstdint>

namespace arch::pic {

inline constexpr unsigned line_count = 16;
inline constexpr unsigned cascade_line = 2;

void remap_and_mask();
// Masks all sixteen lines, the cascade too: for when the I/O APIC takes
// over every interrupt.
void mask_all();
void mask(unsigned line);
void unmask(unsigned line);
// Acknowledges the interrupt of `line` (the slave and then the master).
void end_of_interrupt(unsigned line);
// Whether the PIC really has `line` in service: IRQ 7 and 15 may be
// spurious, raised and withdrawn before the CPU took them.
bool in_service(unsigned line);

}  // namespace arch::pic
