// run=pingpong [count=N] [busy=B]: the IPC demo. ping and pong exchange N
// messages in address spaces of their own while B busy tasks (default 2)
// compete for the CPU at the same priority, so that the exchange is
// preempted throughout.
#include <initializer_list>

#include "lib/format.hpp"
#include "registry.hpp"
#include "root.hpp"
#include "spawn.hpp"

namespace root {

namespace {
void stop_task(const Task& task) {
    // Its own CNode holds copies of its capabilities: revoke them first.
    sys::thread_suspend(task.thread);
    for (sys::Cptr c : {task.thread, task.cnode, task.vspace, task.inbox}) {
        sys::cap_revoke(abi::root_slot::cnode, c);
        sys::cap_delete(abi::root_slot::cnode, c);
    }
}
}  // namespace

int run_ping_pong() {
    char value[24] = "1000";
    command_line_value("count", value, sizeof value);
    char tsc[24], pong_pid[24];
    lib::format_to(tsc, sizeof tsc, "%lu", context.info->tsc_hz);
    if (!start_registry()) return 1;

    char busy_value[8] = "2";
    command_line_value("busy", busy_value, sizeof busy_value);
    uint64_t busy_count = busy_value[0] >= '0' && busy_value[0] <= '4' ? uint64_t(busy_value[0] - '0') : 2;
    constexpr uint8_t priority = 100;
    Task pong, ping, busy[4];
    const char* pong_argv[] = {"pong", value};
    if (!spawn("pong", 2, pong_argv, priority, pong)) return 1;
    lib::format_to(pong_pid, sizeof pong_pid, "%lu", pong.pid);
    const char* ping_argv[] = {"ping", value, pong_pid, tsc};
    if (!spawn("ping", 4, ping_argv, priority, ping)) return 1;
    for (uint64_t i = 0; i < busy_count; ++i) {
        const char* names[] = {"1", "2", "3", "4"};
        const char* busy_argv[] = {"busy", names[i]};
        if (!spawn("busy", 2, busy_argv, priority, busy[i])) return 1;
    }
    int64_t ping_status = wait_for_exit(ping.pid);
    int64_t pong_status = wait_for_exit(pong.pid);
    for (uint64_t i = 0; i < busy_count; ++i) stop_task(busy[i]);
    sys::print("root: ping-pong finished: ping exited with %ld, pong with %ld; %lu busy tasks stopped\n", ping_status,
               pong_status, busy_count);
    return ping_status == 0 && pong_status == 0 ? 0 : 1;
}

}  // namespace root
