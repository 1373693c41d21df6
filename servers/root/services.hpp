// The servers the root task starts, and the programs it runs through them.
#pragma once

#include <cstdint>

#include "sys/loader.hpp"
#include "sys/syscall.hpp"

namespace root {

// Starts the loader server (once) and returns our capability to it
// (badged 1: the root task), or 0.
sys::Cptr start_loader();

// The pager server's endpoint (our manager capability), once started; 0
// once it has died.
sys::Cptr pager();
// The pager's budget in frames (0 when it did not start).
uint64_t pager_frames();

// Whether the pager has died (and the loader was told).
bool pager_has_died();

// The block server (servers/blk), started when the machine has a
// virtio-blk disk (start_loader starts it too, before the pager): whether
// it runs.
bool start_blk();
// Our capability to it (badged abi::blk::server::root_badge: info,
// debug_crash), or 0 (no disk, or it died).
sys::Cptr blk();
bool blk_has_died();
// A capability to it for a new client (write and grant, badged with a
// fresh client id, returned in id), in a new slot of ours; 0 when there is
// no block server or every client id is taken.
sys::Cptr blk_client(uint64_t& id);

// Spawns a program through the loader at `priority`; prints the reason and
// returns false if it cannot start.
bool run_program(int argc, const char* const* argv, uint8_t priority, sys::loader::Task& task);

}  // namespace root
