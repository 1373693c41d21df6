#include <initializer_list>

#include "object/ipc.hpp"

#include "sched/scheduler.hpp"

namespace object::ipc {

namespace {

void deliver(Thread* receiver, uint64_t badge, const Message& m) {
    arch::TrapFrame& r = receiver->context;
    r.rsi = badge;
    r.rdx = m.label;
    r.r8 = m.words[0];
    r.r9 = m.words[1];
    r.r10 = m.words[2];
}

// The receiver takes the caller's reply obligation; an earlier caller it
// never answered is told its partner gave up on it.
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

}  // namespace

void send(Thread* self, Endpoint* ep, uint64_t badge, const Message& m, bool is_call) {
    if (Thread* receiver = thread_of(ep->receivers.pop_front())) {
        deliver(receiver, badge, m);
        if (is_call) link_call(self, receiver);
        wake(receiver, 0);
        if (!is_call) self->context.rax = 0;
        return;
    }
    self->message = m;
    self->badge = badge;
    self->is_call = is_call;
    block(self, ep->senders, ep, ThreadState::blocked_send);
}

void receive(Thread* self, Endpoint* ep) {
    if (Thread* sender = thread_of(ep->senders.pop_front())) {
        sender->waiting_on = nullptr;
        deliver(self, sender->badge, sender->message);
        self->context.rax = 0;
        if (sender->is_call) {
            link_call(sender, self);
        } else {
            wake(sender, 0);
        }
        return;
    }
    block(self, ep->receivers, ep, ThreadState::blocked_receive);
}

Error reply(Thread* self, const Message& m) {
    Thread* caller = self->caller;
    if (!caller) return Error::no_caller;
    self->caller = nullptr;
    caller->callee = nullptr;
    deliver(caller, 0, m);
    wake(caller, 0);
    return Error::none;
}

void signal(Notification* n, uint64_t bits) {
    if (Thread* waiter = thread_of(n->waiters.pop_front())) {
        wake(waiter, int64_t(n->word | bits));
        n->word = 0;
        return;
    }
    n->word |= bits;
}

void wait(Thread* self, Notification* n) {
    if (n->word) {
        self->context.rax = n->word;
        n->word = 0;
        return;
    }
    block(self, n->waiters, n, ThreadState::blocked_notification);
}

uint64_t poll(Notification* n) {
    uint64_t word = n->word;
    n->word = 0;
    return word;
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

void destroy_notification(Notification* n) {
    while (Thread* t = thread_of(n->waiters.pop_front())) wake(t, abi::error_code(Error::object_destroyed));
}

}  // namespace object::ipc
