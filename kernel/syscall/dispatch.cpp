// System call decoding and dispatch.
//
// Every handler decodes first -- looks up each capability in the caller's
// CNode, checks its type and rights, checks every argument -- and changes
// state only after all checks pass, so a refused call has no effect. The
// result goes back in rax (0/positive, or a negated abi::Error). Calls that
// may block set the caller's registers themselves when they complete and
// return keep_registers.
#include "abi/ipc.hpp"
#include "arch/x86_64/power.hpp"
#include "arch/x86_64/serial.hpp"
#include "arch/x86_64/trap_frame.hpp"
#include "debug/log.hpp"
#include "object/address_space.hpp"
#include "object/cap_tree.hpp"
#include "object/cnode.hpp"
#include "object/ipc.hpp"
#include "object/lifecycle.hpp"
#include "object/thread.hpp"
#include "sched/scheduler.hpp"
#include "syscall/user_access.hpp"

namespace syscall {

namespace {

using abi::ObjectType;
using object::Capability;
using object::Error;
using object::Slot;
using object::Thread;
namespace rights = abi::rights;

constexpr int64_t keep_registers = INT64_MIN;
constexpr uint64_t max_retype_count = 256;

int64_t fail(Error e) { return abi::error_code(e); }

struct Call {
    Thread* self;
    arch::TrapFrame& frame;
    uint64_t arg(unsigned i) const {
        const uint64_t values[] = {frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9};
        return values[i];
    }
};

// Finds the capability the caller names by cptr and checks its type (null:
// any) and rights.
Error lookup(const Call& c, uint64_t cptr, ObjectType type, uint8_t needed, Slot*& out) {
    Slot* slot = object::cnode::slot_at(c.self->cspace.cap, cptr);
    if (!slot || slot->cap.is_null()) return Error::invalid_capability;
    if (type != ObjectType::null && slot->cap.type != type) return Error::wrong_type;
    if ((slot->cap.rights & needed) != needed) return Error::insufficient_rights;
    out = slot;
    return Error::none;
}

// A slot named by (CNode cptr, index): the target of copies and retypes.
Error lookup_slot(const Call& c, uint64_t cnode_cptr, uint64_t index, Slot*& out) {
    Slot* cnode;
    if (Error e = lookup(c, cnode_cptr, ObjectType::cnode, rights::write, cnode); e != Error::none) return e;
    out = object::cnode::slot_at(cnode->cap, index);
    return out ? Error::none : Error::bad_argument;
}

// Source and empty destination of copy, mint and move.
Error lookup_transfer(const Call& c, Slot*& dst, Slot*& src) {
    if (Error e = lookup_slot(c, c.arg(0), c.arg(1), dst); e != Error::none) return e;
    if (Error e = lookup_slot(c, c.arg(2), c.arg(3), src); e != Error::none) return e;
    if (src->cap.is_null()) return Error::invalid_capability;
    if (!dst->cap.is_null()) return Error::slot_occupied;
    return Error::none;
}

#define TRY(expression)                                   \
    do {                                                  \
        if (Error e_ = (expression); e_ != Error::none) return fail(e_); \
    } while (0)

Thread* thread_at(const Slot* s) { return reinterpret_cast<Thread*>(s->cap.object); }

// --- console and life ---------------------------------------------------------

int64_t sys_debug_write(Call& c) {
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::write, console));
    uint64_t text = c.arg(1), length = c.arg(2);
    if (!is_user_range(text, length)) return fail(Error::bad_address);
    char chunk[128];
    for (uint64_t done = 0; done < length;) {
        size_t n = length - done < sizeof chunk ? size_t(length - done) : sizeof chunk;
        if (!copy_from_user(chunk, text + done, n)) return fail(Error::bad_address);
        for (size_t i = 0; i < n; ++i) arch::serial::put_char(chunk[i]);
        done += n;
    }
    return int64_t(length);
}

int64_t sys_exit(Call& c) {
    c.self->exit_status = int64_t(c.arg(0));
    klog::debug("thread %lu: exited with status %ld", c.self->id, c.self->exit_status);
    object::stop(c.self);
    return keep_registers;
}

int64_t sys_yield(Call&) {
    sched::yield();
    return 0;
}

int64_t sys_system_poweroff(Call& c) {
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::write, console));
    arch::power::power_off(c.arg(1) != 0);
}

// --- capabilities -------------------------------------------------------------

int64_t copy_capability(Call& c, uint8_t rights_mask, uint64_t badge) {
    Slot *dst, *src;
    TRY(lookup_transfer(c, dst, src));
    Capability cap = src->cap;
    // Untyped memory has one owner at a time: sharing it would let two
    // holders retype the same bytes.
    if (cap.type == ObjectType::untyped) return fail(Error::bad_argument);
    bool badged_type = cap.type == ObjectType::endpoint || cap.type == ObjectType::notification;
    if (badge && (!badged_type || cap.data)) return fail(Error::bad_argument);
    cap.rights &= rights_mask;
    if (badge) cap.data = badge;
    if (cap.type == ObjectType::frame || cap.type == ObjectType::page_table) cap.asid = 0, cap.data = 0;  // a copy maps anew
    object::install(src, dst, cap);
    return 0;
}

int64_t sys_cap_copy(Call& c) { return copy_capability(c, rights::all, 0); }
int64_t sys_cap_mint(Call& c) { return copy_capability(c, uint8_t(c.arg(4)), c.arg(5)); }

int64_t sys_cap_move(Call& c) {
    Slot *dst, *src;
    TRY(lookup_transfer(c, dst, src));
    object::cap_tree::move(src, dst);
    return 0;
}

int64_t sys_cap_delete(Call& c) {
    Slot* slot;
    TRY(lookup_slot(c, c.arg(0), c.arg(1), slot));
    object::delete_capability(slot);
    return 0;
}

int64_t sys_cap_revoke(Call& c) {
    Slot* slot;
    TRY(lookup_slot(c, c.arg(0), c.arg(1), slot));
    if (slot->cap.is_null()) return fail(Error::invalid_capability);
    object::revoke_capability(slot);
    return 0;
}

int64_t sys_cap_identify(Call& c) {
    Slot* slot;
    TRY(lookup(c, c.arg(0), ObjectType::null, 0, slot));
    c.frame.rdx = slot->cap.data;
    return int64_t(slot->cap.type) | int64_t(slot->cap.rights) << 8 | int64_t(slot->cap.size_bits) << 16;
}

int64_t sys_untyped_retype(Call& c) {
    Slot* untyped;
    TRY(lookup(c, c.arg(0), ObjectType::untyped, rights::write, untyped));
    auto type = ObjectType(c.arg(1));
    uint64_t size_bits = c.arg(2), count = c.arg(5);
    if (c.arg(1) >= uint64_t(ObjectType::count) || type == ObjectType::debug_console || size_bits > 63)
        return fail(Error::bad_argument);
    uint64_t size = object::object_size(type, unsigned(size_bits));
    if (!size || count == 0 || count > max_retype_count) return fail(Error::bad_argument);
    // A child region as large as its parent would be the same object to
    // the derivation tree; it could never be told apart.
    if (type == ObjectType::untyped && size_bits >= untyped->cap.size_bits) return fail(Error::bad_argument);
    Slot* cnode;
    TRY(lookup(c, c.arg(3), ObjectType::cnode, rights::write, cnode));
    uint64_t first = c.arg(4);
    if (first == 0 || first >= object::cnode::slot_count(cnode->cap) ||
        count > object::cnode::slot_count(cnode->cap) - first)
        return fail(Error::bad_argument);
    Slot* targets = object::cnode::slots(cnode->cap) + first;
    for (uint64_t i = 0; i < count; ++i)
        if (!targets[i].cap.is_null()) return fail(Error::slot_occupied);
    uint64_t region = 1ull << untyped->cap.size_bits;
    uint64_t offset = (untyped->cap.data + size - 1) & ~(size - 1);  // objects are size-aligned
    if (offset > region || count > (region - offset) / size) return fail(Error::out_of_memory);
    if (type == ObjectType::address_space && !object::address_space::asids_available(uint32_t(count)))
        return fail(Error::out_of_memory);

    for (uint64_t i = 0; i < count; ++i) {
        Capability cap;
        object::create_object(type, unsigned(size_bits), untyped->cap.object + offset + i * size, cap);
        object::install(untyped, &targets[i], cap);
    }
    untyped->cap.data = offset + count * size;
    return 0;
}

// --- threads ----------------------------------------------------------------

int64_t sys_thread_configure(Call& c) {
    Slot *thread, *cspace, *vspace, *ipc_frame = nullptr, *fault = nullptr;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    TRY(lookup(c, c.arg(1), ObjectType::cnode, rights::write, cspace));
    TRY(lookup(c, c.arg(2), ObjectType::address_space, rights::write, vspace));
    if (c.arg(3)) TRY(lookup(c, c.arg(3), ObjectType::frame, rights::read | rights::write, ipc_frame));
    uint64_t ipc_address = c.arg(4);
    if (ipc_frame && (ipc_address & 0xFFF || !is_user_range(ipc_address, 4096))) return fail(Error::bad_address);
    if (c.arg(5)) TRY(lookup(c, c.arg(5), ObjectType::endpoint, rights::write, fault));
    Thread* t = thread_at(thread);
    if (t->state != object::ThreadState::inactive) return fail(Error::not_permitted);

    auto bind = [](Slot* internal, Slot* source) {
        object::delete_capability(internal);
        if (!source) return;
        Capability cap = source->cap;
        if (cap.type == ObjectType::frame) cap.asid = 0, cap.data = 0;
        object::install(source, internal, cap);
    };
    bind(&t->cspace, cspace);
    bind(&t->vspace, vspace);
    bind(&t->ipc_buffer, ipc_frame);
    bind(&t->fault_handler, fault);
    t->ipc_buffer_address = ipc_frame ? ipc_address : 0;
    return 0;
}

int64_t sys_thread_set_priority(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    uint64_t priority = c.arg(1), slice = c.arg(2);
    if (priority > abi::priority_max || slice > 10000) return fail(Error::bad_argument);
    // No thread can raise another above itself: priority is authority.
    if (priority > c.self->priority) return fail(Error::not_permitted);
    Thread* t = thread_at(thread);
    if (slice) t->time_slice = uint32_t(slice);
    sched::set_priority(t, uint8_t(priority));
    return 0;
}

int64_t sys_thread_write_registers(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    Thread* t = thread_at(thread);
    if (t == c.self) return fail(Error::bad_argument);
    abi::ThreadRegisters r;
    if (!copy_from_user(&r, c.arg(1), sizeof r)) return fail(Error::bad_address);
    if (r.rip >= abi::user_address_limit) return fail(Error::bad_address);
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
    return 0;
}

int64_t sys_thread_read_registers(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::read, thread));
    const arch::TrapFrame& f = thread_at(thread)->context;
    abi::ThreadRegisters r{f.rip, f.rsp, f.rflags, f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp,
                           f.r8,  f.r9,  f.r10,    f.r11, f.r12, f.r13, f.r14, f.r15};
    if (!copy_to_user(c.arg(1), &r, sizeof r)) return fail(Error::bad_address);
    return 0;
}

int64_t sys_thread_resume(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    Thread* t = thread_at(thread);
    if (!object::is_runnable_configuration(t)) return fail(Error::bad_argument);
    if (t->state == object::ThreadState::inactive) sched::make_ready(t);
    return 0;
}

int64_t sys_thread_suspend(Call& c) {
    Slot* thread;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    Thread* t = thread_at(thread);
    object::stop(t);
    return t == c.self ? keep_registers : 0;
}

// --- memory -------------------------------------------------------------------

int64_t report_missing_level(Call& c, Error e, unsigned level) {
    if (e == Error::missing_page_table) c.frame.rdx = level;
    return e == Error::none ? 0 : fail(e);
}

int64_t sys_page_table_map(Call& c) {
    Slot *table, *space;
    TRY(lookup(c, c.arg(0), ObjectType::page_table, rights::write, table));
    TRY(lookup(c, c.arg(1), ObjectType::address_space, rights::write, space));
    unsigned level = 0;
    Error e = object::address_space::map_page_table(table->cap, space->cap, c.arg(2), level);
    return report_missing_level(c, e, level);
}

int64_t sys_frame_map(Call& c) {
    Slot *frame, *space;
    TRY(lookup(c, c.arg(0), ObjectType::frame, 0, frame));
    TRY(lookup(c, c.arg(1), ObjectType::address_space, rights::write, space));
    if (c.arg(3) > rights::all) return fail(Error::bad_argument);
    unsigned level = 0;
    Error e = object::address_space::map_frame(frame->cap, space->cap, c.arg(2), uint8_t(c.arg(3)), level);
    return report_missing_level(c, e, level);
}

int64_t sys_frame_unmap(Call& c) {
    Slot* frame;
    TRY(lookup(c, c.arg(0), ObjectType::frame, 0, frame));
    if (!frame->cap.asid) return fail(Error::not_mapped);
    object::address_space::unmap(frame->cap);
    return 0;
}

int64_t sys_frame_protect(Call& c) {
    Slot* frame;
    TRY(lookup(c, c.arg(0), ObjectType::frame, 0, frame));
    if (c.arg(1) > rights::all) return fail(Error::bad_argument);
    TRY(object::address_space::protect(frame->cap, uint8_t(c.arg(1))));
    return 0;
}

int64_t sys_address_space_query(Call& c) {
    Slot* space;
    TRY(lookup(c, c.arg(0), ObjectType::address_space, rights::read, space));
    uint64_t count = c.arg(2);
    if (count == 0 || count > abi::max_query_pages) return fail(Error::bad_argument);
    if (!is_user_range(c.arg(3), count)) return fail(Error::bad_address);
    uint8_t states[abi::max_query_pages];
    TRY(object::address_space::query(space->cap, c.arg(1), count, states));
    if (!copy_to_user(c.arg(3), states, count)) return fail(Error::bad_address);
    return 0;
}

// --- IPC ----------------------------------------------------------------------

object::Notification* notification_at(const Slot* s) { return reinterpret_cast<object::Notification*>(s->cap.object); }
object::Endpoint* endpoint_at(const Slot* s) { return reinterpret_cast<object::Endpoint*>(s->cap.object); }

int64_t sys_notification_signal(Call& c) {
    Slot* n;
    TRY(lookup(c, c.arg(0), ObjectType::notification, rights::write, n));
    // An unbadged capability signals bit 0.
    object::ipc::signal(notification_at(n), n->cap.data ? n->cap.data : 1);
    return 0;
}

int64_t sys_notification_wait(Call& c) {
    Slot* n;
    TRY(lookup(c, c.arg(0), ObjectType::notification, rights::read, n));
    object::ipc::wait(c.self, notification_at(n));
    return keep_registers;
}

int64_t sys_notification_poll(Call& c) {
    Slot* n;
    TRY(lookup(c, c.arg(0), ObjectType::notification, rights::read, n));
    return int64_t(object::ipc::poll(notification_at(n)));
}

int64_t send(Call& c, bool is_call) {
    Slot* ep;
    TRY(lookup(c, c.arg(0), ObjectType::endpoint, rights::write, ep));
    TRY(object::ipc::validate_message(c.self, ep->cap.rights));
    bool nonblocking = c.arg(1) & abi::ipc::flag_nonblocking;
    object::ipc::send(c.self, endpoint_at(ep), ep->cap.data, is_call, nonblocking);
    return keep_registers;
}

int64_t sys_endpoint_send(Call& c) { return send(c, false); }
int64_t sys_endpoint_call(Call& c) { return send(c, true); }

int64_t receive(Call& c, Slot* ep, uint64_t options) {
    object::ipc::receive(c.self, endpoint_at(ep), options & abi::ipc::receive_nonblocking);
    return keep_registers;
}

int64_t sys_endpoint_recv(Call& c) {
    Slot* ep;
    TRY(lookup(c, c.arg(0), ObjectType::endpoint, rights::read, ep));
    return receive(c, ep, c.arg(1));
}

// Replies use the same message registers as sends (rsi = tag, ...); rdi is
// unused, so that reply_recv differs from reply only by its endpoint.
int64_t sys_endpoint_reply(Call& c) {
    if (!c.self->caller) return fail(Error::no_caller);
    TRY(object::ipc::validate_message(c.self, rights::grant));
    object::ipc::reply(c.self);
    return 0;
}

int64_t sys_endpoint_reply_recv(Call& c) {
    Slot* ep;
    TRY(lookup(c, c.arg(0), ObjectType::endpoint, rights::read, ep));
    if (c.self->caller) {
        TRY(object::ipc::validate_message(c.self, rights::grant));
        object::ipc::reply(c.self);
    }
    // Options ride in the tag's non-blocking flag here: there is no
    // register left for them.
    return receive(c, ep, (c.arg(1) & abi::ipc::flag_nonblocking) ? abi::ipc::receive_nonblocking : 0);
}

int64_t sys_thread_bind_notification(Call& c) {
    Slot *thread, *n = nullptr;
    TRY(lookup(c, c.arg(0), ObjectType::thread, rights::write, thread));
    if (c.arg(1)) TRY(lookup(c, c.arg(1), ObjectType::notification, rights::read, n));
    TRY(object::ipc::bind(thread_at(thread), n ? notification_at(n) : nullptr));
    return 0;
}

#undef TRY

using Handler = int64_t (*)(Call&);

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
    sys_system_poweroff,
};
static_assert(sizeof handlers / sizeof *handlers == size_t(abi::Syscall::count));

}  // namespace

}  // namespace syscall

extern "C" arch::TrapFrame* syscall_dispatch(arch::TrapFrame* frame) {
    using namespace syscall;
    Thread* self = sched::current();
    uint64_t number = frame->rax;
    if (number == uint64_t(abi::Syscall::endpoint_call)) {
        if (arch::TrapFrame* partner = object::ipc::fast_call(self, *frame)) return partner;
    } else if (number == uint64_t(abi::Syscall::endpoint_reply_recv)) {
        if (arch::TrapFrame* partner = object::ipc::fast_reply_receive(self, *frame)) return partner;
    }
    Call call{self, *frame};
    int64_t result;
    if (number < sizeof handlers / sizeof *handlers) {
        result = handlers[number](call);
    } else {
        klog::warn("thread %lu: unknown system call %lu refused", self->id, number);
        result = fail(Error::unknown_syscall);
    }
    if (result != keep_registers && self->state == object::ThreadState::running) frame->rax = uint64_t(result);
    return sched::switch_pending() ? sched::schedule() : frame;
}
