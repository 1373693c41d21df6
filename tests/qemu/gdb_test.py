#!/usr/bin/env python3
"""Source-level debugging through QEMU's GDB stub, checked end to end.

Usage: gdb_test.py --gdb GDB --elf kernel.elf --source-root DIR --kernel kernel.bin [...] [--strip]

Starts QEMU halted (-S) with its GDB stub, runs GDB in batch mode with
kernel.elf as the symbol file, and checks that GDB breaks at the kernel's
C++ entry at the right file and line, steps by source line, reads
variables and source, and continues to a clean power-off. With --strip the
test runs on a stripped copy of kernel.elf, where it must fail: that shows
the checks really depend on the symbols and line tables.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import gdb_session
import qemu_session
from tap import Tap

APPEND = "poweroff gdb.test=1"


def source_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def entry_lines(main_cpp):
    """Line numbers (1-based) of kernel_main's first statement and of the
    line marked 'gdb-test: advance here'."""
    lines = source_lines(main_cpp)
    start = next(i for i, l in enumerate(lines) if "void kernel_main(" in l)
    first = next(i for i in range(start + 1, len(lines)) if lines[i].strip())
    marker = next(i for i, l in enumerate(lines) if "gdb-test: advance here" in l)
    return first + 1, marker + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gdb", default="gdb")
    parser.add_argument("--elf", required=True)
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--strip", action="store_true")
    parser.add_argument("--strip-program", default="strip")
    qemu_session.add_arguments(parser)
    args = parser.parse_args()

    main_cpp = os.path.join(args.source_root, "kernel", "main.cpp")
    first_line, advance_line = entry_lines(main_cpp)
    tap = Tap()

    with tempfile.TemporaryDirectory() as tmp:
        elf = args.elf
        if args.strip:
            elf = os.path.join(tmp, "kernel-stripped.elf")
            shutil.copy(args.elf, elf)
            subprocess.run([args.strip_program, "--strip-all", elf], check=True)
        session = gdb_session.run(args, APPEND, lambda port: [
            "set pagination off",
            "set confirm off",
            f"target remote 127.0.0.1:{port}",
            f"symbol-file {elf}",
            "break kernel_main",
            "continue",
            "print/x boot_params_phys",
            "next",
            "next",
            f"advance main.cpp:{advance_line}",
            "frame",
            "print info.e820_entries",
            "print info.cmdline.text_",
            "info locals",
            "bt",
            "list kernel_main",
            "continue",
        ])
    tap.check(session.started, "QEMU's GDB stub accepts a connection")
    out, status, serial = session.out, session.status, session.serial

    sys.stderr.write("---- gdb ----\n" + out + "\n---- serial ----\n" + serial)

    stop = re.search(r"Breakpoint 1, kernel_main \(boot_params_phys=(\d+)\) at (\S+):(\d+)", out)
    tap.check(stop is not None, "breakpoint on the C++ entry kernel_main is hit", out[-2000:])
    tap.check(stop is not None and stop.group(2).endswith("kernel/main.cpp") and int(stop.group(3)) == first_line,
              f"the stop is reported at kernel/main.cpp:{first_line}", stop and stop.group(0))
    logged = re.search(r"boot_params at physical (0x[0-9a-f]+)", serial)
    printed = re.search(r"^\$1 = (0x[0-9a-f]+)$", out, re.MULTILINE)
    tap.check(logged and printed and int(logged.group(1), 16) == int(printed.group(1), 16),
              "reading the argument boot_params_phys gives what the kernel logs",
              f"gdb: {printed and printed.group(1)}, serial: {logged and logged.group(1)}")
    after_first_print = out[printed.end():] if printed else ""
    steps = [int(n) for n in re.findall(r"^(\d+)\t", after_first_print, re.MULTILINE)]
    tap.check(len(steps) >= 2 and steps[0] > first_line and steps[1] > steps[0],
              "next steps forward through kernel_main by source line", f"lines after each step: {steps[:3]}")
    advanced = re.search(r"^#\d+\s+(?:0x[0-9a-f]+ in )?kernel_main \(.*\) at \S*main\.cpp:(\d+)$", out, re.MULTILINE)
    tap.check(advanced and int(advanced.group(1)) == advance_line,
              f"advance to main.cpp:{advance_line} stops there", advanced and advanced.group(0))
    e820 = re.search(r"setup: E820 memory map read, (\d+) entries", serial)
    entries = re.search(r"^\$2 = (\d+)$", out, re.MULTILINE)
    tap.check(e820 and entries and e820.group(1) == entries.group(1),
              "a local struct's field (info.e820_entries) matches the setup stub's count",
              f"gdb: {entries and entries.group(1)}, setup: {e820 and e820.group(1)}")
    cmdline = re.search(r'^\$3 = 0x[0-9a-f]+ "(.*)"$', out, re.MULTILINE)
    tap.check(cmdline and cmdline.group(1) == APPEND, "the command line string is readable from GDB",
              cmdline and cmdline.group(0))
    tap.check(re.search(r"^info = \{e820 = ", out, re.MULTILINE) is not None, "info locals shows kernel_main's locals")
    tap.check(re.search(r"^#1 .* in _start \(\)", out, re.MULTILINE) is not None,
              "bt shows kernel_main called from _start")
    tap.check(re.search(r'^\d+\s+extern "C" \[\[noreturn\]\] void kernel_main\(', out, re.MULTILINE) is not None,
              "list shows kernel_main's source")
    tap.check(status == qemu_session.EXIT_SUCCESS and "powering off (success)" in serial,
              "after continue the kernel runs to a clean power-off", f"QEMU exit status {status}")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
