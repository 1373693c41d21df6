#!/usr/bin/env python3
"""Boots the real images with run=bench and prints the figures the root task measures.

Usage: benchmark.py --kernel kernel.bin --initrd initrd.img [--icount] [...]

With --icount QEMU runs with -icount shift=0: guest time then advances one
nanosecond per executed instruction, so the ns figures are instruction
counts and repeat exactly. Without it the figures are plain TCG host time,
which moves between runs; compare them only as ratios within one run.
Exits non-zero if the benchmark did not report or the kernel panicked.
"""
import argparse
import re
import sys

import qemu_session


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icount", action="store_true")
    parser.add_argument("--cmdline", default="", help="more kernel command-line words (e.g. trace=1)")
    qemu_session.add_arguments(parser)
    args = parser.parse_args()

    # QEMU's edu device raises MSIs on demand: the interrupt figure needs it.
    extra = ["-device", "edu"] + (["-icount", "shift=0"] if args.icount else [])
    result = qemu_session.run(qemu_session.qemu_command(args, f"{args.cmdline} run=bench poweroff".strip(),
                                                                extra=extra), args.timeout)
    figures = re.findall(r"^bench: .*$|^\[info\] boot: the kernel was entered .*$", result.log, re.MULTILINE)
    mode = "QEMU -icount shift=0 (1 ns = 1 guest instruction)" if args.icount else "QEMU plain TCG (host time)"
    print(f"# {mode}" + (f", kernel command line adds: {args.cmdline}" if args.cmdline else ""))
    for line in figures:
        print(line)
    if "KERNEL PANIC" in result.log or len(figures) < 3 or result.status != qemu_session.EXIT_SUCCESS:
        sys.stderr.write(result.log)
        print("benchmark failed: no figures, a panic, or a failure status", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
