// The debug console: printing, powering off (tests and demos), and the
// kernel's own latency figure.
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/power.hpp"
#include "arch/x86_64/serial.hpp"
#include "syscall/call.hpp"
#include "syscall/user_access.hpp"

namespace syscall {

Error sys_debug_write(Call& c) {
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::write, console));
    uint64_t text = c.arg(1), length = c.arg(2);
    if (!is_user_range(text, length)) return Error::bad_address;
    char chunk[128];
    for (uint64_t done = 0; done < length;) {
        size_t n = length - done < sizeof chunk ? size_t(length - done) : sizeof chunk;
        if (!copy_from_user(chunk, text + done, n)) return Error::bad_address;
        for (size_t i = 0; i < n; ++i) arch::serial::put_char(chunk[i]);
        done += n;
    }
    return Error::none;
}

Error sys_system_poweroff(Call& c) {
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::write, console));
    arch::power::power_off(c.arg(1) != 0);
}

Error sys_debug_timer_latency(Call& c) {
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::read, console));
    c.frame.rdx = arch::lapic::longest_tick_latency_ns();
    if (c.arg(1)) arch::lapic::reset_tick_latency();
    return Error::none;
}

}  // namespace syscall
