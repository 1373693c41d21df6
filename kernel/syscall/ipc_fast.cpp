// The IPC fast path: call and reply_recv between two threads, one of them
// already waiting, decoded and performed at once, straight from the
// registers of syscall_entry.asm. Whatever it does not take goes on to
// syscall_dispatch and the general path (syscall/ipc_calls.cpp, object/ipc.cpp).
//
// This file is compiled with RBX and R12-R15 as caller-saved registers
// (-fcall-used-*, kernel/meson.build): its only entries, ipc_fast_path and
// its traced version, are called from syscall_entry.asm, which has stored
// the user's values of those registers in the thread's frame already and
// loads them from a frame on the way out. Saving them again here would cost ten instructions
// a message. Nothing else may live in this file.
//
// It comes in two versions, ipc_fast_path and ipc_fast_path_traced, which
// syscall_entry.asm calls through a traced call site (trace::CallSite):
// only the traced one records the call's events (its delivery or reply,
// and the switch), so while tracing is off the fast path has no hook, not
// even a no-op one (the hooks cost the 256-byte round trip 12
// instructions, most of them registers GCC kept free for them).
#include "abi/syscalls.hpp"
#include "object/cnode.hpp"
#include "object/ipc.hpp"
#include "object/ipc_message.hpp"
#include "sched/scheduler.hpp"
#include "trace/trace.hpp"

extern "C" arch::TrapFrame* syscall_dispatch(arch::TrapFrame* frame);
extern "C" arch::TrapFrame* syscall_dispatch_traced(arch::TrapFrame* frame);

static_assert(uint64_t(abi::Syscall::endpoint_call) == 24 && uint64_t(abi::Syscall::endpoint_reply_recv) == 26,
              "syscall_entry.asm (frame.inc) picks the fast-path calls by these numbers");

namespace {

using namespace object;
using namespace object::ipc;
namespace message = abi::ipc;

// The partner a call or reply_recv of self can go to directly, or nullptr.
// Sets ep to the endpoint named and badge to what the partner receives.
template <bool is_call>
[[gnu::always_inline]] inline Thread* fast_partner(Thread* self, uint64_t cptr, uint64_t tag, Endpoint*& ep,
                                                    uint64_t& badge) {
    if (!fits_fast_path(tag)) return nullptr;
    Error ignored;
    Slot* slot = cnode::find(self->cspace.cap, cptr, ObjectType::endpoint,
                             is_call ? abi::rights::write : abi::rights::read, ignored);
    if (!slot) return nullptr;
    ep = reinterpret_cast<Endpoint*>(slot->cap.object);
    Thread* partner;
    if constexpr (is_call) {
        // A receiver that still owes another caller a reply goes the
        // general way: link_call tells that caller.
        partner = thread_of(ep->receivers.front());
        if (!partner || partner->caller) return nullptr;
        badge = slot->cap.data;
    } else {
        // Replying to a fault, a sender already queued, or a pending
        // notification each need the general path.
        partner = self->caller;
        Notification* n = self->bound_notification;
        if (!partner || partner->faulting || !ep->senders.empty() || (n && n->word)) return nullptr;
        badge = 0;
    }
    if (!sched::can_switch_to(partner)) return nullptr;
    // A long message needs both buffers.
    if (message::tag_length(tag) > message::register_bytes && !(buffer_of(self) && buffer_of(partner))) return nullptr;
    return partner;
}

// The call or reply_recv itself, once fast_partner has found the partner;
// nothing can fail any more.
template <bool is_call, bool traced>
[[gnu::always_inline]] inline arch::TrapFrame* fast_transfer(Thread* self, Thread* partner, Endpoint* ep,
                                                              uint64_t badge, uint64_t tag, uint64_t w0,
                                                              uint64_t w1, uint64_t w2, uint64_t w3) {
    if constexpr (is_call) {
        if constexpr (traced)
            trace::record(trace::Kind::ipc_recv, partner->id, self->id, trace::object_id(ep), badge,
                          trace::flag::fast_call);
        ep->receivers.pop_front();  // the partner: the first receiver
        partner->waiting_on = nullptr;
        partner->caller = self;
        self->callee = partner;
        self->state = ThreadState::blocked_reply;
    } else {
        if constexpr (traced) trace::record(trace::Kind::ipc_reply, self->id, partner->id, 0, 0, trace::flag::fast);
        self->caller = nullptr;
        partner->callee = nullptr;
        block(self, ep->receivers, ep, ThreadState::blocked_receive);
    }
    deliver_registers(partner->context, badge, tag, w0, w1, w2, w3);
    if (message::tag_length(tag) > message::register_bytes)
        copy_payload(buffer_of(self), buffer_of(partner), message::tag_length(tag));
    return sched::switch_directly<traced>(partner);
}

template <bool is_call, bool traced>
[[gnu::always_inline]] inline arch::TrapFrame* fast_path(Thread* self, uint64_t cptr, uint64_t tag, uint64_t w0,
                                                          uint64_t w1, uint64_t w2, uint64_t w3) {
    Endpoint* ep = nullptr;
    uint64_t badge = 0;
    if (Thread* partner = fast_partner<is_call>(self, cptr, tag, ep, badge)) [[likely]]
        return fast_transfer<is_call, traced>(self, partner, ep, badge, tag, w0, w1, w2, w3);
    arch::TrapFrame& f = self->context;
    f.rdi = cptr, f.rsi = tag, f.rdx = w0, f.r10 = w1, f.r8 = w2, f.r9 = w3;
    return traced ? syscall_dispatch_traced(&f) : syscall_dispatch(&f);
}

template <bool traced>
[[gnu::always_inline]] inline arch::TrapFrame* either_fast_path(uint64_t cptr, uint64_t tag, uint64_t w0,
                                                                 uint64_t w1, uint64_t w2, uint64_t w3) {
    Thread* self = sched::current();
    if (self->context.rax == uint64_t(abi::Syscall::endpoint_call))
        return fast_path<true, traced>(self, cptr, tag, w0, w1, w2, w3);
    return fast_path<false, traced>(self, cptr, tag, w0, w1, w2, w3);
}

}  // namespace

// One fast path for call and reply_recv (fast_path, instantiated once for
// each); syscall_entry.asm calls it with the message still in registers,
// R10 as w1. The number in the frame tells the two apart. Each check that
// fails leaves everything as it was; the message goes into the frame and
// the call to syscall_dispatch (the traced version's to
// syscall_dispatch_traced).
extern "C" arch::TrapFrame* ipc_fast_path(uint64_t cptr, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
                                          uint64_t w3) {
    return either_fast_path<false>(cptr, tag, w0, w1, w2, w3);
}

extern "C" arch::TrapFrame* ipc_fast_path_traced(uint64_t cptr, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
                                                 uint64_t w3) {
    return either_fast_path<true>(cptr, tag, w0, w1, w2, w3);
}
