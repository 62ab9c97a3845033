#!/usr/bin/env python3
"""Run the unittest suite in tests/ against the candidate and report each test as a task.

Prints ONE JSON object on the last stdout line:
    {"score": <fraction of tests passed>, "tasks": [{"id", "passed", "score", "detail"}, ...]}

The suite runs in a child process (so a candidate that hangs, exits or crashes the interpreter
cannot take the benchmark down with it) and every test has its own time limit.
Standard library only.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS_DIR = os.path.join(ROOT, "tests")
MODULE = "intervals"
PER_TEST_SECONDS = 0.5
SUITE_SECONDS = 10.0
MAX_DETAIL = 600
MARKER = "@@CRUCIBLE-RESULT@@"


def tidy(text):
    """Make paths relative to the workspace so details read like `File "intervals.py", line 12`."""
    return text.replace(ROOT + os.sep, "")


def shorten_traceback(text, limit=MAX_DETAIL):
    """Frames (relative paths, no caret lines, none from bench/) plus the first paragraph of
    the exception message, at most `limit` characters."""
    text = tidy(text).replace("Traceback (most recent call last):\n", "")
    lines = text.strip("\n").rstrip().splitlines()
    split = next((k for k, line in enumerate(lines) if not line.startswith(" ")), len(lines))
    frames, skipping = [], False
    for line in lines[:split]:
        if line.startswith("  File "):
            skipping = line.startswith('  File "bench/')
        if skipping or not line.strip() or set(line.strip()) <= set("^~"):
            continue
        frames.append(line[2:])
    frames = "\n".join(frames)
    message = "\n".join(lines[split:]).split("\n\n")[0]
    if len(frames) > limit // 2:
        frames = "..." + frames[-(limit // 2):]  # keep the deepest frames
    room = limit - len(frames) - 1
    if len(message) > room:
        message = message[: max(room - 3, 0)] + "..."
    return (frames + "\n" + message).strip()


def static_test_ids():
    """Test ids found by parsing the (protected) test files, so every run reports the same tasks."""
    import ast

    ids = []
    for name in sorted(os.listdir(TESTS_DIR)):
        if not (name.startswith("test") and name.endswith(".py")):
            continue
        with open(os.path.join(TESTS_DIR, name), encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                        ids.append(f"{node.name}.{item.name}")
    return ids


def all_failed(detail):
    detail = detail[:MAX_DETAIL]
    return [{"id": tid, "passed": False, "score": 0.0, "detail": detail} for tid in static_test_ids()]


# --------------------------------------------------------------------------- child side

class TestTimeout(Exception):
    pass


def child():
    import signal
    import traceback
    import unittest

    def on_alarm(signum, frame):
        raise TestTimeout(f"test exceeded {PER_TEST_SECONDS:g}s (infinite loop?)")

    class RecordingResult(unittest.TestResult):
        def __init__(self):
            super().__init__()
            self.records = {}

        @staticmethod
        def _id(test):
            return ".".join(test.id().split(".")[-2:])

        def startTest(self, test):
            super().startTest(test)
            self.records[self._id(test)] = {"passed": True, "detail": ""}
            signal.setitimer(signal.ITIMER_REAL, PER_TEST_SECONDS)

        def stopTest(self, test):
            signal.setitimer(signal.ITIMER_REAL, 0)
            super().stopTest(test)

        def _fail(self, test, err):
            self.records[self._id(test)] = {
                "passed": False,
                "detail": shorten_traceback(self._exc_info_to_string(err, test)),
            }

        def addFailure(self, test, err):
            super().addFailure(test, err)
            self._fail(test, err)

        def addError(self, test, err):
            super().addError(test, err)
            self._fail(test, err)

    sys.dont_write_bytecode = True
    sys.path.insert(0, ROOT)
    signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, PER_TEST_SECONDS)
        __import__(MODULE)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException:
        signal.setitimer(signal.ITIMER_REAL, 0)
        detail = f"cannot import {MODULE}: " + shorten_traceback(traceback.format_exc())
        print(MARKER + json.dumps({"tasks": all_failed(detail)}))
        return
    suite = unittest.defaultTestLoader.discover(TESTS_DIR, pattern="test*.py", top_level_dir=TESTS_DIR)
    result = RecordingResult()
    suite.run(result)
    tasks = []
    for tid in static_test_ids():
        rec = result.records.get(tid, {"passed": False, "detail": "test did not run"})
        tasks.append({"id": tid, "passed": rec["passed"], "score": 1.0 if rec["passed"] else 0.0,
                      "detail": rec["detail"]})
    print(MARKER + json.dumps({"tasks": tasks}))


# --------------------------------------------------------------------------- parent side

def parent():
    import subprocess

    tasks = None
    try:
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--child"],
            cwd=ROOT, capture_output=True, text=True, timeout=SUITE_SECONDS,
        )
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(MARKER):
                tasks = json.loads(line[len(MARKER):])["tasks"]
                break
        if tasks is None:
            tail = (proc.stderr or proc.stdout or "").strip()[-400:]
            tasks = all_failed(f"test run died (exit {proc.returncode}): {tidy(tail)}")
    except subprocess.TimeoutExpired:
        tasks = all_failed(f"test run exceeded {SUITE_SECONDS:g}s")
    except Exception as exc:  # never crash the benchmark
        tasks = all_failed(f"benchmark error: {exc!r}")
    score = sum(t["score"] for t in tasks) / len(tasks) if tasks else 0.0
    print(json.dumps({"score": round(score, 6), "tasks": tasks}))


if __name__ == "__main__":
    if "--child" in sys.argv[1:]:
        child()
    else:
        parent()
