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
void append(Kind kind, uint32_t tid, uint32_t peer, uint32_t object, uint64_t value, uint8_t flags);
}  // namespace detail

[[gnu::always_inline]] inline void record(Kind kind, uint64_t tid, uint64_t peer = 0, uint64_t object = 0,
                                          uint64_t value = 0, uint8_t flags = 0) {
    if constexpr (config::trace) {
        if (__builtin_expect(detail::recording, false))
            detail::append(kind, uint32_t(tid), uint32_t(peer), uint32_t(object), value, flags);
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
