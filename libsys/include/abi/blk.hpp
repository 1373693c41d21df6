// The block device server's protocol (servers/blk, a virtio-blk driver in
// user space). docs/drivers.md describes the driver model.
//
// A client talks to the server through an endpoint capability badged with
// its client id (the root task hands these out). Data never travels in
// messages: the server gives each client buffer pages once (attach_buffer),
// frames of the server's own memory that the client maps, and the device
// reads and writes them directly (DMA). The frames stay the server's: a
// client that dies, or whose memory is reclaimed, cannot leave the device
// writing into memory that has gone to someone else. Requests are asynchronous,
// so one client may have several in flight and the server never holds a
// reply right while the disk works: submit returns at once with a request
// tag, and the server signals the client's notification when requests
// complete; the client then collects the results with `complete`.
//
// Replies: label 0 on success, else an abi::Error code.
#pragma once

#include <cstdint>

#include "abi/syscalls.hpp"

namespace abi::blk {

inline constexpr uint64_t sector_size = 512;
inline constexpr uint64_t max_buffer_pages = 64;  // per client: 256 KiB of lent frames
inline constexpr uint64_t max_in_flight = 16;     // per client

// info() -> w0 = capacity in sectors, w1 = sector size, w2 = the device's
// maximum sectors per request.
inline constexpr uint64_t info = 1;

// attach_buffer(w0 = first page index, w1 = count, 1..3) -> `count` frame
// capabilities (read and write), pages first..first+count-1 of the
// client's buffer, into the receive window of the client's IPC buffer.
// The same page asked for again is the same frame. out_of_memory when the
// server's memory for buffers is spent.
inline constexpr uint64_t attach_buffer = 2;

// attach_notification(), with one notification capability (write right):
// signalled (its badge, or bit 0) whenever a request of this client
// completes.
inline constexpr uint64_t attach_notification = 3;

// submit(Request) -> w0 = the request's tag. The transfer moves `sectors`
// sectors between the disk at `sector` and the client's buffer at byte
// `buffer_offset` (sector aligned; it may span pages). Fails with
// would_block when max_in_flight requests of this client are pending.
inline constexpr uint64_t submit = 4;
struct Request {
    uint64_t sector;
    uint64_t sectors;
    uint64_t buffer_offset;
    uint64_t write;  // 0: read from the disk, 1: write to it
};

// complete() -> w0 = count (0..4), then up to 4 pairs in the payload's
// words 1.. : (tag, status), status 0 or a negated abi::Error (bad_address
// for a range past the disk or the buffer, would_block never). Call until
// it returns 0.
inline constexpr uint64_t complete = 5;

// debug_crash(w0 = N) from the root task: the driver executes ud2, at once
// (N = 0) or when it takes its Nth request from now (a submit by any
// client), to test what happens to its clients when a driver dies.
inline constexpr uint64_t debug_crash = 6;

}  // namespace abi::blk
