// Client side of the block server (abi/blk.hpp). Each call returns 0 (or a
// count) on success and a negated abi::Error on failure: either the
// server's refusal (its reply label) or the IPC error of a server that is
// gone (invalid_capability once root has revoked its endpoint,
// object_destroyed or partner_died for a call it cut short).
#pragma once

#include <cstdint>

#include "abi/blk.hpp"
#include "sys/resources.hpp"
#include "sys/syscall.hpp"

namespace sys::blk {

struct Info {
    int64_t status;
    uint64_t sectors, sector_size, max_sectors;  // capacity, bytes per sector, sectors per request
};
Info info(Cptr server);

// Asks for buffer page `page`: the server's frame arrives in the empty slot
// `receive` of our own CNode (the caller maps it).
int64_t attach_buffer(Cptr server, uint64_t page, Cptr receive);
// Asks for buffer pages 0..count-1 into new slots of `slots` and maps them
// at address.. in our address space, with page tables from `pool`.
int64_t attach_buffer_pages(Cptr server, unsigned count, SlotAllocator& slots, UntypedPool& pool, uint64_t address);
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
