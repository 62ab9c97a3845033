#!/usr/bin/env python3
"""Validate and score pack.pack(): 26 circles in the unit square, maximise the sum of radii.

pack() runs in a child process with a time limit. The packing is checked strictly: exactly
26 circles of finite numbers, radii >= 0, every circle inside [0, 1] x [0, 1] and no two
overlapping, each up to 1e-9. Invalid packings score 0 with the reason in `detail`.
Score = sum of radii / 2.635 (the best known sum), so about 1.0 is state of the art.
Prints ONE JSON object on the last stdout line. Standard library only.
"""

import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = 26
BEST_KNOWN = 2.635
TOL = 1e-9
TIME_LIMIT = 5.0
MAX_DETAIL = 600
MARKER = "@@CRUCIBLE-RESULT@@"


def tidy(text):
    """Relative paths, no header or caret lines, last lines only."""
    text = text.replace(ROOT + os.sep, "").replace("Traceback (most recent call last):\n", "")
    lines = [l.strip() for l in text.splitlines() if l.strip() and not set(l.strip()) <= set("^~")]
    out = []
    for line in reversed(lines):
        if sum(len(l) + 3 for l in out) + len(line) > 450:
            break
        out.insert(0, line)
    return " | ".join(out)


def child():
    import traceback

    sys.dont_write_bytecode = True
    sys.path.insert(0, ROOT)
    try:
        import pack

        circles = [[float(v) for v in c] for c in pack.pack()]
        payload = {"circles": circles}
    except BaseException:
        payload = {"error": tidy(traceback.format_exc())}
    print(MARKER + json.dumps(payload))


def validate(circles):
    """None if the packing is valid, else the reason."""
    if len(circles) != N:
        return f"expected {N} circles, got {len(circles)}"
    for i, c in enumerate(circles):
        if len(c) != 3 or not all(math.isfinite(v) for v in c):
            return f"circle {i} is not three finite numbers: {c!r}"
        x, y, r = c
        if r < 0:
            return f"circle {i} has a negative radius {r:.6g}"
        for name, excess in (("left", r - x), ("bottom", r - y), ("right", x + r - 1), ("top", y + r - 1)):
            if excess > TOL:
                return f"circle {i} (x={x:.6f}, y={y:.6f}, r={r:.6f}) crosses the {name} wall by {excess:.3g}"
    for i in range(N):
        xi, yi, ri = circles[i]
        for j in range(i + 1, N):
            xj, yj, rj = circles[j]
            overlap = ri + rj - math.hypot(xi - xj, yi - yj)
            if overlap > TOL:
                return (f"circles {i} (x={xi:.6f}, y={yi:.6f}, r={ri:.6f}) and {j} (x={xj:.6f}, "
                        f"y={yj:.6f}, r={rj:.6f}) overlap by {overlap:.3g}")
    return None


def result(score, passed, detail):
    return {"score": round(score, 6),
            "tasks": [{"id": "pack26", "passed": passed, "score": round(score, 6), "detail": detail[:MAX_DETAIL]}]}


def parent():
    import subprocess

    try:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child"], cwd=ROOT,
                              capture_output=True, text=True, timeout=TIME_LIMIT)
        payload = None
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(MARKER):
                payload = json.loads(line[len(MARKER):])
                break
        if payload is None:
            out = result(0.0, False, f"pack run died (exit {proc.returncode}): {tidy(proc.stderr or proc.stdout or '')}")
        elif "error" in payload:
            out = result(0.0, False, "pack() failed: " + payload["error"])
        else:
            circles = payload["circles"]
            why = validate(circles)
            if why:
                out = result(0.0, False, "invalid packing: " + why)
            else:
                total = sum(c[2] for c in circles)
                smallest = min(c[2] for c in circles)
                out = result(total / BEST_KNOWN, True,
                             f"valid packing, sum of radii {total:.6f} (best known {BEST_KNOWN}); "
                             f"smallest radius {smallest:.4f}, circles with r < 0.01: "
                             f"{sum(1 for c in circles if c[2] < 0.01)}")
    except subprocess.TimeoutExpired:
        out = result(0.0, False, f"pack() took more than {TIME_LIMIT:g}s")
    except Exception as exc:  # never crash the benchmark
        out = result(0.0, False, f"benchmark error: {exc!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    if "--child" in sys.argv[1:]:
        child()
    else:
        parent()
