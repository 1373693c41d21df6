// Synchronous IPC on endpoints and asynchronous signals on notifications.
//
// Register-sized messages only for now: a label and three words, delivered
// straight into the receiver's saved registers (rdx = label, r8, r9, r10 =
// words, rsi = badge). A sender and a receiver meet in FIFO order on either
// side; a call leaves the caller waiting for the receiver's reply.
#pragma once

#include "object/objects.hpp"
#include "object/thread.hpp"

namespace object::ipc {

// Each operates for the current thread `self` and may block it.
void send(Thread* self, Endpoint* ep, uint64_t badge, const Message& m, bool is_call);
void receive(Thread* self, Endpoint* ep);
// Error::no_caller when self has no call to answer.
Error reply(Thread* self, const Message& m);

// Notification word: signal ORs bits in and wakes one waiter.
void signal(Notification* n, uint64_t bits);
void wait(Thread* self, Notification* n);
uint64_t poll(Notification* n);

// Takes t out of the endpoint or notification queue it waits in.
void cancel_wait(Thread* t);

// The object is being destroyed: everyone waiting on it wakes with
// Error::object_destroyed.
void destroy_endpoint(Endpoint* ep);
void destroy_notification(Notification* n);

}  // namespace object::ipc
