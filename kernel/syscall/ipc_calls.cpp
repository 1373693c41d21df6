// Calls on endpoints and notifications. The common cases of call and
// reply_recv never get here: object/ipc.cpp's fast path takes them first.
#include "abi/ipc.hpp"
#include "object/ipc.hpp"
#include "syscall/call.hpp"

namespace syscall {

namespace {

using object::Endpoint;
using object::Notification;

Error send(Call& c, bool is_call) {
    Slot* ep;
    TRY(lookup(c, c.arg(0), ObjectType::endpoint, rights::write, ep));
    TRY(object::ipc::validate_message(c.self, ep->cap.rights));
    bool nonblocking = c.arg(1) & abi::ipc::flag_nonblocking;
    object::ipc::send(c.self, object_at<Endpoint>(ep), ep->cap.data, is_call, nonblocking,
                      ep->cap.rights & rights::grant);
    return blocked;  // send sets the status itself, now or when the message goes
}

Error receive(Call& c, Slot* ep, uint64_t options) {
    object::ipc::receive(c.self, object_at<Endpoint>(ep), options & abi::ipc::receive_nonblocking);
    return blocked;
}

}  // namespace

Error sys_notification_signal(Call& c) {
    Slot* n;
    TRY(lookup(c, c.arg(0), ObjectType::notification, rights::write, n));
    // An unbadged capability signals bit 0.
    object::ipc::signal(object_at<Notification>(n), n->cap.data ? n->cap.data : 1);
    return Error::none;
}

Error sys_notification_wait(Call& c) {
    Slot* n;
    TRY(lookup(c, c.arg(0), ObjectType::notification, rights::read, n));
    return object::ipc::wait(c.self, object_at<Notification>(n)) ? Error::none : blocked;
}

Error sys_notification_poll(Call& c) {
    Slot* n;
    TRY(lookup(c, c.arg(0), ObjectType::notification, rights::read, n));
    c.frame.rdi = object::ipc::poll(object_at<Notification>(n));
    return Error::none;
}

Error sys_endpoint_send(Call& c) { return send(c, false); }
Error sys_endpoint_call(Call& c) { return send(c, true); }

Error sys_endpoint_recv(Call& c) {
    Slot* ep;
    TRY(lookup(c, c.arg(0), ObjectType::endpoint, rights::read, ep));
    return receive(c, ep, c.arg(1));
}

// Replies use the same message registers as sends (rsi = tag, ...); rdi is
// unused, so that reply_recv differs from reply only by its endpoint.
Error sys_endpoint_reply(Call& c) {
    if (!c.self->caller) return Error::no_caller;
    TRY(object::ipc::validate_message(c.self, rights::grant));
    return object::ipc::reply(c.self);
}

Error sys_endpoint_reply_recv(Call& c) {
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

}  // namespace syscall
