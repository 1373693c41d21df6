#!/usr/bin/env python3
"""Whole-system boot tests: boot the real images in QEMU, read the serial log.

Usage: boot_test.py --scenario NAME --kernel kernel.bin --initrd initrd.img [...]

Each scenario boots once with its own command line and checks the log for
the markers it names; every check is one TAP test case, so `meson test`
shows each. Kernel self tests that report TAP over serial are forwarded as
cases of their own.
"""
import argparse
import os
import re
import shutil
import socket
import sys
import tempfile

import qemu_session
from tap import Tap

GPRS = ["RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
        "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15", "RIP", "RFLAGS",
        "CR0", "CR2", "CR3", "CR4"]


def find(log, pattern):
    return re.search(pattern, log, re.MULTILINE)


def check_in_order(tap, log, description, patterns):
    position = 0
    for pattern in patterns:
        match = re.compile(pattern, re.MULTILINE).search(log, position)
        if not match:
            return tap.check(False, description, f"not found after offset {position}: {pattern}")
        position = match.end()
    return tap.check(True, description)


def check_present(tap, log, description, pattern):
    return tap.check(bool(find(log, pattern)), description, f"no line matches: {pattern}")


def check_no_panic(tap, log):
    match = find(log, r"KERNEL PANIC.*")
    tap.check(not match, "no kernel panic", match.group(0) if match else "")


def check_status(tap, result, expected, description):
    tap.check(result.status == expected, description,
              f"QEMU exit status {result.status}, expected {expected}"
              + (" (timed out)" if result.timed_out else ""))


def forward_guest_tap(tap, log, prefix="kernel selftest"):
    """Re-reports TAP results printed in the guest as cases of this test."""
    plan = find(log, r"^1\.\.(\d+)$")
    results = re.findall(r"^(ok|not ok) (\d+) - (.*)$((?:\n# .*)*)", log, re.MULTILINE)
    for status, _, description, diagnostics in results:
        tap.check(status == "ok", f"{prefix}: {description}", diagnostics.replace("# ", ""))
    tap.check(plan is not None and int(plan.group(1)) == len(results),
              f"{prefix}: every planned test reported",
              f"plan {plan.group(1) if plan else 'missing'}, {len(results)} results")


LOG_FILE = None


def boot(args, append, initrd=None, stop_when=None, extra=(), silence=None):
    """Boots once; the serial log goes to stderr (meson's test log) and --log."""
    result = qemu_session.run(qemu_session.qemu_command(args, append, initrd, extra), args.timeout, stop_when,
                              silence=silence)
    sys.stderr.write(result.log)
    if LOG_FILE:
        with open(LOG_FILE, "a") as f:
            f.write(result.log)
    return result


# --- scenarios ---------------------------------------------------------------

def scenario_boot(args, tap):
    append = "poweroff boot.test=42 word-without-value"
    result = boot(args, append)
    log = result.log
    check_in_order(tap, log, "setup stub reports real mode -> E820 -> A20 -> protected -> long mode -> kernel", [
        r"^setup: real mode entry", r"^setup: E820 memory map read, \d+ entries",
        r"^setup: A20 line enabled", r"^setup: page tables built, entering protected mode",
        r"^setup: long mode active, jumping to the 64-bit kernel", r"kernel: 64-bit C\+\+ entry"])
    e820 = find(log, r"^setup: E820 memory map read, (\d+) entries")
    tap.check(e820 and int(e820.group(1)) >= 3, "E820 map has several entries", e820 and e820.group(0))
    check_present(tap, log, "kernel prints the E820 map with usable RAM from 1 MiB",
                  r"\[0x0000000000100000 - 0x[0-9a-f]{16}\)\s+\d+ KiB\s+usable")
    usable = find(log, r"memory: (\d+) MiB usable RAM")
    expected_mib = int(re.match(r"(\d+)", args.memory).group(1)) * (1024 if args.memory.upper().endswith("G") else 1)
    tap.check(usable and expected_mib - 4 <= int(usable.group(1)) <= expected_mib,
              f"usable RAM matches -m {args.memory}", usable and usable.group(0))
    check_present(tap, log, "command line printed as passed", r'^\[info\] cmdline: "' + re.escape(append) + '"$')
    check_present(tap, log, "initrd location and size printed", r"initrd: \d+ bytes at physical 0x[0-9a-f]+")
    check_present(tap, log, "initrd lists hello_world", r"^\[info\]\s+hello_world\s+\d+ bytes")
    check_present(tap, log, "initrd lists boot.cfg", r"^\[info\]\s+boot\.cfg\s+\d+ bytes")
    check_present(tap, log, "the protection features are listed",
                  r"^\[info\] cpu: NX (on|absent), SMEP (on|absent), SMAP (on|absent), UMIP (on|absent), "
                  r"write protection on$")
    check_present(tap, log, "paging: kernel page tables active, with the stacks' guard pages",
                  r"paging: kernel page tables active \(.*, 5 stack guard pages\)")
    calibrated = find(log, r"timer: LAPIC timer (\d+) Hz")
    tap.check(calibrated and int(calibrated.group(1)) > 0, "LAPIC timer calibrated against the PIT",
              calibrated and calibrated.group(0))
    ticks = find(log, r"timer: (\d+) ticks in (\d+)\.(\d+) ms")
    ms = int(ticks.group(2)) * 1000 + int(ticks.group(3)) if ticks else 0  # microseconds
    rate = find(log, r"ticking at (\d+) Hz")
    hz = int(rate.group(1)) if rate else 0
    expected = int(ticks.group(1)) * 1_000_000 // hz if ticks and hz else 0
    tap.check(ticks and int(ticks.group(1)) == 20 and expected // 3 <= ms <= expected * 5,
              "timer ticking: the 20 ticks counted take about their time in TSC time", ticks and ticks.group(0))
    check_present(tap, log, "the kernel starts the root task from the initrd",
                  r"root: started from the initrd .* handed over \d+ untyped regions")
    check_in_order(tap, log, "the root task runs in user mode and finishes",
                   [r"^root: running; \d+ untyped regions", r"^root: done$"])
    check_no_panic(tap, log)
    check_present(tap, log, "clean power-off reported", r"kernel: powering off \(success\)")
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the kernel's success status")


def scenario_idle(args, tap):
    marker = "root: done"
    result = boot(args, "", stop_when=lambda log: marker in log)
    check_present(tap, result.log, "without poweroff the root task finishes and the kernel idles", re.escape(marker))
    tap.check(result.status is None, "QEMU still runs: the kernel idles rather than powering off",
              f"QEMU exit status {result.status}")
    check_no_panic(tap, result.log)


# QEMU's edu device, whose MSI the in-guest tests raise on demand.
EDU = ["-device", "edu"]


def check_interrupt_routing(tap, log, lines, controller):
    """The kernel's choice of interrupt controller, and what the in-guest
    test learnt of it through irq_control_info and by exhausting the MSI
    pool; the MSI test ran on the edu device rather than skipping."""
    check_present(tap, log, f"the kernel routes driver interrupts through the {controller}",
                  rf"^\[info\] irq: driver interrupt lines through the {controller}: lines 0-{lines - 1}, "
                  r"MSI vectors 0x80-0xbf$")
    check_present(tap, log, f"in the guest: {lines} lines through the {controller}, 64 MSI vectors",
                  rf"^# interrupt routing: {lines} lines through the {controller}, 64 MSI vectors$")
    tap.check(not find(log, r"SKIP no edu device"), "the MSI cases ran on the edu device")
    check_present(tap, log, "a stray MSI on an unrouted vector is logged and ignored",
                  r"^\[warn\] interrupt on unrouted vector 0xc5 ignored \(a stray MSI\?\)$")


def scenario_kernel_tests(args, tap):
    result = boot(args, "run=tests poweroff", extra=EDU)
    forward_guest_tap(tap, result.log, prefix="kernel test")
    check_interrupt_routing(tap, result.log, 24, "I/O APIC")
    check_pie_output(tap, result.log)
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def check_pie_output(tap, log):
    """hello_pie (spawned by the loader tests) is linked at 0: its globals,
    functions and entry must be at the loader's base, 0x800000000, and its
    stored pointers must match them."""
    base = r"0x8000[0-9a-f]{5}"
    lines = re.findall(rf"^hello_pie: &counter ({base}), stored pointer ({base}); table\[1\] ({base}), "
                       rf"second ({base}); _start ({base}), AT_ENTRY ({base})$", log, re.MULTILINE)
    tap.check(len(lines) == 2, "hello_pie (DT_RELA and DT_RELR) runs at the base 0x800000000",
              f"{len(lines)} matching lines")
    tap.check(lines and all(l[0] == l[1] and l[2] == l[3] and l[4] == l[5] for l in lines),
              "hello_pie's relocated pointers equal the addresses its code computes", str(lines))
    check_present(tap, log, "hello_pie reports itself relocated", r"^hello_pie: relocated and running \(")
    check_present(tap, log, "many_segments runs with 64 segments, every word right",
                  r"^many_segments: 64 loadable segments; 0 words wrong$")
    check_present(tap, log, "a dynamically linked program is refused with its reason",
                  r"loader: cannot start bad_interp: needs a dynamic linker \(PT_INTERP\)")


def scenario_selftest(args, tap):
    result = boot(args, "selftest poweroff")
    forward_guest_tap(tap, result.log)
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the kernel's success status")


def scenario_kernel_tests_cpu_max(args, tap):
    """The same tests with SMEP, SMAP and AVX on: every user copy must open
    SMAP, and the AVX case runs instead of being skipped."""
    args.cpu = "max"
    result = boot(args, "run=tests poweroff", extra=EDU)
    check_present(tap, result.log, "SMAP, UMIP and AVX are on", r"cpu: NX on, SMEP on, SMAP on, UMIP on,")
    check_present(tap, result.log, "XSAVE saves the AVX state", r"FPU state \d+ bytes \(x87, SSE, AVX via XSAVE\)")
    forward_guest_tap(tap, result.log, prefix="kernel test (cpu max)")
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_kernel_tests_pic(args, tap):
    """The same tests on a machine without ACPI tables (pc, acpi=off): no
    MADT, so no I/O APIC; interrupt lines are the 8259 PICs' sixteen, MSIs
    work all the same."""
    result = boot(args, "run=tests poweroff", extra=["-machine", "pc,acpi=off"] + EDU)
    check_present(tap, result.log, "without ACPI tables the kernel says so", r"acpi: no RSDP in the BIOS areas")
    forward_guest_tap(tap, result.log, prefix="kernel test (8259 PICs)")
    check_interrupt_routing(tap, result.log, 16, "8259 PICs")
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_attack(args, tap, prefix="attack"):
    """The adversarial suite: every attack ends in an error code or stops
    only the attacker; a victim task checks its memory and IPC at the end."""
    result = boot(args, "run=attack poweroff")
    forward_guest_tap(tap, result.log, prefix=prefix)
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_attack_cpu_max(args, tap):
    """The same with SMEP, SMAP and UMIP: sgdt from ring 3 must fault."""
    args.cpu = "max"
    scenario_attack(args, tap, prefix="attack (cpu max)")


def scenario_round_robin(args, tap):
    """The seed's round-robin test: the default configuration starts eight
    hello_world tasks whose lines interleave; all exit with status 0."""
    result = boot(args, "poweroff")
    log = result.log
    check_present(tap, log, "the loader server starts", r"^loader: ready; \d+ MiB for tasks")
    check_present(tap, log, "the root task starts eight programs from boot.cfg", r"^root: started 8 programs from boot.cfg$")
    lines = re.findall(r"^hello_world (\d): line (\d) of 5 \(task (\d+)\)$", log, re.MULTILINE)
    by_task = {}
    for argument, line, _ in lines:
        by_task.setdefault(argument, []).append(int(line))
    tap.check(sorted(by_task) == [str(i) for i in range(1, 9)] and all(v == [1, 2, 3, 4, 5] for v in by_task.values()),
              "all eight ran, each printing its five lines in order", f"lines per task: {by_task}")
    # Consecutive lines of one task belong to one turn. Every task prints its
    # first line as soon as it first runs, so the first eight turns show the
    # round-robin order exactly; after that a turn may pass without a line
    # (a task can spend a whole time slice computing), so only the amount of
    # interleaving is checked. (The in-guest scheduler test checks every
    # turn of round robin exactly.)
    turns = []
    for argument, _, _ in lines:
        if not turns or turns[-1] != int(argument):
            turns.append(int(argument))
    tap.check(turns[:8] == list(range(1, 9)), "the eight tasks first run in the order they were started",
              f"turns: {turns}")
    tap.check(len(turns) >= 16, "their output interleaves under preemption", f"turns: {turns}")
    statuses = re.findall(r"^root: task \d+ exited with status (-?\d+)$", log, re.MULTILINE)
    tap.check(statuses == ["0"] * 8, "all eight exit with status 0", f"statuses: {statuses}")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_scale(args, tap):
    result = boot(args, "run=scale count=64 poweroff")
    log = result.log
    check_present(tap, log, "64 tasks are started at once", r"^root: scale: 64 tasks started at once, all alive before the first runs$")
    check_present(tap, log, "all 64 finish with status 0", r"^root: scale: 64 tasks ran at once, 0 failed;")
    fit = re.search(r"fit about (\d+) such tasks \((\d+) KiB each\)", log)
    tap.check(fit and int(fit.group(1)) >= 64, "the report says how many tasks fit in memory", fit and fit.group(0))
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_scale_max(args, tap):
    """As many tasks alive at once as 512 MiB holds: started until one is refused."""
    result = boot(args, "run=scale count=max lines=0 pager_frames=8192 poweroff")
    log = result.log
    started = re.search(r"^root: scale: (\d+) tasks started at once, all alive before the first runs$", log, re.MULTILINE)
    count = int(started.group(1)) if started else 0
    tap.check(count >= 1000, "at least 1,000 tasks are alive at once in 512 MiB", started and started.group(0))
    check_present(tap, log, "the first task past the limit is refused with a reason, not killed later",
                  r"^root: cannot run hello_world: .* \(out of memory\)$")
    check_present(tap, log, "every started task ends with status 0", rf"^root: scale: {count} tasks ran at once, 0 failed;")
    tap.check("killed" not in log, "no task is killed for want of memory after it started")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


PHASES = ["sequential-write", "sequential-read", "random", "hot-cold", "loop", "verify"]


def phase_faults(log):
    return {name: int(faults) for name, faults in
            re.findall(r"^pager_stress: phase (\S+): \d+ touches, (\d+) faults", log, re.MULTILINE)}


def check_fault_around(tap, log, faults):
    """Fault-around (docs/paging.md): the first sweep over fresh pages maps
    clusters, whose pages are then used; random touches map (almost)
    nothing ahead."""
    around = {name: (int(m), int(u), int(n)) for name, m, u, n in
              re.findall(r"^pager_stress: phase (\S+): fault-around: (\d+) pages mapped ahead, (\d+) found used, "
                         r"(\d+) unused$", log, re.MULTILINE)}
    sweep = faults.get("sequential-write", 0)
    tap.check(0 < sweep * 4 <= 1024, "fault-around: the sequential sweep over 1024 fresh pages takes a quarter of "
              "the faults or fewer", f"{sweep} faults")
    mapped, used, _ = around.get("sequential-write", (0, 0, 0))
    tap.check(mapped >= 512 and used * 10 >= mapped * 8, "fault-around: at least 80% of the pages it mapped ahead "
              "were used", f"{mapped} mapped ahead, {used} used")
    hinted = re.search(r"^pager_stress: a region asking for fault-around: 64 touches, (\d+) faults, (\d+) pages mapped "
                       r"ahead, 0 errors; an unknown heap flag is refused$", log, re.MULTILINE)
    tap.check(hinted and int(hinted.group(1)) <= 16, "fault-around: a region that asks for it maps clusters at every "
              "fault (every fourth page touched: a quarter of the faults or fewer), an unknown flag is refused",
              hinted and hinted.group(0))
    mapped, _, _ = around.get("random", (1 << 30, 0, 0))
    tap.check(mapped * 50 <= max(faults.get("random", 0), 1), "fault-around: random touches map under 2% of their "
              "faults' pages ahead", f"{mapped} mapped ahead, {faults.get('random')} faults")


def scenario_pager_stress(args, tap):
    """The seed's page-fault test: a working set four times the pager's
    budget, every page verified, with other tasks running beside it."""
    result = boot(args, "run=pager poweroff")
    log = result.log
    check_present(tap, log, "the pager server starts with its budget and the default policy (CLOCK-Pro)",
                  r"^pager: ready; 256 frames \(1024 KiB\) for tasks, policy clockpro; store of \d+ pages")
    check_present(tap, log, "pager_stress gets a heap four times the budget",
                  r"^pager_stress: 1024 pages \(4096 KiB\) at 0x[0-9a-f]+, 4 times a budget of 256 frames$")
    faults = phase_faults(log)
    tap.check(list(faults) == PHASES, "every pattern ran", f"phases: {list(faults)}")
    summary = re.search(r"^pager_stress: summary: 1024 pages, (\d+) touches, (\d+) faults, (\d+) evictions, \d+ disk writes, "
                        r"\d+ disk reads, (\d+) errors$",
                        log, re.MULTILINE)
    tap.check(summary and summary.group(4) == "0", "zero verification errors", summary and summary.group(0))
    tap.check(summary and int(summary.group(3)) > 1000, "the pager evicted (the budget was really exceeded)",
              summary and summary.group(0))
    totals = re.findall(r"^pager: total: \d+ faults, \d+ evictions, (\d+) write-backs, (\d+) read-backs", log, re.MULTILINE)
    tap.check(totals and int(totals[-1][0]) > 0 and int(totals[-1][1]) > 0,
              "dirty pages went to the backing store and came back", totals and totals[-1])
    check_fault_around(tap, log, faults)
    tap.check(len(re.findall(r"^hello_world beside-\d: line 3 of 3", log, re.MULTILINE)) == 2,
              "two other tasks ran beside it to the end")
    check_present(tap, log, "everything exits with status 0",
                  r"^root: pager_stress exited with status 0; 2 tasks beside it$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_pager_policies(args, tap):
    """The comparison on the real system: the same pager_stress run under
    FIFO, CLOCK (the LRU approximation) and CLOCK-Pro (the default)."""
    faults, read_backs = {}, {}
    for policy in ["fifo", "clock", "clockpro"]:
        result = boot(args, f"run=pager beside=0 pager_policy={policy} poweroff")
        check_present(tap, result.log, f"{policy}: the pager runs the {policy} policy",
                      rf"^pager: ready; \d+ frames \(\d+ KiB\) for tasks, policy {policy};")
        check_present(tap, result.log, f"{policy}: zero verification errors",
                      r"^pager_stress: summary: .*, 0 errors$")
        faults[policy] = phase_faults(result.log)
        read_backs[policy] = {name: int(n) for name, n in
                              re.findall(r"^pager_stress: phase (\S+): .* (\d+) read-backs;", result.log, re.MULTILINE)}
        tap.check(list(faults[policy]) == PHASES, f"{policy}: every pattern ran", f"phases: {list(faults[policy])}")
    fifo, clock, pro = (faults[p].get("hot-cold", 0) for p in ["fifo", "clock", "clockpro"])
    print(f"# hot set with cold background: FIFO {fifo} faults, CLOCK {clock} faults, CLOCK-Pro {pro} faults")
    for phase in PHASES:
        print(f"# {phase}: " + ", ".join(f"{p} {faults[p].get(phase, 0)}" for p in ["fifo", "clock", "clockpro"]))
    tap.check(fifo > 0 and clock <= 0.63 * fifo,
              "with locality, CLOCK takes at least 37% fewer faults than FIFO",
              f"FIFO {fifo}, CLOCK {clock} ({100 - 100 * clock / max(fifo, 1):.1f}% fewer)")
    tap.check(fifo > 0 and 0 < pro < fifo, "with locality, CLOCK-Pro takes fewer faults than FIFO",
              f"FIFO {fifo}, CLOCK-Pro {pro}, CLOCK {clock}")
    # With fault-around the sweeps and the loop take a few dozen faults
    # under any policy, so CLOCK-Pro's lead there in faults is small, and
    # its lag on the random phase and the hot set (no runs, unchanged by
    # fault-around) decides: CLOCK takes about 3% fewer faults over all
    # phases. CLOCK-Pro reads about 14% fewer pages back from the store
    # (the pages it keeps), and stays the default (docs/paging.md,
    # "Fault-around": with CLOCK, `swap`'s run without a disk at -m 32M
    # runs out of store). Both are checked, so that neither gets worse.
    totals = {p: sum(faults[p].values()) for p in faults}
    reads = {p: sum(read_backs[p].values()) for p in read_backs}
    print("# all phases: " + ", ".join(f"{p} {totals[p]} faults, {reads[p]} read-backs" for p in totals))
    tap.check(0 < totals["clockpro"] <= 1.05 * totals["clock"],
              "over all phases, CLOCK-Pro takes at most 5% more faults than CLOCK",
              f"CLOCK-Pro {totals['clockpro']}, CLOCK {totals['clock']}")
    tap.check(0 < reads["clockpro"] <= 0.9 * reads["clock"],
              "over all phases, CLOCK-Pro reads at least 10% fewer pages back than CLOCK",
              f"CLOCK-Pro {reads['clockpro']}, CLOCK {reads['clock']}")
    # CLOCK-Pro keeps the pages it made hot while the budget filled during
    # the write sweep: a cluster's pages, loaded into frames its own
    # evictions emptied, are not taken for an empty budget's (they would
    # replace the hot set, and every page of the read sweep would be read
    # back, as CLOCK's are).
    pro_reads, clock_reads = read_backs["clockpro"].get("sequential-read", 0), read_backs["clock"].get("sequential-read", 0)
    tap.check(0 < pro_reads <= 0.85 * clock_reads,
              "CLOCK-Pro keeps part of the written pages resident through the read sweep",
              f"read-backs: CLOCK-Pro {pro_reads}, CLOCK {clock_reads}")
    # A sequential walk through pages the policy kept continues its run:
    # the loop takes clusters, not one fault per stretch of missing pages.
    tap.check(0 < faults["clockpro"].get("loop", 0) <= 0.2 * read_backs["clockpro"].get("loop", 0),
              "CLOCK-Pro's loop maps its pages in clusters between the pages it keeps",
              f"loop: {faults['clockpro'].get('loop', 0)} faults, {read_backs['clockpro'].get('loop', 0)} read-backs")


def scenario_pager_full(args, tap):
    """A working set far over the store (40,000 pages against 256 frames and
    a 16 MiB store): the pager kills the stress task alone, with a clear
    line, the tasks beside it finish, and the root task still reports."""
    result = boot(args, "run=pager pages=40000 pager_store=16 poweroff")
    log = result.log
    check_present(tap, log, "the pager starts with a 16 MiB store",
                  r"^pager: ready; 256 frames \(1024 KiB\) for tasks, policy clockpro; store of 4096 pages")
    check_present(tap, log, "the stress task is killed with a clear line",
                  r"^pager: task \d+: backing store full \(4096 pages, \d+ of them its own\); task killed$")
    tap.check(len(re.findall(r"task killed$", log, re.MULTILINE)) == 1, "only one task is killed")
    tap.check(len(re.findall(r"^hello_world beside-\d: line 3 of 3", log, re.MULTILINE)) == 2,
              "the two tasks beside it run to the end")
    check_present(tap, log, "the loader reaps the stress task with the pager's reason",
                  r"^loader: task \d+ \(pager_stress\) killed: page fault \(vector 14\) at 0x[0-9a-f]+ "
                  r"\(backing store full\)")
    check_present(tap, log, "its waiter learns it was killed, the others end with status 0",
                  r"^root: pager_stress killed by page fault \(vector 14\); 2 tasks beside it$")
    check_present(tap, log, "the root task reports", r"^root: done \(with failures\)$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_FAILURE, "QEMU exits (the run had a failure)")


def scenario_pager_large(args, tap):
    """pages=16384 (64 MiB, 64 times the budget) with the default budget and
    store: every page verified, nothing killed."""
    result = boot(args, "run=pager pages=16384 beside=0 poweroff")
    log = result.log
    summary = find(log, r"^pager_stress: summary: 16384 pages, \d+ touches, \d+ faults, \d+ evictions, 0 disk writes, "
                         r"0 disk reads, (\d+) errors$")
    tap.check(summary and summary.group(1) == "0", "16384 pages, zero verification errors", summary and summary.group(0))
    tap.check("task killed" not in log, "no task killed")
    check_present(tap, log, "it exits with status 0", r"^root: pager_stress exited with status 0; 0 tasks beside it$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def swap_drive(directory, mib):
    """A sparse raw disk image of `mib` MiB, as QEMU's virtio-blk drive."""
    path = os.path.join(directory, "swap.img")
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return ["-drive", f"file={path},if=virtio,format=raw"]


def scenario_swap(args, tap):
    """Swap to a disk: -m 32M, the default budget of 256 frames, and
    pager_stress over 32768 pages (128 MiB: four times the RAM, 128 times
    the budget) on a 256 MiB virtio-blk disk through the block server.
    Every page is verified, the disk takes writes and reads in clusters,
    and read-ahead serves the sequential sweeps. Then the same machine
    without a disk keeps its store in RAM, as before."""
    args.memory = "32M"
    with tempfile.TemporaryDirectory() as directory:
        result = boot(args, "run=pager pages=32768 beside=0 stress=quick poweroff", extra=swap_drive(directory, 256))
    log = result.log
    check_present(tap, log, "the block server finds the disk", r"^blk: virtio-blk at ports .*: 524288 sectors \(256 MiB\)")
    check_present(tap, log, "the pager swaps to it",
                  r"^pager: ready; 256 frames \(1024 KiB\) for tasks, policy clockpro; store on the swap disk "
                  r"\(65536 slots, 256 MiB\)")
    check_present(tap, log, "progress lines show touches, faults and disk traffic",
                  r"^pager_stress: progress: \d+ touches, \d+ faults, [1-9]\d* pages written to disk, \d+ read from disk, "
                  r"0 errors$")
    summary = find(log, r"^pager_stress: summary: 32768 pages, (\d+) touches, (\d+) faults, \d+ evictions, "
                        r"(\d+) disk writes, (\d+) disk reads, (\d+) errors$")
    tap.check(summary and summary.group(5) == "0", "128 MiB on a 32 MiB machine, zero verification errors",
              summary and summary.group(0))
    tap.check(summary and int(summary.group(3)) >= 32768 and int(summary.group(4)) >= 32768,
              "every page went to the disk and came back", summary and summary.group(0))
    # Clustering: the first sweep writes almost every page once, in clusters.
    sweep = find(log, r"^pager_stress: phase sequential-write: disk: (\d+) pages written in (\d+) requests")
    tap.check(sweep and int(sweep.group(1)) >= 32000 and int(sweep.group(2)) * 8 <= int(sweep.group(1)),
              "the sequential sweep writes clusters (8 pages or more per request)", sweep and sweep.group(0))
    read = find(log, r"^pager_stress: phase sequential-read: (\d+) touches, (\d+) faults.*\n"
                     r"pager_stress: phase sequential-read: disk: \d+ pages written in \d+ requests, (\d+) pages read in "
                     r"(\d+) requests \((\d+) read ahead\)")
    tap.check(read and int(read.group(2)) * 4 <= int(read.group(1)) and int(read.group(5)) > 0,
              "read-ahead: the sequential read sweep faults on a quarter of its pages or fewer", read and read.group(0))
    # The pager's time in disk requests (statistics word 11, the swap
    # benchmark's split): some for a sweep of 32,768 pages, less than the
    # whole run (in plain TCG the guest's TSC follows host time).
    timed = find(log, r"^pager_stress: phase sequential-write: disk: .* read ahead\), (\d+) us in them$")
    tap.check(timed and 0 < int(timed.group(1)) < result.seconds * 10**6,
              "the pager counts its time in disk requests", timed and timed.group(0))
    tap.check("task killed" not in log, "no task killed")
    check_present(tap, log, "it exits with status 0", r"^root: pager_stress exited with status 0; 0 tasks beside it$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")

    # Without a disk: the RAM store, as before.
    result = boot(args, "run=pager pages=1024 beside=0 poweroff")
    log = result.log
    tap.check(not find(log, r"^blk: ") and not find(log, r"swap disk"), "without a disk: no block server, no swap disk")
    check_present(tap, log, "without a disk the store is in RAM", r"^pager: ready; 256 frames \(1024 KiB\) for tasks, "
                  r"policy clockpro; store of \d+ pages")
    check_present(tap, log, "without a disk: zero errors, nothing on a disk",
                  r"^pager_stress: summary: 1024 pages, .* 0 disk writes, 0 disk reads, 0 errors$")
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "without a disk: QEMU exits with success")


def scenario_swap_blk_dies(args, tap):
    """The block server dies under the pager's swapping (kill_blk_after=300):
    the pager gets errors for its pending request, kills only the task whose
    page could not be saved, the loader reaps it with that reason, the two
    tasks beside it finish, and the run ends by itself."""
    args.memory = "32M"
    with tempfile.TemporaryDirectory() as directory:
        result = boot(args, "run=pager pages=8192 beside=2 stress=quick kill_blk_after=300 poweroff",
                      extra=swap_drive(directory, 64))
    log = result.log
    check_in_order(tap, log, "the block server dies mid-run and root reports it",
                   [r"^root: the block server will die at its request 300 from now",
                    r"^pager_stress: \d+ pages",
                    r"^root: block server died: invalid opcode"])
    check_present(tap, log, "the pager's request fails with an error, not a hang",
                  r"^pager: disk: a (write|read) failed: ")
    check_present(tap, log, "the loader reaps the stress task with the swap failure as its reason",
                  r"^loader: task \d+ \(pager_stress\) killed: page fault \(vector 14\) at 0x[0-9a-f]+ "
                  r"\(its page could not be (written to|read from) the swap disk\)")
    tap.check(len(re.findall(r"^hello_world beside-\d: line 3 of 3", log, re.MULTILINE)) == 2,
              "the two tasks beside it run to the end")
    check_present(tap, log, "the root task reports", r"^root: done \(with failures\)$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_FAILURE, "QEMU exits by itself (the stress task failed)")


def scenario_swap_large(args, tap):
    """The benchmark run (meson test --benchmark swap-1g): -m 512M, a budget
    of 8192 frames (32 MiB) and pager_stress over 1 GiB (262,144 pages,
    twice the RAM) on a 2 GiB disk; prints the figures."""
    args.memory = "512M"
    with tempfile.TemporaryDirectory() as directory:
        result = boot(args, "run=pager pages=262144 pager_frames=8192 beside=0 poweroff", extra=swap_drive(directory, 2048))
    log = result.log
    for line in re.findall(r"^pager_stress: (?:phase|summary).*$", log, re.MULTILINE):
        print(f"# {line}")
    print(f"# {result.seconds:.1f} s in all")
    summary = find(log, r"^pager_stress: summary: 262144 pages, .* (\d+) errors$")
    tap.check(summary and summary.group(1) == "0", "1 GiB on a 512 MiB machine, zero verification errors",
              summary and summary.group(0))
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


BAD_BUDGETS = [
    ("pager_frames=0", r"^root: pager_frames=0 refused: the budget must be at least 8 frames"),
    ("pager_frames=1", r"^root: pager_frames=1 refused: the budget must be at least 8 frames"),
    ("pager_frames=100000", r"^root: pager_frames=100000 refused: the pager keeps at most 8192 frames"),
    ("pager_store=200", r"^root: the pager's memory does not fit: .* > \d+ MiB of RAM"),
    ("pager_store=0", r"^root: pager_store=0 refused: the store must be at least 1 MiB"),
]


def scenario_pager_bad_budgets(args, tap):
    """Budgets that cannot work are refused at start with a line; nothing is
    clamped. (At -m 128M, so that 8192 frames and 256 MiB do not fit.)"""
    args.memory = "128M"
    for option, pattern in BAD_BUDGETS:
        result = boot(args, f"run=pager {option} poweroff")
        check_present(tap, result.log, f"{option}: refused with the reason", pattern)
        check_present(tap, result.log, f"{option}: run=pager says the pager did not start, root reports",
                      r"^root: run=pager needs the pager, which did not start\n(.*\n)*root: done \(with failures\)")
        check_no_panic(tap, result.log)
    result = boot(args, "run=pager pager_frames=2000 pages=4000 beside=0 poweroff")
    check_present(tap, result.log, "pager_frames=2000 takes effect",
                  r"^pager: ready; 2000 frames \(8000 KiB\) for tasks")
    check_present(tap, result.log, "pager_stress is told 2000 and runs 4000 pages with zero errors",
                  r"^pager_stress: 4000 pages .* a budget of 2000 frames$(.*\n)*pager_stress: summary: 4000 pages, .*, 0 errors$")
    result = boot(args, "run=pager pages=300000 poweroff")
    check_present(tap, result.log, "pages= beyond what pager_stress tracks is refused",
                  r"^pager_stress: pages=300000 refused: 1 to 262144 pages$")


def check_default_run(tap, result, prefix=""):
    """The default configuration (boot.cfg) ran: eight programs started and
    exited with status 0, no panic, and QEMU reports success."""
    check_present(tap, result.log, f"{prefix}eight programs start", r"^root: started 8 programs from boot.cfg$")
    statuses = re.findall(r"^root: task \d+ exited with status (-?\d+)$", result.log, re.MULTILINE)
    tap.check(statuses == ["0"] * 8, f"{prefix}all eight exit with status 0", f"statuses: {statuses}")
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_default_at(memory):
    def run(args, tap):
        """The default configuration (boot.cfg) at a given memory size."""
        args.memory = memory
        result = boot(args, "poweroff")
        check_present(tap, result.log, f"-m {memory}: the pager starts", r"^pager: ready; 256 frames")
        check_present(tap, result.log, f"-m {memory}: the loader starts", r"^loader: ready; \d+ MiB for tasks")
        check_default_run(tap, result, f"-m {memory}: ")
    return run


def scenario_initrd_10m(args, tap):
    """An initrd with a 10 MiB file: the servers map it and programs start."""
    result = boot(args, "poweroff", initrd=args.initrd_10m)
    check_present(tap, result.log, "the root task gets the whole initrd", r"^root: running; .* initrd 1\d{7} bytes")
    check_default_run(tap, result)


def scenario_pingpong(args, tap):
    count = 300
    result = boot(args, f"run=pingpong count={count} poweroff")
    log = result.log
    check_present(tap, log, "pong starts in a task of its own", r"^pong: task \d+ answering %d messages" % count)
    check_present(tap, log, "ping starts in a task of its own", r"^ping: task \d+ sending %d messages to task \d+" % count)
    tap.check(len(re.findall(r"^busy \d: spinning$", log, re.MULTILINE)) == 2,
              "two busy tasks compete for the CPU beside them")
    progress = [int(n) for n in re.findall(r"^ping: (\d+)/%d round trips$" % count, log, re.MULTILINE)]
    tap.check(progress == list(range(count // 10, count + 1, count // 10)), "ping reports progress in order",
              f"progress lines: {progress}")
    check_present(tap, log, "every answer arrived intact and in order (ping)",
                  r"^ping: done: %d round trips, 0 errors, \d+ ns per round trip, \d+ messages/s$" % count)
    check_present(tap, log, "every message arrived intact and in order (pong)", r"^pong: done: %d messages, 0 errors$" % count)
    check_present(tap, log, "both exit with status 0 and the busy tasks are stopped",
                  r"^root: ping-pong finished: ping exited with 0, pong with 0; 2 busy tasks stopped$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_cpu_max(args, tap):
    args.cpu = "max"
    result = boot(args, "selftest poweroff")
    check_present(tap, result.log, "SMEP, SMAP and UMIP enabled where the CPU has them",
                  r"cpu: NX on, SMEP on, SMAP on, UMIP on,")
    forward_guest_tap(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the kernel's success status")


FAULTS = {
    # kind: (exception name and vector, function that faults)
    "page_fault": (r"page fault \(vector 14\)", "trigger_page_fault"),
    "general_protection": (r"general protection fault \(vector 13\)", "trigger_general_protection"),
    "invalid_opcode": (r"invalid opcode \(vector 6\)", "trigger_invalid_opcode"),
    "divide_error": (r"divide error \(vector 0\)", "trigger_divide_error"),
}


def scenario_fault(kind):
    exception, function = FAULTS[kind]

    def run(args, tap):
        result = boot(args, f"fault={kind} poweroff")
        log = result.log
        check_present(tap, log, f"panic names the exception: {kind}",
                      r"^KERNEL PANIC: " + exception + r" in kernel mode, error code 0x[0-9a-f]+")
        check_present(tap, log, "the dump names the faulting function",
                      r"^RIP 0x[0-9a-f]{16} <debug::" + function + r"\(\)\+0x[0-9a-f]+>$")
        missing = [r for r in GPRS if not find(log, r"\b" + re.escape(r.strip()) + r"\s+[0-9a-f]{4,16}\b")]
        tap.check(not missing, "every register and CR0/CR2/CR3/CR4 printed", f"missing: {missing}")
        check_in_order(tap, log, "backtrace with symbol names up to kernel_main",
                       [r"^Backtrace:", r"^  #0 0x[0-9a-f]{16} <debug::" + function, r"^  #\d+ .*<kernel_main\+"])
        tap.check("overflow" not in log, "an ordinary fault is not called a stack overflow")
        if kind == "page_fault":
            check_present(tap, log, "page fault: CR2 holds the faulting address", r"CR2 000000000dead000")
            check_present(tap, log, "page fault: error code decoded",
                          r"error code 0x2 \[not present, write, kernel\]")
        check_status(tap, result, qemu_session.EXIT_FAILURE, "QEMU exits with the kernel's failure status")
    return run


STACK_OVERFLOWS = {
    # kind: the stack the panic must name
    "stack_overflow": "kernel stack",
    "boot_stack_overflow": "boot stack",
}


def scenario_stack_overflow(kind):
    stack = STACK_OVERFLOWS[kind]

    def run(args, tap):
        result = boot(args, f"fault={kind} poweroff")
        log = result.log
        headline = find(log, r"^KERNEL PANIC: (.*) overflow \(guard page 0x([0-9a-f]{16})\): "
                             r"double fault \(vector 8\) in kernel mode, error code 0x0$")
        tap.check(headline and headline.group(1) == stack, f"the panic names the {stack} overflow, a double fault",
                  headline.group(0) if headline else "no stack overflow panic line")
        tap.check(log.count("KERNEL PANIC") == 1, "exactly one panic (no panic while panicking)")
        check_present(tap, log, "the dump names the recursing function",
                      r"^RIP 0x[0-9a-f]{16} <debug::recurse_without_end\(unsigned long\)\+0x[0-9a-f]+>$")
        missing = [r for r in GPRS if not find(log, r"\b" + re.escape(r.strip()) + r"\s+[0-9a-f]{4,16}\b")]
        tap.check(not missing, "every register and CR0/CR2/CR3/CR4 printed", f"missing: {missing}")
        # The CPU faulted on the guard page: CR2 is in it, and the stack
        # pointer of the #DF frame is in it or just above it (a function's
        # frame may already have moved RSP below the stack's bottom).
        cr2 = find(log, r"^CR0 [0-9a-f]{16}  CR2 ([0-9a-f]{16})")
        rsp = find(log, r"RSP ([0-9a-f]{16})$")
        guard = int(headline.group(2), 16) if headline else None
        tap.check(guard is not None and cr2 and guard <= int(cr2.group(1), 16) < guard + 4096,
                  "CR2 lies in the guard page the panic names", cr2 and cr2.group(0))
        tap.check(guard is not None and rsp and guard <= int(rsp.group(1), 16) < guard + 4096 + 256,
                  "the interrupted RSP is in the guard page or at the very bottom of the stack",
                  rsp and rsp.group(0))
        check_in_order(tap, log, "backtrace of the recursion with symbol names",
                       [r"^Backtrace:", r"^  #0 0x[0-9a-f]{16} <debug::recurse_without_end",
                        r"^  #1 0x[0-9a-f]{16} <debug::recurse_without_end"])
        check_present(tap, log, "the kernel powers off reporting failure", r"^kernel: powering off \(failure\)$")
        check_status(tap, result, qemu_session.EXIT_FAILURE, "QEMU exits with the kernel's failure status")
    return run


class NmiSender:
    """Drives QEMU's monitor (on a unix socket) from the serial log: one NMI
    while the kernel waits for its timer in ring 0, then, once the busy
    tasks spin in ring 3, NMIs one at a time (each after the last was
    logged) until one lands in user mode. Never stops QEMU itself."""

    KERNEL_MARKER = "timer: LAPIC timer"   # the kernel then waits a second of ticks (timercheck=1000)
    USER_MARKER = "busy 2: spinning"       # two tasks spin in user mode from here on
    MAX_USER_TRIES = 5

    def __init__(self, path):
        self.path = path
        self.monitor = None
        self.sent = 0
        self.user_tries = 0

    def send_nmi(self):
        if not self.monitor:
            self.monitor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.monitor.connect(self.path)
        self.monitor.sendall(b"nmi\n")
        self.sent += 1

    def __call__(self, log):
        logged = len(re.findall(r"NMI received in (?:user|kernel) mode", log))
        if self.sent == 0 and self.KERNEL_MARKER in log:
            self.send_nmi()
        elif (self.sent > 0 and logged == self.sent and self.USER_MARKER in log
              and "NMI received in user mode" not in log and self.user_tries < self.MAX_USER_TRIES):
            self.user_tries += 1
            self.send_nmi()
        return False

    def close(self):
        if self.monitor:
            self.monitor.close()


def scenario_nmi(args, tap):
    """NMIs are the kernel's, wherever they strike: logged, then the
    interrupted code resumes; a thread in user mode is not stopped."""
    directory = tempfile.mkdtemp(prefix="nmi-")
    sender = NmiSender(os.path.join(directory, "monitor.sock"))
    try:
        result = boot(args, "run=pingpong count=100 timercheck=1000 poweroff", stop_when=sender,
                      extra=["-monitor", f"unix:{sender.path},server=on,wait=off"])
    finally:
        sender.close()
        shutil.rmtree(directory, ignore_errors=True)
    log = result.log
    print(f"# {sender.sent} NMIs sent, {sender.user_tries} while tasks spun in user mode")
    check_in_order(tap, log, "an NMI while the kernel waits in ring 0 is logged, and the wait goes on",
                   [re.escape(NmiSender.KERNEL_MARKER),
                    r"\[warn\] NMI received in kernel mode at rip 0xffffffff[0-9a-f]{8}; continuing$",
                    r"timer: \d+ ticks in \d+\.\d+ ms of TSC time"])
    user = find(log, r"\[warn\] NMI received in user mode at rip 0x([0-9a-f]+); continuing$")
    tap.check(user and int(user.group(1), 16) < 0x800000000000,
              "an NMI while a task runs in ring 3 is logged as the kernel's, at a user address",
              user.group(0) if user else f"none in user mode out of {sender.sent}")
    tap.check(len(re.findall(r"NMI received in (?:user|kernel) mode", log)) == sender.sent,
              "every NMI sent is logged once", f"{sender.sent} sent")
    stopped = find(log, r"thread \d+: .* thread stopped")
    tap.check(not stopped, "no thread is stopped for an NMI", stopped.group(0) if stopped else "")
    check_present(tap, log, "ping-pong completes intact after the NMIs",
                  r"ping: done: 100 round trips, 0 errors")
    check_present(tap, log, "every task exits normally",
                  r"root: ping-pong finished: ping exited with 0, pong with 0; 2 busy tasks stopped")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_fault_halts(args, tap):
    marker = "kernel: halted"
    result = boot(args, "fault=page_fault", stop_when=lambda log: marker in log)
    check_present(tap, result.log, "without poweroff a kernel fault ends in a clean halt", re.escape(marker))
    tap.check(result.log.count("setup: real mode entry") == 1, "the machine did not reset after the fault",
              "the setup stub ran more than once")


def scenario_bad_initrd(args, tap):
    result = boot(args, "poweroff", initrd=args.bad_initrd)
    check_present(tap, result.log, "a truncated initrd is refused with the reason and offset",
                  r"^\[error\] initrd: malformed archive at offset \d+: truncated")
    check_present(tap, result.log, "with no root program the kernel says there is nothing to run",
                  r'^\[error\] root: the initrd has no program named "root"; nothing to run')
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_FAILURE, "the kernel powers off cleanly, reporting failure")


def scenario_big_initrd(args, tap):
    """An initrd with a 64 MiB file beside the programs: the kernel gives the
    root task a CNode large enough for every page (16,384 slots would not
    be), the servers map it, and the default configuration runs."""
    result = boot(args, "poweroff", initrd=args.big_initrd)
    check_present(tap, result.log, "the root task gets the whole 67 MiB initrd", r"^root: running; .* initrd 7\d{7} bytes")
    check_default_run(tap, result)


def scenario_too_big_initrd(args, tap):
    """An initrd of 262 MiB needs more slots than the largest CNode has
    (2^16): refused at boot, with the number, before anything is built."""
    args.memory = "1G"
    result = boot(args, "poweroff", initrd=args.too_big_initrd)
    check_present(tap, result.log, "a 262 MiB initrd is refused with the slots it would need",
                  r"^\[error\] root: the initrd \(\d+ KiB\) and the root program need \d+ slots, more than "
                  r"the largest CNode's 65536; nothing to run")
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_FAILURE, "the kernel powers off cleanly, reporting failure")


def scenario_no_initrd(args, tap):
    args.initrd = None
    result = boot(args, "poweroff")
    check_present(tap, result.log, "a boot without an initrd says so", r"^\[warn\] initrd: none was loaded")
    check_no_panic(tap, result.log)
    check_status(tap, result, qemu_session.EXIT_FAILURE, "the kernel powers off cleanly, reporting failure")


def scenario_bad_option(args, tap):
    result = boot(args, "loglevel=chatty fault=nonsense timercheck=0 poweroff")
    check_present(tap, result.log, "an unknown log level is reported", r"^\[warn\] cmdline: unknown loglevel 'chatty'")
    check_present(tap, result.log, "a timer check of 0 ticks is refused and the default used",
                  r"^\[warn\] cmdline: timercheck=0 is not 1 to 10000 ticks; 20 are counted$")
    check_present(tap, result.log, "the default 20 ticks are counted", r"timer: 20 ticks in")
    check_present(tap, result.log, "an unknown fault kind is reported", r"fault injection: unknown kind 'nonsense'")
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "the kernel keeps running and powers off cleanly")


FUZZ_SILENCE = 8  # seconds without a line: the guest hangs


def scenario_fuzz(args, tap):
    """The system-call fuzzer (docs/fuzzing.md): fixed seeds, at least a
    million calls in all, a checker task verifying its memory and IPC
    beside it; no panic, no kernel exception dump, no reset, never 8 s
    without output, and the guest reports success."""
    seeds = [int(s) for s in args.fuzz_seeds.split(",")]
    append = f"run=fuzz seed={args.fuzz_seeds} calls={args.fuzz_calls} poweroff"
    print(f"# {append}")
    result = boot(args, append, silence=FUZZ_SILENCE)
    log = result.log
    last = [line for line in log.splitlines() if line.strip()][-1:] or ["(no output)"]
    tap.check(result.silent is None, f"the guest never went silent for {FUZZ_SILENCE} s",
              f"silent for {FUZZ_SILENCE} s after {result.seconds:.1f} s; the last line was: {last[0]}"
              " (a kernel hang: reproduce with the seed of the last progress line and fuzz_trace_from=N)")
    check_no_panic(tap, log)
    dump = find(log, r"^(Backtrace:|RIP 0x[0-9a-f]{16} <).*")
    tap.check(not dump, "no kernel exception dump", dump and dump.group(0))
    tap.check(log.count("setup: real mode entry") == 1, "no reset: the machine booted once",
              f"{log.count('setup: real mode entry')} boot banners")
    total_calls = 0
    for seed in seeds:
        summary = find(log, rf"^fuzz: seed {seed}: (\d+) calls, (\d+) restarts, (\d+) fuzz tasks, .*\((\d+) calls/s\)$")
        tap.check(summary and int(summary.group(1)) == args.fuzz_calls,
                  f"seed {seed}: {args.fuzz_calls} calls made", summary and summary.group(0))
        if summary:
            total_calls += int(summary.group(1))
            print(f"# seed {seed}: {summary.group(0)}")
        checker = find(log, rf"^fuzz: seed {seed}: checker: (\d+) pages verified, (\d+) messages, (\d+) errors$")
        tap.check(checker and int(checker.group(1)) > 0 and int(checker.group(2)) > 0 and checker.group(3) == "0",
                  f"seed {seed}: the checker verified pages and messages, 0 errors", checker and checker.group(0))
    total = find(log, r"^fuzz: total: (\d+) calls, .*; checker: .*, (\d+) errors$")
    tap.check(total and int(total.group(1)) == total_calls and total_calls >= args.fuzz_min_calls,
              f"at least {args.fuzz_min_calls} calls in all", total and total.group(0))
    tap.check(total and total.group(2) == "0", "the checker saw no error and never faulted", total and total.group(0))
    check_present(tap, log, "the root task reports the fuzz run passed", r"^fuzz: passed$")
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")
    print(f"# {result.seconds:.1f} s in QEMU")


CRASH_KINDS = {
    # kind: (exception, vector)
    "ud2": ("invalid opcode", 6),
    "div0": ("divide error", 0),
    "gp": ("general protection fault", 13),
    "pf": ("page fault", 14),
    "int3": ("breakpoint", 3),
    "stack": ("page fault", 14),
}
STACK_BOTTOM = 0x7FFFFFFE0000 - 8 * 4096  # libsys/program.cpp: 8 stack pages below abi::root_stack_top


def scenario_crash(args, tap):
    """Fault supervision: a task that faults in a way the pager does not
    resolve is reported by the loader in one line, freed, and its waiter
    told it was killed and by what; 600 in a row (more than the loader's
    pool holds at once) prove the memory comes back."""
    result = boot(args, "run=crash poweroff")
    log = result.log
    check_present(tap, log, "the loader supervises its tasks' faults", r"^loader: ready; .*; it supervises their faults$")
    for kind, (exception, vector) in CRASH_KINDS.items():
        waiter = find(log, rf"^root: crash {kind}: task (\d+) (.*)$")
        tap.check(waiter and waiter.group(2) == f"killed by {exception} (vector {vector})",
                  f"{kind}: the waiter's status decodes as killed by {exception}", waiter and waiter.group(0))
        pid = waiter.group(1) if waiter else "NONE"
        lines = re.findall(rf"^loader: task {pid} \(crash\) killed: (.*)$", log, re.MULTILINE)
        tap.check(len(lines) == 1 and lines[0].startswith(f"{exception} (vector {vector}"),
                  f"{kind}: the loader reports it in one line with the exception and vector", f"lines: {lines}")
        if kind == "pf":
            tap.check(lines and re.match(r"page fault \(vector 14\) at 0xdead0000000 \(address outside its memory\), "
                                         r"rip 0x[0-9a-f]+$", lines[0]),
                      "pf: the line has the wild address and the reason", lines)
        elif kind == "stack":
            address = re.match(r"page fault \(vector 14\) at 0x([0-9a-f]+) \(address outside its memory\)", lines[0]) \
                if lines else None
            tap.check(address and STACK_BOTTOM - 4096 <= int(address.group(1), 16) < STACK_BOTTOM,
                      "stack: the overflow faults in the page just below the stack", lines)
        else:
            tap.check(lines and re.search(r"at rip 0x[0-9a-f]+$", lines[0]), f"{kind}: the line has the RIP", lines)
    check_present(tap, log, "a task that does not crash exits with 0", r"^root: crash ok: task \d+ exited with status 0$")
    check_present(tap, log, "bad input: the program says what it wants and exits with 2",
                  r"^crash: unknown kind 'bogus' \(ud2, div0, gp, pf, int3, stack, ok\)$")
    mislabelled = find(log, r"^pager: .*fault at 0x0.*outside its memory.*$")
    tap.check(not mislabelled, "the pager no longer calls an exception a fault at 0x0", mislabelled and mislabelled.group(0))
    check_present(tap, log, "600 crashing tasks in a row are started, killed and reaped (memory comes back)",
                  r"^root: crash: 600 of 600 crashing tasks started, killed and reaped in a row; 0 unexpected statuses$")
    killed = re.findall(r"^loader: task \d+ \(crash\) killed: ", log, re.MULTILINE)
    tap.check(len(killed) == 606, "one loader line per crashed task", f"{len(killed)} lines")
    check_present(tap, log, "the root task finishes", r"^root: done$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_pager_dies(args, tap):
    """The pager dies mid-run (kill_pager_after=N makes it execute ud2 at
    its Nth fault): root, its supervisor, reports it and revokes its
    endpoint; the stress task's fault ends (not a hang) and the loader
    ends it with "its pager died"; a task started afterwards runs."""
    result = boot(args, "run=pager kill_pager_after=2000 poweroff")
    log = result.log
    check_in_order(tap, log, "the pager dies in the middle of the stress run", [
        r"^pager_stress: 1024 pages", r"^pager: debug_crash: executing ud2 while task \d+ waits for its page$",
        r"^root: pager died: invalid opcode \(vector 6\) at 0x0, rip 0x[0-9a-f]+$"])
    check_present(tap, log, "the task waiting for its page is stopped, not left hanging",
                  r"^\[warn\] thread \d+: its fault handler went away; thread stopped$")
    tap.check(not find(log, r"^pager_stress: summary"), "pager_stress did not finish (it was cut off mid-run)")
    check_in_order(tap, log, "root revokes the pager's endpoint and the loader ends the tasks that depended on it", [
        r"^root: the pager's endpoint is revoked; telling the loader$",
        r"^loader: task \d+ \(pager_stress\) ended: its pager died$",
        r"^loader: the pager is gone: \d+ tasks ended; new tasks get their pages at spawn$"])
    check_present(tap, log, "the waiter learns why", r"^root: pager_stress ended: its pager died$")
    check_present(tap, log, "what does not depend on the pager still runs",
                  r"^root: a task started after the pager died exited with status 0$")
    check_present(tap, log, "the root task finishes", r"^root: done$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")
    result = boot(args, "run=pager kill_pager_after=soon poweroff")
    check_present(tap, result.log, "bad input: kill_pager_after without a number is refused in one line",
                  r"^root: kill_pager_after needs a number of faults above 0, not 'soon'$")
    check_present(tap, result.log, "and the root task still finishes", r"^root: done \(with failures\)$")
    check_status(tap, result, qemu_session.EXIT_FAILURE, "QEMU exits with the failure status by itself")


def scenario_loader_dies(args, tap):
    """The loader dies while the root task calls it: root, its supervisor,
    reports it and revokes its endpoint; the pending call and every later
    one fail instead of hanging."""
    result = boot(args, "run=loader-dies poweroff")
    log = result.log
    check_in_order(tap, log, "root reports the loader's death in one line and revokes its endpoint", [
        r"^loader: debug_crash: executing ud2$",
        r"^root: loader died: invalid opcode \(vector 6\) at 0x0, rip 0x[0-9a-f]+$",
        r"^root: the loader's endpoint is revoked: calls to it fail from now on$"])
    check_present(tap, log, "the pending call fails (partner died)", r"^root: our call to the dying loader returned: partner died$")
    check_present(tap, log, "a later spawn fails with an error", r"^root: a spawn after the loader died failed, as it must$")
    check_present(tap, log, "the root task finishes", r"^root: done$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


# --- the block server (servers/blk, apps/blk_test) -----------------------------

DISK_MIB = 16
MASK64 = (1 << 64) - 1


def blk_pattern(sector, word, round_):
    """apps/blk_test's pattern: the 64-bit word at (sector, word) in a round."""
    x = (((sector * 64 + word) * 0x9E3779B97F4A7C15) ^ ((round_ + 1) * 0xC2B2AE3D27D4EB4F)) & MASK64
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & MASK64
    return x ^ (x >> 32)


def disk_holds_pattern(image, first, count, round_):
    """Whether sectors [first, first + count) of the image hold the pattern."""
    with open(image, "rb") as f:
        f.seek(first * 512)
        data = f.read(count * 512)
    if len(data) != count * 512:
        return False
    for s in range(count):
        for w in range(64):
            got = int.from_bytes(data[s * 512 + w * 8:s * 512 + w * 8 + 8], "little")
            if got != blk_pattern(first + s, w, round_):
                return False
    return True


def make_disk(directory):
    """A raw disk image of DISK_MIB MiB, all zeros (sparse)."""
    path = os.path.join(directory, "disk.img")
    with open(path, "wb") as f:
        f.truncate(DISK_MIB << 20)
    return path


def disk_args(path):
    return ["-drive", f"file={path},if=virtio,format=raw"]


def check_disk_holds_clients_writes(tap, disk):
    """On the host: what the guest wrote is in the image. The 17-page
    transfer (round 2) at sectors first+100.. and the last concurrent round
    (13: 8 requests of 16..44 sectors from first + 13*97 % half)."""
    half = DISK_MIB * 1024
    for name, first in (("A", 0), ("B", half)):
        tap.check(disk_holds_pattern(disk, first + 100, 130, 2),
                  f"the image holds client {name}'s 17-page write, byte for byte")
        tap.check(disk_holds_pattern(disk, first + (13 * 97) % (half // 2), sum(16 + 4 * i for i in range(8)), 13),
                  f"the image holds client {name}'s last concurrent round, byte for byte")


# The disk's interrupt routes (docs/drivers.md, "Interrupt routing"): the
# machine, the command line, what the kernel and root must say of the route.
BLK_ROUTES = {
    # q35 (ICH9): MSI-X by default, the driver pointing its queue at entry 0
    "q35": ("q35", "", "I/O APIC", r"^root: virtio-blk interrupts by MSI-X: entry 0 of \d+ in BAR\d at 0x[0-9a-f]+, "
            r"vector 0x[89ab][0-9a-f]$", r"MSI-X"),
    # q35 with INTx forced: the chipset's PIRQ router drives the ISA line
    # into the I/O APIC, level-triggered as the MADT's override says
    "q35-intx": ("q35", "blk_irq=intx", "I/O APIC",
                 r"^root: virtio-blk interrupts on line 1[01] through the I/O APIC \(INTx, as blk_irq=intx asks\)$",
                 r"irq 1[01]"),
    # pc (i440FX/PIIX) with INTx forced: the same through the PIIX
    "intx": ("pc", "blk_irq=intx", "I/O APIC",
             r"^root: virtio-blk interrupts on line 1[01] through the I/O APIC \(INTx, as blk_irq=intx asks\)$",
             r"irq 1[01]"),
    # pc without ACPI tables: no MADT, no I/O APIC; the 8259 PICs
    "pic": ("pc,acpi=off", "blk_irq=intx", "8259 PICs",
            r"^root: virtio-blk interrupts on line 1[01] through the 8259 PICs \(INTx, as blk_irq=intx asks\)$",
            r"irq 1[01]"),
}


def scenario_blk_route(args, tap, route):
    """The driver through one interrupt route: the kernel's controller, root's
    choice of route, the driver's line; both clients check every byte in
    the guest and the image holds their writes."""
    machine, option, controller, root_line, driver_route = BLK_ROUTES[route]
    with tempfile.TemporaryDirectory() as directory:
        disk = make_disk(directory)
        result = boot(args, f"run=blk poweroff {option}".strip(), extra=["-machine", machine] + disk_args(disk))
        log = result.log
        check_present(tap, log, f"interrupt lines through the {controller}",
                      rf"^\[info\] irq: driver interrupt lines through the {controller}: ")
        check_present(tap, log, "root finds the disk by a PCI scan",
                      r"^root: virtio-blk at PCI 0:\d+\.0: BAR0 ports 0x[0-9a-f]+ \(\d+ bytes\), interrupt line \d+")
        check_present(tap, log, "root says which route the interrupt takes", root_line)
        check_present(tap, log, "the driver takes that route",
                      rf"^blk: virtio-blk at ports 0x[0-9a-f]+-0x[0-9a-f]+, {driver_route}: {DISK_MIB * 2048} sectors ")
        for name in "AB":
            check_present(tap, log, f"client {name}: every byte checked", rf"^blk_test {name}: every byte checked$")
            check_present(tap, log, f"client {name} exits with status 0",
                          rf"^root: blk_test {name} exited with status 0$")
        failed = find(log, r"^blk_test .*FAILED.*$")
        tap.check(not failed, "no check failed in the guest", failed and failed.group(0))
        check_disk_holds_clients_writes(tap, disk)
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")


def scenario_blk(args, tap):
    """The block server: root finds the virtio-blk disk by a PCI scan, starts
    the driver with its BAR0 ports and interrupt line, and two clients at
    once write and read back patterns (one page, 17 pages at an unaligned
    offset, the whole 256 KiB buffer, rounds of 8 concurrent writes and 8
    concurrent reads), every byte checked in the guest and then in the
    image on the host; bad requests get errors."""
    with tempfile.TemporaryDirectory() as directory:
        disk = make_disk(directory)
        result = boot(args, "run=blk poweroff", extra=disk_args(disk))
        log = result.log
        check_present(tap, log, "root finds the disk by a PCI scan (BAR0 in I/O space, its interrupt line)",
                      r"^root: virtio-blk at PCI 0:\d+\.0: BAR0 ports 0x[0-9a-f]+ \(\d+ bytes\), interrupt line \d+ \(pin \d\)$")
        check_present(tap, log, "root routes the disk's interrupt by MSI-X (pc: the default route)",
                      r"^root: virtio-blk interrupts by MSI-X: entry 0 of \d+ in BAR\d at 0x[0-9a-f]+, vector 0x[0-9a-f]+$")
        check_present(tap, log, "the driver sets the device up and reads its capacity",
                      rf"^blk: virtio-blk at ports 0x[0-9a-f]+-0x[0-9a-f]+, MSI-X: {DISK_MIB * 2048} sectors "
                      rf"\({DISK_MIB} MiB\), queue of \d+, \d+ sectors per request at most$")
        for name in "AB":
            check_present(tap, log, f"client {name} lends its 64-page buffer",
                          rf"^blk_test {name}: sectors \d+-\d+, a buffer of 64 pages lent$")
            for what in ["one page", "17 pages at an unaligned offset", "the whole buffer"]:
                check_present(tap, log, f"client {name}: {what} written and read back, every byte right",
                              rf"^blk_test {name}: {what}: \d+ sectors, write ok, read ok, 0 bad sectors$")
            check_present(tap, log, f"client {name}: bad requests get errors",
                          rf"^blk_test {name}: bad requests: past the disk bad address, past the buffer bad address, "
                          r"unaligned bad argument, too long bad argument, no sectors bad argument$")
            check_present(tap, log, f"client {name}: the 17th request in flight is refused, the 16 complete",
                          rf"^blk_test {name}: 17 submits at once: 16 accepted, the last refused \(would block\); "
                          r"16 completed$")
            check_present(tap, log, f"client {name}: rounds of concurrent requests, every byte checked",
                          rf"^blk_test {name}: every byte checked$")
            for kind in ["writes", "reads"]:
                check_present(tap, log, f"client {name}: the throughput of 256 KiB {kind}, 8 in flight, is reported",
                              rf"^blk_test {name}: throughput: {kind} of \d+ KiB, 8 in flight: 16384 KiB in \d+ us "
                              r"\(\d+ KiB/s\)$")
            check_present(tap, log, f"client {name} exits with status 0", rf"^root: blk_test {name} exited with status 0$")
        failed = find(log, r"^blk_test .*FAILED.*$")
        tap.check(not failed, "no check failed in the guest", failed and failed.group(0))
        check_disk_holds_clients_writes(tap, disk)
        check_present(tap, log, "the root task finishes", r"^root: done$")
        check_no_panic(tap, log)
        check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status")

        # With a disk the default configuration runs as before, the driver beside it.
        result = boot(args, "poweroff", extra=disk_args(disk))
        check_present(tap, result.log, "default configuration with a disk: the driver starts",
                      r"^blk: virtio-blk at ports ")
        check_present(tap, result.log, "default configuration with a disk: eight programs run",
                      r"^root: started 8 programs from boot.cfg$")
        check_status(tap, result, qemu_session.EXIT_SUCCESS, "default configuration with a disk: success")

    # Without a disk there is no driver, and run=blk says why.
    result = boot(args, "run=blk poweroff")
    tap.check(not find(result.log, r"^blk: "), "without a disk no driver starts")
    check_present(tap, result.log, "without a disk run=blk says what it needs",
                  r"^root: this run needs a virtio-blk disk: qemu-system-x86_64 \.\.\. -drive file=disk\.img,if=virtio,format=raw$")
    check_status(tap, result, qemu_session.EXIT_FAILURE, "without a disk QEMU exits with the failure status by itself")


def scenario_blk_dies(args, tap):
    """The driver dies (debug_crash) while two clients have requests in
    flight: root, its supervisor, resets the device, revokes its endpoint
    and signals the notifications it held; the clients' waits end, their
    calls fail, and they exit with status 3; nothing hangs."""
    with tempfile.TemporaryDirectory() as directory:
        result = boot(args, "run=blk-dies poweroff", extra=disk_args(make_disk(directory)))
    log = result.log
    check_in_order(tap, log, "both clients run, then the driver dies and root reports it", [
        r"^blk_test [AB]: round 1 done; going on until the server goes$",
        r"^blk_test [AB]: round 1 done; going on until the server goes$",
        r"^root: both clients are mid-run: killing the block server$",
        r"^blk: debug_crash: executing ud2$",
        r"^root: block server died: invalid opcode \(vector 6\) at 0x0, rip 0x[0-9a-f]+$"])
    signalled = find(log, r"^root: the block server's endpoint is revoked and the device reset; (\d+) notifications signalled$")
    tap.check(signalled and int(signalled.group(1)) >= 2,
              "root revokes the endpoint, resets the device and signals the clients' notifications",
              signalled and signalled.group(0))
    check_present(tap, log, "root's pending call fails (partner died)",
                  r"^root: our call to the dying block server returned: partner died$")
    for name in "AB":
        check_present(tap, log, f"client {name} is told the server is gone (an error, not a hang)",
                      rf"^blk_test {name}: the block server is gone \((submit|complete): "
                      r"(invalid capability|object destroyed|partner died)\)$")
        check_present(tap, log, f"client {name} exits with status 3", rf"^root: blk_test {name} exited with status 3$")
    check_present(tap, log, "a later call fails at once", r"^root: a later call to the dead block server: invalid capability$")
    check_present(tap, log, "the root task finishes", r"^root: done$")
    check_no_panic(tap, log)
    check_status(tap, result, qemu_session.EXIT_SUCCESS, "QEMU exits by itself with the root task's success status")


SCENARIOS = {
    "crash": scenario_crash,
    "loader-dies": scenario_loader_dies,
    "blk": scenario_blk,
    "blk-dies": scenario_blk_dies,
    "pager-dies": scenario_pager_dies,
    "fuzz": scenario_fuzz,
    "boot": scenario_boot,
    "idle": scenario_idle,
    "selftest": scenario_selftest,
    "kernel-tests": scenario_kernel_tests,
    "pingpong": scenario_pingpong,
    "round-robin": scenario_round_robin,
    "pager-stress": scenario_pager_stress,
    "pager-policies": scenario_pager_policies,
    "pager-full": scenario_pager_full,
    "pager-large": scenario_pager_large,
    "swap": scenario_swap,
    "swap-blk-dies": scenario_swap_blk_dies,
    "blk-q35": lambda args, tap: scenario_blk_route(args, tap, "q35"),
    "blk-q35-intx": lambda args, tap: scenario_blk_route(args, tap, "q35-intx"),
    "blk-intx": lambda args, tap: scenario_blk_route(args, tap, "intx"),
    "blk-pic": lambda args, tap: scenario_blk_route(args, tap, "pic"),
    "kernel-tests-pic": scenario_kernel_tests_pic,
    "swap-large": scenario_swap_large,
    "pager-bad-budgets": scenario_pager_bad_budgets,
    "default-32m": scenario_default_at("32M"),
    "default-64m": scenario_default_at("64M"),
    "default-128m": scenario_default_at("128M"),
    "initrd-10m": scenario_initrd_10m,
    "scale": scenario_scale,
    "scale-max": scenario_scale_max,
    "kernel-tests-cpu-max": scenario_kernel_tests_cpu_max,
    "attack": scenario_attack,
    "attack-cpu-max": scenario_attack_cpu_max,
    "cpu-max": scenario_cpu_max,
    "fault-halts": scenario_fault_halts,
    "bad-initrd": scenario_bad_initrd,
    "no-initrd": scenario_no_initrd,
    "big-initrd": scenario_big_initrd,
    "too-big-initrd": scenario_too_big_initrd,
    "bad-option": scenario_bad_option,
    "nmi": scenario_nmi,
    **{"fault-" + kind.replace("_", "-"): scenario_fault(kind) for kind in FAULTS},
    **{"fault-" + kind.replace("_", "-"): scenario_stack_overflow(kind) for kind in STACK_OVERFLOWS},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--bad-initrd")
    parser.add_argument("--big-initrd")
    parser.add_argument("--too-big-initrd")
    parser.add_argument("--initrd-10m")
    parser.add_argument("--log", help="also write the serial log here")
    parser.add_argument("--fuzz-seeds", default="1,2,3,4", help="fuzz: the seeds, comma-separated")
    parser.add_argument("--fuzz-calls", type=int, default=250000, help="fuzz: calls per seed")
    parser.add_argument("--fuzz-min-calls", type=int, default=1000000, help="fuzz: calls needed in all")
    qemu_session.add_arguments(parser)
    args = parser.parse_args()

    global LOG_FILE
    LOG_FILE = args.log
    tap = Tap()
    SCENARIOS[args.scenario](args, tap)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
