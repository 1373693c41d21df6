// Interrupt lines, whichever controller carries them: the I/O APIC when
// the ACPI MADT describes one (lines are its GSIs, and the 8259 PICs are
// masked for good), else the legacy PIC pair (lines are its 16 inputs).
// object/irq.cpp hands lines to drivers through this interface only.
#pragma once

#include <cstdint>

namespace arch::interrupt_lines {

enum class Controller : uint8_t { pic, ioapic };

// Picks the controller (reads the MADT) and leaves every line masked.
// After the PICs are remapped and the local APIC is on.
void init();
Controller controller();
const char* controller_name();

// Lines 0..count()-1 exist.
unsigned count();
// Lines the kernel keeps: the PIT's and, on the PICs, the cascade (line 2);
// on the I/O APIC, GSI 0 and the GSI the PIT's ISA IRQ 0 is wired to.
bool reserved(unsigned line);

uint8_t vector_of(unsigned line);
// The line whose interrupts arrive at `vector`, if any.
bool line_of_vector(uint8_t vector, unsigned& line);

void mask(unsigned line);
void unmask(unsigned line);

// At the line's interrupt, before the local APIC's end of interrupt:
// masks the line and acknowledges the controller. False when it was
// spurious (a PIC's IRQ 7 or 15 withdrawn before the CPU took it).
bool take(unsigned line);

}  // namespace arch::interrupt_lines
