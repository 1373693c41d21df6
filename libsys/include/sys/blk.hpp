// Client side of the block server (abi/blk.hpp). Each call returns 0 (or a
// count) on success and a negated abi::Error on failure: either the
// server's refusal (its reply label) or the IPC error of a server that is
// gone (invalid_capability once root has revoked its endpoint,
// object_destroyed or partner_died for a call it cut short).
#pragma once

#include <cstdint>

#include "abi/blk.hpp"
#include "sys/syscall.hpp"

namespace sys::blk {

struct Info {
    int64_t status;
    uint64_t sectors, sector_size, max_sectors;  // capacity, bytes per sector, sectors per request
};
Info info(Cptr server);

// Lends up to 3 frames (read and write rights) as buffer pages first...
int64_t attach_buffer(Cptr server, uint64_t first_page, const Cptr* frames, unsigned count);
// Lends every frame: pages 0..count-1, three per call.
int64_t attach_buffer_pages(Cptr server, const Cptr* frames, unsigned count);
int64_t attach_notification(Cptr server, Cptr notification);

struct Submitted {
    int64_t status;
    uint64_t tag;
};
Submitted submit(Cptr server, const abi::blk::Request& request);

struct Completion {
    uint64_t tag;
    int64_t status;  // 0 or a negated abi::Error
};
// Up to 4 finished requests into out; returns how many, or the error.
int64_t complete(Cptr server, Completion* out);

}  // namespace sys::blk
