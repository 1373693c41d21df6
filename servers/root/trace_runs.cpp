// Traced runs (docs/tracing.md): the kernel records while a demo runs,
// then the buffer is printed on the console for tools/trace2perfetto.py.
//
// run=trace-pingpong [count=N] [busy=B]: the ping-pong demo, with its options;
// run=trace-pager [pages=N] [beside=0]: the pager stress test, with its options.
// The trace starts empty, just before the demo's tasks are started,
// unless the kernel records from boot, and recording stops after the dump
// unless it was on before; the kernel adds the names of the
// threads alive when recording starts, and of those named later.
#include "common/string.hpp"
#include "root.hpp"
#include "services.hpp"
#include "sys/trace.hpp"

namespace root {

namespace {

int traced(int (*demo)()) {
    sys::Cptr console = abi::root_slot::console;
    // The servers start before the trace does: their start-up would fill it.
    if (!start_loader()) return 1;
    sys::trace::ControlResult before = sys::trace::control(console, sys::trace::Op::off);
    if (before.status) {
        sys::print("root: tracing is not available: %s\n", sys::describe(sys::error_of(before.status)));
        return 1;
    }
    // Recording since boot (trace=1): the boot and the servers' start-up
    // stay in the trace; else it starts here, empty. Turning it on records
    // the names of the threads alive.
    if (!before.was_on) sys::trace::control(console, sys::trace::Op::clear);
    sys::trace::control(console, sys::trace::Op::on);
    int failures = demo();
    sys::trace::DumpResult d = sys::trace::dump(console, console);
    if (d.status) sys::print("root: reading the trace failed: %s\n", sys::describe(sys::error_of(d.status)));
    // As it was before the run: the system goes on untraced (the
    // trace-callsites test checks the entry's call sites after this).
    if (!before.was_on) sys::trace::control(console, sys::trace::Op::off);
    return failures + (d.status ? 1 : 0);
}

}  // namespace

int run_trace(const char* which) {
    if (lib::equal(which, "trace-pingpong")) return traced(run_ping_pong);
    return traced(run_pager_stress);
}

}  // namespace root
