#!/usr/bin/env python3
"""Instructions per decision of the constitution-decide mix, counted by callgrind: a figure the machine's other load
does not move, for telling a change that saves 3% from noise (the time-based benchmark moves by 15% on a busy VM).

    apt-get install -y valgrind
    swift build -c release --package-path Benchmarks --product constitution-decide
    python3 Benchmarks/instructions_per_decision.py [--binary Benchmarks/.build/release/constitution-decide] [--passes 100] [--kind command]

The binary is copied without its debug information first (valgrind cannot read Swift's DWARF), then run with
`--passes N`, which decides the whole mix N times; the figure is the inclusive instruction count of
`Constitution.decide` over its calls.
"""
import argparse
import os
import re
import subprocess
import tempfile

DECIDE = "$s12ConstitutionAAV6decidey12CrucibleCore8DecisionVAD6ActionVF"


def per_call(profile, function):
    """(calls, inclusive instructions) of `function`, summed over its call sites in a callgrind profile."""
    names, current, calls, inclusive = {}, None, 0, 0
    lines = open(profile).read().split("\n")
    for index, line in enumerate(lines):
        match = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line)
        if match:
            key, name = match.groups()
            if name:
                names[key] = name
            if line.startswith("cfn="):
                current = names.get(key)
        elif line.startswith("calls=") and current == function:
            calls += int(line.split("=")[1].split()[0])
            cost = lines[index + 1].split()
            inclusive += int(cost[1]) if len(cost) > 1 else 0
    return calls, inclusive


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="Benchmarks/.build/release/constitution-decide")
    parser.add_argument("--passes", type=int, default=100)
    parser.add_argument("--kind", choices=["command", "patch", "config_update", "other"],
                        help="count only the actions of one kind of the mix")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        stripped = os.path.join(scratch, "decide")
        subprocess.run(["strip", "-g", "-o", stripped, args.binary], check=True)
        profile = os.path.join(scratch, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", stripped, "--passes", str(args.passes)]
                       + (["--kind", args.kind] if args.kind else []),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        calls, inclusive = per_call(profile, DECIDE)
    if not calls:
        raise SystemExit("no call of Constitution.decide in the profile")
    print(f"{calls} decisions{' of kind ' + args.kind if args.kind else ''}, {inclusive / calls:,.0f} instructions per decision")


if __name__ == "__main__":
    main()
