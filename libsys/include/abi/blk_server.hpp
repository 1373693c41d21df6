// How the root task starts the block server (servers/blk) and names its
// clients; the protocol clients speak is abi/blk.hpp.
//
// Started as: blk PORT_BASE PORT_COUNT IRQ_LINE, with in its CNode:
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace abi::blk::server {

inline constexpr Cptr service_slot = 9;   // its endpoint (receive)
inline constexpr Cptr ports_slot = 10;    // io_ports: the device's BAR0 (legacy virtio registers)
inline constexpr Cptr irq_slot = 11;      // irq_handler of the device's interrupt line
inline constexpr Cptr dma_memory_slot = 12; // untyped: its virtqueue and request headers (physically
                                            // contiguous frames), its own small objects, and the
                                            // clients' buffer pages (abi::blk::attach_buffer)
inline constexpr Cptr first_image_slot = 13;
inline constexpr unsigned dma_memory_bits = 21;  // 2 MiB: room for about 7 clients' 64-page buffers

// Client ids: the badge of each client's endpoint capability, 1..max_clients;
// the root task's own capability carries root_badge (info, debug_crash).
inline constexpr uint64_t max_clients = 16;
inline constexpr uint64_t root_badge = 0x100;

}  // namespace abi::blk::server
