// What every system-call handler shares: the call's registers, the
// capability lookups, and the kernel-internal outcomes of a handler.
//
// A handler decodes first -- looks up each capability in the caller's
// CNode, checks its type and rights, checks every argument -- and changes
// state only after all checks pass, so a refused call has no effect. It
// returns a status; syscall_dispatch puts it in rax (0, or a negated
// abi::Error). Values a call returns go into other registers of the
// frame, never into rax.
#pragma once

#include "arch/x86_64/trap_frame.hpp"
#include "object/capability.hpp"
#include "object/cnode.hpp"
#include "object/thread.hpp"

namespace syscall {

using abi::ObjectType;
using object::Capability;
using object::Error;
using object::Slot;
using object::Thread;
namespace rights = abi::rights;

// Outcomes beyond abi::Error, never seen by user space.
//
// A handler that may return `restart` reads and clears Thread::restarting
// (with continued()) before anything else: the restarted call is always
// the thread's very next one, so the flag is consumed there and nowhere
// else pays for it.
// The thread blocked or stopped: whoever wakes it sets its status.
inline constexpr Error blocked = Error(-1);
// Preempted in a long operation whose progress is kept in the objects:
// the call runs again when the thread next runs.
inline constexpr Error restart = Error(-2);

struct Call {
    Thread* self;
    arch::TrapFrame& frame;

    uint64_t arg(unsigned i) const {
        const uint64_t values[] = {frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9};
        return values[i];
    }
};

// The capability the caller names by cptr, of `type` (null: any) with
// `needed` rights.
inline Error lookup(const Call& c, uint64_t cptr, ObjectType type, uint8_t needed, Slot*& out) {
    Error e = Error::none;
    out = object::cnode::find(c.self->cspace.cap, cptr, type, needed, e);
    return e;
}

// A slot named by (CNode cptr, index), empty or not: the target of copies
// and retypes, or what delete and revoke work on.
inline Error lookup_slot(const Call& c, uint64_t cnode_cptr, uint64_t index, Slot*& out) {
    Slot* cnode;
    if (Error e = lookup(c, cnode_cptr, ObjectType::cnode, rights::write, cnode); e != Error::none) return e;
    out = object::cnode::slot_at(cnode->cap, index);
    return out ? Error::none : Error::bad_argument;
}

// Whether this call is a preempted one run again; clears the mark.
inline bool continued(Call& c) {
    bool again = c.self->restarting;
    c.self->restarting = false;
    return again;
}

template <typename T>
T* object_at(const Slot* s) {
    return reinterpret_cast<T*>(s->cap.object);
}

#define TRY(expression)                                          \
    do {                                                         \
        if (::syscall::Error e_ = (expression); e_ != ::syscall::Error::none) return e_; \
    } while (0)

using Handler = Error (*)(Call&);

// The handlers, one file per kind of object.
Error sys_debug_write(Call&);
Error sys_system_poweroff(Call&);
Error sys_debug_timer_latency(Call&);
Error sys_cap_copy(Call&);
Error sys_cap_mint(Call&);
Error sys_cap_move(Call&);
Error sys_cap_delete(Call&);
Error sys_cap_revoke(Call&);
Error sys_cap_identify(Call&);
Error sys_untyped_retype(Call&);
Error sys_exit(Call&);
Error sys_yield(Call&);
Error sys_thread_configure(Call&);
Error sys_thread_set_priority(Call&);
Error sys_thread_write_registers(Call&);
Error sys_thread_read_registers(Call&);
Error sys_thread_resume(Call&);
Error sys_thread_suspend(Call&);
Error sys_thread_bind_notification(Call&);
Error sys_page_table_map(Call&);
Error sys_frame_map(Call&);
Error sys_frame_unmap(Call&);
Error sys_frame_protect(Call&);
Error sys_address_space_query(Call&);
Error sys_notification_signal(Call&);
Error sys_notification_wait(Call&);
Error sys_notification_poll(Call&);
Error sys_endpoint_send(Call&);
Error sys_endpoint_recv(Call&);
Error sys_endpoint_call(Call&);
Error sys_endpoint_reply(Call&);
Error sys_endpoint_reply_recv(Call&);
Error sys_io_ports_issue(Call&);
Error sys_io_port_read(Call&);
Error sys_io_port_write(Call&);
Error sys_irq_issue(Call&);
Error sys_irq_set_notification(Call&);
Error sys_irq_ack(Call&);
Error sys_frame_physical_address(Call&);
Error sys_trace_control(Call&);
Error sys_trace_read(Call&);
Error sys_thread_set_name(Call&);
Error sys_debug_thread_info(Call&);
Error sys_debug_cspace_info(Call&);
Error sys_debug_endpoint_info(Call&);
// MSI and the routing of interrupts (docs/drivers.md, "Interrupt routing")
Error sys_irq_issue_msi(Call&);
Error sys_irq_control_info(Call&);

}  // namespace syscall
