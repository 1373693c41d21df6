// The kernel trace buffer from user space (docs/tracing.md): the two
// calls, and draining the buffer to the console in the text form
// tools/trace2perfetto.py reads. Threads appear in a trace by the names
// thread_set_name gave them (sys/inspect.hpp).
#pragma once

#include <cstdint>

#include "abi/trace.hpp"
#include "sys/syscall.hpp"

namespace sys::trace {

using abi::trace::Op;
using abi::trace::Record;

struct ControlResult {
    int64_t status;   // 0, or a negated abi::Error (unknown_syscall: a kernel built without tracing)
    bool was_on;      // recording before the call
    uint64_t tsc_hz;  // the frequency of the records' timestamps
};
inline ControlResult control(Cptr console, Op op) {
    Registers r = syscall(abi::Syscall::trace_control, console, uint64_t(op));
    return ControlResult{r.rax, r.rax == 0 && r.rdx != 0, r.rax == 0 ? r.r10 : 0};
}

struct ReadResult {
    int64_t status;
    uint64_t count;  // records copied into the buffer
    uint64_t lost;   // records dropped since the last read (the buffer was full)
};
inline ReadResult read(Cptr console, Record* buffer, uint64_t max) {
    Registers r = syscall(abi::Syscall::trace_read, console, uint64_t(buffer), max);
    return r.rax == 0 ? ReadResult{0, r.rdx, r.r10} : ReadResult{r.rax, 0, 0};
}

// The text form of one record, one line, no newline: "t TSC KIND TID PEER
// OBJECT VALUE FLAGS" (TSC, OBJECT and VALUE in hex, the rest decimal), or
// "n TSC TID NAME" for a name. Returns the length written (< capacity).
uint64_t format_record(const Record& r, char* out, uint64_t capacity);

struct DumpResult {
    int64_t status;
    uint64_t records, lost;
};
// Stops recording, prints every unread record between the lines
// "trace: begin tsc_hz=N" and "trace: end records=N lost=N" (before the
// end, "trace: lost N" if the buffer was full and records were dropped:
// they came after the last one printed), then restores the previous
// state. control_console needs the write right, read_console the read right.
DumpResult dump(Cptr control_console, Cptr read_console);

}  // namespace sys::trace
