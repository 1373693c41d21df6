// The kernel's C++ entry: brings the machine up in dependency order.
#include <cstdint>

#include "arch/x86_64/boot_params.hpp"
#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/cpu_features.hpp"
#include "arch/x86_64/cpu_local.hpp"
#include "arch/x86_64/fpu.hpp"
#include "arch/x86_64/gdt.hpp"
#include "arch/x86_64/idt.hpp"
#include "arch/x86_64/lapic.hpp"
#include "arch/x86_64/pic.hpp"
#include "arch/x86_64/power.hpp"
#include "arch/x86_64/serial.hpp"
#include "boot/boot_info.hpp"
#include "boot/initrd.hpp"
#include "boot/root_task.hpp"
#include "debug/fault_injection.hpp"
#include "debug/log.hpp"
#include "debug/selftest.hpp"
#include "debug/symbols.hpp"
#include "kernel_config.hpp"
#include "mm/kernel_space.hpp"
#include "mm/physical_memory.hpp"
#include "object/irq.hpp"
#include "sched/scheduler.hpp"
#include "syscall/user_access.hpp"
#include "trace/trace.hpp"

extern "C" [[noreturn]] void resume_frame(arch::TrapFrame* frame);

namespace {

using InitFunction = void (*)();
extern "C" InitFunction __init_array_start[], __init_array_end[];

void run_global_constructors() {
    for (InitFunction* f = __init_array_start; f != __init_array_end; ++f) (*f)();
}

void configure_from_command_line(const lib::CommandLine& cmdline) {
    char value[16];
    klog::Level level;
    if (cmdline.value("loglevel", value, sizeof value)) {
        if (klog::parse_level(value, level)) klog::set_level(level);
        else klog::warn("cmdline: unknown loglevel '%s' (error, warn, info, debug)", value);
    }
    arch::power::set_poweroff_when_done(cmdline.flag("poweroff"));
}

// Waits for some timer ticks (timercheck=N, default 20; 1 to 10,000), so
// the log shows the timer is alive and how its ticks compare with the TSC.
// Every boot pays for it, so it is short; a test that needs the kernel
// idle in ring 0 for a while asks for more.
void show_timer_ticking(const lib::CommandLine& cmdline) {
    char value[24] = "";
    uint64_t wanted = 20;
    bool malformed = false;
    bool given = cmdline.number("timercheck", wanted, &malformed);
    if (malformed || (given && (wanted < 1 || wanted > 10000))) {
        cmdline.value("timercheck", value, sizeof value);
        klog::warn("cmdline: timercheck=%s is not 1 to 10000 ticks; 20 are counted", value);
        wanted = 20;
    }
    uint64_t start = arch::lapic::timer_ticks();
    uint64_t tsc_start = arch::rdtsc();
    while (arch::lapic::timer_ticks() - start < wanted) arch::enable_interrupts_and_halt();
    uint64_t elapsed_us = (arch::rdtsc() - tsc_start) * 1000000 / arch::lapic::tsc_hz();
    klog::info("timer: %lu ticks in %lu.%03lu ms of TSC time", arch::lapic::timer_ticks() - start,
               elapsed_us / 1000, elapsed_us % 1000);
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(uint64_t boot_params_phys) {
    arch::serial::init();
    uint64_t entry_tsc = arch::rdtsc();  // QEMU's TSC counts from reset: the firmware's share of boot
    run_global_constructors();
    klog::info("kernel: 64-bit C++ entry, boot_params at physical 0x%lx", boot_params_phys);

    arch::gdt::init();
    arch::interrupts::init();

    const boot::BootInfo info = boot::read_boot_params(boot_params_phys);
    configure_from_command_line(info.cmdline);
    klog::info("cmdline: \"%s\"", info.cmdline.text());

    auto features = arch::enable_protection_features();  // gdb-test: advance here
    klog::info("cpu: NX %s, SMEP %s, SMAP %s, UMIP %s, write protection on", features.nx ? "on" : "absent",
               features.smep ? "on" : "absent", features.smap ? "on" : "absent", features.umip ? "on" : "absent");

    mm::PhysRange initrd_range{info.initrd_phys, info.initrd_phys + info.initrd_size};
    mm::init_physical_memory(info.e820, info.e820_entries, &initrd_range, info.initrd_size ? 1 : 0);
    mm::init_kernel_space();
    klog::info("symbols: %u kernel functions known for backtraces", debug::symbols::count());

    arch::init_cpu_local_and_syscalls();
    syscall::set_smap(features.smap);
    size_t fpu_bytes = arch::fpu::init();
    klog::info("cpu: syscall/sysret on, FPU state %zu bytes (%s)", fpu_bytes,
               arch::fpu::has_avx() ? "x87, SSE, AVX via XSAVE" : "x87, SSE");
    sched::init();
    trace::configure(info.cmdline);

    arch::pic::remap_and_mask();
    arch::lapic::init();
    object::irq::init();  // lines (I/O APIC or PIC) and MSIs go to drivers that hold their handler capability
    arch::lapic::start_timer(config::timer_hz);
    arch::lapic::set_tick_handler(sched::tick);
    arch::enable_interrupts();

    boot::list_initrd(info);

    char fault[32];
    if (info.cmdline.value("fault", fault, sizeof fault)) debug::inject_fault(fault);

    bool ok = true;
    if (info.cmdline.flag("selftest")) ok = debug::run_selftests(info);
    show_timer_ticking(info.cmdline);
    klog::info("boot: the kernel was entered %lu us after reset, and is ready for user space %lu us after",
               entry_tsc * 1000000 / arch::lapic::tsc_hz(), arch::rdtsc() * 1000000 / arch::lapic::tsc_hz());

    if (!ok && arch::power::poweroff_when_done()) arch::power::power_off(false);

    // From here on user space runs the show; the kernel only answers
    // system calls and interrupts.
    arch::disable_interrupts();
    if (!boot::start_root_task(info)) {
        if (arch::power::poweroff_when_done()) arch::power::power_off(false);
        klog::info("kernel: nothing to run; idling");
    }
    sched::start();
    resume_frame(sched::schedule());
}
