"""Runs the real kernel.bin and initrd.img under QEMU and collects the serial log.

Shared by the boot tests and the GDB test. QEMU gets the isa-debug-exit
device, so the kernel's "poweroff" reports success or failure in QEMU's exit
status, and -no-reboot, so a triple fault ends the run instead of looping.
"""
import os
import selectors
import subprocess
import time

# isa-debug-exit turns the kernel's value v into exit status (v << 1) | 1.
EXIT_SUCCESS = 1
EXIT_FAILURE = 3


def qemu_command(args, append=None, initrd=None, extra=()):
    command = [args.qemu, "-kernel", args.kernel, "-nographic", "-m", args.memory,
               "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if initrd or args.initrd:
        command += ["-initrd", initrd or args.initrd]
    if args.cpu:
        command += ["-cpu", args.cpu]
    if append:
        command += ["-append", append]
    return command + list(extra)


def add_arguments(parser):
    parser.add_argument("--qemu", default="qemu-system-x86_64")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--initrd")
    parser.add_argument("--memory", default="512M")
    parser.add_argument("--cpu", default="")
    parser.add_argument("--timeout", type=float, default=60)


class Result:
    def __init__(self, log, status, timed_out, seconds, silent=None):
        self.log = log              # the serial output, with \r removed
        self.status = status        # QEMU's exit status (None if killed)
        self.timed_out = timed_out
        self.seconds = seconds
        self.silent = silent        # seconds of silence that got QEMU killed, or None


def run(command, timeout, stop_when=None, echo=None, silence=None):
    """Runs QEMU until it exits, timeout seconds pass, or stop_when(log) is true.

    Never sleeps for a fixed time: it waits on QEMU's output and exit.
    echo, if given, receives each complete line as it arrives. silence, if
    given, is a watchdog: when no output arrives for that many seconds QEMU
    is killed, and the result says so (a hung guest fails fast instead of
    at the timeout).
    """
    start = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    chunks = []
    pending = b""
    timed_out = False
    silent = None
    last_output = start
    try:
        while True:
            now = time.monotonic()
            remaining = timeout - (now - start)
            if remaining <= 0:
                timed_out = True
                break
            if silence is not None:
                quiet = now - last_output
                if quiet >= silence:
                    silent = silence
                    break
                remaining = min(remaining, silence - quiet)
            if not selector.select(remaining):
                continue
            last_output = time.monotonic()
            data = os.read(process.stdout.fileno(), 65536)
            if not data:
                break
            chunks.append(data)
            pending += data
            *lines, pending = pending.split(b"\n")
            if echo:
                for line in lines:
                    echo(line.decode("utf-8", "replace").rstrip("\r"))
            if stop_when and stop_when(_text(chunks)):
                break
    finally:
        if process.poll() is None:
            process.kill()
        status = process.wait()
        selector.close()
    if timed_out or silent or status < 0:
        status = None
    return Result(_text(chunks), status, timed_out, time.monotonic() - start, silent)


def _text(chunks):
    return b"".join(chunks).decode("utf-8", "replace").replace("\r", "")
