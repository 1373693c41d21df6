// IPC message layout, shared by the kernel and libsys.
//
// A message is a tag word and up to 256 bytes of payload. The first four
// payload words travel in registers (rdx, r10, r8, r9); the rest sit in the
// sender's IPC buffer page and land in the receiver's, copied once by the
// kernel from one page to the other. Capabilities named in the sender's
// IPC buffer travel with the message when the endpoint capability has the
// grant right; they land where the receiver's IPC buffer says.
#pragma once

#include <cstddef>
#include <cstdint>

namespace abi::ipc {

inline constexpr size_t max_message_bytes = 256;
inline constexpr size_t register_words = 4;
inline constexpr size_t register_bytes = register_words * 8;
inline constexpr size_t max_message_words = max_message_bytes / 8;
inline constexpr size_t max_caps = 3;

// Tag word: | label (51 bits) | flags (2) | capability count (2) | length in bytes (9) |
inline constexpr uint64_t length_bits = 9, caps_shift = 9, flags_shift = 11, label_shift = 13;
inline constexpr uint64_t flag_notification = 1ull << flags_shift;        // received: the bound notification fired
inline constexpr uint64_t flag_nonblocking = 1ull << (flags_shift + 1);   // on send and call: fail instead of waiting
inline constexpr uint64_t max_label = (1ull << (64 - label_shift)) - 1;

constexpr uint64_t make_tag(uint64_t label, uint64_t length, uint64_t caps = 0, uint64_t flags = 0) {
    return label << label_shift | flags | caps << caps_shift | length;
}
constexpr uint64_t tag_length(uint64_t tag) { return tag & ((1ull << length_bits) - 1); }
constexpr uint64_t tag_caps(uint64_t tag) { return (tag >> caps_shift) & 3; }
constexpr uint64_t tag_label(uint64_t tag) { return tag >> label_shift; }

// A fault message: what the kernel sends on a thread's fault endpoint when
// the thread takes an exception. Label fault_label, 32 bytes: the faulting
// address (CR2 for page faults), the access (fault_* bits), the instruction
// pointer, the vector. Replying with label 0 resumes the thread (to retry
// the access); any other label stops it.
inline constexpr uint64_t fault_label = 0xFA17;
inline constexpr uint64_t fault_present = 1;       // the page was present (a protection fault)
inline constexpr uint64_t fault_write = 2;
inline constexpr uint64_t fault_user = 4;
inline constexpr uint64_t fault_instruction = 16;

// Options of endpoint_recv and endpoint_reply_recv.
inline constexpr uint64_t receive_nonblocking = 1;

// The IPC buffer page of a thread (configured with thread_configure).
struct Buffer {
    uint64_t words[max_message_words];  // payload; words 0..3 are in registers, not here
    uint64_t caps[max_caps];            // cptrs of capabilities to send
    uint64_t receive_cnode;             // where received capabilities go: a CNode cptr
    uint64_t receive_index;             // and the first slot (consecutive slots after it)
};
static_assert(sizeof(Buffer) <= 4096);

}  // namespace abi::ipc
