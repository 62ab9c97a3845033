#!/usr/bin/env python3
"""Score router.route on the labelled requests in bench/requests.jsonl.

Per request: the right tier scores 1; a bigger tier than needed works but costs more
(0.5 for one tier too big, 0.2 for two); a smaller tier fails the request (0); an invalid
answer or an exception scores 0. The score is the mean over all requests, in [0, 1].
Tasks are reported per request category, with a few failing examples in `detail`.

The router runs in a child process with a time limit, so a candidate that hangs or crashes
cannot take the benchmark down. Prints ONE JSON object on the last stdout line.
Standard library only.
"""

import json
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
REQUESTS = os.path.join(BENCH, "requests.jsonl")
TIERS = ("small", "medium", "large")
OVER_CREDIT = {0: 1.0, 1: 0.5, 2: 0.2}   # credit by how many tiers too big
TIME_LIMIT = 5.0
MAX_DETAIL = 600
MARKER = "@@CRUCIBLE-RESULT@@"


def load_requests():
    with open(REQUESTS, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def tidy(text):
    """Relative paths, no header or caret lines: reads like `File "router.py", line 12, in route`."""
    text = text.replace(ROOT + os.sep, "").replace("Traceback (most recent call last):\n", "")
    lines = [l for l in text.splitlines() if l.strip() and not set(l.strip()) <= set("^~")]
    return "\n".join(lines)


def tail_lines(text, limit):
    """The last whole lines of text that fit in limit characters."""
    out = []
    for line in reversed(text.strip().splitlines()):
        if sum(len(l) + 1 for l in out) + len(line) > limit:
            break
        out.insert(0, line.strip())
    return " | ".join(out) if out else text.strip()[-limit:]


# --------------------------------------------------------------------------- child side

def child():
    """Import the router and route every request; print the answers (never the labels)."""
    import traceback

    sys.dont_write_bytecode = True
    sys.path.insert(0, ROOT)
    answers = []
    try:
        import router
    except BaseException:
        print(MARKER + json.dumps({"import_error": tidy(traceback.format_exc())}))
        return
    for req in load_requests():
        try:
            answers.append({"tier": router.route({"id": req["id"], "prompt": req["prompt"]})})
        except Exception:
            answers.append({"error": tidy(traceback.format_exc(limit=-3))})
    print(MARKER + json.dumps({"answers": [
        a if "error" in a or isinstance(a["tier"], str) else {"tier": repr(a["tier"])} for a in answers
    ]}))


# --------------------------------------------------------------------------- parent side

def credit(expected, answer):
    if "error" in answer or answer.get("tier") not in TIERS:
        return 0.0
    over = TIERS.index(answer["tier"]) - TIERS.index(expected)
    return 0.0 if over < 0 else OVER_CREDIT[over]


def report(requests, answers):
    categories = {}
    for req, ans in zip(requests, answers):
        categories.setdefault(req["category"], []).append((req, ans, credit(req["label"], ans)))
    tasks = []
    for name in sorted(categories):
        rows = categories[name]
        score = sum(c for _, _, c in rows) / len(rows)
        exact = sum(1 for r, a, _ in rows if a.get("tier") == r["label"])
        broken = [(r, a) for r, a, _ in rows if "error" in a or a.get("tier") not in TIERS]
        under = [(r, a) for r, a, c in rows if c == 0.0 and (r, a) not in broken]
        over = len(rows) - exact - len(under) - len(broken)
        detail = f"{len(rows)} requests: {exact} right tier, {over} too big, {len(under)} too small"
        if broken:
            r, a = broken[0]
            why = a.get("error", f"invalid tier {a.get('tier')!r}")
            detail += f", {len(broken)} invalid/errors; e.g. {r['id']}: {tail_lines(why, 250)}"
        for r, a in under[:3]:
            prompt = " ".join(r["prompt"].split())
            words = len(prompt.split())
            detail += (f"; {r['id']} needs {r['label']}, got {a['tier']} "
                       f"({words} words): \"{prompt[:60]}...\"")
        tasks.append({"id": name, "passed": score >= 0.8, "score": round(score, 6),
                      "detail": detail[:MAX_DETAIL]})
    total = sum(c for rows in categories.values() for _, _, c in rows) / max(1, len(requests))
    return {"score": round(total, 6), "tasks": tasks}


def failed_everywhere(requests, why):
    names = sorted({r["category"] for r in requests})
    return {"score": 0.0, "tasks": [{"id": n, "passed": False, "score": 0.0, "detail": why[:MAX_DETAIL]}
                                    for n in names]}


def parent():
    import subprocess

    requests = load_requests()
    try:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child"], cwd=ROOT,
                              capture_output=True, text=True, timeout=TIME_LIMIT)
        payload = None
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(MARKER):
                payload = json.loads(line[len(MARKER):])
                break
        if payload is None:
            tail = tail_lines(tidy(proc.stderr or proc.stdout or ""), 400)
            result = failed_everywhere(requests, f"router run died (exit {proc.returncode}): {tail}")
        elif "import_error" in payload:
            result = failed_everywhere(requests, "cannot import router: " + tail_lines(payload["import_error"], 500))
        elif len(payload.get("answers", [])) != len(requests):
            result = failed_everywhere(requests, "router run returned the wrong number of answers")
        else:
            result = report(requests, payload["answers"])
    except subprocess.TimeoutExpired:
        result = failed_everywhere(requests, f"routing {len(requests)} requests took more than {TIME_LIMIT:g}s")
    except Exception as exc:  # never crash the benchmark
        result = failed_everywhere(requests, f"benchmark error: {exc!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    if "--child" in sys.argv[1:]:
        child()
    else:
        parent()
