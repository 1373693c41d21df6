// The kernel trace buffer (docs/tracing.md): context switches, IPC, faults,
// interrupts and system calls, timestamped with the TSC, recorded into a
// ring while tracing is on.
//
// Each hook is one call to record() at its site. A build with -Dtrace=false
// compiles every hook to nothing; with tracing built in but off, a hook is
// one load and one untaken branch (the record itself is out of line).
#pragma once

#include <cstdint>

#include "abi/trace.hpp"
#include "kernel_config.hpp"
#include "lib/command_line.hpp"
#include "mm/physmap.hpp"

namespace trace {

using Kind = abi::trace::Kind;
namespace flag = abi::trace::flag;

namespace detail {
extern bool recording;
// Saves every register it uses, so a hook can call it from inline assembly
// without the compiler knowing of a call (see record()).
[[gnu::no_caller_saved_registers]] void append(uint64_t kind, uint64_t tid, uint64_t peer, uint64_t object,
                                              uint64_t value, uint64_t flags);
}  // namespace detail

// A hook. The call sits in an asm statement rather than in C++: a visible
// call, even one never taken, makes GCC give the function a frame and keep
// its values in callee-saved registers, which costs the IPC fast path more
// than the test itself. The asm names its arguments in the SysV registers
// and clobbers nothing, since append saves all it touches; the kernel is
// built without a red zone, so the pushed return address harms nothing.
[[gnu::always_inline]] inline void record(Kind kind, uint64_t tid, uint64_t peer = 0, uint64_t object = 0,
                                          uint64_t value = 0, uint8_t flags = 0) {
    if constexpr (config::trace) {
        if (__builtin_expect(detail::recording, false)) {
            register uint64_t r8 asm("r8") = value;
            register uint64_t r9 asm("r9") = flags;
            asm volatile("call %P[append]"
                         :
                         : [append] "i"(&detail::append), "D"(uint64_t(kind)), "S"(tid & 0xFFFFFFFF),
                           "d"(peer & 0xFFFFFFFF), "c"(object & 0xFFFFFFFF), "r"(r8), "r"(r9)
                         : "cc");
        }
    }
}

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
void record_name(uint32_t tid, uint64_t bytes_0_7, uint64_t bytes_8_15);

}  // namespace trace
