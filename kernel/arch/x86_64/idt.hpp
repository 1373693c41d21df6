// The interrupt descriptor table and the kernel's interrupt vectors.
#pragma once

#include <cstdint>

#include "arch/x86_64/trap_frame.hpp"

namespace arch::interrupts {

// Vector assignment. 0-31 are the CPU's exceptions.
inline constexpr uint8_t pic_base = 0x20;        // legacy PIC, remapped and masked
inline constexpr uint8_t lapic_timer = 0x40;
inline constexpr uint8_t ioapic_base = 0x50;     // GSI n at 0x50 + n (arch::ioapic::max_gsis of them)
inline constexpr uint8_t msi_base = 0x80;        // message-signalled interrupts, msi_count of them
inline constexpr unsigned msi_count = 64;
inline constexpr uint8_t lapic_spurious = 0xFF;  // low nibble must be all ones
inline constexpr unsigned exception_count = 32;
inline constexpr uint8_t nmi = 2;
inline constexpr uint8_t double_fault = 8;
inline constexpr uint8_t page_fault = 14;
inline constexpr uint8_t machine_check = 18;

using Handler = void (*)(TrapFrame& frame);

// Fills the IDT with every stub from interrupt_entry.asm and loads it.
void init();

// Routes a device vector (>= 32) to handler; exceptions are the kernel's own.
void set_handler(uint8_t vector, Handler handler);

// Name of exception vector v ("page fault"), or nullptr for v >= 32.
const char* exception_name(uint64_t vector);

}  // namespace arch::interrupts
