// The ping-pong demo's message, shared by apps/ping and apps/pong. A full
// 256-byte message: its payload crosses through the IPC buffers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pingpong {

struct Message {
    uint64_t sequence;
    uint64_t checksum;  // of payload, mixed with sequence
    uint8_t payload[240];
};
static_assert(sizeof(Message) == 256);

inline uint64_t checksum(const Message& m) {
    uint64_t h = 1469598103934665603ull ^ m.sequence;  // FNV-1a
    for (uint8_t byte : m.payload) h = (h ^ byte) * 1099511628211ull;
    return h;
}

// The payload ping sends for a sequence number; pong sends it back inverted.
inline void fill(Message& m, uint64_t sequence) {
    m.sequence = sequence;
    for (size_t i = 0; i < sizeof m.payload; ++i) m.payload[i] = uint8_t(sequence * 31 + i * 7);
    m.checksum = checksum(m);
}

}  // namespace pingpong
