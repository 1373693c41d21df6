#!/usr/bin/env python3
"""The shell and the console driver, typed at through QEMU's serial input.

Usage: shell_test.py [--scenario session|console-dies] --kernel kernel.bin --initrd initrd.img [...]

Boots `run=shell poweroff`, then types a script of commands into the
guest's COM1 (QEMU's stdin with -nographic) one at a time, waiting for the
prompt after each, and checks every answer against facts the test knows
or that another command reports (the pager's fault count against what
pager_stress says it took, the console's byte count against what was
typed). Every wait is bounded; QEMU is killed at the end whatever happens.
"""
import argparse
import json
import os
import re
import select
import subprocess
import sys
import time

import qemu_session
from tap import Tap

PROMPT = "shell> "
CTRL_C = b"\x03"
UP, DOWN = b"\x1b[A", b"\x1b[B"
BACKSPACE = b"\x7f"


class Session:
    """QEMU with a pipe on its serial input; the log without \\r."""

    def __init__(self, command, timeout):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        self.raw = b""
        self.deadline = time.monotonic() + timeout
        self.typed = 0  # bytes written to the guest's serial input

    @property
    def log(self):
        return self.raw.decode("utf-8", "replace").replace("\r", "")

    def wait_for(self, pattern, start=0, seconds=60):
        """Reads until pattern (a regex) matches the log after offset start."""
        end = min(self.deadline, time.monotonic() + seconds)
        while True:
            match = re.compile(pattern, re.MULTILINE).search(self.log, start)
            if match:
                return match
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.process.stdout], [], [], min(remaining, 1.0))
            if ready:
                data = os.read(self.process.stdout.fileno(), 65536)
                if not data:
                    return None
                self.raw += data

    def type(self, data):
        self.process.stdin.write(data)
        self.process.stdin.flush()
        self.typed += len(data)

    def command(self, data, seconds=60):
        """Types data (a command and Enter) and returns what came back up to
        the next prompt, or None if no prompt came in time."""
        start = len(self.log)
        self.type(data)
        match = self.wait_for(re.escape(PROMPT), start, seconds)
        return self.log[start:match.start()] if match else None

    def finish(self, seconds=30):
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            status = self.process.wait(timeout=max(1, min(seconds, self.deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
            status = None
        self.raw += self.process.stdout.read() or b""
        return status


def parse_ps(text):
    """ps output as {id: {id, name, state, pri, cpu, faults}}."""
    rows = {}
    for m in re.finditer(r"^\s*(\d+) (\S+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)$", text or "", re.MULTILINE):
        rows[int(m.group(1))] = {"id": int(m.group(1)), "name": m.group(2), "state": m.group(3),
                                 "pri": int(m.group(4)), "cpu": int(m.group(6)), "faults": int(m.group(7))}
    return rows


def number(pattern, text, group=1):
    match = re.search(pattern, text or "", re.MULTILINE)
    return int(match.group(group)) if match else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="session", choices=["session", "console-dies", "flood"])
    parser.add_argument("--traced", action="store_true", help="the kernel was built with tracing (-Dtrace=true)")
    qemu_session.add_arguments(parser)
    args = parser.parse_args()
    tap = Tap()
    append = f"run=console-flood bytes={FLOOD} poweroff" if args.scenario == "flood" else "run=shell poweroff"
    session = Session(qemu_session.qemu_command(args, append=append), args.timeout)
    try:
        if args.scenario == "session":
            run(tap, session, args.traced)
        else:
            {"console-dies": run_console_dies, "flood": run_flood}[args.scenario](tap, session)
    finally:
        status = session.finish()
    if args.scenario != "console-dies":
        tap.check(status == qemu_session.EXIT_SUCCESS, "QEMU powers off with success at the end",
                  f"status {status}; log tail:\n{session.log[-2000:]}")
    else:
        tap.check(status == qemu_session.EXIT_FAILURE, "QEMU powers off by itself, the failure reported",
                  f"status {status}; log tail:\n{session.log[-2000:]}")
    tap.check(not re.search(r"KERNEL PANIC|panic:", session.log), "no kernel panic")
    return tap.finish()


def run(tap, s, traced):
    ready = s.wait_for(r"^shell: ready", seconds=90) and s.wait_for(r"^" + re.escape(PROMPT), seconds=30)
    tap.check(s.wait_for(r"^console: COM1 at ports 0x3f8-0x3fa and 0x3fd-0x3ff, irq 4", seconds=1) is not None,
              "the console server drives COM1 (but its line and modem control) with interrupt line 4")
    if not tap.check(ready is not None, "the shell starts and prompts", s.log[-2000:]):
        return

    out = s.command(b"help\r")
    tap.check(out is not None and all(c in out for c in ("run NAME", "wait", "kill ID", "mem", "pager", "bench")),
              "help lists the commands", out)

    out = s.command(b"frobnicate now\r")
    tap.check(out is not None and "shell: unknown command 'frobnicate'" in out, "an unknown command gets an error", out)

    # A program in the foreground: its five lines, then its exit status.
    out = s.command(b"run hello_world\r")
    pid = number(r"^\[(\d+)\] hello_world started", out)
    lines = re.findall(r"^hello_world : line (\d) of 5 \(task (\d+)\)", out or "", re.MULTILINE)
    tap.check(pid is not None and [l[0] for l in lines] == list("12345") and all(int(l[1]) == pid for l in lines),
              "run hello_world prints its five lines, as the task the shell started", out)
    tap.check(pid is not None and f"[{pid}] hello_world: exited with status 0" in out,
              "the shell reports hello_world's exit status 0", out)
    out = s.command(b"run exit_code 7\r")
    tap.check(out is not None and re.search(r"^\[\d+\] exit_code: exited with status 7$", out, re.MULTILINE),
              "an exit status comes back as the program returned it (exit_code 7)", out)
    out = s.command(b"run crash ud2\r")
    tap.check(out is not None and re.search(r"^\[\d+\] crash: killed by invalid opcode \(vector 6\)$", out, re.MULTILINE)
              and re.search(r"^loader: task \d+ \(crash\) killed: invalid opcode", out, re.MULTILINE),
              "a program that crashes is reported by the loader and the shell, and the shell goes on", out)
    out = s.command(b"run no_such_program\r")
    tap.check(out is not None and "cannot run no_such_program: no such program in the initrd" in out,
              "a program not in the initrd is refused with the loader's reason", out)

    # In the background: the shell goes on; jobs, kill.
    out = s.command(b"run busy bg &\r")
    busy = number(r"^\[(\d+)\] busy started in the background", out)
    tap.check(busy is not None, "run busy & starts it in the background and prompts at once", out)
    out = s.command(b"jobs\r")
    tap.check(busy is not None and f"[{busy}] busy: running" in (out or ""), "jobs lists the background program", out)
    first = s.command(b"ps\r")
    rows = parse_ps(first)
    names = {r["name"] for r in rows.values()}
    tap.check({"idle", "root", "supervisor", "pager", "loader", "console", "shell", "busy"} <= names,
              "ps lists the kernel's threads by name: the servers, the shell and busy", first)
    busy_row = next((r for r in rows.values() if r["name"] == "busy"), None)
    shell_row = next((r for r in rows.values() if r["name"] == "shell"), None)
    tap.check(busy_row is not None and busy_row["pri"] == 100 and shell_row is not None and shell_row["pri"] == 254
              and shell_row["state"] == "running" and rows.get(1, {}).get("name") == "root",
              "ps shows priorities and states (busy at 100, the shell at 254 and running)", first)
    time.sleep(1)
    second = parse_ps(s.command(b"ps\r"))
    busy_later = next((r for r in second.values() if r["name"] == "busy"), None)
    tap.check(busy_row is not None and busy_later is not None and busy_later["cpu"] > busy_row["cpu"],
              "busy's CPU time rises between two ps", f"{busy_row} then {busy_later}")
    out = s.command(b"ipc\r")
    console_row = next((r for r in rows.values() if r["name"] == "console"), None)
    waits = re.findall(r"^0x([0-9a-f]+)\s+receive\s+(\d+) console", out or "", re.MULTILINE)
    tap.check(console_row is not None and len(waits) == 1 and int(waits[0][1]) == console_row["id"],
              "ipc shows the console server waiting to receive", out)
    out = s.command(f"caps {console_row['id'] if console_row else 0}\r".encode())
    endpoint = re.search(r"^\s+slot 9: endpoint rwxg \(object 0x([0-9a-f]+)\)", out or "", re.MULTILINE)
    tap.check(endpoint is not None and waits and endpoint.group(1) == waits[0][0]
              and re.search(r"^\s+slot 10: io_ports rw-- \(object 0x[0-9a-f]*3f800003\)", out, re.MULTILINE)
              and re.search(r"^\s+slot 11: io_ports rw-- \(object 0x[0-9a-f]*3fd00003\)", out, re.MULTILINE)
              and re.search(r"^\s+slot 12: irq_handler ", out, re.MULTILINE)
              and "(this CNode itself)" in out,
              "caps of the console server: the endpoint ipc names, COM1's two port ranges and line 4's handler", out)
    out = s.command(f"caps {shell_row['id'] if shell_row else 0}\r".encode())
    tap.check(out is not None and re.search(r"^\s+slot 10: endpoint -w-g badge 0x1 \(object 0x" + (waits[0][0] if waits else "x"),
                                            out, re.MULTILINE)
              and re.search(r"^\s+slot 9: endpoint -w-g badge 0x10000000000 ", out, re.MULTILINE),
              "caps of the shell: its console client capability (badge 1, the console's endpoint) and the loader's", out)
    out = s.command(b"caps 99999\r")
    tap.check(out is not None and "no thread 99999" in out, "caps of a thread that does not exist is refused", out)
    out = s.command(f"kill {busy}\r".encode())
    tap.check(busy is not None and f"[{busy}] busy: killed" in (out or ""), "kill stops it, and says so", out)
    out = s.command(b"jobs\r")
    tap.check(out is not None and "no programs running" in out, "afterwards no program runs", out)
    out = s.command(b"kill 1\r")
    tap.check(out is not None and "cannot kill 1" in out, "kill of a task that is not the shell's is refused", out)

    # A program that never ends does not take the shell: Ctrl-C stops the
    # wait, the shell answers, kill ends the program.
    start = len(s.log)
    s.type(b"run busy hang\r")
    spinning = s.wait_for(r"^busy hang: spinning", start, 30)
    hang = number(r"^\[(\d+)\] busy started$", s.log[start:])
    tap.check(spinning is not None and hang is not None and s.wait_for(re.escape(PROMPT), start, 2) is None,
              "run busy waits in the foreground (no prompt while it runs)", s.log[start:])
    out = s.command(CTRL_C, 30)
    tap.check(out is not None and f"stopped waiting for [{hang}] busy" in out,
              "Ctrl-C stops waiting for the hanging program and the prompt comes back", out)
    out = s.command(b"echo still here\r")
    tap.check(out is not None and "\nstill here\n" in out, "the shell answers while the program spins", out)
    out = s.command(f"kill {hang}\r".encode())
    tap.check(out is not None and f"[{hang}] busy: killed" in out, "kill ends the hanging program", out)

    # Line editing: Backspace, and the history through arrow keys.
    out = s.command(b"echp" + BACKSPACE + b"o edited\r")
    tap.check(out is not None and "\b \b" in out and re.search(r"^edited$", out, re.MULTILINE),
              "Backspace erases on the terminal and in the line (echp<BS>o runs echo)", repr(out))
    s.command(b"echo first\r")
    s.command(b"echo second\r")
    out = s.command(UP + UP + b"\r")
    tap.check(out is not None and re.search(r"^first$", out, re.MULTILINE) and not re.search(r"^second$", out, re.MULTILINE),
              "Up Up recalls the command before last", repr(out))
    out = s.command(UP + UP + UP + DOWN + b"\r")
    tap.check(out is not None and re.search(r"^second$", out, re.MULTILINE),
              "Up Up Up Down walks back down the history", repr(out))
    out = s.command(UP + BACKSPACE * 6 + b"typed\r")
    tap.check(out is not None and re.search(r"^typed$", out, re.MULTILINE),
              "a recalled line can be edited", repr(out))

    # Bytes typed fast: a burst far larger than the UART's 16-byte FIFO,
    # then several lines in one write (typed ahead of the shell).
    text = "".join(chr(ord("a") + i % 26) for i in range(190))
    out = s.command(f"echo {text}\r".encode())
    tap.check(out is not None and re.search(rf"^{text}$", out, re.MULTILINE),
              "a burst of 196 bytes arrives intact", repr(out))
    start = len(s.log)
    s.type(b"echo ahead-1\recho ahead-2\recho ahead-3\r")
    done = s.wait_for(r"^ahead-3\n" + re.escape(PROMPT), start, 30)
    got = re.findall(r"^(ahead-\d)$", s.log[start:], re.MULTILINE)
    tap.check(done is not None and got == ["ahead-1", "ahead-2", "ahead-3"],
              "three lines typed in one burst run in order", s.log[start:])
    typed = s.typed
    out = s.command(b"console\r")
    received = number(r"console: (\d+) bytes received", out)
    tap.check(received == typed + len(b"console\r") and number(r"(\d+) dropped", out) == 0,
              "the console driver counted every byte typed, none dropped",
              f"typed {typed + 8}; {out}")

    # Memory: plausible figures, cross-checked against pager_stress.
    out = s.command(b"mem\r")
    ram = number(r"memory: (\d+) MiB of RAM", out)
    budget = number(r"frames: pager budget (\d+)", out)
    resident_before = number(r"resident (\d+)", out)
    pool = number(r"the loader's pool (\d+) MiB", out)
    pager_mib = number(r"the pager (\d+) MiB", out)
    root_kib = number(r"root holds (\d+) KiB unallocated", out)
    tap.check(ram is not None and 480 <= ram <= 512 and budget == 256 and resident_before is not None
              and resident_before <= budget and pool and pool >= 4 and pager_mib and root_kib is not None
              and pool + pager_mib + root_kib // 1024 <= ram,
              "mem: about 512 MiB of RAM, shared by the loader's pool, the pager and the root task; a budget of "
              "256 frames", out)
    out = s.command(b"pager\r")
    faults_before = number(r"; (\d+) faults", out)
    tap.check("policy clockpro" in (out or "") and faults_before is not None, "pager shows its policy and faults", out)
    start = len(s.log)
    s.type(b"run pager_stress 1000 &\r")
    stress = number(r"^\[(\d+)\] pager_stress started", s.log[start:]) if s.wait_for(r"^\[\d+\] pager_stress started", start, 30) else None
    phase = s.wait_for(r"^pager_stress: phase sequential-write", start, 120)
    out = s.command(b"mem\r")
    resident_during = number(r"resident (\d+)", out)
    tap.check(phase is not None and resident_during == budget,
              "while pager_stress runs over 1000 pages, the pager's frames are all resident",
              f"before {resident_before}, during {resident_during}\n{out}")
    out = s.command(b"wait\r", 240)
    summary = re.search(r"^pager_stress: summary: 1000 pages, \d+ touches, (\d+) faults, (\d+) evictions.*, 0 errors$",
                        out or "", re.MULTILINE)
    tap.check(summary is not None and f"[{stress}] pager_stress: exited with status 0" in out,
              "wait: pager_stress ends with every page verified", out and out[-1500:])
    out = s.command(b"pager\r")
    faults_after = number(r"; (\d+) faults", out)
    # pager_stress asks the pager for its figures after each phase: the last
    # report is the whole run.
    reports = re.findall(rf"^pager: task {stress}: (\d+) faults", s.log[start:], re.MULTILINE) if stress else []
    task_faults = int(reports[-1]) if reports else None
    tap.check(faults_before is not None and faults_after is not None and task_faults is not None
              and faults_after - faults_before == task_faults and task_faults >= 1000,
              "the pager's fault count rose by exactly the faults pager_stress took",
              f"before {faults_before}, after {faults_after}, pager_stress {task_faults}")
    out = s.command(b"mem\r")
    tap.check(number(r"resident (\d+)", out) == resident_before,
              "its frames are free again once it ended", out)

    # The policy, switched at run time; paging stays correct under the new one.
    out = s.command(b"pager policy fifo\r")
    tap.check(out is not None and "policy fifo;" in out, "pager policy fifo switches the policy", out)
    out = s.command(b"pager policy lru\r")
    tap.check(out is not None and "refuses policy lru" in out, "a policy the pager cannot run is refused", out)
    out = s.command(b"run pager_stress 400\r", 240)
    tap.check(out is not None and re.search(r"^pager_stress: summary: 400 pages,.* [1-9]\d* evictions.*, 0 errors$",
                                            out, re.MULTILINE),
              "pager_stress passes under the switched policy", out and out[-1500:])
    out = s.command(b"pager policy clockpro\r")
    tap.check(out is not None and "policy clockpro;" in out, "and back to clockpro", out)

    # The kernel trace, turned on and off from the shell around a program.
    if traced:
        check_trace(tap, s)
    else:
        out = s.command(b"trace on\r")
        tap.check(out is not None and "built without tracing" in out, "trace on says the kernel has no tracing", out)

    out = s.command(b"bench\r", 120)
    figures = re.findall(r"^bench: (.+?): (\d+) cycles \((\d+) ns\) per operation", out or "", re.MULTILINE)
    tap.check(len(figures) == 3 and all(int(c) > 0 for _, c, _ in figures),
              "bench prints the null call, IPC round trip and yield figures in cycles and ns", out)

    start = len(s.log)
    s.type(b"exit\r")
    tap.check(s.wait_for(r"^root: the shell ended with status 0", start, 30) is not None,
              "exit ends the shell and the root task hears it", s.log[start:])


def check_trace(tap, s):
    out = s.command(b"trace on\r")
    tap.check(out is not None and "trace: on (it was off)" in out, "trace on starts the kernel's recording", out)
    out = s.command(b"run hello_world\r")
    traced = number(r"^\[(\d+)\] hello_world started", out)
    out = s.command(b"trace off\r")
    tap.check(out is not None and "trace: off (it was on)" in out, "trace off stops it", out)
    out = s.command(b"trace dump\r", 120)
    dump = re.search(r"^trace: begin tsc_hz=\d+\n(.*?)^trace: end records=(\d+) lost=(\d+)$", out or "", re.S | re.M)
    records = dump.group(1).splitlines() if dump else []
    names = dict((int(m.group(1)), m.group(2)) for m in (re.match(r"^n [0-9a-f]+ (\d+) (\S+)$", l) for l in records) if m)
    hello = [tid for tid, name in names.items() if name == "hello_world"]
    switches = [l for l in records if hello and re.match(rf"^t [0-9a-f]+ 1 {hello[0]} ", l)]
    tap.check(dump is not None and int(dump.group(2)) == len(records) and f"trace: {len(records)} records dumped" in out
              and traced is not None and len(hello) == 1 and switches
              and {"shell", "root", "pager", "loader", "console"} <= set(names.values()),
              "trace dump prints every record: the servers and hello_world by name, switches to hello_world",
              out and out[:1500])
    if dump:
        converted = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "..", "tools",
                                                                 "trace2perfetto.py"), "/dev/stdin", "-o", "/dev/stdout"],
                                   input=out.encode(), capture_output=True, timeout=60)
        try:
            events = json.loads(converted.stdout)
            events = events.get("traceEvents", events) if isinstance(events, dict) else events
        except ValueError:
            events = []
        tracks = {e.get("args", {}).get("name") for e in events if e.get("ph") == "M"}
        tap.check(hello and f"hello_world ({hello[0]})" in tracks and any(t and t.startswith("shell (") for t in tracks),
                  "tools/trace2perfetto.py turns the shell's dump into tracks named hello_world and shell",
                  converted.stderr.decode()[-1000:] + f"\ntracks: {sorted(t for t in tracks if t)}")


FLOOD = 5000  # bytes: more than the console server's 4096-byte ring


def run_flood(tap, s):
    """Far more input than the ring holds, typed at once with nobody
    reading: the first 4096 bytes kept in order, the rest counted as
    dropped, and the server still serves."""
    if not tap.check(s.wait_for(r"^root: console flood: type \d+ bytes now", seconds=90) is not None,
                     "the root task is ready for the flood", s.log[-2000:]):
        return
    start = len(s.log)
    s.type(bytes(ord("a") + i % 26 for i in range(FLOOD)))
    result = s.wait_for(r"^root: console flood: (\d+) of (\d+) bytes received, (\d+) kept in order \((\d+) out of "
                        r"order\), (\d+) dropped \(ring full\), (\d+) overruns: (.*)\n", start, 90)
    tap.check(result is not None and int(result.group(1)) == FLOOD and int(result.group(3)) == 4096
              and int(result.group(4)) == 0 and int(result.group(5)) == FLOOD - 4096 and result.group(7) == "as expected",
              "5000 bytes typed at once: 4096 kept in order, 904 counted as dropped, none lost unseen",
              result.group(0) if result else s.log[start:])
    tap.check(s.wait_for(r"^root: console flood: the console server still writes$", start, 30) is not None,
              "the console server goes on serving after its ring overflowed", s.log[start:])


def run_console_dies(tap, s):
    """The console server dies under the shell: root reports it and revokes
    its endpoint, the shell's wait ends with an error and it ends; the
    kernel's log goes on."""
    if not tap.check(s.wait_for(r"^shell: ready", seconds=90) and s.wait_for(r"^" + re.escape(PROMPT), seconds=30),
                     "the shell starts and prompts", s.log[-2000:]):
        return
    start = len(s.log)
    s.type(b"crash console\r")
    tap.check(s.wait_for(r"^root: console server died: invalid opcode \(vector 6\)", start, 30) is not None,
              "root reports the console server's death in one line", s.log[start:])
    tap.check(s.wait_for(r"^root: the console server's endpoint is revoked; [1-9]\d* notifications signalled", start, 30)
              is not None, "root revokes its endpoint and wakes the notifications clients lent it", s.log[start:])
    tap.check(s.wait_for(r"^shell: the console server is gone; ending", start, 30) is not None,
              "the shell, waiting for input, wakes and ends instead of hanging", s.log[start:])
    tap.check(s.wait_for(r"^root: the shell ended with status 1\nroot: done \(with failures\)", start, 30) is not None,
              "the root task hears the shell's end and finishes", s.log[start:])


if __name__ == "__main__":
    sys.exit(main())
