// What the general IPC path (ipc.cpp) and the fast path (ipc_fast.cpp)
// share: how a message moves between two threads' registers and buffers.
#pragma once

#include "abi/ipc.hpp"
#include "object/objects.hpp"
#include "object/thread.hpp"

namespace object::ipc {

inline abi::ipc::Buffer* buffer_of(const Thread* t) {
    if (t->ipc_buffer.cap.type != ObjectType::frame) return nullptr;
    return reinterpret_cast<abi::ipc::Buffer*>(t->ipc_buffer.cap.object);
}

// The words of a message of `length` bytes beyond the registers, buffer
// page to buffer page, with rep movsq (at most 28 iterations).
inline void copy_payload(const abi::ipc::Buffer* out, abi::ipc::Buffer* in, uint64_t length) {
    if (length > abi::ipc::max_message_bytes) length = abi::ipc::max_message_bytes;  // validated; never more
    uint64_t count = (length + 7) / 8 - abi::ipc::register_words;
    uint64_t* destination = in->words + abi::ipc::register_words;
    const uint64_t* source = out->words + abi::ipc::register_words;
    asm volatile("rep movsq" : "+D"(destination), "+S"(source), "+c"(count) : : "memory");
}

// The same from thread to thread; false when either side lacks a buffer.
inline bool copy_long_payload(const Thread* from, const Thread* to, uint64_t tag) {
    const abi::ipc::Buffer* out = buffer_of(from);
    abi::ipc::Buffer* in = buffer_of(to);
    if (!out || !in) return false;
    copy_payload(out, in, abi::ipc::tag_length(tag));
    return true;
}

// The register part of a message: the receiver sees rax = 0, rdi = badge,
// rsi = the tag (label and length), rdx, r10, r8, r9 = words 0..3.
inline void deliver_registers(arch::TrapFrame& r, uint64_t badge, uint64_t tag, uint64_t w0, uint64_t w1,
                              uint64_t w2, uint64_t w3) {
    r.rax = 0;
    r.rdi = badge;
    r.rsi = abi::ipc::make_tag(abi::ipc::tag_label(tag), abi::ipc::tag_length(tag));
    r.rdx = w0, r.r10 = w1, r.r8 = w2, r.r9 = w3;
}

inline void block(Thread* self, lib::IntrusiveList& queue, void* object, ThreadState state) {
    self->state = state;
    self->waiting_on = object;
    queue.push_back(&self->queue_node);
}

// No capabilities, no non-blocking flag, at most 256 bytes.
inline bool fits_fast_path(uint64_t tag) {
    // One mask for the capability count and the flag: tag_caps(tag) == 0
    // is a test of its two bits.
    constexpr uint64_t refused = 3ull << abi::ipc::caps_shift | abi::ipc::flag_nonblocking;
    return abi::ipc::tag_length(tag) <= abi::ipc::max_message_bytes && !(tag & refused);
}

}  // namespace object::ipc
