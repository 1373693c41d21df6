// The IPC fast path: call and reply_recv between two threads, one of them
// already waiting, decoded and performed at once, straight from the
// registers of syscall_entry.asm. Whatever it does not take goes on to
// syscall_dispatch and the general path (syscall/ipc_calls.cpp, object/ipc.cpp).
//
// This file is compiled with RBX and R12-R15 as caller-saved registers
// (-fcall-used-*, kernel/meson.build): its only entry, ipc_fast_path, is
// called from syscall_entry.asm, which has stored the user's values of
// those registers in the thread's frame already and loads them from a
// frame on the way out. Saving them again here would cost ten instructions
// a message. Nothing else may live in this file.
#include "abi/syscalls.hpp"
#include "object/cnode.hpp"
#include "object/ipc.hpp"
#include "object/ipc_message.hpp"
#include "sched/scheduler.hpp"

extern "C" arch::TrapFrame* syscall_dispatch(arch::TrapFrame* frame);

static_assert(uint64_t(abi::Syscall::endpoint_call) == 24 && uint64_t(abi::Syscall::endpoint_reply_recv) == 26,
              "syscall_entry.asm (frame.inc) picks the fast-path calls by these numbers");

// One fast path for call and reply_recv; syscall_entry.asm calls it with the
// message still in registers, R10 as w1. The number in the frame tells the
// two apart. Each check that fails leaves everything as it was; the
// message goes into the frame and the call to syscall_dispatch.
extern "C" arch::TrapFrame* ipc_fast_path(uint64_t cptr, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
                                          uint64_t w3) {
    using namespace object;
    using namespace object::ipc;
    namespace message = abi::ipc;
    Thread* self = sched::current();
    bool is_call = self->context.rax == uint64_t(abi::Syscall::endpoint_call);
    Thread* partner = nullptr;
    Endpoint* ep = nullptr;
    uint64_t badge = 0;
    if (fits_fast_path(tag)) {
        Error ignored;
        Slot* slot = cnode::find(self->cspace.cap, cptr, ObjectType::endpoint,
                                 is_call ? abi::rights::write : abi::rights::read, ignored);
        if (slot) {
            ep = reinterpret_cast<Endpoint*>(slot->cap.object);
            if (is_call) {
                // A receiver that still owes another caller a reply goes
                // the general way: link_call tells that caller.
                Thread* receiver = thread_of(ep->receivers.front());
                if (receiver && !receiver->caller) partner = receiver, badge = slot->cap.data;
            } else {
                // Replying to a fault, a sender already queued, or a pending
                // notification each need the general path.
                Thread* caller = self->caller;
                Notification* n = self->bound_notification;
                if (caller && !caller->faulting && ep->senders.empty() && !(n && n->word)) partner = caller;
            }
        }
    }
    if (partner && sched::can_switch_to(partner) &&
        (message::tag_length(tag) <= message::register_bytes || copy_long_payload(self, partner, tag))) {
        if (is_call) {
            ep->receivers.pop_front();  // the partner: the first receiver
            partner->waiting_on = nullptr;
            partner->caller = self;
            self->callee = partner;
            self->state = ThreadState::blocked_reply;
        } else {
            self->caller = nullptr;
            partner->callee = nullptr;
            block(self, ep->receivers, ep, ThreadState::blocked_receive);
        }
        deliver_registers(partner->context, badge, tag, w0, w1, w2, w3);
        return sched::switch_directly(partner);
    }
    arch::TrapFrame& f = self->context;
    f.rdi = cptr, f.rsi = tag, f.rdx = w0, f.r10 = w1, f.r8 = w2, f.r9 = w3;
    return syscall_dispatch(&f);
}

