#!/usr/bin/env python3
"""The traced call sites (trace::CallSite, docs/tracing.md), checked live under GDB.

Usage: trace_callsite_test.py --gdb GDB --elf kernel.elf --kernel kernel.bin [...]

The system call entry reaches syscall_dispatch and ipc_fast_path through
call sites that turning tracing on rewrites to their traced versions, so
that the untraced ones need no hook. Boots a traced ping-pong halted under
GDB and checks, on every system call of the run, that the version entered
matches the state: a conditional breakpoint on each of the four functions
stops only when an untraced one runs while recording or a traced one runs
while not (none may stop). It also stops once in syscall_dispatch_traced
(recording on) and once in power_off (the dump has turned recording off
again) and reads both call sites there, as the CPU would
decode them. And the untraced versions hold no trace hook, the traced ones
do (the trace_sites section against the functions' bounds).
"""
import argparse
import re
import sys

import gdb_session
import qemu_session
from tap import Tap

APPEND = "run=trace-pingpong count=5 busy=0 poweroff"
UNTRACED = ("syscall_dispatch", "ipc_fast_path")
TRACED = tuple(f + "_traced" for f in UNTRACED)


def section(out, label):
    match = re.search(rf"^==== {re.escape(label)}\n(.*?)(?=^==== |\Z)", out, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def call_targets(text):
    """The callee of each `call` instruction x/i printed: ['syscall_dispatch', ...]."""
    return re.findall(r"call\s+0x[0-9a-f]+ <([A-Za-z_][\w:]*)[(>]", text)


def printed(text):
    """The values of GDB's print commands in text, in order."""
    return re.findall(r"^\$\d+ = (\S+)$", text, re.MULTILINE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gdb", default="gdb")
    parser.add_argument("--elf", required=True)
    qemu_session.add_arguments(parser)
    args = parser.parse_args()
    tap = Tap()

    def sites(label):
        # trace_calls holds {site, untraced, traced} per traced call site.
        return [f"echo ==== {label}\\n",
                "x/i ((unsigned long *)&__start_trace_calls)[0]",
                "x/i ((unsigned long *)&__start_trace_calls)[3]",
                "print/d ((unsigned long)&__stop_trace_calls - (unsigned long)&__start_trace_calls) / 24",
                "print/d (int)trace::detail::recording"]

    # Each hook's function, from the trace_sites table ({hook, target}).
    hooks = "\n".join([
        "python",
        "start = int(gdb.parse_and_eval('(unsigned long)&__start_trace_sites'))",
        "stop = int(gdb.parse_and_eval('(unsigned long)&__stop_trace_sites'))",
        "for entry in range(start, stop, 16):",
        "    hook = int(gdb.parse_and_eval('*(unsigned long *)%d' % entry))",
        "    print('hook in', gdb.execute('info symbol %d' % hook, to_string=True).split()[0])",
        "end"])

    commands = lambda port: [
        "set pagination off",
        "set confirm off",
        f"target remote 127.0.0.1:{port}",
        f"symbol-file {args.elf}",
        "tbreak syscall_dispatch_traced",
        "continue",
        # From the first traced call on (the boot before it runs untraced
        # calls only, as the power-off check below does), breakpoints 2-5
        # stop only on a version run in the wrong state.
        *[f"break {name} if trace::detail::recording != 0" for name in UNTRACED],
        *[f"break {name} if trace::detail::recording == 0" for name in TRACED],
        *sites("recording"),
        "echo ==== hooks\\n",
        hooks,
        "break arch::power::power_off",
        "continue",
        *sites("poweroff"),
        "delete",
        "continue",
    ]
    session = gdb_session.run(args, APPEND, commands)
    out = session.out
    tap.check(session.started, "QEMU's GDB stub accepted a connection")

    recording, poweroff = section(out, "recording"), section(out, "poweroff")
    tap.check("syscall_dispatch_traced (" in out and recording, "stopped in syscall_dispatch_traced", out[-3000:])
    tap.check(call_targets(recording) == ["ipc_fast_path_traced", "syscall_dispatch_traced"],
              "while recording both call sites call the traced versions", recording)
    tap.check(printed(recording)[:1] == ["2"], "exactly two traced call sites", recording)
    tap.check(printed(recording)[-1:] == ["1"], "recording is on there", recording)
    tap.check("power_off" in out and poweroff, "stopped in power_off after the dump",
              out[-3000:])
    tap.check(call_targets(poweroff) == ["ipc_fast_path", "syscall_dispatch"],
              "recording off again: both call sites call the untraced versions", poweroff)
    tap.check(printed(poweroff)[-1:] == ["0"], "recording is off there", poweroff)

    # A stop at breakpoint 2-5 is a version run in the wrong state.
    violations = re.findall(r"^Breakpoint [2-5], .*$", out, re.MULTILINE)
    tap.check(not violations, "no version of the four ran in the wrong state", "\n".join(violations))

    found = re.findall(r"^hook in (\S+)$", section(out, "hooks"), re.MULTILINE)
    tap.check(len(found) > 10, "read the trace_sites table", section(out, "hooks")[:2000])
    for name in UNTRACED:
        tap.check(found.count(name) == 0, f"{name} holds no trace hook", f"{found.count(name)} hooks")
    # syscall_dispatch_traced: entry and exit; the fast path: the delivery
    # or reply and the switch, in each of its two instantiations.
    for name, least in zip(TRACED, (2, 4)):
        tap.check(found.count(name) >= least, f"{name} holds its trace hooks", f"{found.count(name)} hooks")

    tap.check("trace: end" in session.serial, "the traced ping-pong dumped its trace", session.serial[-2000:])
    tap.check(session.status == 0 or session.status is not None, "QEMU ended by itself", session.serial[-2000:])
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
