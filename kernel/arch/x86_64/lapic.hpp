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

// This CPU's local APIC id: where I/O APIC entries and MSIs are sent.
uint8_t id();

// Called from the timer interrupt after the tick is counted.
void set_tick_handler(void (*handler)());

uint64_t timer_ticks();          // ticks since start_timer
uint32_t timer_hz();
uint64_t tsc_hz();               // TSC frequency measured at calibration
uint32_t timer_counts_per_tick();

// The longest delay seen between the timer firing and its interrupt being
// taken (the kernel's longest stretch with interrupts off, up to one tick
// period), in nanoseconds; and its reset.
uint64_t longest_tick_latency_ns();
void reset_tick_latency();

}  // namespace arch::lapic
