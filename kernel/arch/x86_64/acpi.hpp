// The firmware's ACPI tables, as far as interrupt routing needs them: the
// MADT, found through the RSDP in the BIOS areas (lib/acpi_tables.hpp
// parses; this file finds and maps).
#pragma once

#include "lib/acpi_tables.hpp"

namespace arch::acpi {

// Reads the MADT into out. False (saying why in the log, unless there are
// simply no ACPI tables) when there is none to trust.
bool read_madt(::acpi::Madt& out);

}  // namespace arch::acpi
