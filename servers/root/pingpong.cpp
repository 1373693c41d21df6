// run=pingpong [count=N] [busy=B]: the IPC demo. ping and pong exchange N
// messages in tasks of their own while B busy tasks (default 2) compete
// for the CPU at the same priority, so that the exchange is preempted
// throughout.
#include "common/format.hpp"
#include "root.hpp"
#include "services.hpp"

namespace root {

int run_ping_pong() {
    char count[24] = "1000", busy_value[8] = "2";
    command_line_value("count", count, sizeof count);
    command_line_value("busy", busy_value, sizeof busy_value);
    uint64_t busy_count = busy_value[0] >= '0' && busy_value[0] <= '4' ? uint64_t(busy_value[0] - '0') : 2;
    char tsc[24], pong_pid[24];
    lib::format_to(tsc, sizeof tsc, "%lu", context.info->tsc_hz);
    constexpr uint8_t priority = 100;

    sys::loader::Task pong, ping, busy[4];
    const char* pong_argv[] = {"pong", count};
    if (!run_program(2, pong_argv, priority, pong)) return 1;
    lib::format_to(pong_pid, sizeof pong_pid, "%lu", pong.pid);
    const char* ping_argv[] = {"ping", count, pong_pid, tsc};
    if (!run_program(4, ping_argv, priority, ping)) return 1;
    for (uint64_t i = 0; i < busy_count; ++i) {
        const char* names[] = {"1", "2", "3", "4"};
        const char* busy_argv[] = {"busy", names[i]};
        if (!run_program(2, busy_argv, priority, busy[i])) return 1;
    }
    sys::Cptr loader = start_loader();
    int64_t ping_status = sys::loader::wait(loader, ping);
    int64_t pong_status = sys::loader::wait(loader, pong);
    for (uint64_t i = 0; i < busy_count; ++i) sys::loader::kill(loader, busy[i]);
    sys::print("root: ping-pong finished: ping exited with %ld, pong with %ld; %lu busy tasks stopped\n", ping_status,
               pong_status, busy_count);
    return ping_status == 0 && pong_status == 0 ? 0 : 1;
}

}  // namespace root
