#!/usr/bin/env python3
"""Draws a kernel trace (trace-event JSON from trace2perfetto.py) as a PNG timeline.

Usage: plot_trace.py trace.json -o picture.png [--from-us T] [--to-us T] [--title TEXT]

One lane per thread: its running periods as a light bar, its system calls
as a darker band inside, interrupts as ticks above, page faults as red
marks with a red line until the fault handler served them; IPC messages
as blue arrows from sender to receiver, replies in green. It shows what
ui.perfetto.dev would, for a page where no browser is at hand. The
drawing primitives and the PNG encoder are tools/plot_faults.py's.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_faults import Canvas, text_width  # noqa: E402

WIDTH = 1400
LEFT, RIGHT, TOP = 240, 30, 60
LANE, GAP = 34, 8
AXIS_TEXT = (60, 60, 60)
LANE_COLOURS = [(158, 202, 225), (161, 217, 155), (253, 208, 162), (218, 218, 235), (252, 187, 161),
                (199, 233, 192), (198, 219, 239), (253, 174, 107)]
SYSCALL = (70, 70, 70)
INTERRUPT = (0, 0, 0)
FAULT = (215, 25, 28)
MESSAGE = (33, 102, 172)
REPLY = (26, 152, 80)


def nice_step(span, ticks=8):
    raw = span / ticks
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
                 200000, 500000, 1000000):
        if step >= raw:
            return step
    return raw


def plot(trace, start, end, title):
    events = trace["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    visible = [e for e in events if e["ph"] != "M" and e["ts"] <= end and e["ts"] + e.get("dur", 0) >= start]
    tids = sorted({e["tid"] for e in visible if e["ph"] in "Xisf"})
    lane = {tid: i for i, tid in enumerate(tids)}
    height = TOP + len(tids) * (LANE + GAP) + 110
    canvas = Canvas(WIDTH, height)
    span = max(end - start, 1e-3)

    def x_of(ts):
        return LEFT + (min(max(ts, start), end) - start) * (WIDTH - LEFT - RIGHT) / span

    def y_of(tid):
        return TOP + lane[tid] * (LANE + GAP)

    canvas.text(LEFT, 18, title, scale=2)
    for tid in tids:
        y = y_of(tid)
        canvas.rect(LEFT, y, WIDTH - RIGHT, y + LANE, (246, 246, 246))
        label = names.get(tid, f"thread {tid}").replace("_", "-")  # the bitmap font has no "_"
        canvas.text(LEFT - 12 - text_width(label), y + LANE // 2 - 7, label)

    def band(e, top, bottom, colour):
        x0, x1 = x_of(e["ts"]), x_of(e["ts"] + e["dur"])
        y = y_of(e["tid"])
        canvas.rect(round(x0), y + top, max(round(x0), round(x1) - 1), y + bottom, colour)

    for e in visible:
        if e["ph"] == "X" and e["cat"] == "sched" and e["tid"] in lane:
            band(e, 4, LANE - 4, LANE_COLOURS[lane[e["tid"]] % len(LANE_COLOURS)])
    for e in visible:
        if e["ph"] == "X" and e["cat"] == "syscall" and e["tid"] in lane:
            band(e, 13, LANE - 13, SYSCALL)
    starts = {}
    for e in events:
        if e["ph"] in "sb":
            starts[e["id"]] = e
    for e in visible:
        if e["tid"] not in lane:
            continue
        x, y = round(x_of(e["ts"])), y_of(e["tid"])
        if e["ph"] == "i" and e["cat"] == "interrupt":
            canvas.rect(x, y - 3, x, y + 3, INTERRUPT)
        elif e["ph"] == "i" and e["cat"] == "fault":
            canvas.rect(x - 2, y + LANE - 6, x + 2, y + LANE, FAULT)
        elif e["ph"] == "e" and e["cat"] == "fault" and e["id"] in starts:
            x0 = round(x_of(starts[e["id"]]["ts"]))
            canvas.rect(x0, y + LANE + 1, x, y + LANE + 2, FAULT)
        elif e["ph"] == "f" and e["id"] in starts and starts[e["id"]]["tid"] in lane:
            s = starts[e["id"]]
            colour = REPLY if s["name"] in ("reply", "fault served") else MESSAGE
            x0, y0 = x_of(s["ts"]), y_of(s["tid"]) + LANE // 2
            y1 = y + LANE // 2
            canvas.line(x0, y0, x, y1, colour, width=2)
            canvas.rect(x - 3, y1 - 3, x + 3, y1 + 3, colour)

    # Time axis in microseconds from the trace's first record.
    axis_y = TOP + len(tids) * (LANE + GAP) + 4
    canvas.rect(LEFT, axis_y, WIDTH - RIGHT, axis_y, AXIS_TEXT)
    step = nice_step(span)
    t = (int(start / step) + 1) * step if start % step else start
    while t <= end:
        x = round(x_of(t))
        canvas.rect(x, axis_y, x, axis_y + 6, AXIS_TEXT)
        label = f"{t:g}"
        canvas.text(x - text_width(label) // 2, axis_y + 12, label)
        t += step
    canvas.text(LEFT, axis_y + 36, "microseconds (TSC) since the first record", colour=AXIS_TEXT)
    legend = [("running", LANE_COLOURS[0]), ("system call", SYSCALL), ("interrupt", INTERRUPT),
              ("IPC message", MESSAGE), ("reply / fault served", REPLY), ("page fault", FAULT)]
    x = LEFT
    for text, colour in legend:
        canvas.rect(x, axis_y + 66, x + 18, axis_y + 80, colour)
        canvas.text(x + 26, axis_y + 67, text)
        x += 26 + text_width(text) + 30
    return canvas


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace", help="trace-event JSON from tools/trace2perfetto.py")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--from-us", type=float, default=None, help="start of the window (default: the trace's)")
    parser.add_argument("--to-us", type=float, default=None, help="end of the window (default: the trace's)")
    parser.add_argument("--title", default="kernel trace")
    args = parser.parse_args()
    trace = json.load(open(args.trace))
    times = [e["ts"] for e in trace["traceEvents"] if e["ph"] != "M"]
    start = args.from_us if args.from_us is not None else min(times)
    end = args.to_us if args.to_us is not None else max(times)
    with open(args.output, "wb") as f:
        f.write(plot(trace, start, end, args.title).png())
    return 0


if __name__ == "__main__":
    sys.exit(main())
