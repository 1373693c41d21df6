#!/usr/bin/env python3
"""Builds kernel.bin: the real-mode setup stub followed by the kernel payload.

Usage: mkbootimage.py --objcopy OBJCOPY SETUP.bin KERNEL.elf OUTPUT

The payload is KERNEL.elf's loadable sections as a flat image starting at
its lowest load address, which must be 0x100000 (the boot protocol's
code32_start). Checks the setup header and fills in syssize.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

KERNEL_ENTRY = 0xFFFFFFFF80100000  # must match KERNEL_ENTRY in boot/setup.asm


def fail(message):
    sys.exit(f"mkbootimage: {message}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objcopy", required=True)
    parser.add_argument("setup")
    parser.add_argument("elf")
    parser.add_argument("output")
    args = parser.parse_args()

    setup = bytearray(open(args.setup, "rb").read())
    if len(setup) % 512 or len(setup) < 1024:
        fail(f"setup stub is {len(setup)} bytes, not a whole number (>= 2) of sectors")
    if setup[0x202:0x206] != b"HdrS":
        fail("setup stub has no 'HdrS' header at 0x202")
    if setup[0x1F1] != len(setup) // 512 - 1:
        fail(f"setup_sects is {setup[0x1F1]}, the stub has {len(setup) // 512 - 1} setup sectors")

    with open(args.elf, "rb") as f:
        header = f.read(64)
    if header[:4] != b"\x7fELF" or header[4] != 2:
        fail(f"{args.elf} is not an ELF64 file")
    entry = struct.unpack_from("<Q", header, 24)[0]
    if entry != KERNEL_ENTRY:
        fail(f"kernel entry is {entry:#x}, the setup stub jumps to {KERNEL_ENTRY:#x}")

    with tempfile.TemporaryDirectory() as tmp:
        payload_path = os.path.join(tmp, "payload.bin")
        subprocess.run([args.objcopy, "-O", "binary", args.elf, payload_path], check=True)
        payload = open(payload_path, "rb").read()

    struct.pack_into("<I", setup, 0x1F4, (len(payload) + 15) // 16)  # syssize, 16-byte units
    with open(args.output, "wb") as f:
        f.write(setup + payload)


if __name__ == "__main__":
    main()
