"""Every bundled machine's constructed uniform table, proved for every length: one line per
machine with its time, method and domain size, then the slowest five.

    python bench/uniform_all_machines.py [--method auto|z3|exhaustive]
"""

from __future__ import annotations

import argparse
import time

from proofs_check.uniform.proof import verify_uniform
from theorymodel.compile.uniform import compile_uniform
from theorymodel.errors import TheoryModelError
from theorymodel.machines import library


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", default="auto")
    args = ap.parse_args()
    rows = []
    for name in library.names():
        tm = library.load(name)
        try:
            rule = compile_uniform(tm)
        except TheoryModelError as exc:
            print(f"{name:40s} no uniform rule: {exc}", flush=True)
            continue
        start = time.perf_counter()
        verdict = verify_uniform(tm, rule, method=args.method)
        seconds = time.perf_counter() - start
        rows.append((seconds, name, verdict.verified, verdict.method, verdict.triples))
        print(f"{name:40s} {seconds:6.2f} s  verified={verdict.verified}  {verdict.method:10s} "
              f"{verdict.triples:,} triples", flush=True)
    rows.sort(reverse=True)
    print("slowest:", ", ".join(f"{n} {s:.1f} s" for s, n, *_ in rows[:5]))
    return 0 if all(r[2] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
