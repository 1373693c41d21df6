// The trace buffer's calls (docs/tracing.md): both need the debug console,
// as the kernel's other debugging calls do; writing (control) and reading
// are separate rights.
#include "abi/trace.hpp"
#include "arch/x86_64/lapic.hpp"
#include "syscall/call.hpp"
#include "syscall/user_access.hpp"
#include "trace/reader.hpp"
#include "trace/trace.hpp"

namespace syscall {

namespace {
using abi::trace::Op;
}

// (console, op) -> rdx = the previous state (1: recording), r10 = the TSC
// frequency of the timestamps.
Error sys_trace_control(Call& c) {
    if constexpr (!config::trace) return Error::unknown_syscall;  // built without tracing
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::write, console));
    uint64_t op = c.arg(1);
    if (op >= uint64_t(Op::count)) return Error::bad_argument;
    c.frame.rdx = trace::recording();
    switch (Op(op)) {
    case Op::off: trace::set_recording(false); break;
    case Op::on:
        if (trace::recording()) break;
        trace::set_recording(true);
        // This call came through the untraced syscall_dispatch, which
        // records no exit (trace::CallSite); record the one the traced
        // dispatch would have, as every call made while recording has.
        trace::record(trace::Kind::syscall_exit, c.self->id, 0, uint64_t(abi::Syscall::trace_control),
                      uint64_t(abi::error_code(Error::none)));
        break;
    case Op::clear: trace::clear(); break;
    case Op::count: break;
    }
    c.frame.r10 = arch::lapic::tsc_hz();
    return Error::none;
}

// (console, Record* buffer, max records) -> rdx = records copied (the
// oldest unread, now read), r10 = records lost since the last read because
// the buffer was full. A buffer that faults gets bad_address and nothing
// is consumed.
Error sys_trace_read(Call& c) {
    if constexpr (!config::trace) return Error::unknown_syscall;
    Slot* console;
    TRY(lookup(c, c.arg(0), ObjectType::debug_console, rights::read, console));
    uint64_t buffer = c.arg(1), max = c.arg(2);
    // Bounding max first keeps max * 32 from overflowing.
    if (max > abi::trace::buffer_records) max = abi::trace::buffer_records;
    if (!is_user_range(buffer, max * sizeof(abi::trace::Record))) return Error::bad_address;
    size_t copied;
    uint64_t lost;
    if (!trace::read_to_user(buffer, max, copied, lost)) return Error::bad_address;
    c.frame.rdx = copied;
    c.frame.r10 = lost;
    return Error::none;
}

}  // namespace syscall
