#!/usr/bin/env python3
"""Counts the guest instructions of one benchmark iteration, per function.

Usage: profile_path.py --build build --stop ADDRESS [--skip N] [--label TEXT]

Boots build/kernel.bin with run=bench under -icount shift=0 and the GDB
stub, lets the user-space instruction at ADDRESS (a virtual address in the
root task's image, e.g. the instruction after a benchmark loop's system
call) pass N times, then single-steps until it is reached again: exactly
one iteration of the loop, kernel and user space alike. Prints how many
instructions each function executed (kernel symbols from kernel.elf, user
ones from the root task's ELF, which every benchmark thread runs), in the
order they were first entered. Single-stepping keeps interrupts off, so the
count is that of an undisturbed iteration.

Find ADDRESS with `objdump -d -C build/servers/root/root`; docs/benchmarks.md
lists the ones used for its tables.
"""
import argparse
import bisect
import os
import socket
import subprocess
import sys
import tempfile

GDB_SCRIPT = r'''
import gdb
stop = int(os.environ["PROFILE_STOP"], 0)
skip = int(os.environ["PROFILE_SKIP"])
out = open(os.environ["PROFILE_OUT"], "w")
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :" + os.environ["PROFILE_PORT"])
gdb.execute("hbreak *%d" % stop)
if skip:
    gdb.execute("ignore 1 %d" % skip)
gdb.execute("continue")
gdb.execute("delete")
limit = int(os.environ["PROFILE_LIMIT"])
for _ in range(limit):
    gdb.execute("stepi", to_string=True)
    pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
    out.write("%x\n" % pc)
    if pc == stop:
        break
out.close()
gdb.execute("kill")
'''


def symbols(elf):
    """Sorted (address, size, name) of the functions in elf."""
    text = subprocess.run(["nm", "-C", "-S", "--defined-only", elf], capture_output=True, text=True,
                          check=True).stdout
    table = []
    for line in text.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[2] in "tTwW":
            table.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
        elif len(parts) == 3 and parts[1] in "tT":  # assembly labels have no size
            table.append((int(parts[0], 16), 0, parts[2]))
    table.sort()
    return table


def name_of(table, starts, pc):
    i = bisect.bisect_right(starts, pc) - 1
    if i < 0:
        return "?"
    address, size, name = table[i]
    if size and pc >= address + size:
        return "?"
    return name.split("(")[0] if "(" in name and len(name) > 60 else name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--stop", required=True)
    parser.add_argument("--skip", type=int, default=20)
    parser.add_argument("--limit", type=int, default=20000)
    parser.add_argument("--label", default="")
    parser.add_argument("--trace", action="store_true", help="also print every address executed, in order")
    parser.add_argument("--inlined", action="store_true",
                        help="name kernel instructions by the innermost function inlined there (addr2line)")
    args = parser.parse_args()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        qemu = subprocess.Popen(
            ["qemu-system-x86_64", "-kernel", f"{args.build}/kernel.bin", "-initrd", f"{args.build}/initrd.img",
             "-m", "512M", "-icount", "shift=0", "-display", "none", "-serial", f"file:{tmp}/serial.log",
             "-append", "run=bench poweroff", "-S", "-gdb", f"tcp:127.0.0.1:{port}"])
        script = os.path.join(tmp, "profile.py")
        with open(script, "w") as f:
            f.write("import os\n" + GDB_SCRIPT)
        env = dict(os.environ, PROFILE_STOP=args.stop, PROFILE_SKIP=str(args.skip), PROFILE_PORT=str(port),
                   PROFILE_OUT=f"{tmp}/pcs", PROFILE_LIMIT=str(args.limit))
        try:
            subprocess.run(["gdb", "-batch", "-nx", "-x", script], env=env, capture_output=True, timeout=900)
        finally:
            qemu.kill()
            qemu.wait()
        # Each line is where a step ended; the instructions executed are the
        # start and every stop but the last.
        pcs = [int(args.stop, 0)] + [int(line, 16) for line in open(f"{tmp}/pcs")][:-1]

    kernel = symbols(f"{args.build}/kernel.elf")
    user = symbols(f"{args.build}/servers/root/root")
    kernel_starts = [t[0] for t in kernel]
    user_starts = [t[0] for t in user]
    inner = {}
    if args.inlined:
        unique = sorted({pc for pc in pcs if pc >= 1 << 63})
        out = subprocess.run(["addr2line", "-e", f"{args.build}/kernel.elf", "-f", "-i", "-C", "-a"]
                             + [f"{pc:x}" for pc in unique], capture_output=True, text=True, check=True).stdout
        current = None
        for line in out.splitlines():
            if line.startswith("0x"):
                current = int(line, 16)
            elif current is not None and current not in inner and not line.startswith(("/", "?")):
                inner[current] = line.split("(")[0]  # the first name printed is the innermost
    counts = {}
    for pc in pcs:
        if pc >= 1 << 63 and pc in inner:
            key = "kernel " + inner[pc]
        elif pc >= 1 << 63:
            key = "kernel " + name_of(kernel, kernel_starts, pc)
        else:
            key = "user   " + name_of(user, user_starts, pc)
        counts[key] = counts.get(key, 0) + 1
    if args.trace:
        for pc in pcs:
            print(f"{pc:x}")
    print(f"# {args.label or args.stop}: {len(pcs)} instructions in one iteration")
    for key, n in counts.items():
        print(f"{n:6d}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
