// The root task: the first user program, holder of all memory at boot.
// It sets up what the command line asks for (run=tests, run=bench) and
// hands out resources; later the loader and pager servers start from here.
#pragma once

#include <cstdint>

#include "abi/boot_info.hpp"
#include "sys/clock.hpp"
#include "sys/print.hpp"
#include "sys/resources.hpp"
#include "sys/syscall.hpp"

namespace root {

struct Context {
    const abi::BootInfo* info = reinterpret_cast<const abi::BootInfo*>(abi::boot_info_address);
    sys::SlotAllocator slots;
    sys::UntypedPool memory{slots};
    uint64_t first_line_tsc = 0;  // the TSC as our first line was printed: boot time since reset
};
extern Context context;

// Whether the kernel command line holds `word` (or word=...), and its value.
bool command_line_has(const char* word);
bool command_line_value(const char* key, char* out, uint64_t capacity);

// --- threads and address spaces for tests and benchmarks ----------------------

// A new address space that shares the root task's code and read-only data
// (the same frames, mapped at the same addresses) and nothing else.
sys::Cptr make_code_sharing_space();

// Maps a new frame readable and writable at address in vspace (and returns
// its capability), or 0.
sys::Cptr map_page(sys::Cptr vspace, uint64_t address);
// A frame of the device memory page at `physical` (from the PCI window's
// untyped regions), or 0.
sys::Cptr device_frame(uint64_t physical);
// Maps an existing frame (through a copy of its capability) into vspace.
bool share_page(sys::Cptr frame, sys::Cptr vspace, uint64_t address,
                uint8_t frame_rights = abi::rights::read | abi::rights::write);

using ThreadEntry = void (*)(uint64_t argument);

// Creates a thread running entry(argument) in vspace with the root's CNode,
// on a fresh stack mapped in vspace at stack_top, with an IPC buffer of its
// own at ipc_buffer_of(stack_top); not yet resumed.
sys::Cptr make_thread(sys::Cptr vspace, ThreadEntry entry, uint64_t argument, uint8_t priority,
                      uint64_t stack_top);

// A region of the address space for thread stacks: each thread created
// with next_stack_top() gets 16 KiB of its own below the returned top.
uint64_t next_stack_top();
uint64_t ipc_buffer_of(uint64_t stack_top);
// Called on a thread made with next_stack_top: the address of its own IPC
// buffer, found from its stack (threads of one task share their globals).
uint64_t thread_ipc_buffer();

using sys::rdtsc;

int run_kernel_tests();   // TAP on the console; returns the number of failures
int run_benchmarks();
int run_ping_pong();
int run_configuration();  // the programs listed in the initrd's boot.cfg
int run_scale();
int run_pager_stress();
int run_crash();
int run_loader_dies();    // run=loader-dies: a server's death is reported, its clients get errors          // run=crash: fault supervision by the loader
int run_blk();           // run=blk: the block server with two clients (a virtio-blk disk needed)
int run_blk_dies();      // run=blk-dies: the block server dies under its clients
int run_fuzz();          // run=fuzz: the system-call fuzzer (docs/fuzzing.md)
int run_shell();         // run=shell: the console server and the shell (apps/shell)
int run_console_flood(); // run=console-flood: more input than the console's ring, nobody reading
int run_trace(const char* run);  // run=trace-pingpong, run=trace-pager: a demo traced (docs/tracing.md)

}  // namespace root
