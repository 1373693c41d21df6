#!/usr/bin/env python3
"""Write a deterministic cpio "newc" initrd.

Usage: mkinitrd.py OUTPUT NAME=PATH [NAME=PATH ...]

Each PATH is stored under NAME, in argument order, followed by the
TRAILER!!! entry. Timestamps, owners and inode numbers are fixed so the same
inputs always give a byte-identical image (reproducible builds, stable tests).
"""

import os
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"
MAX_FIELD = 0xFFFFFFFF


def fail(message):
    print(f"mkinitrd: {message}", file=sys.stderr)
    sys.exit(1)


def pad4(length):
    return b"\0" * (-length % 4)


def entry(ino, mode, name, data):
    encoded = name.encode("utf-8") + b"\0"
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0)
    header = MAGIC + b"".join(b"%08X" % value for value in fields)
    out = header + encoded
    out += pad4(len(out))
    return out + data + pad4(len(data))


def parse_spec(spec, seen):
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        fail(f"bad argument {spec!r}: expected NAME=PATH")
    if "\0" in name or name == TRAILER:
        fail(f"bad name {name!r}")
    if name in seen:
        fail(f"duplicate name {name!r}")
    seen.add(name)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            fail(f"{path}: not a regular file")
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    if len(data) > MAX_FIELD:
        fail(f"{path}: too large for newc ({len(data)} bytes)")
    # Only the executable bit matters to the kernel; other permission bits are
    # normalised so the image does not depend on the builder's umask.
    mode = 0o100755 if info.st_mode & 0o111 else 0o100644
    return name, mode, data


def main(argv):
    if len(argv) < 3:
        fail("usage: mkinitrd.py OUTPUT NAME=PATH [NAME=PATH ...]")
    output, specs = argv[1], argv[2:]
    seen = set()
    # Read every input before creating OUTPUT so a bad argument leaves no
    # half-written image behind for the build to pick up.
    files = [parse_spec(spec, seen) for spec in specs]

    image = bytearray()
    for ino, (name, mode, data) in enumerate(files, start=1):
        image += entry(ino, mode, name, data)
    image += entry(0, 0, TRAILER, b"")

    try:
        with open(output, "wb") as f:
            f.write(image)
    except OSError as e:
        fail(f"{output}: {e.strerror}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
