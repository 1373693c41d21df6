// Ending the machine's run: idle, halt, or power off.
//
// Under QEMU, tests attach the isa-debug-exit device (port 0xf4) so that the
// guest can report success or failure in QEMU's exit status:
// status = (value << 1) | 1, so 1 means success and 3 failure here. Without
// that device the write is ignored and ACPI power-off follows.
#pragma once

namespace arch::power {

// With poweroff=1 on the command line the kernel leaves QEMU when it has
// nothing left to do or panics, instead of halting forever.
void set_poweroff_when_done(bool enabled);
bool poweroff_when_done();

[[noreturn]] void power_off(bool success);

// Ends a panic: powers off with failure if so configured, else halts with
// interrupts off (the dump stays on screen; a debugger can still attach).
[[noreturn]] void halt_after_panic();

}  // namespace arch::power
