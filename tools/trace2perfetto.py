#!/usr/bin/env python3
"""Turns a kernel trace dump (read from a serial log) into trace-event JSON.

Usage: trace2perfetto.py LOG [-o trace.json]

The dump is what sys::trace::dump prints between "trace: begin tsc_hz=N"
and "trace: end ..." (docs/tracing.md); the last dump in the log is used.
The output is the Chrome trace-event format that ui.perfetto.dev and
chrome://tracing open: one track per kernel thread, a "running" slice per
period on the CPU, a slice per system call inside it, instant events for
interrupts and faults, async slices for the time a fault handler took to
serve a page fault, and flow arrows from each IPC send to its receive and
from each reply to the caller it wakes.

The names of record kinds and system calls are read from the ABI headers
(libsys/include/abi/trace.hpp, syscalls.hpp), so they cannot drift apart.
"""
import argparse
import bisect
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ABI = os.path.join(ROOT, "libsys", "include", "abi")
PID = 1


def enum_names(path, enum):
    """{value: name} of `enum class <enum>` in a C++ header, with implicit and explicit values."""
    text = open(path).read()
    body = re.search(r"enum class %s\b[^{]*\{(.*?)\n\};" % enum, text, re.S).group(1)
    names, value = {}, 0
    for line in body.splitlines():
        line = line.split("//")[0].strip()
        match = re.match(r"(\w+)\s*(?:=\s*(\w+))?\s*,?$", line)
        if not match:
            continue
        if match.group(2):
            value = int(match.group(2), 0)
        names[value] = match.group(1)
        value += 1
    return names


KINDS = {name: value for value, name in enum_names(os.path.join(ABI, "trace.hpp"), "Kind").items()}
SYSCALLS = enum_names(os.path.join(ABI, "syscalls.hpp"), "Syscall")
FLAG_CALL, FLAG_FAULT, FLAG_FAST, FLAG_RESUMED = 1, 2, 4, 1
CALL, REPLY_RECV = (next(n for n, name in SYSCALLS.items() if name == call)
                    for call in ("endpoint_call", "endpoint_reply_recv"))


class Dump:
    def __init__(self, tsc_hz, records, names, lost, lost_at):
        self.tsc_hz = tsc_hz
        self.records = records  # dicts: tsc kind tid peer object value flags
        self.names = names      # tid -> name
        self.lost = lost
        self.lost_at = lost_at  # tsc of the record after which records were lost


def parse_dump(log):
    """The last complete dump in the log; ValueError if there is none."""
    begins = [m for m in re.finditer(r"^trace: begin tsc_hz=(\d+)$", log, re.M)]
    if not begins:
        raise ValueError("no 'trace: begin' line in the log")
    begin = begins[-1]
    end = re.compile(r"^trace: end records=(\d+) lost=(\d+)$", re.M).search(log, begin.end())
    if not end:
        raise ValueError("the last dump has no 'trace: end' line")
    records, names, lost_at = [], {}, []
    for line in log[begin.end():end.start()].splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "t" and len(words) == 8:
            records.append(dict(tsc=int(words[1], 16), kind=int(words[2]), tid=int(words[3]), peer=int(words[4]),
                                object=int(words[5], 16), value=int(words[6], 16), flags=int(words[7])))
        elif words[0] == "n" and len(words) == 4:
            names[int(words[2])] = words[3]
            records.append(dict(tsc=int(words[1], 16), kind=KINDS["name"], tid=int(words[2]), peer=0, object=0,
                                value=0, flags=0))
        elif words[0] == "trace:" and words[1] == "lost":
            lost_at.append(records[-1]["tsc"] if records else None)
    if len(records) != int(end.group(1)):
        raise ValueError(f"the dump says {end.group(1)} records, {len(records)} lines were read")
    return Dump(int(begin.group(1)), records, names, int(end.group(2)), lost_at)


class Tracks:
    """Running periods per thread, from the switch records."""

    def __init__(self):
        self.periods = {}  # tid -> [(start, end)] in time order

    def add(self, tid, start, end):
        self.periods.setdefault(tid, []).append((start, end))

    def bind_point(self, tid, ts):
        """Where a flow that ends at thread tid at time ts attaches: ts itself
        if the thread runs then, else the start of its next running period
        (a blocked receiver gets the message when it next runs); None if it
        never runs again in the trace."""
        periods = self.periods.get(tid, [])
        i = bisect.bisect_right(periods, (ts, float("inf")))
        if i and periods[i - 1][0] <= ts < periods[i - 1][1]:
            return ts
        return periods[i][0] if i < len(periods) else None


def convert(dump):
    """The trace-event JSON object for a Dump."""
    if not dump.records:
        raise ValueError("the dump holds no records")
    tsc0 = dump.records[0]["tsc"]

    def us(tsc):  # microseconds from the first record, to the nanosecond
        return round((tsc - tsc0) * 1e6 / dump.tsc_hz, 3)

    k = KINDS
    last = us(dump.records[-1]["tsc"])
    tids = {0}
    events = []

    # Pass 1: running periods from the switch records. Before the first
    # switch, the thread of the first record made by a running thread runs.
    tracks = Tracks()
    running, since = None, 0.0
    for r in dump.records:
        ts = us(r["tsc"])
        tids.add(r["tid"])
        if r["kind"] == k["switch_to"]:
            if running is None:
                running, since = r["peer"], 0.0
            if r["tid"] != running:
                tracks.add(running, since, ts)
                running, since = r["tid"], ts
        elif running is None and r["kind"] in (k["syscall_enter"], k["interrupt"], k["fault"], k["ipc_send"]):
            running, since = r["tid"], 0.0
    if running is not None:
        tracks.add(running, since, last)
    for tid, periods in tracks.periods.items():
        for start, end in periods:
            events.append(dict(name="idle" if tid == 0 else "running", cat="sched", ph="X", ts=start,
                               dur=round(end - start, 3), pid=PID, tid=tid))

    # Pass 2: system calls, interrupts, faults and flows.
    open_calls = {}    # tid -> (start, number)
    pending_send = {}  # sender tid -> (ts, record)
    open_faults = {}   # tid -> async id
    next_id = [1]

    def new_id():
        next_id[0] += 1
        return next_id[0] - 1

    def close_call(tid, ts):
        if tid in open_calls:
            start, number = open_calls.pop(tid)
            events.append(dict(name=SYSCALLS.get(number, f"syscall {number}"), cat="syscall", ph="X", ts=start,
                               dur=round(ts - start, 3), pid=PID, tid=tid, args={"number": number}))

    def flow(name, from_tid, from_ts, to_tid, to_ts, args):
        at = tracks.bind_point(to_tid, to_ts)
        if at is None:
            return
        fid = new_id()
        events.append(dict(name=name, cat="ipc", ph="s", id=fid, ts=from_ts, pid=PID, tid=from_tid, args=args))
        events.append(dict(name=name, cat="ipc", ph="f", bp="e", id=fid, ts=at, pid=PID, tid=to_tid, args=args))

    for r in dump.records:
        ts, tid, kind = us(r["tsc"]), r["tid"], r["kind"]
        if kind == k["switch_to"]:
            close_call(r["peer"], ts)  # a call that blocked (or switched directly) ends on the CPU here
        elif kind == k["syscall_enter"]:
            close_call(tid, ts)
            open_calls[tid] = (ts, r["object"])
        elif kind == k["syscall_exit"]:
            close_call(tid, ts)
        elif kind == k["interrupt"]:
            events.append(dict(name=f"interrupt {r['object']}", cat="interrupt", ph="i", s="t", ts=ts, pid=PID,
                               tid=tid, args={"vector": r["object"]}))
        elif kind == k["ipc_send"]:
            pending_send[tid] = (ts, r)
        elif kind == k["ipc_recv"]:
            sender = r["peer"]
            if r["flags"] & FLAG_FAST:
                # The fast path records the delivery alone: the sender is
                # in its call now, and that is where the message leaves.
                if sender not in open_calls:
                    open_calls[sender] = (ts, CALL)
                pending_send[sender] = (ts, r)
            if sender in pending_send:
                sent_ts, sent = pending_send.pop(sender)
                kind_name = "fault message" if r["flags"] & FLAG_FAULT else "call" if r["flags"] & FLAG_CALL else "send"
                flow(kind_name, sender, sent_ts, tid, ts,
                     {"endpoint": f"{r['object']:x}", "badge": r["value"], "from": sender, "to": tid})
        elif kind == k["ipc_reply"]:
            if r["flags"] & FLAG_FAST and tid not in open_calls:
                open_calls[tid] = (ts, REPLY_RECV)
            flow("reply", tid, ts, r["peer"], ts, {"from": tid, "to": r["peer"]})
        elif kind == k["fault"]:
            events.append(dict(name=f"fault {r['object']} at {r['value']:#x}", cat="fault", ph="i", s="t", ts=ts,
                               pid=PID, tid=tid, args={"vector": r["object"], "address": f"{r['value']:#x}",
                                                       "error_code": r["peer"]}))
            if r["object"] == 14:
                fid = new_id()
                open_faults[tid] = fid
                events.append(dict(name="page fault served", cat="fault", ph="b", id=fid, ts=ts, pid=PID, tid=tid,
                                   args={"address": f"{r['value']:#x}", "thread": tid}))
        elif kind == k["fault_served"]:
            resumed = bool(r["flags"] & FLAG_RESUMED)
            if tid in open_faults:
                events.append(dict(name="page fault served", cat="fault", ph="e", id=open_faults.pop(tid), ts=ts,
                                   pid=PID, tid=tid, args={"resumed": resumed}))
            flow("fault served" if resumed else "fault refused", r["peer"], ts, tid, ts, {"from": r["peer"], "to": tid})
    for tid in list(open_calls):
        close_call(tid, last)
    for tid, fid in open_faults.items():
        events.append(dict(name="page fault served", cat="fault", ph="e", id=fid, ts=last, pid=PID, tid=tid,
                           args={"resumed": None}))
    for tsc in dump.lost_at:
        events.append(dict(name="records lost", cat="trace", ph="i", s="g", ts=us(tsc) if tsc else 0.0, pid=PID,
                           tid=0, args={"lost": dump.lost}))

    # Time order within each track; a slice before the ones nested in it.
    events.sort(key=lambda e: (e["ts"], -e.get("dur", 0)))
    meta = [dict(name="process_name", ph="M", pid=PID, tid=0, args={"name": "microkernel"})]
    for tid in sorted(tids):
        name = "idle" if tid == 0 else dump.names.get(tid, f"thread {tid}")
        meta.append(dict(name="thread_name", ph="M", pid=PID, tid=tid, args={"name": f"{name} ({tid})"}))
        meta.append(dict(name="thread_sort_index", ph="M", pid=PID, tid=tid, args={"sort_index": tid}))
    return {"traceEvents": meta + events, "displayTimeUnit": "ns",
            "otherData": {"tsc_hz": dump.tsc_hz, "records": len(dump.records), "lost": dump.lost,
                          "thread_names": {str(t): n for t, n in dump.names.items()}}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", help="serial log holding a dump (- for stdin)")
    parser.add_argument("-o", "--output", default="-", help="where the JSON goes (default: stdout)")
    args = parser.parse_args()
    log = sys.stdin.read() if args.log == "-" else open(args.log, errors="replace").read()
    try:
        trace = convert(parse_dump(log.replace("\r", "")))
    except ValueError as e:
        print(f"trace2perfetto: {e}", file=sys.stderr)
        return 1
    out = sys.stdout if args.output == "-" else open(args.output, "w")
    json.dump(trace, out)
    if out is not sys.stdout:
        out.close()
        print(f"trace2perfetto: {args.output}: {len(trace['traceEvents'])} events, "
              f"{trace['otherData']['records']} records, {trace['otherData']['lost']} lost", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
