#!/usr/bin/env python3
"""Engine overhead per candidate, and the speed-up of --jobs 2, measured in one run.

Builds a workspace whose benchmark burns a fixed amount of CPU (default 1 s), runs
`crucible evolve` on it, and compares the wall time of the whole run with the time the
benchmark commands themselves took (as the ledger records them). Everything else, from
selection and proposal through copying the candidate, spawning, reading the score and the
durable ledger writes, is engine overhead.

Then runs the same workspace with --jobs 1 and --jobs 2 and prints candidates per minute.

    swift build -c release && python3 Benchmarks/engine_overhead.py --binary .build/release/crucible
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BENCH = r'''
import time, sys
sys.path.insert(0, ".")
import params
start = time.process_time()
x = 0
while time.process_time() - start < %(seconds)f:
    for i in range(2000):
        x += i * i
score = -abs(params.A - 3.0) - abs(params.B - 0.25)
print('{"score": %%f}' %% score)
'''

YAML = '''
target:
  editable: ["params.py"]
  protected: ["bench.py"]
  check: none
benchmarks:
  - {name: burn, run: python3 bench.py, format: json, timeout: 60}
evolution: {seed: 1, selection: dgm}
sandbox: {isolation: none}
'''


def workspace(seconds):
    d = tempfile.mkdtemp(prefix="crucible-overhead-")
    with open(os.path.join(d, "params.py"), "w") as f:
        f.write("A = 1.0\nB = 2.0\n")
    with open(os.path.join(d, "bench.py"), "w") as f:
        f.write(BENCH % {"seconds": seconds})
    with open(os.path.join(d, "crucible.yaml"), "w") as f:
        f.write(YAML)
    return d


def evolve(binary, d, iterations, jobs):
    start = time.monotonic()
    out = subprocess.run([binary, "evolve", d, "--iterations", str(iterations), "--jobs", str(jobs), "--json"],
                         check=True, capture_output=True, text=True).stdout
    wall = time.monotonic() - start
    finished = [json.loads(l) for l in out.splitlines() if '"event":"finished"' in l][0]
    variants = json.loads(subprocess.run([binary, "archive", d, "--json"], check=True, capture_output=True, text=True).stdout)
    bench_wall = sum(b["wallSeconds"] for v in variants if v.get("result") for b in v["result"]["benchmarks"])
    evaluations = sum(1 for v in variants if v.get("result"))
    return wall, bench_wall, evaluations, finished


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/crucible")
    parser.add_argument("--seconds", type=float, default=1.0, help="CPU seconds each benchmark run burns")
    parser.add_argument("--iterations", type=int, default=24, help="proposals per run; fewer leave --jobs 2 too little to fill both slots")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)

    d = workspace(args.seconds)
    try:
        wall, bench_wall, evaluations, _ = evolve(binary, d, args.iterations, 1)
    finally:
        shutil.rmtree(d)
    overhead = (wall - bench_wall) / evaluations
    print(f"engine overhead per candidate: {overhead * 1000:.1f} ms "
          f"= {overhead / (bench_wall / evaluations) * 100:.2f}% of a {bench_wall / evaluations:.3f} s benchmark "
          f"({evaluations} evaluations, whole process including start-up; target <= 3%)")

    rates = {}
    for jobs in (1, 2):
        d = workspace(args.seconds)
        try:
            wall, _, evaluations, finished = evolve(binary, d, args.iterations, jobs)
        finally:
            shutil.rmtree(d)
        rates[jobs] = finished["candidatesPerMinute"]
        print(f"--jobs {jobs}: {rates[jobs]:.1f} candidates/minute")
    print(f"--jobs 2 / --jobs 1 = {rates[2] / rates[1]:.2f}x (target >= 1.8x on {os.cpu_count()} cores)")


if __name__ == "__main__":
    sys.exit(main())
