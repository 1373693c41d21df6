// The 8254 PIT, used only as a known clock (1.193182 MHz) to calibrate the
// local APIC timer and the TSC.
#pragma once

#include <cstdint>

namespace arch::pit {

inline constexpr uint32_t frequency_hz = 1193182;

// Busy-waits `microseconds` (at most 50 ms) on PIT channel 2, calling
// nothing else; used with interrupts off during calibration.
void busy_wait_us(uint32_t microseconds);

}  // namespace arch::pit
