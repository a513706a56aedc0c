#!/usr/bin/env python3
"""Checks a YOLO export against the native SceneFarm dataset it came from.

    pip install pillow numpy
    python3 scripts/check_yolo.py NATIVE_DIR YOLO_DIR [--classes car,pedestrian] [--min-pixels N]

Independent of the Swift code: boxes and masks are recomputed from the native instance/N.png and
semantic/N.png (not from labels/N.json), class names from dataset.json and data.yaml. Per frame it
checks that

  * the frame's image lies in exactly one part (images/{train,val,test}) and equals rgb/N.png;
  * labels/<part>/N.txt exists and has one line per kept object, in instance-id order
    (kept: class id != 0, in --classes if given, at least --min-pixels pixels);
  * each line's class index names the object's class in data.yaml;
  * detect lines: cx*W - w*W/2, cx*W + w*W/2 (and y) are the object's pixel edges xmin, xmax + 1
    within 1e-6, all values in [0, 1];
  * segment lines: every vertex lies on the pixel-corner grid within 1e-6, and the polygon filled
    by the even-odd rule at pixel centres covers exactly the object's largest 8-connected
    component among its own pixels (other pixels it covers are holes).

Prints each failure, then "N passed, M failed" (frames); exits 1 when any frame failed.
The options must match the ExportFilter used for the export. See docs/formats/YOLO.md.
"""
import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

PARTS = ("train", "val", "test")
EPS = 1e-6


def frame_name(i):
    return "%06d" % i


def yaml_scalar(text):
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)  # the exporter's double-quoted scalars are JSON-compatible
    return text


def read_names(path):
    """The `names:` block of data.yaml: index -> name (the exporter's own layout)."""
    names = {}
    in_names = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("names:"):
                in_names = True
                continue
            if in_names and line.startswith("  "):
                key, value = line.strip().split(":", 1)
                if "  #" in value:
                    value = value[: value.rindex("  #")]
                names[int(key)] = yaml_scalar(value)
            elif in_names:
                break
    return names


def load_gray(path):
    return np.array(Image.open(path)).astype(np.int64)


def largest_component(mask):
    """The largest 8-connected component of a boolean mask (ties: first in raster order)."""
    h, w = mask.shape
    seen = np.zeros_like(mask)
    best = None
    best_count = 0
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x]:
            continue
        seen[y, x] = True
        stack = [(y, x)]
        pixels = []
        while stack:
            cy, cx = stack.pop()
            pixels.append((cy, cx))
            for ny in range(max(0, cy - 1), min(h, cy + 2)):
                for nx in range(max(0, cx - 1), min(w, cx + 2)):
                    if mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        if len(pixels) > best_count:
            best, best_count = pixels, len(pixels)
    out = np.zeros_like(mask)
    for y, x in best:
        out[y, x] = True
    return out


def fill_even_odd(corners, w, h):
    """Pixels whose centre (i + 0.5, j + 0.5) is inside the polygon by the even-odd rule."""
    inside = np.zeros((h, w), dtype=bool)
    xs = np.arange(w) + 0.5
    n = len(corners)
    for k in range(n):
        (x0, y0), (x1, y1) = corners[k], corners[(k + 1) % n]
        if y0 == y1:
            continue  # horizontal edges never straddle a row of centres
        lo, hi = min(y0, y1), max(y0, y1)
        crossing_x = x0  # edges on the pixel-corner grid are vertical here
        if x0 != x1:
            return None
        rows = slice(max(lo, 0), min(hi, h))
        inside[rows, :] ^= (xs < crossing_x)[None, :]
    return inside


def check_frame(i, native, yolo, names, info, args):
    problems = []
    name = frame_name(i)
    parts = [p for p in PARTS if os.path.exists(os.path.join(yolo, "images", p, name + ".png"))]
    if len(parts) != 1:
        return ["image in parts %s, expected exactly one" % parts]
    part = parts[0]
    with open(os.path.join(native, "rgb", name + ".png"), "rb") as f:
        rgb = f.read()
    with open(os.path.join(yolo, "images", part, name + ".png"), "rb") as f:
        if f.read() != rgb:
            problems.append("images/%s/%s.png differs from rgb/%s.png" % (part, name, name))
    label_path = os.path.join(yolo, "labels", part, name + ".txt")
    if not os.path.exists(label_path):
        return problems + ["labels/%s/%s.txt is missing" % (part, name)]
    with open(label_path, encoding="utf-8") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        problems.append("label file does not end with a newline")
    lines = [line.split() for line in text.splitlines()]

    instance = load_gray(os.path.join(native, "instance", name + ".png"))
    semantic = load_gray(os.path.join(native, "semantic", name + ".png"))
    h, w = instance.shape
    class_names = {c["id"]: c["name"] for c in info["classes"]}
    expected = []
    for iid in np.unique(instance):
        if iid == 0:
            continue
        mask = instance == iid
        ys, xs = np.nonzero(mask)
        class_id = int(semantic[ys[0], xs[0]])
        if class_id == 0 or mask.sum() < args.min_pixels:
            continue
        if args.classes is not None and class_names.get(class_id) not in args.classes:
            continue
        expected.append((int(iid), class_names.get(class_id), mask, (xs.min(), ys.min(), xs.max(), ys.max())))

    if len(lines) != len(expected):
        return problems + ["%d label lines, %d kept objects" % (len(lines), len(expected))]
    for fields, (iid, class_name, mask, (xmin, ymin, xmax, ymax)) in zip(lines, expected):
        where = "instance %d" % iid
        index = int(fields[0])
        if names.get(index) != class_name:
            problems.append("%s: class index %d is %r in data.yaml, the object is %r" % (where, index, names.get(index), class_name))
        values = [float(v) for v in fields[1:]]
        if any(v < 0 or v > 1 for v in values):
            problems.append("%s: a value outside [0, 1]" % where)
        if len(values) == 4:
            cx, cy, bw, bh = values
            got = (cx * w - bw * w / 2, cy * h - bh * h / 2, cx * w + bw * w / 2, cy * h + bh * h / 2)
            want = (int(xmin), int(ymin), int(xmax) + 1, int(ymax) + 1)
            if any(abs(g - e) > EPS for g, e in zip(got, want)):
                problems.append("%s: box edges %s, pixel edges %s" % (where, tuple(round(g, 9) for g in got), want))
        elif len(values) >= 8 and len(values) % 2 == 0:
            raw = [(values[k] * w, values[k + 1] * h) for k in range(0, len(values), 2)]
            corners = [(round(x), round(y)) for x, y in raw]
            if any(abs(x - cx) > EPS or abs(y - cy) > EPS for (x, y), (cx, cy) in zip(raw, corners)):
                problems.append("%s: a vertex is off the pixel-corner grid" % where)
                continue
            filled = fill_even_odd(corners, w, h)
            if filled is None:
                problems.append("%s: polygon has a non-axis-aligned edge" % where)
                continue
            component = largest_component(mask)
            if not np.array_equal(filled & mask, component) or (component & ~filled).any():
                problems.append(
                    "%s: polygon covers %d of its pixels, its largest component has %d"
                    % (where, int((filled & mask).sum()), int(component.sum())))
        else:
            problems.append("%s: %d values is neither a box nor a polygon" % (where, len(values)))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("native", help="the native dataset folder (dataset.json, rgb/, instance/, ...)")
    parser.add_argument("yolo", help="the YOLO export folder (data.yaml, images/, labels/)")
    parser.add_argument("--classes", help="comma-separated class names the export kept (default: all)")
    parser.add_argument("--min-pixels", type=int, default=1, help="the export's minimum visible pixels")
    args = parser.parse_args()
    args.classes = set(args.classes.split(",")) if args.classes else None

    with open(os.path.join(args.native, "dataset.json"), encoding="utf-8") as f:
        info = json.load(f)
    names = read_names(os.path.join(args.yolo, "data.yaml"))
    want_names = {i: c["name"] for i, c in enumerate(sorted(info["classes"], key=lambda c: c["id"]))}
    passed = failed = 0
    if names != want_names:
        print("data.yaml: names %s, expected %s (class table sorted by id)" % (names, want_names))
        failed += 1
    for i in range(info["frame_count"]):
        problems = check_frame(i, args.native, args.yolo, names, info, args)
        if problems:
            failed += 1
            for p in problems:
                print("frame %d: %s" % (i, p))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
