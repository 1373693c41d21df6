// The root task's start: take stock of what the kernel handed over, then do
// what the command line asks.
#include "common/string.hpp"
#include "root.hpp"
#include "sys/clock.hpp"
#include "sys/inspect.hpp"

namespace root {
Context context;
int run_attack_tests();  // tests.cpp
}

using namespace root;

int main(int, char**, char**) {
    const abi::BootInfo& info = *context.info;
    if (info.magic != abi::boot_info_magic) {
        sys::print("root: no boot-info page at 0x%lx\n", abi::boot_info_address);
        return 1;
    }
    sys::thread_set_name(abi::root_slot::thread, "root");  // what ps and the GDB helpers show
    context.slots.init(abi::root_slot::cnode, info.first_free_slot, 1ull << context.info->cnode_radix);
    uint64_t memory = 0, regions = 0;
    for (uint64_t i = 0; i < info.untyped.count; ++i) {
        if (info.untyped_list[i].is_device) continue;  // MMIO for drivers, not memory
        context.memory.add(info.untyped.first + i, info.untyped_list[i].size_bits);
        memory += 1ull << info.untyped_list[i].size_bits;
        ++regions;
    }
    context.first_line_tsc = sys::rdtsc();
    sys::print("root: running; %lu untyped regions (%lu MiB), initrd %lu bytes, %lu free slots\n",
               regions, memory >> 20, info.initrd_size,
               (uint64_t(1) << info.cnode_radix) - info.first_free_slot);

    char run[32] = "";
    command_line_value("run", run, sizeof run);
    int failures = 0;
    if (lib::equal(run, "tests")) failures = run_kernel_tests();
    else if (lib::equal(run, "attack")) failures = run_attack_tests();
    else if (lib::equal(run, "bench")) failures = run_benchmarks();
    else if (lib::equal(run, "pingpong")) failures = run_ping_pong();
    else if (lib::equal(run, "scale")) failures = run_scale();
    else if (lib::equal(run, "pager")) failures = run_pager_stress();
    else if (lib::equal(run, "fuzz")) failures = run_fuzz();
    else if (lib::equal(run, "crash")) failures = run_crash();
    else if (lib::equal(run, "loader-dies")) failures = run_loader_dies();
    else if (lib::equal(run, "blk")) failures = run_blk();
    else if (lib::equal(run, "blk-dies")) failures = run_blk_dies();
    else if (lib::equal(run, "shell")) failures = run_shell();
    else if (lib::equal(run, "console-flood")) failures = run_console_flood();
    else if (lib::equal(run, "trace-pingpong") || lib::equal(run, "trace-pager")) failures = run_trace(run);
    else if (!run[0] || lib::equal(run, "default")) failures = run_configuration();
    else sys::print("root: unknown run=%s (default, tests, attack, bench, pingpong, scale, pager, fuzz, crash, loader-dies, blk, blk-dies, shell, console-flood, trace-pingpong, trace-pager)\n", run), failures = 1;

    sys::print("root: done%s\n", failures ? " (with failures)" : "");
    if (command_line_has("poweroff")) sys::system_poweroff(abi::root_slot::console, failures == 0);
    return failures ? 1 : 0;
}
