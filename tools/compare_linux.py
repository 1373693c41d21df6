#!/usr/bin/env python3
"""Runs this kernel's benchmarks and Linux's (../shared/bench/linux-peer) back
to back under the same QEMU, several times, and writes one comparison table.

Usage: compare_linux.py --build build [--runs 3] [--out docs/compare]
                        [--peer ../shared/bench/linux-peer]

Each run boots this kernel with run=bench twice (plain TCG, then
-icount shift=0) and then Linux 6.1 with the peer's small static programs in
the same two modes (MODES="tcg icount" run.sh). Plain-TCG figures are host
time and move 1.5-2.5x with the host's load, which is why the two systems
alternate inside each run and the table keeps min/median/max over the runs;
icount figures are guest instructions and repeat exactly.

Writes OUT/compare.json (every figure of every run), OUT/compare.md (the
table, pasted into docs/benchmarks.md) and, when matplotlib is importable
(Debian's python3-matplotlib; run with /usr/bin/python3), OUT/compare.png
(plain-TCG time of this kernel as a fraction of Linux's, per measure).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# (label, regex on our "bench:" lines, Linux metric, what the Linux side is)
MEASURES = [
    ("null system call", r"null system call", "syscall_getppid", "getppid"),
    ("IPC round trip, 8 B", r"IPC round trip, call \+ reply_recv, two address spaces, 8 bytes", "futex_rt",
     "futex wake/wait round trip"),
    ("IPC round trip, 8 B vs pipe", r"IPC round trip, call \+ reply_recv, two address spaces, 8 bytes", "pipe_rt_1B",
     "pipe round trip, 1 B"),
    ("IPC round trip, 256 B", r"IPC round trip, call \+ reply_recv, two address spaces, 256 bytes", "pipe_rt_256B",
     "pipe round trip, 256 B"),
    ("thread switch (yield), two address spaces", r"thread switch via yield", "yield_switch_fifo",
     "sched_yield, SCHED_FIFO"),
    ("page in, sequential first touches (per page)", r"page paged in by the pager, sequential touches", "pf_write",
     "anonymous write fault (in-kernel)"),
    ("page in, random first touches (per page)", r"page paged in by the pager, random touches", "pf_write",
     "anonymous write fault (in-kernel)"),
]


def run(command, env=None, timeout=900):
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return done.stdout


def ours(build, icount):
    """{measure label: ns per operation} from one run=bench boot."""
    command = [sys.executable, os.path.join(REPO, "tests/qemu/benchmark.py"), "--kernel",
               os.path.join(build, "kernel.bin"), "--initrd", os.path.join(build, "initrd.img"), "--timeout", "300"]
    if icount:
        command.append("--icount")
    log = run(command)
    figures = {}
    for label, pattern, _, _ in MEASURES:
        m = re.search(rf"^bench: {pattern}.*?: ([\d.]+) ns \(", log, re.MULTILINE)
        if not m:
            raise SystemExit(f"no figure for {label!r} in our benchmark output")
        figures[label] = float(m.group(1))
    return figures


def linux(peer, work):
    """{mode: {metric: ns}} from one run.sh of the peer in modes tcg and icount."""
    env = dict(os.environ, MODES="tcg icount", BUILD=os.path.join(work, "lp-build"), CACHE=os.path.join(work, "lp-cache"))
    log = run([os.path.join(peer, "run.sh")], env=env)
    figures = {"tcg": {}, "icount": {}}
    for mode, metric, value in re.findall(r"^(tcg|icount)\.(\w+): ([\d.]+) ns/", log, re.MULTILINE):
        figures[mode][metric] = float(value)
    for _, _, metric, _ in MEASURES:
        for mode in figures:
            if metric not in figures[mode]:
                raise SystemExit(f"no Linux figure {mode}.{metric} (see {env['BUILD']}/summary.txt)")
    return figures


def spread(values):
    return min(values), statistics.median(values), max(values)


def number(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def table(runs):
    lines = [
        "| measure | this kernel, icount (guest instructions) | Linux, icount | this kernel, plain TCG (ns, min / median / max) "
        "| Linux, plain TCG (ns, min / median / max) | plain-TCG ratio, per run (median, min–max) | icount ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, _, metric, what in MEASURES:
        oi = spread([r["ours"]["icount"][label] for r in runs])
        li = spread([r["linux"]["icount"][metric] for r in runs])
        op = spread([r["ours"]["tcg"][label] for r in runs])
        lp = spread([r["linux"]["tcg"][metric] for r in runs])
        # The two systems ran back to back within a run: divide within it.
        ratio = spread([r["ours"]["tcg"][label] / r["linux"]["tcg"][metric] for r in runs])
        lines.append(f"| {label} | {number(oi[1])} | {number(li[1])} ({what}) | "
                     f"{' / '.join(number(x) for x in op)} | {' / '.join(number(x) for x in lp)} | "
                     f"**{ratio[1]:.2f}x** ({ratio[0]:.2f}–{ratio[2]:.2f}) | {oi[1] / li[1]:.2f}x |")
    return "\n".join(lines) + "\n"


def plot(runs, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("compare: no matplotlib here; the plot is skipped (run with /usr/bin/python3)", file=sys.stderr)
        return
    labels, medians, lows, highs = [], [], [], []
    for label, _, metric, what in MEASURES:
        # Ratios within each run (the two systems ran back to back), then
        # their spread over the runs.
        ratios = [r["ours"]["tcg"][label] / r["linux"]["tcg"][metric] for r in runs]
        low, mid, high = spread(ratios)
        labels.append(f"{label}\nvs {what}")
        medians.append(mid)
        lows.append(mid - low)
        highs.append(high - mid)
    fig, ax = plt.subplots(figsize=(10, 5.5))
    ax.barh(range(len(labels)), medians, xerr=[lows, highs], color="#4477aa", capsize=4)
    ax.axvline(1.0, color="#aa3333", linestyle="--", linewidth=1)
    ax.text(1.02, len(labels) - 0.5, "Linux = 1", color="#aa3333")
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("this kernel's plain-TCG time / Linux's, same run (median, min-max over runs; lower is better)")
    ax.set_title(f"Back to back under the same QEMU, {len(runs)} runs")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"compare: wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "compare"))
    parser.add_argument("--peer", default=os.path.join(REPO, "..", "shared", "bench", "linux-peer"))
    parser.add_argument("--work", default="/tmp/compare-linux", help="where the peer builds (its folder is read-only)")
    parser.add_argument("--replot", action="store_true", help="only redraw the table and plot from OUT/compare.json")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    data_path = os.path.join(args.out, "compare.json")
    if args.replot:
        with open(data_path) as f:
            runs = json.load(f)["runs"]
    else:
        os.makedirs(args.work, exist_ok=True)
        runs = []
        for i in range(args.runs):
            print(f"compare: run {i + 1} of {args.runs}: this kernel (plain, icount), then Linux", flush=True)
            entry = {"ours": {"tcg": ours(args.build, False), "icount": ours(args.build, True)}}
            entry["linux"] = linux(args.peer, args.work)
            runs.append(entry)
        with open(data_path, "w") as f:
            json.dump({"runs": runs}, f, indent=1)
    text = table(runs)
    with open(os.path.join(args.out, "compare.md"), "w") as f:
        f.write(text)
    print(text)
    plot(runs, os.path.join(args.out, "compare.png"))


if __name__ == "__main__":
    main()
