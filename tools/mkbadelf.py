#!/usr/bin/env python3
"""Writes deliberately malformed ELF64 programs for the loader's tests.

Usage: mkbadelf.py KIND OUTPUT
  KIND: wx | kernel | entry | truncated | interp | needed | symbolic | segments

Each is a small x86-64 executable that is wrong in exactly one way:
  wx         one segment both writable and executable
  kernel     a segment in the kernel half of the address space
  entry      the entry point outside every executable segment
  truncated  the file ends inside its program headers
  interp     dynamically linked: a PT_INTERP header naming ld-linux
  needed     a PIE whose dynamic section has DT_NEEDED (a shared library)
  symbolic   a PIE with an R_X86_64_64 relocation against a symbol
  segments   one loadable segment more than the ELF reader's 64
"""
import struct
import sys

PT_LOAD, PT_DYNAMIC, PT_INTERP, PF_X, PF_W, PF_R = 1, 2, 3, 1, 2, 4
ET_EXEC, ET_DYN = 2, 3
DT_NULL, DT_NEEDED, DT_RELA, DT_RELASZ, DT_RELAENT = 0, 1, 7, 8, 9
R_X86_64_64 = 1


def elf(entry, segments, cut=None, others=(), data=b"", kind=ET_EXEC):
    """segments: (vaddr, flags), each 16 bytes of `jmp $` at file offset
    0x1000; others: extra program headers (type, flags, offset, vaddr,
    size); data: bytes at file offset 0x2000."""
    phoff, phnum = 64, len(segments) + len(others)
    data_offset = 0x1000
    header = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, kind, 62, 1, entry, phoff, 0, 0,
                         64, 56, phnum, 0, 0, 0)
    headers = b""
    for vaddr, flags in segments:
        headers += struct.pack("<IIQQQQQQ", PT_LOAD, flags, data_offset, vaddr, vaddr, 16, 16, 0x1000)
    for kind_, flags, offset, vaddr, size in others:
        headers += struct.pack("<IIQQQQQQ", kind_, flags, offset, vaddr, vaddr, size, size, 8)
    assert len(header + headers) <= data_offset
    image = (header + headers).ljust(data_offset, b"\0") + b"\xeb\xfe" + b"\0" * 14  # jmp $
    if data:
        image = image.ljust(0x2000, b"\0") + data
    return image[:cut] if cut else image


def dynamic_pie(entries, relocations=()):
    """A PIE linked at 0x1000 (text) with its data page at 0x2000 holding the
    dynamic section and, at 0x2100, RELA entries (offset, info, addend)."""
    rela = b"".join(struct.pack("<QQQ", *r) for r in relocations)
    if relocations:
        entries = entries + [(DT_RELA, 0x2100), (DT_RELASZ, len(rela)), (DT_RELAENT, 24)]
    dynamic = b"".join(struct.pack("<QQ", tag, value) for tag, value in entries + [(DT_NULL, 0)])
    data = dynamic.ljust(0x100, b"\0") + rela.ljust(0x100, b"\0")
    image = elf(0x1000, [(0x1000, PF_R | PF_X)], others=[(PT_DYNAMIC, PF_R | PF_W, 0x2000, 0x2000, len(dynamic))],
                data=data, kind=ET_DYN)
    # The data page as a loadable segment too (header 2, written in place).
    load = struct.pack("<IIQQQQQQ", PT_LOAD, PF_R | PF_W, 0x2000, 0x2000, 0x2000, len(data), len(data), 0x1000)
    phnum = 3
    image = bytearray(image)
    image[56:58] = struct.pack("<H", phnum)
    image[64 + 2 * 56:64 + 3 * 56] = load
    return bytes(image)


KINDS = {
    "wx": lambda: elf(0x400000, [(0x400000, PF_R | PF_W | PF_X)]),
    "kernel": lambda: elf(0x400000, [(0x400000, PF_R | PF_X), (0xFFFF800000000000, PF_R | PF_W)]),
    "entry": lambda: elf(0x600000, [(0x400000, PF_R | PF_X)]),
    "truncated": lambda: elf(0x400000, [(0x400000, PF_R | PF_X)], cut=80),
    "interp": lambda: elf(0x400000, [(0x400000, PF_R | PF_X)],
                          others=[(PT_INTERP, PF_R, 0x2000, 0x402000, 28)], data=b"/lib64/ld-linux-x86-64.so.2\0"),
    "needed": lambda: dynamic_pie([(DT_NEEDED, 1)]),
    "symbolic": lambda: dynamic_pie([], relocations=[(0x2000, (1 << 32) | R_X86_64_64, 0)]),
    "segments": lambda: elf(0x400000, [(0x400000 + i * 0x1000, PF_R | (PF_X if i == 0 else 0)) for i in range(65)]),
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit(f"usage: mkbadelf.py {{{'|'.join(KINDS)}}} OUTPUT")
    with open(sys.argv[2], "wb") as f:
        f.write(KINDS[sys.argv[1]]())


if __name__ == "__main__":
    main()
