#!/usr/bin/env python3
"""Runs QEMU (the rest of the command line) on this terminal with the
isa-debug-exit device, so a demo that powers off reports through the exit
status: the kernel's success (QEMU's 1) becomes 0, its failure (3) becomes
1. Creates the swap image first when asked (--swap-image PATH --swap-size
SIZE): a sparse raw file, as `truncate -s SIZE PATH` would."""
import os
import subprocess
import sys


def main():
    argv = sys.argv[1:]
    if argv[:1] == ["--swap-image"]:
        path, size = argv[1], argv[3]
        argv = argv[4:]
        units = {"K": 10, "M": 20, "G": 30}
        with open(path, "wb") as f:
            f.truncate(int(size[:-1]) << units[size[-1].upper()] if size[-1].upper() in units else int(size))
    command = argv + ["-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    status = subprocess.call(command)
    if status == 1:
        return 0
    if status == 3:
        print("qemu_exit: the guest reported failure", file=sys.stderr)
        return 1
    print(f"qemu_exit: QEMU ended with status {status}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
