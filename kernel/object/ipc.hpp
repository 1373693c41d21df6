// Synchronous IPC on endpoints and asynchronous signals on notifications.
//
// A message (abi/ipc.hpp) is a tag and four words in the sender's saved
// registers (rsi, rdx, r10, r8, r9), the rest of up to 256 bytes in its IPC
// buffer, and up to three capabilities. A blocked sender's message simply
// waits in its saved registers and buffer; delivery copies registers to
// registers and buffer page to buffer page, once. A call leaves the caller
// waiting for the receiver's reply: the receiver holds a one-shot reply
// right (Thread::caller) until it replies or is destroyed.
#pragma once

#include "arch/x86_64/trap_frame.hpp"
#include "object/objects.hpp"
#include "object/thread.hpp"

// The fast path of call and reply_recv is syscall/ipc_fast.cpp; it shares
// object/ipc_message.hpp with this general path.

namespace object::ipc {

// Checks the message in self's registers (length, IPC buffer, capabilities
// and the grant right of the endpoint capability, `endpoint_rights`) before
// anything happens.
Error validate_message(Thread* self, uint8_t endpoint_rights);

// Each operates for the current thread `self` and may block it; results
// land in the registers of the threads involved.
// may_grant: the endpoint capability used has the grant right, so the
// capabilities the message names travel with it.
void send(Thread* self, Endpoint* ep, uint64_t badge, bool is_call, bool nonblocking, bool may_grant);
void receive(Thread* self, Endpoint* ep, bool nonblocking);
Error reply(Thread* self);

// Sends t's fault (recorded in its fault_* fields) to its fault handler as
// a call on its behalf; false if it has no usable handler.
bool send_fault(Thread* t);

// Notification word: signal ORs bits in and wakes one waiter (or the bound
// thread, if it waits on an endpoint).
void signal(Notification* n, uint64_t bits);
// True when the word was there (in self's rdi now); false: self blocked.
bool wait(Thread* self, Notification* n);
uint64_t poll(Notification* n);
Error bind(Thread* t, Notification* n);  // n == nullptr unbinds
void unbind(Thread* t);

// Takes t out of the endpoint or notification queue it waits in.
void cancel_wait(Thread* t);

// The object is being destroyed: everyone waiting on it wakes with
// Error::object_destroyed.
void destroy_endpoint(Endpoint* ep);
// The last capability with this badge is gone: its blocked senders wake
// with Error::cancelled.
void cancel_badged_sends(Endpoint* ep, uint64_t badge);
void destroy_notification(Notification* n);

}  // namespace object::ipc
