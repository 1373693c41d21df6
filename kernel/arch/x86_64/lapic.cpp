#include "arch/x86_64/lapic.hpp"

#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/pit.hpp"
#include "debug/log.hpp"
#include "debug/panic.hpp"
#include "mm/kernel_space.hpp"

namespace arch::lapic {

namespace {

// Register offsets (Intel SDM vol. 3, table 11-1).
constexpr uint32_t reg_id = 0x020;
constexpr uint32_t reg_task_priority = 0x080;
constexpr uint32_t reg_eoi = 0x0B0;
constexpr uint32_t reg_spurious = 0x0F0;
constexpr uint32_t reg_lvt_timer = 0x320;
constexpr uint32_t reg_timer_initial = 0x380;
constexpr uint32_t reg_timer_current = 0x390;
constexpr uint32_t reg_timer_divide = 0x3E0;

constexpr uint32_t apic_software_enable = 1u << 8;
constexpr uint32_t lvt_masked = 1u << 16;
constexpr uint32_t lvt_periodic = 1u << 17;
constexpr uint32_t divide_by_16 = 0x3;
constexpr uint32_t calibration_us = 10000;

volatile uint32_t* registers;
volatile uint64_t ticks;
uint32_t hz;
uint32_t counts_per_tick;
uint64_t measured_tsc_hz;

uint32_t read(uint32_t reg) { return registers[reg / 4]; }
void write(uint32_t reg, uint32_t value) { registers[reg / 4] = value; }

void (*tick_handler)();

// The longest time between the timer firing and its handler running, in
// timer counts: how long the kernel kept interrupts off at worst.
uint32_t longest_latency;
uint64_t timer_hz_measured;

void on_timer(TrapFrame&) {
    // The periodic timer reloads at zero and counts down from there, so
    // what it has consumed is the time since this interrupt fired.
    uint32_t latency = counts_per_tick - read(reg_timer_current);
    if (latency > longest_latency && latency < counts_per_tick) longest_latency = latency;
    ticks = ticks + 1;
    if (tick_handler) tick_handler();
}

}  // namespace

void init() {
    if (!(cpuid(1).edx & (1u << 9))) debug::panic("this CPU has no local APIC");
    uint64_t base = rdmsr(msr::apic_base) & ~0xFFFull;
    registers = static_cast<volatile uint32_t*>(mm::map_device(base, 4096));
    write(reg_task_priority, 0);
    write(reg_spurious, apic_software_enable | interrupts::lapic_spurious);
    klog::info("lapic: enabled at physical 0x%lx, id %u", base, read(reg_id) >> 24);
}

void start_timer(uint32_t frequency) {
    // Count down from the maximum for a PIT-timed interval; what was
    // consumed is the timer's rate. The TSC is measured in the same window.
    write(reg_timer_divide, divide_by_16);
    write(reg_lvt_timer, lvt_masked | interrupts::lapic_timer);
    write(reg_timer_initial, 0xFFFFFFFF);
    uint64_t tsc_start = rdtsc();
    pit::busy_wait_us(calibration_us);
    uint64_t tsc_end = rdtsc();
    uint32_t consumed = 0xFFFFFFFF - read(reg_timer_current);
    write(reg_timer_initial, 0);

    timer_hz_measured = uint64_t(consumed) * 1000000 / calibration_us;
    measured_tsc_hz = (tsc_end - tsc_start) * 1000000 / calibration_us;
    hz = frequency;
    counts_per_tick = uint32_t(timer_hz_measured / frequency);
    if (!counts_per_tick) debug::panic("lapic: timer too slow for %u Hz", frequency);

    interrupts::set_handler(interrupts::lapic_timer, on_timer);
    write(reg_lvt_timer, lvt_periodic | interrupts::lapic_timer);
    write(reg_timer_initial, counts_per_tick);
    klog::info("timer: LAPIC timer %lu Hz (divided by 16), TSC %lu MHz; ticking at %u Hz",
               timer_hz_measured, measured_tsc_hz / 1000000, frequency);
}

void end_of_interrupt() { write(reg_eoi, 0); }

uint8_t id() { return uint8_t(read(reg_id) >> 24); }

void set_tick_handler(void (*handler)()) { tick_handler = handler; }

uint64_t timer_ticks() { return ticks; }
uint32_t timer_hz() { return hz; }
uint64_t tsc_hz() { return measured_tsc_hz; }
uint32_t timer_counts_per_tick() { return counts_per_tick; }

uint64_t longest_tick_latency_ns() {
    return timer_hz_measured ? uint64_t(longest_latency) * 1000000000 / timer_hz_measured : 0;
}
void reset_tick_latency() { longest_latency = 0; }

}  // namespace arch::lapic
