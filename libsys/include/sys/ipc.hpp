// IPC for user programs: messages of a tag and up to 256 bytes (abi/ipc.hpp),
// with typed helpers so a client and its server share one protocol header:
//
//     // counter_protocol.hpp
//     enum Label : uint64_t { add = 1 };
//     struct Add { uint64_t amount; };
//     // client:  auto r = sys::ipc::call(ep, sys::ipc::pack(add, Add{5}));
//     // server:  Add a; if (sys::ipc::unpack(received, a)) ...
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/ipc.hpp"
#include "sys/syscall.hpp"

namespace sys::ipc {

using abi::ipc::Buffer;
using abi::ipc::make_tag;
using abi::ipc::tag_caps;
using abi::ipc::tag_label;
using abi::ipc::tag_length;

// The IPC buffer of the program's main thread, at abi::ipc_buffer_address
// in every program the system starts. Other threads of a program have
// buffers of their own and pass them explicitly.
Buffer& buffer();

struct Message {
    uint64_t tag = 0;
    uint64_t words[abi::ipc::register_words] = {};
};

struct Received {
    int64_t result;  // 0, or a negated error
    uint64_t badge;  // of the sender's capability, or the notification bits
    Message message;
    bool is_notification() const { return message.tag & abi::ipc::flag_notification; }
    uint64_t label() const { return tag_label(message.tag); }
    uint64_t length() const { return tag_length(message.tag); }
    // A server's answer as one status: the IPC error, else the negated
    // error code of a reply labelled with one (servers answer label 0 on
    // success, an abi::Error code otherwise), else 0.
    int64_t status() const { return result ? result : label() ? -int64_t(label()) : 0; }
};

// A message of `length` bytes: the first 32 go in the registers, the rest
// into the IPC buffer (so pack right before sending).
Message pack_bytes(Buffer& b, uint64_t label, const void* data, size_t length, unsigned caps = 0,
                   uint64_t flags = 0);
// Copies a received payload out (at most capacity bytes); returns its length.
size_t unpack_bytes(const Buffer& b, const Received& r, void* data, size_t capacity);

// The same with this thread's buffer().
inline Message pack_bytes(uint64_t label, const void* data, size_t length, unsigned caps = 0, uint64_t flags = 0) {
    return pack_bytes(buffer(), label, data, length, caps, flags);
}
inline size_t unpack_bytes(const Received& r, void* data, size_t capacity) {
    return unpack_bytes(buffer(), r, data, capacity);
}

template <typename T>
Message pack(uint64_t label, const T& body, unsigned caps = 0) {
    static_assert(sizeof(T) <= abi::ipc::max_message_bytes, "a message body is at most 256 bytes");
    return pack_bytes(label, &body, sizeof body, caps);
}
template <typename T>
bool unpack(const Received& r, T& body) {
    return r.length() == sizeof body && unpack_bytes(r, &body, sizeof body) == sizeof body;
}

int64_t send(Cptr endpoint, const Message& m);
Received receive(Cptr endpoint, uint64_t options = 0);
Received call(Cptr endpoint, const Message& m);
int64_t reply(const Message& m);
Received reply_receive(Cptr endpoint, const Message& m);

}  // namespace sys::ipc
