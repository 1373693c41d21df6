// The kernel trace buffer (docs/tracing.md): context switches, IPC, faults,
// interrupts and system calls, timestamped with the TSC, recorded into a
// ring while tracing is on.
//
// Each hook is one call to record() at its site. A build with -Dtrace=false
// compiles every hook to nothing; with tracing built in but off, a hook is
// one no-op instruction (the record itself is out of line).
#pragma once

#include <cstdint>

#include "abi/trace.hpp"
#include "kernel_config.hpp"
#include "lib/command_line.hpp"
#include "mm/physmap.hpp"

namespace object {
struct Thread;
}

namespace trace {

using Kind = abi::trace::Kind;
namespace flag = abi::trace::flag;

namespace detail {
extern bool recording;  // the state; the hooks' code says it too (see record())
// A record being made: a hook stores its fields here and calls append,
// which saves every register it uses (see record()). Interrupts are off in
// the kernel and there is one CPU, so one is enough.
struct Pending {
    uint64_t kind, tid, peer, object, value, flags;
};
extern Pending pending;
[[gnu::no_caller_saved_registers]] void append();
}  // namespace detail

// A hook. While tracing is off it is one 5-byte no-op instruction; turning
// tracing on rewrites every hook's no-op into a jump to its recording code
// (set_recording), the way Linux's static keys do, so a build with tracing
// in costs the fast paths one instruction per hook, not a load and a branch.
//
// The recording code stores the fields in memory and calls append from an
// asm statement rather than from C++: a visible call, even on a path rarely
// taken, makes GCC give the function a frame and keep its values in
// callee-saved registers, and arguments in fixed registers have the same
// effect. The asm reads `pending` and clobbers nothing, since append saves
// all it touches; the kernel is built without a red zone, so the pushed
// return address harms nothing.
[[gnu::always_inline]] inline void record(Kind kind, uint64_t tid, uint64_t peer = 0, uint64_t object = 0,
                                          uint64_t value = 0, uint8_t flags = 0) {
    if constexpr (config::trace) {
        asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t"  // nopl 0(%%rax,%%rax,1)
                 ".pushsection trace_sites, \"a\"\n\t"
                 ".balign 8\n\t"
                 ".quad 1b, %l[recording]\n\t"
                 ".popsection"
                 :
                 :
                 :
                 : recording);
        return;
    recording:
        detail::pending = detail::Pending{uint64_t(kind), tid, peer, object, value, flags};
        asm volatile("call %P[append]" : : [append] "i"(&detail::append), "m"(detail::pending) : "cc");
    }
}

// A traced call site: a `call untraced` instruction that turning tracing
// on rewrites into `call traced` (and off, back), through the same
// patching as the hooks. The system call entry reaches syscall_dispatch
// and ipc_fast_path this way (arch/x86_64/syscall_entry.asm), so their
// untraced versions hold no hook at all: even a no-op hook costs them its
// own instruction and, worse, the registers GCC sets aside for the jump
// target's arguments. Gathered in the `trace_calls` section, each as the
// address of its E8 opcode, then the untraced and the traced callee.
struct CallSite {
    uint64_t site, untraced, traced;
};

// An endpoint's id in records: its physical address / 64 (objects are at
// least 64-byte aligned), the same for the object's whole life.
inline uint64_t object_id(const void* object) { return (uint64_t(object) - mm::direct_map_base) >> 6; }

// trace=1 on the command line starts recording at boot (call after
// sched::init: records name the current thread).
void configure(const lib::CommandLine& cmdline);

// What trace_control and trace_read do, after their checks.
inline bool recording() { return detail::recording; }
void set_recording(bool on);
void clear();
// A name record for the thread (its registry name), if recording: called
// by thread_set_name, and for every named thread when recording starts, so
// that a trace can always tell who its threads are.
void record_name(const object::Thread* t);

}  // namespace trace
