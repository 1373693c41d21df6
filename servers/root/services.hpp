// The servers the root task starts, and the programs it runs through them.
#pragma once

#include <cstdint>

#include "common/cpio.hpp"
#include "sys/loader.hpp"
#include "sys/program.hpp"
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

// Bytes of memory the pager's regions and the loader's pool took (0 when
// not started).
uint64_t pager_memory();
uint64_t loader_memory();

// The loader's endpoint itself (unbadged), or 0; and a capability minted
// from such an original with `rights` and `badge` into a slot of cnode
// (false if there is no original or the slot is taken).
sys::Cptr loader_original();
bool mint_server_capability(sys::Cptr original, uint8_t rights, uint64_t badge, sys::Cptr cnode, sys::Cptr index);

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

// Slots of ours for a server's objects, built from `memory`; its image goes
// to its CNode from first_task_slot on (the slots before are for what we
// hand it).
sys::ProgramResources server_resources(sys::Cptr memory, sys::Cptr first_task_slot);
// Builds a server from its file in the initrd with its arguments, not yet
// running: we hand it its capabilities (and become its fault handler)
// before it starts. registry (0: none) goes into its registry slot, badged
// pid.
bool build_server(const cpio::File& file, int argc, const char* const* argv, sys::ProgramResources& r,
                  sys::Cptr registry = 0, uint64_t pid = 0);
// A server built so gets a fault endpoint (`faults`, by default our
// supervisor's, badged `badge`) and starts.
bool supervise_and_start(const sys::ProgramResources& r, uint64_t badge, sys::Cptr faults = 0);

// The console server (servers/console), started on demand: whether it
// runs; our capability to it (badged abi::console::root_badge), or 0; a
// capability for a new client (write and grant, badged with a fresh id,
// returned in id) in a new slot of ours, or 0.
bool start_console();
sys::Cptr console_server();
sys::Cptr console_client(uint64_t& id);

// Spawns a program through the loader at `priority`; prints the reason and
// returns false if it cannot start.
bool run_program(int argc, const char* const* argv, uint8_t priority, sys::loader::Task& task);

}  // namespace root
