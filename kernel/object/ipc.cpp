#include "object/ipc.hpp"

#include "abi/ipc.hpp"
#include "debug/log.hpp"
#include "common/string.hpp"
#include "object/cnode.hpp"
#include "object/derive.hpp"
#include "object/lifecycle.hpp"
#include "sched/scheduler.hpp"
#include "trace/trace.hpp"

#include <initializer_list>

namespace object::ipc {

namespace {

namespace message = abi::ipc;

abi::ipc::Buffer* buffer_of(const Thread* t) {
    if (t->ipc_buffer.cap.type != ObjectType::frame) return nullptr;
    return reinterpret_cast<abi::ipc::Buffer*>(t->ipc_buffer.cap.object);
}

Slot* lookup_in(const Thread* t, uint64_t cptr) {
    Slot* s = cnode::slot_at(t->cspace.cap, cptr);
    return s && !s->cap.is_null() ? s : nullptr;
}

// Copies the capabilities the sender names into the receiver's receive
// slots; returns how many arrived. A capability that no longer resolves,
// or a receiver without free receive slots, simply gets fewer.
uint64_t transfer_capabilities(const Thread* from, Thread* to, uint64_t count) {
    const message::Buffer* out = buffer_of(from);
    const message::Buffer* in = buffer_of(to);
    if (!count || !out || !in) return 0;
    Slot* cnode = lookup_in(to, in->receive_cnode);
    if (!cnode || cnode->cap.type != ObjectType::cnode || !(cnode->cap.rights & abi::rights::write)) return 0;
    uint64_t arrived = 0;
    static_assert(message::tag_caps(~0ull) <= message::max_caps, "a tag names no more capabilities than a buffer holds");
    for (uint64_t i = 0; i < count; ++i) {
        Slot* source = lookup_in(from, out->caps[i]);
        Slot* target = cnode::slot_at(cnode->cap, in->receive_index + arrived);
        if (source && target && derive_into(source, target) == Error::none) ++arrived;
    }
    return arrived;
}

// The words beyond the registers, buffer page to buffer page, with rep
// movsq (at most 28 iterations); false when either side lacks a buffer.
[[gnu::noinline]] bool copy_long_payload(const Thread* from, const Thread* to, uint64_t tag) {
    uint64_t length = message::tag_length(tag);
    const message::Buffer* out = buffer_of(from);
    message::Buffer* in = buffer_of(to);
    if (!out || !in) return false;
    if (length > message::max_message_bytes) length = message::max_message_bytes;  // validated; never more
    uint64_t count = (length + 7) / 8 - message::register_words;
    uint64_t* destination = in->words + message::register_words;
    const uint64_t* source = out->words + message::register_words;
    asm volatile("rep movsq" : "+D"(destination), "+S"(source), "+c"(count) : : "memory");
    return true;
}

// The register part of a message: the receiver sees rax = 0, rdi = badge,
// rsi = the tag (label and length), rdx, r10, r8, r9 = words 0..3.
void copy_registers(const arch::TrapFrame& s, arch::TrapFrame& r, uint64_t badge) {
    r.rax = 0;
    r.rdi = badge;
    r.rsi = message::make_tag(message::tag_label(s.rsi), message::tag_length(s.rsi));
    r.rdx = s.rdx, r.r10 = s.r10, r.r8 = s.r8, r.r9 = s.r9;
}

// Delivers the message in from's registers (and buffer) to `to`: the
// register part, the rest of the payload into its buffer (or, if it has
// none, the tag says only 32 bytes arrived), and the capabilities if the
// sender may grant them. The tag is the one validated at the send.
void transfer(Thread* from, Thread* to, uint64_t badge, uint64_t tag, bool may_grant) {
    arch::TrapFrame& r = to->context;
    if (from->faulting) {  // a message made by the kernel, not from registers
        r.rax = 0;
        r.rdi = badge;
        r.rsi = message::make_tag(message::fault_label, 32);
        r.rdx = from->fault_address, r.r10 = from->fault_code, r.r8 = from->fault_ip, r.r9 = from->fault_vector;
        return;
    }
    uint64_t length = message::tag_length(tag);
    copy_registers(from->context, r, badge);
    if (length > message::register_bytes && !copy_long_payload(from, to, tag)) length = message::register_bytes;
    uint64_t caps = may_grant ? transfer_capabilities(from, to, message::tag_caps(tag)) : 0;
    r.rsi = message::make_tag(message::tag_label(tag), length, caps);
}

// A notification's word arrives in rdi, with status 0.
void deliver_word(Thread* t, uint64_t word) {
    t->context.rdi = word;
    wake(t, 0);
}

void deliver_notification(Thread* t, uint64_t bits) {
    t->context.rax = 0;
    t->context.rdi = bits;
    t->context.rsi = message::flag_notification;
    t->waiting_on = nullptr;
}

// The receiver takes the caller's reply right; an earlier caller it never
// answered is told its partner gave up on it.
void link_call(Thread* caller, Thread* receiver) {
    if (Thread* abandoned = receiver->caller) {
        abandoned->callee = nullptr;
        wake(abandoned, abi::error_code(Error::partner_died));
    }
    receiver->caller = caller;
    caller->callee = receiver;
    caller->state = ThreadState::blocked_reply;
}

void block(Thread* self, lib::IntrusiveList& queue, void* object, ThreadState state) {
    self->state = state;
    self->waiting_on = object;
    queue.push_back(&self->queue_node);
}

bool fits_fast_path(uint64_t tag) {
    return message::tag_length(tag) <= message::max_message_bytes && !message::tag_caps(tag) &&
           !(tag & message::flag_nonblocking);
}



}  // namespace

Error validate_message(Thread* self, uint8_t endpoint_rights) {
    uint64_t tag = self->context.rsi;
    if (message::tag_length(tag) > message::max_message_bytes) return Error::bad_argument;
    const message::Buffer* out = buffer_of(self);
    if (message::tag_length(tag) > message::register_bytes && !out) return Error::bad_address;
    uint64_t caps = message::tag_caps(tag);
    if (!caps) return Error::none;
    if (!(endpoint_rights & abi::rights::grant)) return Error::insufficient_rights;
    if (!out) return Error::bad_address;
    for (uint64_t i = 0; i < caps; ++i)
        if (!lookup_in(self, out->caps[i])) return Error::invalid_capability;
    return Error::none;
}

void send(Thread* self, Endpoint* ep, uint64_t badge, bool is_call, bool nonblocking, bool may_grant) {
    uint64_t tag = self->context.rsi;
    trace::record(trace::Kind::ipc_send, self->id, 0, trace::object_id(ep), badge, is_call | self->faulting << 1);
    if (Thread* receiver = thread_of(ep->receivers.pop_front())) {
        receiver->waiting_on = nullptr;
        trace::record(trace::Kind::ipc_recv, receiver->id, self->id, trace::object_id(ep), badge, is_call | self->faulting << 1);
        transfer(self, receiver, badge, tag, may_grant);
        if (is_call) link_call(self, receiver);
        else self->context.rax = 0;
        sched::make_ready(receiver);
        return;
    }
    if (nonblocking) {
        self->context.rax = uint64_t(abi::error_code(Error::would_block));
        return;
    }
    self->badge = badge;
    self->is_call = is_call;
    self->send_tag = tag;
    self->send_may_grant = may_grant;
    block(self, ep->senders, ep, ThreadState::blocked_send);
}

void receive(Thread* self, Endpoint* ep, bool nonblocking) {
    if (Notification* n = self->bound_notification; n && n->word) {
        deliver_notification(self, n->word);
        n->word = 0;
        return;
    }
    if (Thread* sender = thread_of(ep->senders.pop_front())) {
        sender->waiting_on = nullptr;
        trace::record(trace::Kind::ipc_recv, self->id, sender->id, trace::object_id(ep), sender->badge, sender->is_call | sender->faulting << 1);
        transfer(sender, self, sender->badge, sender->send_tag, sender->send_may_grant);
        if (sender->is_call) link_call(sender, self);
        else wake(sender, 0);
        return;
    }
    if (nonblocking) {
        self->context.rax = uint64_t(abi::error_code(Error::would_block));
        return;
    }
    block(self, ep->receivers, ep, ThreadState::blocked_receive);
}

Error reply(Thread* self) {
    Thread* caller = self->caller;
    if (!caller) return Error::no_caller;
    self->caller = nullptr;
    caller->callee = nullptr;
    if (caller->faulting) {
        // Label 0: resolved, retry the access with registers untouched. A
        // thread that has lost what it runs in cannot be resumed.
        if (message::tag_label(self->context.rsi) == 0 && is_runnable_configuration(caller)) {
            trace::record(trace::Kind::fault_served, caller->id, self->id, 0, caller->fault_address, trace::flag::resumed);
            caller->faulting = false;
            sched::make_ready(caller);
        } else {
            trace::record(trace::Kind::fault_served, caller->id, self->id, 0, caller->fault_address);
            caller->exit_status = -int64_t(caller->fault_vector) - 1;
            klog::warn("thread %lu: its fault handler refused the fault at 0x%lx; thread stopped", caller->id,
                       caller->fault_address);
            stop(caller);
        }
        return Error::none;
    }
    trace::record(trace::Kind::ipc_reply, self->id, caller->id);
    transfer(self, caller, 0, self->context.rsi, true);
    sched::make_ready(caller);
    return Error::none;
}

bool send_fault(Thread* t) {
    const Capability& handler = t->fault_handler.cap;
    if (handler.type != ObjectType::endpoint || !(handler.rights & abi::rights::write)) return false;
    t->faulting = true;
    send(t, reinterpret_cast<Endpoint*>(handler.object), handler.data, true, false, false);
    return true;
}

arch::TrapFrame* fast_call(Thread* self, arch::TrapFrame& frame) {
    if (!fits_fast_path(frame.rsi)) return nullptr;
    Error error;
    Slot* slot = cnode::find(self->cspace.cap, frame.rdi, ObjectType::endpoint, abi::rights::write, error);
    if (!slot) return nullptr;
    auto* ep = reinterpret_cast<Endpoint*>(slot->cap.object);
    Thread* receiver = thread_of(ep->receivers.front());
    if (!receiver || receiver->caller || !sched::can_switch_to(receiver)) return nullptr;
    if (message::tag_length(frame.rsi) > message::register_bytes && !copy_long_payload(self, receiver, frame.rsi))
        return nullptr;
    trace::record(trace::Kind::ipc_send, self->id, 0, trace::object_id(ep), slot->cap.data, trace::flag::call);
    trace::record(trace::Kind::ipc_recv, receiver->id, self->id, trace::object_id(ep), slot->cap.data, trace::flag::call);
    ep->receivers.remove(&receiver->queue_node);
    receiver->waiting_on = nullptr;
    copy_registers(frame, receiver->context, slot->cap.data);
    receiver->caller = self;
    self->callee = receiver;
    self->state = ThreadState::blocked_reply;
    return sched::switch_directly(receiver);
}

arch::TrapFrame* fast_reply_receive(Thread* self, arch::TrapFrame& frame) {
    Thread* caller = self->caller;
    if (!caller || caller->faulting || !fits_fast_path(frame.rsi) || !sched::can_switch_to(caller)) return nullptr;
    Error error;
    Slot* slot = cnode::find(self->cspace.cap, frame.rdi, ObjectType::endpoint, abi::rights::read, error);
    if (!slot) return nullptr;
    auto* ep = reinterpret_cast<Endpoint*>(slot->cap.object);
    if (!ep->senders.empty() || (self->bound_notification && self->bound_notification->word)) return nullptr;
    if (message::tag_length(frame.rsi) > message::register_bytes && !copy_long_payload(self, caller, frame.rsi))
        return nullptr;
    trace::record(trace::Kind::ipc_reply, self->id, caller->id);
    copy_registers(frame, caller->context, 0);
    self->caller = nullptr;
    caller->callee = nullptr;
    block(self, ep->receivers, ep, ThreadState::blocked_receive);
    return sched::switch_directly(caller);
}

void signal(Notification* n, uint64_t bits) {
    if (Thread* waiter = thread_of(n->waiters.pop_front())) {
        deliver_word(waiter, n->word | bits);
        n->word = 0;
        return;
    }
    Thread* bound = n->bound_thread;
    if (bound && bound->state == ThreadState::blocked_receive) {
        cancel_wait(bound);
        deliver_notification(bound, n->word | bits);
        n->word = 0;
        sched::make_ready(bound);
        return;
    }
    n->word |= bits;
}

bool wait(Thread* self, Notification* n) {
    if (n->word) {
        self->context.rdi = n->word;
        n->word = 0;
        return true;
    }
    block(self, n->waiters, n, ThreadState::blocked_notification);
    return false;
}

uint64_t poll(Notification* n) {
    uint64_t word = n->word;
    n->word = 0;
    return word;
}

Error bind(Thread* t, Notification* n) {
    if (n && n->bound_thread && n->bound_thread != t) return Error::not_permitted;
    unbind(t);
    if (n) {
        n->bound_thread = t;
        t->bound_notification = n;
    }
    return Error::none;
}

void unbind(Thread* t) {
    if (t->bound_notification) t->bound_notification->bound_thread = nullptr;
    t->bound_notification = nullptr;
}

void cancel_wait(Thread* t) {
    if (!t->waiting_on || !t->queue_node.linked) return;
    switch (t->state) {
    case ThreadState::blocked_send: static_cast<Endpoint*>(t->waiting_on)->senders.remove(&t->queue_node); break;
    case ThreadState::blocked_receive: static_cast<Endpoint*>(t->waiting_on)->receivers.remove(&t->queue_node); break;
    case ThreadState::blocked_notification:
        static_cast<Notification*>(t->waiting_on)->waiters.remove(&t->queue_node);
        break;
    default: break;
    }
    t->waiting_on = nullptr;
}

void destroy_endpoint(Endpoint* ep) {
    for (auto* queue : {&ep->senders, &ep->receivers})
        while (Thread* t = thread_of(queue->pop_front())) wake(t, abi::error_code(Error::object_destroyed));
}

void cancel_badged_sends(Endpoint* ep, uint64_t badge) {
    lib::IntrusiveList kept;
    while (Thread* t = thread_of(ep->senders.pop_front())) {
        if (t->badge == badge) wake(t, abi::error_code(Error::cancelled));
        else kept.push_back(&t->queue_node);
    }
    while (lib::ListNode* node = kept.pop_front()) ep->senders.push_back(node);
}

void destroy_notification(Notification* n) {
    while (Thread* t = thread_of(n->waiters.pop_front())) wake(t, abi::error_code(Error::object_destroyed));
    if (n->bound_thread) n->bound_thread->bound_notification = nullptr;
}

}  // namespace object::ipc
