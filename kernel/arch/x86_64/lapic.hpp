// The local APIC: interrupt acknowledgement and the periodic timer.
#pragma once

#include <cstdint>

namespace arch::lapic {

// Maps and enables the local APIC (spurious vector set, task priority 0).
// Panics if the CPU has none.
void init();

// Measures the LAPIC timer and TSC against the PIT, then starts the timer
// periodically at hz, raising interrupts::lapic_timer.
void start_timer(uint32_t hz);

void end_of_interrupt();

// Called from the timer interrupt after the tick is counted.
void set_tick_handler(void (*handler)());

uint64_t timer_ticks();          // ticks since start_timer
uint32_t timer_hz();
uint64_t tsc_hz();               // TSC frequency measured at calibration
uint32_t timer_counts_per_tick();

}  // namespace arch::lapic
