#!/usr/bin/env python3
"""Writes deliberately malformed ELF64 programs for the loader's tests.

Usage: mkbadelf.py KIND OUTPUT     KIND: wx | kernel | entry | truncated

Each is a small static x86-64 executable that is wrong in exactly one way:
  wx         one segment both writable and executable
  kernel     a segment in the kernel half of the address space
  entry      the entry point outside every executable segment
  truncated  the file ends inside its program headers
"""
import struct
import sys

PT_LOAD, PF_X, PF_W, PF_R = 1, 1, 2, 4


def elf(entry, segments, cut=None):
    phoff, phnum = 64, len(segments)
    data_offset = 0x1000
    header = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 62, 1, entry, phoff, 0, 0,
                         64, 56, phnum, 0, 0, 0)
    headers = b""
    for vaddr, flags in segments:
        headers += struct.pack("<IIQQQQQQ", PT_LOAD, flags, data_offset, vaddr, vaddr, 16, 16, 0x1000)
    image = (header + headers).ljust(data_offset, b"\0") + b"\xeb\xfe" + b"\0" * 14  # jmp $
    return image[:cut] if cut else image


KINDS = {
    "wx": lambda: elf(0x400000, [(0x400000, PF_R | PF_W | PF_X)]),
    "kernel": lambda: elf(0x400000, [(0x400000, PF_R | PF_X), (0xFFFF800000000000, PF_R | PF_W)]),
    "entry": lambda: elf(0x600000, [(0x400000, PF_R | PF_X)]),
    "truncated": lambda: elf(0x400000, [(0x400000, PF_R | PF_X)], cut=80),
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit(f"usage: mkbadelf.py {{{'|'.join(KINDS)}}} OUTPUT")
    with open(sys.argv[2], "wb") as f:
        f.write(KINDS[sys.argv[1]]())


if __name__ == "__main__":
    main()
