"""One batch GDB session against QEMU's GDB stub, for the GDB tests.

run(args, append, commands) starts QEMU halted (-S) with its stub on a free
port, runs GDB in batch mode on the commands (a function of the port, so
they can say `target remote`), waits for QEMU to end, and returns what
happened; QEMU is killed if it outlives the timeout.
"""
import os
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import qemu_session


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, deadline):
    """Polls until QEMU accepts connections on port (no fixed sleep)."""
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False


@dataclass
class Session:
    started: bool   # the stub accepted a connection
    out: str        # GDB's stdout and stderr
    status: object  # QEMU's exit status, None if it had to be killed
    serial: str     # the guest's console


def run(args, append, commands):
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        serial_path = os.path.join(tmp, "serial.log")
        command = qemu_session.qemu_command(args, append, extra=["-S", "-gdb", f"tcp:127.0.0.1:{port}"])
        with open(serial_path, "wb") as serial:
            qemu = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=serial, stderr=subprocess.STDOUT)
        try:
            started = wait_for_port(port, qemu, time.monotonic() + 10)
            script = os.path.join(tmp, "commands.gdb")
            with open(script, "w") as f:
                f.write("\n".join(commands(port)) + "\n")
            try:
                gdb = subprocess.run([args.gdb, "-batch", "-nx", "-x", script], stdin=subprocess.DEVNULL,
                                     capture_output=True, text=True, timeout=args.timeout)
                out = gdb.stdout + gdb.stderr
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
                out += "\n(gdb timed out)"
            try:
                status = qemu.wait(timeout=args.timeout)
            except subprocess.TimeoutExpired:
                status = None
        finally:
            if qemu.poll() is None:
                qemu.kill()
                qemu.wait()
        serial = open(serial_path, encoding="utf-8", errors="replace").read().replace("\r", "")
    return Session(started, out, status, serial)
