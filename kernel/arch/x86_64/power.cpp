#include "arch/x86_64/power.hpp"

#include "arch/x86_64/cpu.hpp"
#include "debug/log.hpp"

namespace arch::power {

namespace {
bool poweroff_enabled = false;
constexpr uint16_t qemu_debug_exit_port = 0xF4;
constexpr uint16_t acpi_pm1a_control = 0x604;  // QEMU's PIIX4/ICH9 PM block
constexpr uint16_t acpi_sleep_s5 = 0x2000;     // SLP_EN with SLP_TYP = S5
}  // namespace

void set_poweroff_when_done(bool enabled) { poweroff_enabled = enabled; }
bool poweroff_when_done() { return poweroff_enabled; }

void power_off(bool success) {
    disable_interrupts();
    klog::raw("kernel: powering off (%s)\n", success ? "success" : "failure");
    outl(qemu_debug_exit_port, success ? 0 : 1);
    outw(acpi_pm1a_control, acpi_sleep_s5);
    halt_forever();
}

void halt_after_panic() {
    if (poweroff_enabled) power_off(false);
    klog::raw("kernel: halted\n");
    halt_forever();
}

}  // namespace arch::power
