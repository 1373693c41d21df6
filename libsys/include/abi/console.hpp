// The console server's protocol (servers/console: the COM1 driver in user
// space) and how the root task starts it. docs/drivers.md, "The console
// server", describes the driver.
//
// A client talks to the server through an endpoint capability badged with
// its client id (1..max_clients; the root task hands these out). Output is
// kept per client until a line is complete, so the lines of several
// clients never interleave mid-line. Input goes into one ring, filled by
// the UART's receive interrupt; whoever reads first takes the bytes.
//
// The kernel's replies are one-shot answers to the call received last, so
// the server cannot hold a reader's reply until data comes: a read with no
// data answers would_block at once, and the server signals the reader's
// notification (attach_notification) when bytes arrive. sys::console::read
// puts the two together into a blocking read.
//
// Replies: label 0 on success, else an abi::Error code.
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace abi::console {

// write(bytes, the whole payload, up to 256): appended to the client's
// pending output; every complete line is written at once, whole. A pending
// partial line is written when it reaches line_capacity bytes.
inline constexpr uint64_t write = 1;
// flush(bytes): the same, then whatever is pending goes out too (prompts,
// echo of typed characters).
inline constexpr uint64_t flush = 2;
// read(w0 = most bytes 1..max_read, w1 = mode) -> the bytes as payload.
// Mode read_bytes: whatever is there; read_line: up to and including the
// first '\r' or '\n' (or max bytes, if no end of line comes first).
// would_block when there is nothing to give yet: the client's notification
// (if attached) is signalled when bytes arrive.
inline constexpr uint64_t read = 3;
inline constexpr uint64_t read_bytes = 0, read_line = 1;
inline constexpr uint64_t max_read = 256;
// attach_notification(), one notification capability (write right): the
// server signals it (its badge) when input arrives after a read of this
// client found nothing.
inline constexpr uint64_t attach_notification = 4;
// info() -> w0 bytes received, w1 overrun errors (the UART lost bytes
// before we read them), w2 bytes dropped because the ring was full, w3
// bytes of clients' output written (through the kernel's console, which
// adds a CR to each new line); w4 receive interrupts, w5 other line errors
// (parity, framing, break), w6 bytes in the ring now (words 4..6 in the
// IPC buffer).
inline constexpr uint64_t info = 5;
inline constexpr uint64_t info_words = 7;
// debug_crash (root's capability only): the server executes ud2.
inline constexpr uint64_t debug_crash = 6;

inline constexpr uint64_t line_capacity = 512;   // a client's pending output
inline constexpr uint64_t ring_capacity = 4096;  // input bytes kept unread

// Started as: console, with in its CNode:
inline constexpr Cptr service_slot = 9;   // its endpoint (receive)
inline constexpr Cptr ports_slot = 10;    // io_ports: COM1's data, interrupt enable, FIFO (0x3F8-0x3FA)
inline constexpr Cptr status_ports_slot = 11;  // io_ports: COM1's line and modem status, scratch (0x3FD-0x3FF)
inline constexpr Cptr irq_slot = 12;      // irq_handler of line 4
inline constexpr Cptr irq_notification_slot = 13;  // a notification for the interrupt (bound to its thread)
inline constexpr Cptr first_image_slot = 14;
// The line and modem control registers between them (0x3FB-0x3FC) stay
// the kernel's: it set the line up for its log.
inline constexpr uint64_t com1_base = 0x3F8, com1_ports = 3, com1_status = 0x3FD, com1_status_ports = 3;
inline constexpr uint64_t com1_line = 4;

inline constexpr uint64_t max_clients = 16;
inline constexpr uint64_t root_badge = 0x100;

}  // namespace abi::console
