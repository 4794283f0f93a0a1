#!/usr/bin/env python3
"""Calls per operation, from two callgrind profiles of the same program: a short run and a long
one. Each function's calls in the long run minus those in the short one, divided by the
operations (calls, events) done between the two runs, leave out start-up and shutdown.

    Benchmarks/callgrind-calls.py SHORT.out LONG.out OPERATIONS [FUNCTION]

Without FUNCTION: the functions called most per operation. With FUNCTION (a regular
expression on the callee's name): who calls it, and how often per operation. That is how
`swift_bridgeObjectRetain` and `malloc` led to the copies and allocations that no
instruction profile names: a value witness (`...Vwcp`, a struct copied) or a dictionary
accessor (`...SDyq_SgxciM...`, its modify coroutine) calling them once per operation or more.

Callgrind's own `callgrind_annotate` gives instructions, not calls by caller; this reads the
`calls=` lines of the profile files directly. Profiles of stripped builds (no debug
information) are fine: the names are the symbols.
"""
import collections
import re
import sys

NAME = re.compile(r"c?fn=\((\d+)\)(?: (.*))?")


def read(path):
    """Calls per callee, and per (callee, caller), in one callgrind output file."""
    names = {}
    callee_calls = collections.Counter()
    pair_calls = collections.Counter()
    caller = callee = None
    with open(path, errors="replace") as profile:
        for line in profile:
            if line.startswith(("fn=", "cfn=")):
                match = NAME.match(line.strip())
                if match.group(2):
                    names[match.group(1)] = match.group(2)
                name = names.get(match.group(1), "?")
                if line.startswith("fn="):
                    caller = name
                else:
                    callee = name
            elif line.startswith("calls="):
                count = int(line[6:].split()[0])
                callee_calls[callee] += count
                pair_calls[(callee, caller)] += count
    return callee_calls, pair_calls


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.strip().split("\n\n")[1])
    short_calls, short_pairs = read(sys.argv[1])
    long_calls, long_pairs = read(sys.argv[2])
    operations = int(sys.argv[3])
    if operations <= 0:
        sys.exit("OPERATIONS must be positive: the operations between the two runs")
    if len(sys.argv) == 5:
        pattern = re.compile(sys.argv[4])
        rows = collections.Counter()
        for (callee, caller), count in long_pairs.items():
            if callee and pattern.search(callee):
                rows[caller] += count - short_pairs.get((callee, caller), 0)
    else:
        rows = collections.Counter({name: count - short_calls.get(name, 0) for name, count in long_calls.items()})
    for name, count in rows.most_common(40):
        per_operation = count / operations
        if per_operation < 0.5:
            break
        print(f"{per_operation:9.1f}  {name}")


if __name__ == "__main__":
    main()
