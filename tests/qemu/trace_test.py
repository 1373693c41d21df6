#!/usr/bin/env python3
"""Boot test of the kernel trace (docs/tracing.md): record, dump, convert, validate.

Usage: trace_test.py --scenario pingpong|boot-option --kernel kernel.bin --initrd initrd.img [...]

pingpong: boots run=trace-pingpong, converts the dump on the serial log
with tools/trace2perfetto.py and checks the trace-event JSON: its
structure and required fields, time order and nesting of the slices on
every track, every flow begun and ended once inside a slice, names for
the threads, and that ping and pong take turns: each message between them
goes the other way from the one before, and the receiver runs after the
sender. The checker itself is shown to reject broken traces.

boot-option: trace=1 records from boot, so the dump holds the servers'
start-up, overflows the buffer, and says how many records were lost.
"""
import argparse
import copy
import os
import re
import sys

import qemu_session
from tap import Tap

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import trace2perfetto  # noqa: E402

REQUIRED = {"X": ("name", "ts", "dur", "pid", "tid"), "i": ("name", "ts", "pid", "tid", "s"),
            "s": ("name", "ts", "pid", "tid", "id"), "f": ("name", "ts", "pid", "tid", "id", "bp"),
            "b": ("name", "ts", "pid", "tid", "id", "cat"), "e": ("name", "ts", "pid", "tid", "id", "cat"),
            "M": ("name", "pid", "tid", "args")}


def slices_by_track(events):
    tracks = {}
    for e in events:
        if e["ph"] == "X":
            tracks.setdefault((e["pid"], e["tid"]), []).append(e)
    return tracks


def enclosing(slices, ts):
    """Whether some slice of the track covers ts (start <= ts < end, or a start at ts)."""
    return any(s["ts"] <= ts < s["ts"] + s["dur"] or s["ts"] == ts for s in slices)


def validate(trace):
    """Problems with a trace-event JSON object, as strings; [] if none."""
    problems = []
    events = trace.get("traceEvents") if isinstance(trace, dict) else None
    if not isinstance(events, list) or not events:
        return ["no traceEvents list"]
    for i, e in enumerate(events):
        missing = [f for f in REQUIRED.get(e.get("ph"), ("?",)) if f not in e]
        if missing:
            problems.append(f"event {i} ({e.get('ph')}): missing or unknown: {missing}")
        elif e["ph"] != "M" and (not isinstance(e["ts"], (int, float)) or e["ts"] < 0):
            problems.append(f"event {i}: bad ts {e['ts']}")
        elif e["ph"] == "X" and e["dur"] < 0:
            problems.append(f"event {i}: negative duration")
    if problems:
        return problems
    # Time order per track, as written.
    last = {}
    for i, e in enumerate(events):
        if e["ph"] == "M":
            continue
        track = (e["pid"], e["tid"])
        if e["ts"] < last.get(track, 0):
            problems.append(f"event {i} on track {track}: ts {e['ts']} before {last[track]}")
        last[track] = e["ts"]
    # Slices on one track nest or follow each other, never overlap in part.
    tracks = slices_by_track(events)
    for track, slices in tracks.items():
        stack = []
        for s in sorted(slices, key=lambda s: (s["ts"], -s["dur"])):
            end = s["ts"] + s["dur"]
            while stack and stack[-1] <= s["ts"] + 1e-9:
                stack.pop()
            if stack and end > stack[-1] + 1e-9:
                problems.append(f"track {track}: slice {s['name']} at {s['ts']} overlaps its parent's end")
                break
            stack.append(end)
    # Flows: each id begun once and ended once, later, inside slices.
    flows = {}
    for e in events:
        if e["ph"] in "sf":
            flows.setdefault(e["id"], {}).setdefault(e["ph"], []).append(e)
    for fid, ends in flows.items():
        if len(ends.get("s", [])) != 1 or len(ends.get("f", [])) != 1:
            problems.append(f"flow {fid}: {len(ends.get('s', []))} starts, {len(ends.get('f', []))} ends")
            continue
        s, f = ends["s"][0], ends["f"][0]
        if f["ts"] < s["ts"]:
            problems.append(f"flow {fid}: ends at {f['ts']} before it starts at {s['ts']}")
        for end in (s, f):
            if not enclosing(tracks.get((end["pid"], end["tid"]), []), end["ts"]):
                problems.append(f"flow {fid}: its {end['ph']} at {end['ts']} on thread {end['tid']} is in no slice")
    # Async slices pair up.
    opened = {}
    for e in events:
        if e["ph"] == "b":
            opened[e["id"]] = e
        elif e["ph"] == "e" and not opened.pop(e["id"], None):
            problems.append(f"async {e['id']}: ends without a start")
    problems += [f"async {i}: never ends" for i in opened]
    # Every thread with events has a name.
    named = {e["tid"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    unnamed = {e["tid"] for e in events if e["ph"] != "M"} - named
    if unnamed:
        problems.append(f"threads without a thread_name: {sorted(unnamed)}")
    return problems


def thread_ids(trace):
    """name -> tid, from the thread_name metadata ("ping (6)")."""
    ids = {}
    for e in trace["traceEvents"]:
        if e["ph"] == "M" and e["name"] == "thread_name":
            ids[e["args"]["name"].rsplit(" (", 1)[0]] = e["tid"]
    return ids


def messages_between(trace, a, b):
    """The flows between threads a and b (send and call, not replies), in time order, as (from, to, s, f)."""
    starts, ends = {}, {}
    for e in trace["traceEvents"]:
        if e["ph"] == "s":
            starts[e["id"]] = e
        elif e["ph"] == "f":
            ends[e["id"]] = e
    out = []
    for fid, s in starts.items():
        f = ends.get(fid)
        if f and s["name"] in ("send", "call") and {s["tid"], f["tid"]} == {a, b}:
            out.append((s["tid"], f["tid"], s, f))
    return sorted(out, key=lambda m: m[2]["ts"])


def alternation_problems(trace, ping, pong, count):
    problems = []
    messages = messages_between(trace, ping, pong)
    if len(messages) != 2 * count:
        problems.append(f"{len(messages)} messages between ping and pong, not {2 * count}")
    expected = ping
    for i, (sender, receiver, s, f) in enumerate(messages):
        if sender != expected:
            problems.append(f"message {i} goes from {sender}, not {expected}: they do not take turns")
            break
        expected = receiver
    # Each message's receiver runs after it was sent, before the next one.
    running = {}
    for e in trace["traceEvents"]:
        if e["ph"] == "X" and e["name"] == "running":
            running.setdefault(e["tid"], []).append((e["ts"], e["ts"] + e["dur"]))
    for i in range(len(messages) - 1):
        _, receiver, s, _ = messages[i]
        next_sent = messages[i + 1][2]["ts"]
        if not any(start < next_sent and end > s["ts"] for start, end in running.get(receiver, [])):
            problems.append(f"message {i}: thread {receiver} does not run between it and the next")
            break
    return problems


def broken_copies(trace):
    """Traces that each break one rule the checker must catch."""
    events = trace["traceEvents"]
    first_f = next(i for i, e in enumerate(events) if e["ph"] == "f")
    no_end = copy.deepcopy(trace)
    del no_end["traceEvents"][first_f]
    backwards = copy.deepcopy(trace)
    x = [i for i, e in enumerate(events) if e["ph"] == "X"]
    backwards["traceEvents"][x[-1]]["ts"] = 0.0
    overlap = copy.deepcopy(trace)
    run = next(e for e in overlap["traceEvents"] if e["ph"] == "X" and e["name"] == "running" and e["dur"] > 1)
    overlap["traceEvents"].append(dict(run, name="straddler", ts=run["ts"] + run["dur"] / 2, dur=run["dur"]))
    no_name = copy.deepcopy(trace)
    no_name["traceEvents"] = [e for e in no_name["traceEvents"] if e["name"] != "thread_name"]
    return {"a flow without its end": no_end, "a slice out of time order": backwards,
            "a slice overlapping another's end": overlap, "threads without names": no_name}


def boot(args, append):
    result = qemu_session.run(qemu_session.qemu_command(args, append), args.timeout)
    sys.stderr.write(result.log)
    return result


def check_run(tap, result):
    tap.check("KERNEL PANIC" not in result.log, "no kernel panic")
    tap.check(result.status == qemu_session.EXIT_SUCCESS, "QEMU exits with the root task's success status",
              f"status {result.status}" + (" (timed out)" if result.timed_out else ""))


def convert(tap, log):
    try:
        dump = trace2perfetto.parse_dump(log)
        trace = trace2perfetto.convert(dump)
    except (ValueError, KeyError, IndexError) as e:
        tap.check(False, "the dump converts to trace-event JSON", str(e))
        return None, None
    tap.check(True, "the dump converts to trace-event JSON")
    return dump, trace


def scenario_pingpong(args, tap):
    count = args.count
    result = boot(args, f"run=trace-pingpong count={count} busy=1 poweroff")
    log = result.log
    tap.check(re.search(r"^ping: done: %d round trips, 0 errors" % count, log, re.M) is not None,
              "ping-pong runs as usual while traced")
    dump, trace = convert(tap, log)
    if not trace:
        return
    tap.check(dump.lost == 0 and len(dump.records) > 0, "the run fits the buffer: records and none lost",
              f"{len(dump.records)} records, {dump.lost} lost")
    if args.json:
        import json
        with open(args.json, "w") as f:
            json.dump(trace, f)
    problems = validate(trace)
    tap.check(not problems, "the JSON is well formed: fields, time order, nesting, flows, names",
              "\n".join(problems[:20]))
    ids = thread_ids(trace)
    tap.check(all(n in ids for n in ("root", "pager", "loader", "ping", "pong", "busy")),
              "threads carry the names they were started with", f"names: {sorted(ids)}")
    kinds = {e["cat"] for e in trace["traceEvents"] if "cat" in e}
    tap.check({"sched", "syscall", "interrupt", "ipc", "fault"} <= kinds,
              "switches, system calls, interrupts, IPC and faults are all recorded", f"categories: {sorted(kinds)}")
    served = [e for e in trace["traceEvents"] if e["ph"] == "e" and e["cat"] == "fault"]
    tap.check(served and all(e["args"]["resumed"] for e in served),
              "every page fault is served by the pager and the thread resumed", f"{len(served)} served")
    if "ping" in ids and "pong" in ids:
        problems = alternation_problems(trace, ids["ping"], ids["pong"], count)
        tap.check(not problems, "ping and pong take turns: every message answered before the next",
                  "\n".join(problems))
    for what, broken in broken_copies(trace).items():
        tap.check(bool(validate(broken)), f"the checker rejects {what}")
    if "ping" in ids and "pong" in ids:
        events = trace["traceEvents"]
        swapped = copy.deepcopy(trace)
        for e in swapped["traceEvents"]:  # the first message as if pong had sent it
            if e["ph"] in "sf" and e["name"] == "send" and e["tid"] in (ids["ping"], ids["pong"]):
                e["tid"] = ids["pong"] if e["tid"] == ids["ping"] else ids["ping"]
                if e["ph"] == "f":
                    break
        tap.check(bool(alternation_problems(swapped, ids["ping"], ids["pong"], count)) and bool(events),
                  "the turn check rejects a message in the wrong direction")
    check_run(tap, result)


def scenario_boot_option(args, tap):
    result = boot(args, "trace=1 run=trace-pingpong count=5 busy=0 poweroff")
    log = result.log
    tap.check(re.search(r"^\[info\] trace: recording from boot", log, re.M) is not None,
              "the kernel says it records from boot")
    dump, trace = convert(tap, log)
    if not trace:
        return
    names = set(dump.names.values())
    tap.check("pager" in names, "the first server's start at boot is in the trace", f"names: {sorted(names)}")
    capacity = int(re.search(r"buffer_records = (\d+)", open(os.path.join(trace2perfetto.ABI, "trace.hpp")).read())
                   .group(1))
    tap.check(len(dump.records) == capacity and dump.lost > 0,
              "a full buffer keeps the oldest records and counts the rest lost",
              f"{len(dump.records)} records of {capacity}, {dump.lost} lost")
    tap.check(re.search(r"^trace: lost %d\ntrace: end" % dump.lost, log, re.M) is not None,
              "the dump says records were lost after its last one")
    problems = validate(trace)
    tap.check(not problems, "a trace with losses still converts to well-formed JSON", "\n".join(problems[:20]))
    check_run(tap, result)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", required=True, choices=["pingpong", "boot-option"])
    parser.add_argument("--count", type=int, default=30, help="pingpong: round trips")
    parser.add_argument("--json", help="pingpong: also write the converted trace here")
    qemu_session.add_arguments(parser)
    args = parser.parse_args()
    tap = Tap()
    {"pingpong": scenario_pingpong, "boot-option": scenario_boot_option}[args.scenario](args, tap)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
