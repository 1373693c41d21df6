#!/usr/bin/env python3
"""Plots page-fault counts per policy against the frame budget, as a PNG.

Usage: paging_table --csv | plot_faults.py [-o docs/paging-faults.png]

Reads CSV lines "trace,frames,policy,faults" (tests/unit/paging_table.cpp)
on stdin and draws one panel per trace: frames on the x axis, faults on the
y axis (both logarithmic), one line per policy, and a legend. Standard
library only: a small rasteriser, a 5x7 bitmap font and a PNG encoder
(zlib + struct), so no plotting package is needed to rebuild the figure.
"""
import argparse
import csv
import math
import os
import struct
import sys
import zlib

WIDTH, HEIGHT = 1000, 700
WHITE, BLACK = (255, 255, 255), (0, 0, 0)
GRID, AXIS, TEXT = (225, 225, 225), (90, 90, 90), (30, 30, 30)

# Policy: (colour, marker, dashed). The order is the drawing order, so the
# two near-identical pairs (fifo/random, lru/clock) stay distinguishable by
# their markers.
STYLES = {
    "opt": ((0, 0, 0), "diamond", True),
    "random": ((150, 150, 150), "plus", False),
    "fifo": ((214, 39, 40), "square", False),
    "lru": ((44, 160, 44), "ring", False),
    "clock": ((31, 119, 180), "dot", False),
    "clockpro": ((148, 103, 189), "square", True),
}
LEGEND_ORDER = ["fifo", "random", "clock", "clockpro", "lru", "opt"]
LEGEND_TEXT = {
    "fifo": "fifo",
    "random": "random",
    "clock": "clock (2nd chance)",
    "clockpro": "clock-pro",
    "lru": "lru (exact)",
    "opt": "opt (Belady)",
}

# 5x7 glyphs (an 8th row for descenders), '#' = ink.
FONT_SOURCE = """
A .###. #...# #...# ##### #...# #...# #...#
B ####. #...# #...# ####. #...# #...# ####.
C .###. #...# #.... #.... #.... #...# .###.
D ####. #...# #...# #...# #...# #...# ####.
E ##### #.... #.... ####. #.... #.... #####
F ##### #.... #.... ####. #.... #.... #....
G .###. #...# #.... #.### #...# #...# .####
H #...# #...# #...# ##### #...# #...# #...#
I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
J ..### ...#. ...#. ...#. ...#. #..#. .##..
K #...# #..#. #.#.. ##... #.#.. #..#. #...#
L #.... #.... #.... #.... #.... #.... #####
M #...# ##.## #.#.# #.#.# #...# #...# #...#
N #...# #...# ##..# #.#.# #..## #...# #...#
O .###. #...# #...# #...# #...# #...# .###.
P ####. #...# #...# ####. #.... #.... #....
Q .###. #...# #...# #...# #.#.# #..#. .##.#
R ####. #...# #...# ####. #.#.. #..#. #...#
S .#### #.... #.... .###. ....# ....# ####.
T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
U #...# #...# #...# #...# #...# #...# .###.
V #...# #...# #...# #...# #...# .#.#. ..#..
W #...# #...# #...# #.#.# #.#.# #.#.# .#.#.
X #...# #...# .#.#. ..#.. .#.#. #...# #...#
Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#..
Z ##### ....# ...#. ..#.. .#... #.... #####
a ..... ..... .###. ....# .#### #...# .####
b #.... #.... #.##. ##..# #...# #...# ####.
c ..... ..... .###. #.... #.... #...# .###.
d ....# ....# .##.# #..## #...# #...# .####
e ..... ..... .###. #...# ##### #.... .###.
f ..##. .#..# .#... ###.. .#... .#... .#...
g ..... ..... .#### #...# #...# .#### ....# .###.
h #.... #.... #.##. ##..# #...# #...# #...#
i ..#.. ..... .##.. ..#.. ..#.. ..#.. .###.
j ...#. ..... ..##. ...#. ...#. ...#. #..#. .##..
k #.... #.... #..#. #.#.. ##... #.#.. #..#.
l .##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
m ..... ..... ##.#. #.#.# #.#.# #...# #...#
n ..... ..... #.##. ##..# #...# #...# #...#
o ..... ..... .###. #...# #...# #...# .###.
p ..... ..... ####. #...# #...# ####. #.... #....
q ..... ..... .#### #...# #...# .#### ....# ....#
r ..... ..... #.##. ##..# #.... #.... #....
s ..... ..... .#### #.... .###. ....# ####.
t .#... .#... ###.. .#... .#... .#..# ..##.
u ..... ..... #...# #...# #...# #..## .##.#
v ..... ..... #...# #...# #...# .#.#. ..#..
w ..... ..... #...# #...# #.#.# #.#.# .#.#.
x ..... ..... #...# .#.#. ..#.. .#.#. #...#
y ..... ..... #...# #...# #...# .#### ....# .###.
z ..... ..... ##### ...#. ..#.. .#... #####
0 .###. #...# #..## #.#.# ##..# #...# .###.
1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.
2 .###. #...# ....# ...#. ..#.. .#... #####
3 ##### ...#. ..#.. ...#. ....# #...# .###.
4 ...#. ..##. .#.#. #..#. ##### ...#. ...#.
5 ##### #.... ####. ....# ....# #...# .###.
6 ..##. .#... #.... ####. #...# #...# .###.
7 ##### ....# ...#. ..#.. .#... .#... .#...
8 .###. #...# #...# .###. #...# #...# .###.
9 .###. #...# #...# .#### ....# ...#. .##..
- ..... ..... ..... ##### ..... ..... .....
+ ..... ..#.. ..#.. ##### ..#.. ..#.. .....
. ..... ..... ..... ..... ..... .##.. .##..
, ..... ..... ..... ..... .##.. ..#.. .#...
( ...#. ..#.. .#... .#... .#... ..#.. ...#.
) .#... ..#.. ...#. ...#. ...#. ..#.. .#...
: ..... .##.. .##.. ..... .##.. .##.. .....
% ##... ##..# ...#. ..#.. .#... #..## ...##
/ ..... ....# ...#. ..#.. .#... #.... .....
= ..... ..... ##### ..... ##### ..... .....
"""
FONT = {}
for _line in FONT_SOURCE.strip().splitlines():
    _char, *_rows = _line.split()
    FONT[_char] = (_rows + ["....."] * 8)[:8]
FONT[" "] = ["....."] * 8


class Canvas:
    def __init__(self, width, height, colour=WHITE):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(colour) * (width * height))

    def put(self, x, y, colour):
        if 0 <= x < self.width and 0 <= y < self.height:
            i = 3 * (y * self.width + x)
            self.pixels[i:i + 3] = bytes(colour)

    def rect(self, x0, y0, x1, y1, colour):
        """Fills [x0, x1] x [y0, y1]."""
        for y in range(max(0, y0), min(self.height, y1 + 1)):
            for x in range(max(0, x0), min(self.width, x1 + 1)):
                i = 3 * (y * self.width + x)
                self.pixels[i:i + 3] = bytes(colour)

    def outline(self, x0, y0, x1, y1, colour):
        self.rect(x0, y0, x1, y0, colour)
        self.rect(x0, y1, x1, y1, colour)
        self.rect(x0, y0, x0, y1, colour)
        self.rect(x1, y0, x1, y1, colour)

    def line(self, x0, y0, x1, y1, colour, width=1, dash=0):
        """Bresenham; each step stamps a width x width square. dash > 0
        draws dash pixels on, dash pixels off."""
        x0, y0, x1, y1 = round(x0), round(y0), round(x1), round(y1)
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err, step, half = dx + dy, 0, width // 2
        while True:
            if not dash or (step // dash) % 2 == 0:
                self.rect(x0 - half, y0 - half, x0 - half + width - 1, y0 - half + width - 1, colour)
            if x0 == x1 and y0 == y1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy
            step += 1

    def text(self, x, y, string, colour=TEXT, scale=2):
        """Draws string with its top-left corner at (x, y)."""
        for char in string:
            glyph = FONT.get(char, FONT.get(char.upper(), FONT[" "]))
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        self.rect(x + col * scale, y + row * scale, x + col * scale + scale - 1,
                                  y + row * scale + scale - 1, colour)
            x += 6 * scale

    def marker(self, x, y, shape, colour):
        x, y = round(x), round(y)
        if shape == "square":
            self.rect(x - 4, y - 4, x + 4, y + 4, colour)
        elif shape == "dot":
            for dy in range(-3, 4):
                for dx in range(-3, 4):
                    if dx * dx + dy * dy <= 10:
                        self.put(x + dx, y + dy, colour)
        elif shape == "ring":
            for dy in range(-6, 7):
                for dx in range(-6, 7):
                    if 20 <= dx * dx + dy * dy <= 36:
                        self.put(x + dx, y + dy, colour)
        elif shape == "plus":
            self.rect(x - 5, y - 1, x + 5, y + 1, colour)
            self.rect(x - 1, y - 5, x + 1, y + 5, colour)
        elif shape == "diamond":
            for dy in range(-4, 5):
                w = 4 - abs(dy)
                self.rect(x - w, y + dy, x + w, y + dy, colour)

    def png(self):
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        stride = 3 * self.width
        raw = b"".join(b"\x00" + bytes(self.pixels[y * stride:(y + 1) * stride]) for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit RGB
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


def text_width(string, scale=2):
    return 6 * scale * len(string) - scale


def short_number(v):
    if v >= 1000000 and v % 1000000 == 0:
        return "%dM" % (v // 1000000)
    if v >= 1000 and v % 1000 == 0:
        return "%dk" % (v // 1000)
    return str(int(v))


def read_csv(stream):
    """{trace: {policy: [(frames, faults), ...]}}, traces in input order."""
    data = {}
    reader = csv.DictReader(stream)
    for row in reader:
        series = data.setdefault(row["trace"], {}).setdefault(row["policy"], [])
        series.append((int(row["frames"]), int(row["faults"])))
    for policies in data.values():
        for series in policies.values():
            series.sort()
    return data


def draw_panel(canvas, x, y, w, h, name, policies):
    left, right, top, bottom = x + 62, x + w - 18, y + 36, y + h - 56
    canvas.text(left + (right - left - text_width(name)) // 2, y + 12, name)

    frames = sorted({f for s in policies.values() for f, _ in s})
    values = [v for s in policies.values() for _, v in s if v > 0]
    lo_x, hi_x = math.log2(frames[0]), math.log2(frames[-1])
    lo_y, hi_y = math.log10(min(values) / 1.3), math.log10(max(values) * 1.3)

    def px(f):
        return left + (math.log2(f) - lo_x) / (hi_x - lo_x or 1) * (right - left)

    def py(v):
        return bottom - (math.log10(max(v, 1)) - lo_y) / (hi_y - lo_y or 1) * (bottom - top)

    # Horizontal grid at 1, 2, 5 x 10^k; fewer labels if they would touch.
    ticks = [m * 10 ** k for k in range(int(math.floor(lo_y)), int(math.ceil(hi_y)) + 1) for m in (1, 2, 5)
             if lo_y <= math.log10(m * 10 ** k) <= hi_y]
    if len(ticks) > 7:
        ticks = [t for t in ticks if str(t)[0] in "15"]
    for t in ticks:
        ty = round(py(t))
        canvas.rect(left, ty, right, ty, GRID)
        label = short_number(t)
        canvas.text(left - 8 - text_width(label), ty - 7, label)
    # Vertical grid at every budget; labels for powers of two first, then
    # for the others where they have room.
    placed = []
    for f in sorted(frames, key=lambda f: (f & (f - 1) != 0, f)):
        tx = round(px(f))
        canvas.rect(tx, top, tx, bottom, GRID)
        canvas.rect(tx, bottom, tx, bottom + 4, AXIS)
        label = str(f)
        start, end = tx - text_width(label) // 2, tx - text_width(label) // 2 + text_width(label)
        if all(end + 6 < a or start > b + 6 for a, b in placed):
            canvas.text(start, bottom + 9, label)
            placed.append((start, end))
    canvas.text(left + (right - left - text_width("frames")) // 2, bottom + 27, "frames")
    canvas.outline(left, top, right, bottom, AXIS)

    for policy, (colour, shape, dashed) in STYLES.items():
        series = policies.get(policy)
        if not series:
            continue
        points = [(px(f), py(v)) for f, v in series]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            canvas.line(x0, y0, x1, y1, colour, width=2, dash=6 if dashed else 0)
        for px_, py_ in points:
            canvas.marker(px_, py_, shape, colour)


def draw_legend(canvas, x, y, w, present):
    canvas.text(x, y, "policy")
    row = y + 30
    for policy in LEGEND_ORDER:
        if policy not in present:
            continue
        colour, shape, dashed = STYLES[policy]
        canvas.rect(x, row, x + 15, row + 15, colour)  # the coloured box
        canvas.line(x + 26, row + 7, x + 56, row + 7, colour, width=2, dash=6 if dashed else 0)
        canvas.marker(x + 41, row + 7, shape, colour)
        canvas.text(x + 68, row + 1, LEGEND_TEXT[policy])
        row += 28
    row += 10
    for line in ["faults against frames,", "both axes logarithmic.", "Traces: docs/paging.md"]:
        canvas.text(x, row, line, scale=2)
        row += 22


def plot(data):
    columns, rows = 3, (len(data) + 1 + 2) // 3  # one cell kept for the legend
    height = max(HEIGHT, 36 + rows * 330)  # panels no shorter than with two rows
    canvas = Canvas(WIDTH, height)
    title = "Page faults by policy and frame budget (simulated)"
    canvas.text((WIDTH - text_width(title)) // 2, 10, title, BLACK)
    cell_w, cell_h = WIDTH // columns, (height - 36) // rows
    for i, (name, policies) in enumerate(data.items()):
        cx, cy = (i % columns) * cell_w, 36 + (i // columns) * cell_h
        draw_panel(canvas, cx, cy, cell_w, cell_h, name, policies)
    i = len(data)
    present = {p for policies in data.values() for p in policies}
    draw_legend(canvas, (i % columns) * cell_w + 20, 36 + (i // columns) * cell_h + 30, cell_w, present)
    return canvas


def main():
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "paging-faults.png")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=os.path.normpath(default_out))
    args = parser.parse_args()
    data = read_csv(sys.stdin)
    if not data:
        sys.exit("plot_faults.py: no rows on stdin (expected trace,frames,policy,faults)")
    with open(args.output, "wb") as out:
        out.write(plot(data).png())


if __name__ == "__main__":
    main()
