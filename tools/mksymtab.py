#!/usr/bin/env python3
"""Writes the kernel's embedded symbol table (format: kernel/lib/symbol_table.hpp).

Usage: mksymtab.py --nm NM --objcopy OBJCOPY ELF OUTPUT.o

Reads the function symbols of ELF (demangled, sorted) and writes an object
file whose .ksymtab section holds the table, for the final kernel link.
ELF "-" writes a valid empty table, for the first link.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

MAGIC = 0x4D59534B  # "KSYM"
FUNCTION_TYPES = set("tTwW")


def read_symbols(nm, elf):
    out = subprocess.run([nm, "-n", "-C", "-S", "--defined-only", elf],
                         check=True, capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        fields = line.split(" ", 3)
        # "address size type name", or "address type name" when nm knows no size
        if len(fields) == 4 and len(fields[2]) == 1:
            address, size, kind, name = int(fields[0], 16), int(fields[1], 16), fields[2], fields[3]
        elif len(fields) >= 3 and len(fields[1]) == 1:
            address, size, kind, name = int(fields[0], 16), 0, fields[1], line.split(" ", 2)[2]
        else:
            continue
        if kind not in FUNCTION_TYPES:
            continue
        # Several names for one address (a function and a linker-script
        # marker such as __kernel_start): keep the one a reader wants.
        candidate = (min(size, 0xFFFFFFFF), name)
        if address not in symbols or preference(candidate) > preference(symbols[address]):
            symbols[address] = candidate
    return sorted((a, s, n) for a, (s, n) in symbols.items())


def preference(symbol):
    size, name = symbol
    return (size > 0, not name.startswith("__"))


def encode(symbols):
    names = bytearray()
    entries = bytearray()
    for address, size, name in symbols:
        entries += struct.pack("<QII", address, size, len(names))
        names += name.encode() + b"\0"
    return struct.pack("<II", MAGIC, len(symbols)) + entries + (bytes(names) or b"\0")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nm", required=True)
    parser.add_argument("--objcopy", required=True)
    parser.add_argument("elf")
    parser.add_argument("output")
    args = parser.parse_args()

    symbols = [] if args.elf == "-" else read_symbols(args.nm, args.elf)
    if args.elf != "-" and not symbols:
        sys.exit(f"mksymtab: no function symbols in {args.elf}")
    with tempfile.TemporaryDirectory() as tmp:
        blob = os.path.join(tmp, "ksymtab.bin")
        with open(blob, "wb") as f:
            f.write(encode(symbols))
        subprocess.run([args.objcopy, "-I", "binary", "-O", "elf64-x86-64", "-B", "i386:x86-64",
                        "--rename-section", ".data=.ksymtab,alloc,load,readonly,data,contents",
                        blob, args.output], check=True)


if __name__ == "__main__":
    main()
