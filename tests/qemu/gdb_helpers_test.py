#!/usr/bin/env python3
"""The GDB helpers (tools/gdb/microkernel.py) on a live system, checked.

Usage: gdb_helpers_test.py --gdb GDB --elf kernel.elf --source-root DIR --kernel kernel.bin [...]

Boots the default configuration (eight hello_world tasks under the loader
and the pager) halted under GDB, stops in the kernel when the first page
fault goes out to the pager, and runs every helper. Each output is checked
against what is known from elsewhere: the programs the boot starts, the
task slots every program gets (abi/task.hpp), the capabilities the pager
holds (the address spaces of its clients must be the tasks mk-tasks shows),
the registers GDB reads itself ($cr3 in a user breakpoint), and the source
files. A breakpoint in the pager's fault handler, set with mk-break, is hit
in user mode and listed with source; mk-pager's resident pages are checked
against the tasks' page tables. Then the system runs on to a clean
power-off.
"""
import argparse
import os
import re
import sys

import gdb_session
import qemu_session
from tap import Tap

APPEND = "poweroff"
SKIP_FAULTS = 10  # the fault handler breakpoint stops at the pager's 11th fault


def section(out, command):
    """The output of one helper: the lines between its echo marker and the next."""
    match = re.search(rf"^==== {re.escape(command)}\n(.*?)(?=^==== |\Z)", out, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def parse_tasks(text):
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s*(\d+)\s+(\S+)\s+(\S+)(?: (\S+))?\s+(\d+)\s+(0x[0-9a-f]+|-)\s+(\d+)\s+(\d+)\s+(0x[0-9a-f]+|-)$",
                     line)
        if m:
            rows.append({"id": int(m.group(1)), "name": m.group(2), "state": m.group(3), "on": m.group(4),
                         "priority": int(m.group(5)), "task": m.group(6), "ticks": int(m.group(7)),
                         "faults": int(m.group(8)), "rip": m.group(9)})
    return rows


def parse_caps(text):
    """(depth, slot, type, rights, object, rest) per line of mk-caps."""
    caps = []
    for line in text.splitlines():
        m = re.match(r"^( *)slot (\d+)\s+(\S+)\s+([rwxg-]{4})\s+object (0x[0-9a-f]+)(.*)$", line)
        if m:
            caps.append((len(m.group(1)) // 2, int(m.group(2)), m.group(3), m.group(4), m.group(5), m.group(6)))
    return caps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gdb", default="gdb")
    parser.add_argument("--elf", required=True)
    parser.add_argument("--source-root", required=True)
    qemu_session.add_arguments(parser)
    args = parser.parse_args()
    helpers = os.path.join(args.source_root, "tools", "gdb", "microkernel.py")
    tap = Tap()

    def run(command, label=None):
        """A helper's command, after a marker line that section() finds."""
        return [f"echo ==== {label or command}\\n", command]

    session = gdb_session.run(args, APPEND, lambda port: [
        "set pagination off",
        "set confirm off",
        f"target remote 127.0.0.1:{port}",
        f"symbol-file {args.elf}",
        f"source {helpers}",
        # The first fault out to the pager: the servers are up, a task faults.
        "break object::ipc::send_fault",
        "continue",
        "delete",
        "echo ==== faulting\\n",
        "print t->id",
        *run("mk-tasks"),
        *run("mk-caps pager"),
        *run("mk-caps hello_world"),
        *run("mk-bt pager"),
        *run("mk-symbols pager"),
        *run("mk-break pager handle_fault"),
        f"ignore $bpnum {SKIP_FAULTS}",
        "continue",
        "echo ==== stop\\n",
        "print/x $cr3",
        "print/x $cs",
        "bt",
        "list",
        "echo ==== total_faults\\n",
        "print '(anonymous namespace)::total_faults'",
        *run("mk-pager"),
        *run("mk-tasks", label="mk-tasks 2"),
        "delete",
        "echo ==== continue\\n",
        "continue",
    ])
    tap.check(session.started, "QEMU's GDB stub accepts a connection")
    out, status, serial = session.out, session.status, session.serial

    sys.stderr.write("---- gdb ----\n" + out + "\n---- serial ----\n" + serial)
    tap.check("Python Exception" not in out and "Error occurred in Python" not in out,
              "the helpers run without a Python error",
              next((l for l in out.splitlines() if "Python" in l), ""))

    # mk-tasks at the first fault.
    tasks = parse_tasks(section(out, "mk-tasks"))
    by_name = {}
    for row in tasks:
        by_name.setdefault(row["name"], []).append(row)
    faulting = re.search(r"^\$1 = (\d+)$", section(out, "faulting"), re.MULTILINE)
    faulting_id = int(faulting.group(1)) if faulting else -1
    tap.check(set(by_name) >= {"idle", "root", "supervisor", "pager", "loader", "hello_world"},
              "mk-tasks lists the idle thread, root, its supervisor, pager, loader and hello_world by name",
              sorted(by_name))
    tap.check([r["id"] for r in tasks] == sorted(r["id"] for r in tasks) and tasks and tasks[0]["id"] == 0,
              "mk-tasks lists the registry in order of id, from the idle thread", [r["id"] for r in tasks])
    running = [r for r in tasks if r["state"] == "running"]
    tap.check(len(running) == 1 and running[0]["id"] == faulting_id and running[0]["name"] == "hello_world",
              "the one running thread is the hello_world whose fault the kernel is sending (t->id)",
              f"running {running}, t->id {faulting_id}")
    pager = (by_name.get("pager") or [None])[0]
    tap.check(pager and pager["state"] == "blocked_receive" and pager["on"],
              "the pager waits for faults: blocked receiving on an endpoint", pager)
    roots = by_name.get("root", [])
    tap.check(len(roots) == 1 and roots[0]["priority"] == 255 and roots[0]["state"].startswith("blocked"),
              "root runs at priority 255 and is blocked (waiting for its programs)", roots)
    worlds = by_name.get("hello_world", [])
    tap.check(1 <= len(worlds) <= 8 and len({w["task"] for w in worlds}) == len(worlds),
              "each hello_world of boot.cfg has an address space of its own", worlds)
    hello_tasks = {w["task"] for w in worlds}
    launched = re.search(r"root: started (\d+) programs from boot.cfg", serial)
    tap.check(launched and int(launched.group(1)) == 8, "the boot started the eight programs of boot.cfg",
              launched and launched.group(0))

    # mk-caps pager: its standard slots, and its clients' address spaces.
    pager_caps = parse_caps(section(out, "mk-caps pager"))
    top = {c[1]: c for c in pager_caps if c[0] == 1}
    tap.check(top.get(1, (0, 0, ""))[2] == "cnode" and "(shown above)" in top.get(1, (0,) * 6)[5]
              and top.get(2, (0, 0, ""))[2] == "thread" and top.get(3, (0, 0, ""))[2] == "address_space"
              and top.get(4, (0, 0, ""))[2] == "debug_console",
              "mk-caps pager shows its own CNode (not expanded twice), thread, address space and console in "
              "slots 1-4", {k: top[k][2] for k in list(top)[:4]})
    endpoints = {c[4] for c in pager_caps if c[2] == "endpoint"}
    tap.check(pager and pager["on"] in endpoints,
              "the endpoint the pager waits on (mk-tasks) is one of its capabilities (mk-caps)",
              f"{pager and pager['on']} in {sorted(endpoints)[:8]}")
    spaces = {c[4] for c in pager_caps if c[2] == "address_space"}
    tap.check(hello_tasks and hello_tasks <= spaces,
              "the pager holds the address space of every hello_world task mk-tasks shows",
              f"{sorted(hello_tasks)} in {sorted(spaces)}")

    # mk-caps hello_world: the task slots of abi/task.hpp.
    hello_caps = {c[1]: c for c in parse_caps(section(out, "mk-caps hello_world")) if c[0] == 1}
    first_world = min(worlds, key=lambda w: w["id"]) if worlds else None
    expected = {1: "cnode", 2: "thread", 3: "address_space", 4: "debug_console", 5: "frame", 6: "endpoint",
                7: "endpoint", 8: "endpoint"}
    tap.check(all(hello_caps.get(s, (0, 0, ""))[2] == t for s, t in expected.items())
              and first_world and hello_caps[3][4] == first_world["task"],
              "mk-caps hello_world shows the task slots (CNode, thread, its own address space, console, IPC "
              "buffer, registry, inbox, pager)", {s: hello_caps[s][2:5] for s in hello_caps})
    badge = re.search(r"badge (0x[0-9a-f]+)", hello_caps.get(8, (0,) * 6)[5])
    tap.check(badge and hello_caps.get(8, (0,) * 6)[4] in endpoints,
              "its pager capability is badged and names the pager's endpoint", hello_caps.get(8))

    # mk-bt pager: a blocked server, unwound from its saved registers.
    bt = section(out, "mk-bt pager")
    frames = re.findall(r"^#(\d+)\s+0x[0-9a-f]+ in (.*?)(?: at (\S+):(\d+))?$", bt, re.MULTILINE)
    functions = [f[1] for f in frames]
    tap.check(any(f[1].startswith("main") and f[2].endswith("servers/pager/main.cpp") for f in frames)
              and any(f[1].startswith("start_main") for f in frames) and any(f[1].startswith("_start") for f in frames),
              "mk-bt pager unwinds from the receive through main (servers/pager/main.cpp) to start_main and _start",
              functions)
    source = open(os.path.join(args.source_root, "servers", "pager", "main.cpp")).read().splitlines()
    main_frame = next((f for f in frames if f[1].startswith("main")), None)
    tap.check(main_frame and "receive" in source[int(main_frame[3]) - 1],
              "the pager's main frame is at a line that receives", main_frame and source[int(main_frame[3]) - 1])

    # The user-space breakpoint.
    symbols = section(out, "mk-symbols pager")
    tap.check(re.search(r"symbols of \S+/servers/pager/pager loaded", symbols) is not None,
              "mk-symbols pager loads the pager's unstripped ELF", symbols.strip())
    stop = section(out, "stop")
    hit = re.search(r"^Breakpoint \d+, .*handle_fault.* at \S*servers/pager/main\.cpp:(\d+)$", out, re.MULTILINE)
    tap.check(hit is not None, "the breakpoint in the pager's fault handler is hit, in servers/pager/main.cpp",
              hit and hit.group(0))
    cr3 = re.search(r"^\$\d+ = (0x[0-9a-f]+)$", stop, re.MULTILINE)
    cs = re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", stop, re.MULTILINE)
    tap.check(cr3 and pager and int(cr3.group(1), 16) & ~0xFFF == int(pager["task"], 16),
              "it stops in the pager's address space ($cr3 is the pager's task in mk-tasks)",
              f"cr3 {cr3 and cr3.group(1)}, pager {pager and pager['task']}")
    tap.check(len(cs) >= 2 and int(cs[1], 16) & 3 == 3, "it stops in user mode (CS in ring 3)", cs)
    tap.check(re.search(r"^#\d+\s+.*main \(.*\) at \S*servers/pager/main\.cpp:\d+$", stop, re.MULTILINE) is not None,
              "bt at the user breakpoint reaches the pager's main", stop[:600])
    listed = re.findall(r"^(\d+)\t(.*)$", stop, re.MULTILINE)
    tap.check(hit and listed and all(source[int(n) - 1] == text for n, text in listed)
              and any("handle_fault" in text for _, text in listed),
              "list shows the pager's source around the fault handler, line for line as in the file",
              listed[:3])

    # mk-pager at the pager's 11th fault.
    pager_out = section(out, "mk-pager")
    summary = re.search(r"^(\d+) resident pages \((.*)\); (\d+) disagree with the page tables$", pager_out, re.MULTILINE)
    totals = re.search(r"faults (\d+), evictions (\d+)", pager_out)
    # GDB's own read of the counter, stopped in the pager's address space
    # with its symbols. Not every call of handle_fault counts a fault (one
    # for a page another thread's fault already brought in does not), so
    # the count is at most the calls so far.
    printed = re.search(r"^\$\d+ = (\d+)$", section(out, "total_faults"), re.MULTILINE)
    tap.check(totals and printed and int(totals.group(1)) == int(printed.group(1))
              and 0 < int(totals.group(1)) <= SKIP_FAULTS,
              f"mk-pager reads the pager's own count of faults served so far (GDB prints it too; at most {SKIP_FAULTS})",
              f"{totals and totals.group(0)}; printed {printed and printed.group(1)}")
    # Fault-around may map pages ahead, so a fault leaves at least one page.
    tap.check(summary and int(summary.group(1)) >= int(totals.group(1)) - int(totals.group(2)) if summary and totals else False,
              "every fault served left a resident page (no evictions yet; fault-around may add more)",
              summary and summary.group(0))
    tap.check(summary and int(summary.group(3)) == 0,
              "each resident page is mapped in its task's page tables, to the frame the pager holds",
              summary and summary.group(0))
    rows = re.findall(r"^\s*\d+\s+(\d+)\s+(0x[0-9a-f]{16})\s+0x[0-9a-f]+\s+\S+\s+mapped, same frame$", pager_out,
                      re.MULTILINE)
    tap.check(rows and all(int(a, 16) >= 0x400000 for _, a in rows),
              "the resident pages are hello_world pages at its link address and above", rows[:4])

    tasks_later = parse_tasks(section(out, "mk-tasks 2"))
    later_pager = next((r for r in tasks_later if r["name"] == "pager"), None)
    tap.check(later_pager and later_pager["state"] == "running" and later_pager["ticks"] > (pager or {}).get("ticks", 0),
              "at the user breakpoint mk-tasks shows the pager running, with more CPU time than before",
              later_pager)
    faulted = sum(r["faults"] for r in tasks_later if r["name"] == "hello_world")
    tap.check(faulted >= SKIP_FAULTS, "the hello_world tasks' fault counts cover the faults the pager served",
              f"{faulted} faults counted")

    tap.check(status == qemu_session.EXIT_SUCCESS and "powering off (success)" in serial,
              "after the helpers the system runs on to a clean power-off", f"QEMU exit status {status}")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
