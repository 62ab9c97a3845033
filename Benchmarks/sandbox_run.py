#!/usr/bin/env python3
"""Whole-process cost of `crucible sandbox run -- true` against a bare `bwrap ... true` with the
same namespaces, both started by this script the same way, interleaved in one run.

    swift build -c release --static-swift-stdlib && python3 Benchmarks/sandbox_run.py --binary .build/release/crucible

Give --binary several times to compare builds in one run. Build the binary as it is installed (README,
"Installing"): without --static-swift-stdlib the loader binds some thirty shared libraries at every
start, which costs 7–8 ms more.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def bare_command(workdir):
    args = [shutil.which("bwrap"), "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr"]
    for top in ["/bin", "/lib", "/lib64", "/sbin"]:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
    return args + ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--bind", workdir, "/work",
                   "--chdir", "/work", "/bin/true"]


def timed(command, cwd):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
    return (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append",
                        help="a crucible binary (default .build/release/crucible); give several to compare them in one run")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    binaries = [os.path.abspath(b) for b in (args.binary or [".build/release/crucible"])]
    with tempfile.TemporaryDirectory() as workdir:
        commands = {"bare": bare_command(workdir)}
        for binary in binaries:
            commands[binary] = [binary, "sandbox", "run", "--", "/bin/true"]
        for _ in range(10):
            for command in commands.values():
                timed(command, workdir)
        times = {name: [] for name in commands}
        for _ in range(args.rounds):  # interleaved, so that the machine's noise hits every command alike
            for name, command in commands.items():
                times[name].append(timed(command, workdir))
    b = statistics.median(times["bare"])
    print(f"bare bwrap true:                 median {b:.2f} ms over {args.rounds} runs")
    for binary in binaries:
        o = statistics.median(times[binary])
        name = "" if len(binaries) == 1 else f"  ({binary})"
        print(f"crucible sandbox run -- true:    median {o:.2f} ms (target <= 15 ms){name}")
        print(f"ratio:                           {o / b:.2f}x (target <= 3.5x)")


if __name__ == "__main__":
    main()
