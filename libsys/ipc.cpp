#include "sys/ipc.hpp"

#include "abi/boot_info.hpp"
#include "common/string.hpp"

namespace sys::ipc {

namespace {

Received received(const Registers& r) {
    // On a received message rdi carries the badge; the stub returns rsi..r9.
    return Received{r.rax, r.rdi, Message{r.rsi, {r.rdx, r.r10, r.r8, r.r9}}};
}

Registers message_call(abi::Syscall n, uint64_t first, const Message& m) {
    return syscall(n, first, m.tag, m.words[0], m.words[1], m.words[2], m.words[3]);
}
}  // namespace

Buffer& buffer() { return *reinterpret_cast<Buffer*>(abi::ipc_buffer_address); }

Message pack_bytes(Buffer& b, uint64_t label, const void* data, size_t length, unsigned caps, uint64_t flags) {
    Message m;
    m.tag = make_tag(label, length, caps, flags);
    size_t in_registers = length < abi::ipc::register_bytes ? length : abi::ipc::register_bytes;
    memcpy(m.words, data, in_registers);
    if (length > in_registers)
        memcpy(b.words + abi::ipc::register_words, static_cast<const uint8_t*>(data) + in_registers,
               length - in_registers);
    return m;
}

size_t unpack_bytes(const Buffer& b, const Received& r, void* data, size_t capacity) {
    size_t length = r.length() < capacity ? r.length() : capacity;
    size_t in_registers = length < abi::ipc::register_bytes ? length : abi::ipc::register_bytes;
    memcpy(data, r.message.words, in_registers);
    if (length > in_registers)
        memcpy(static_cast<uint8_t*>(data) + in_registers, b.words + abi::ipc::register_words,
               length - in_registers);
    return r.length();
}

int64_t send(Cptr endpoint, const Message& m) { return message_call(abi::Syscall::endpoint_send, endpoint, m).rax; }

Received receive(Cptr endpoint, uint64_t options) {
    return received(syscall(abi::Syscall::endpoint_recv, endpoint, options));
}

Received call(Cptr endpoint, const Message& m) { return received(message_call(abi::Syscall::endpoint_call, endpoint, m)); }

int64_t reply(const Message& m) { return message_call(abi::Syscall::endpoint_reply, 0, m).rax; }

Received reply_receive(Cptr endpoint, const Message& m) {
    return received(message_call(abi::Syscall::endpoint_reply_recv, endpoint, m));
}

}  // namespace sys::ipc
