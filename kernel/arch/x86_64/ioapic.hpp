// The I/O APIC(s) the MADT describes: global system interrupts (GSIs)
// routed to vectors of this CPU's local APIC, each with the trigger mode
// and polarity of its source (the MADT's overrides for ISA lines; PCI's
// level-triggered, active-low INTx above the sixteen ISA lines).
#pragma once

#include <cstdint>

#include "lib/acpi_tables.hpp"

namespace arch::ioapic {

// Takes the I/O APICs of the MADT: maps them and masks every input.
// False when the MADT has none usable (the PICs stay in charge).
bool init(const ::acpi::Madt& madt);

bool present();
// GSIs 0..gsi_count()-1 exist (the inputs of every I/O APIC, up to
// max_gsis).
unsigned gsi_count();
inline constexpr unsigned max_gsis = 48;

// The GSI an ISA IRQ arrives on (its override, else the same number).
unsigned gsi_of_isa(unsigned irq);

struct Mode {
    bool level;       // else edge
    bool active_low;  // else active high
};
Mode mode_of(unsigned gsi);

// Points the GSI at `vector` on this CPU, in its mode, masked.
void route(unsigned gsi, uint8_t vector);
void mask(unsigned gsi);
void unmask(unsigned gsi);

}  // namespace arch::ioapic
