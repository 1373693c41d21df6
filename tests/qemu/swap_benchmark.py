#!/usr/bin/env python3
"""Boots the real images with run=pager stress=swap and prints the swap path's figures.

Usage: swap_benchmark.py --kernel kernel.bin --initrd initrd.img [--icount] [...]

-m 32M, the default budget of 256 frames, pager_stress over 8,192 pages
(32 MiB, 32 times the budget) on a 64 MiB sparse raw image as a virtio-blk
disk; three boots: read-ahead 16 and clusters of 16 (the defaults),
read-ahead 1 (none), clusters of 1 (no clustered write-back). Each phase
prints its time per page, the part of it inside the pager's disk requests,
faults, disk traffic, pages/s and MB/s (docs/benchmarks.md, "Swap to a
virtio-blk disk").

With --icount QEMU runs with -icount shift=0 (1 ns of guest time = one
guest instruction while the guest runs). The disk still completes in host
time, and while the guest halts waiting for it QEMU advances the virtual
clock at host speed (icount's default sleep=on), so the part "in disk
requests" holds host time and moves between runs; the part outside them is
guest instructions. Exits non-zero if a boot gave no figures, had errors,
or the kernel panicked.
"""
import argparse
import os
import re
import sys
import tempfile

import qemu_session

PAGES = 8192
DISK_MIB = 64
CONFIGURATIONS = [
    ("read-ahead 16, clusters of 16", "pager_readahead=16 pager_cluster=16"),
    ("no read-ahead, clusters of 16", "pager_readahead=1 pager_cluster=16"),
    ("read-ahead 16, no clusters", "pager_readahead=16 pager_cluster=1"),
]
PHASES = 4


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icount", action="store_true")
    qemu_session.add_arguments(parser)
    args = parser.parse_args()
    args.memory = "32M"

    mode = "QEMU -icount shift=0 (outside disk requests: 1 ns = 1 guest instruction)" if args.icount \
        else "QEMU plain TCG (host time)"
    print(f"# {mode}; {PAGES} pages, budget 256 frames, -m 32M, {DISK_MIB} MiB virtio-blk disk")
    failed = False
    for label, options in CONFIGURATIONS:
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "swap.img")
            with open(path, "wb") as f:
                f.truncate(DISK_MIB << 20)
            extra = ["-drive", f"file={path},if=virtio,format=raw"] + (["-icount", "shift=0"] if args.icount else [])
            command = qemu_session.qemu_command(
                args, f"run=pager pages={PAGES} beside=0 stress=swap {options} poweroff", extra=extra)
            result = qemu_session.run(command, args.timeout)
        figures = re.findall(r"^bench: swap .*$", result.log, re.MULTILINE)
        summary = re.search(r"^pager_stress: swap benchmark: .* (\d+) errors$", result.log, re.MULTILINE)
        print(f"# {label} ({options}): {result.seconds:.1f} s of host time for the boot")
        for line in figures:
            print(line.replace("bench: swap ", f"bench: swap [{label}] ", 1))
        if summary:
            print(f"# {summary.group(0)}")
        if ("KERNEL PANIC" in result.log or len(figures) != PHASES or not summary or summary.group(1) != "0"
                or result.status != qemu_session.EXIT_SUCCESS):
            sys.stderr.write(result.log)
            print(f"benchmark failed ({label}): missing figures, errors, a panic, or a failure status", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
