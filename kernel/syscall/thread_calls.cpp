// Calls on threads: configuration, priority, registers, resume and
// suspend, notification binding; and a thread's own exit and yield.
#include <initializer_list>
#include <utility>

#include "debug/log.hpp"
#include "object/derive.hpp"
#include "object/ipc.hpp"
#include "object/lifecycle.hpp"
#include "sched/scheduler.hpp"
#include "syscall/call.hpp"
#include "syscall/user_access.hpp"

namespace syscall {

namespace {

bool is_user_address(uint64_t address) { return address < abi::user_address_limit; }

}  // namespace

Error sys_exit(Call& c) {
    c.self->exit_status = int64_t(c.arg(0));
    klog::debug("thread %lu: exited with status %ld", c.self->id, c.self->exit_status);
    object::stop(c.self);
    return blocked;
}

Error sys_yield(Call&) {
    sched::yield();
    return Error::none;
}

Error sys_thread_configure(Call& c) {
    continued(c);  // run again, it binds the same capabilities anew
    Slot *thread, *cspace, *vspace, *ipc_frame = nullptr, *fault = nullptr;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    TRY(lookup(c, c.arg(1), ObjectType::cnode, rights::write, cspace));
    TRY(lookup(c, c.arg(2), ObjectType::address_space, rights::write, vspace));
    if (c.arg(3)) TRY(lookup(c, c.arg(3), ObjectType::frame, rights::read | rights::write, ipc_frame));
    uint64_t ipc_address = c.arg(4);
    if (ipc_frame && (ipc_address & 0xFFF || !is_user_range(ipc_address, 4096))) return Error::bad_address;
    // The kernel copies messages into the IPC buffer: it must be RAM.
    if (ipc_frame && (ipc_frame->cap.flags & object::cap_flags::device)) return Error::bad_argument;
    if (c.arg(5)) TRY(lookup(c, c.arg(5), ObjectType::endpoint, rights::write, fault));
    Thread* t = object_at<Thread>(thread);
    if (t->state != object::ThreadState::inactive) return Error::not_permitted;

    // The thread's own slots get derived copies, marked as the thread's.
    for (auto [own, source] : {std::pair{&t->cspace, cspace}, std::pair{&t->vspace, vspace},
                               std::pair{&t->ipc_buffer, ipc_frame}, std::pair{&t->fault_handler, fault}}) {
        object::delete_capability(own);
        if (source && object::derive_into(source, own) == Error::none) own->cap.flags |= object::cap_flags::held_by_thread;
    }
    t->ipc_buffer_address = ipc_frame ? ipc_address : 0;
    // Old capabilities may have been the last of a CNode: a restarted call
    // binds the same again and finishes that destruction.
    return object::finish_destruction() == object::Progress::done ? Error::none : restart;
}

Error sys_thread_set_priority(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    uint64_t priority = c.arg(1), slice = c.arg(2);
    if (priority > abi::priority_max || slice > 10000) return Error::bad_argument;
    // No thread can raise another above itself: priority is authority.
    if (priority > c.self->priority) return Error::not_permitted;
    Thread* t = object_at<Thread>(thread);
    if (slice) t->time_slice = uint32_t(slice);
    sched::set_priority(t, uint8_t(priority));
    return Error::none;
}

Error sys_thread_write_registers(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    Thread* t = object_at<Thread>(thread);
    if (t == c.self) return Error::bad_argument;
    // Only a thread that is not in the middle of anything: a blocked
    // sender's registers are its message, already checked.
    if (t->state != object::ThreadState::inactive) return Error::not_permitted;
    abi::ThreadRegisters r;
    if (!copy_from_user(&r, c.arg(1), sizeof r)) return Error::bad_address;
    if (!is_user_address(r.rip) || !is_user_address(r.rsp)) return Error::bad_address;
    arch::TrapFrame& f = t->context;
    f.rip = r.rip, f.rsp = r.rsp;
    // Only the arithmetic flags, DF and AC are the thread's to set; IF stays
    // on and IOPL at 0.
    constexpr uint64_t user_flags = 0x0CD5 | (1u << 18);
    f.rflags = (r.rflags & user_flags) | 0x202;
    f.rax = r.rax, f.rbx = r.rbx, f.rcx = r.rcx, f.rdx = r.rdx, f.rsi = r.rsi, f.rdi = r.rdi, f.rbp = r.rbp;
    f.r8 = r.r8, f.r9 = r.r9, f.r10 = r.r10, f.r11 = r.r11, f.r12 = r.r12, f.r13 = r.r13, f.r14 = r.r14,
    f.r15 = r.r15;
    f.vector = 0;  // resume with iretq: every register, rcx and r11 included
    t->restarting = false;  // whatever it was doing, it starts afresh
    return Error::none;
}

Error sys_thread_read_registers(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::read, thread));
    const arch::TrapFrame& f = object_at<Thread>(thread)->context;
    abi::ThreadRegisters r{f.rip, f.rsp, f.rflags, f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp,
                           f.r8,  f.r9,  f.r10,    f.r11, f.r12, f.r13, f.r14, f.r15};
    if (!copy_to_user(c.arg(1), &r, sizeof r)) return Error::bad_address;
    return Error::none;
}

Error sys_thread_resume(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    Thread* t = object_at<Thread>(thread);
    if (!object::is_runnable_configuration(t)) return Error::bad_argument;
    if (t->state == object::ThreadState::inactive) sched::make_ready(t);
    return Error::none;
}

Error sys_thread_suspend(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    Thread* t = object_at<Thread>(thread);
    if (t != c.self) {
        object::stop(t);
        return Error::none;
    }
    c.frame.rax = 0;  // what the call returns once the thread is resumed
    object::stop(t);
    return blocked;
}

Error sys_thread_bind_notification(Call& c) {
    Slot *thread, *n = nullptr;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    if (c.arg(1)) TRY(lookup(c, c.arg(1), ObjectType::notification, rights::read, n));
    return object::ipc::bind(object_at<Thread>(thread), n ? object_at<object::Notification>(n) : nullptr);
}

}  // namespace syscall
