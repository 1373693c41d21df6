// System call dispatch: the table of handlers, then the status into rax
// and, where needed, a switch. The IPC fast path (object/ipc.cpp) has taken
// its calls before: syscall_entry.asm sends them there first.
#include "debug/log.hpp"
#include "object/cnode.hpp"
#include "sched/scheduler.hpp"
#include "syscall/call.hpp"
#include "trace/trace.hpp"

namespace syscall {

namespace {

Error unassigned(Call&) { return Error::unknown_syscall; }

// Indexed by abi::Syscall; the static_assert keeps the table and the ABI
// in step.
constexpr Handler handlers[] = {
    sys_debug_write,        sys_exit,
    sys_yield,              sys_cap_copy,
    sys_cap_mint,           sys_cap_move,
    sys_cap_delete,         sys_cap_revoke,
    sys_cap_identify,       sys_untyped_retype,
    sys_thread_configure,   sys_thread_set_priority,
    sys_thread_write_registers, sys_thread_read_registers,
    sys_thread_resume,      sys_thread_suspend,
    sys_page_table_map,     sys_frame_map,
    sys_frame_unmap,        sys_notification_signal,
    sys_notification_wait,  sys_notification_poll,
    sys_endpoint_send,      sys_endpoint_recv,
    sys_endpoint_call,      sys_endpoint_reply,
    sys_endpoint_reply_recv, sys_thread_bind_notification,
    sys_frame_protect,      sys_address_space_query,
    sys_system_poweroff,    sys_debug_timer_latency,
    sys_io_ports_issue,     sys_io_port_read,
    sys_io_port_write,      sys_irq_issue,
    sys_irq_set_notification, sys_irq_ack,
    sys_frame_physical_address,
    sys_frame_map_batch,    sys_trace_control,
    sys_trace_read,
    sys_thread_set_name,    sys_debug_thread_info,
    sys_debug_cspace_info,  sys_debug_endpoint_info,
    unassigned,                                     // 46: a call made on another branch
    sys_irq_issue_msi,      sys_irq_control_info,
};
static_assert(sizeof handlers / sizeof *handlers == size_t(abi::Syscall::count));

constexpr uint64_t syscall_instruction_length = 2;  // 0F 05

// The general path, in two versions (syscall_entry.asm calls one or the
// other through a traced call site, trace::CallSite): the traced one
// records each call's entry and exit, the other has no hook to cost the
// null call anything. The traced one's hooks are patched like every other
// so that a call turning tracing off records no exit.
template <bool traced>
[[gnu::always_inline]] inline arch::TrapFrame* dispatch(arch::TrapFrame* frame) {
    Thread* self = sched::current();
    uint64_t number = frame->rax;
    if constexpr (traced) trace::record(trace::Kind::syscall_enter, self->id, 0, number);
    Call call{self, *frame};
    Error status;
    if (number < sizeof handlers / sizeof *handlers) [[likely]] {
        status = handlers[number](call);
    } else {
        klog::warn("thread %lu: unknown system call %lu refused", self->id, number);
        status = Error::unknown_syscall;
    }
    if (self->state != object::ThreadState::running) [[unlikely]] return sched::schedule();
    // blocked and restart are the only negative outcomes.
    if (int64_t(status) >= 0) [[likely]] {
        frame->rax = uint64_t(abi::error_code(status));
    } else if (status == restart) {
        // A restarted call finds its number still in rax.
        frame->rip -= syscall_instruction_length;
        self->restarting = true;
    }
    if constexpr (traced) trace::record(trace::Kind::syscall_exit, self->id, 0, number, frame->rax);
    return sched::reschedule_pending() ? sched::schedule() : frame;
}

}  // namespace

}  // namespace syscall

extern "C" arch::TrapFrame* syscall_dispatch(arch::TrapFrame* frame) { return syscall::dispatch<false>(frame); }

extern "C" arch::TrapFrame* syscall_dispatch_traced(arch::TrapFrame* frame) {
    return syscall::dispatch<true>(frame);
}
