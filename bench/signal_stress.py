"""Send SIGINT and SIGTERM at random moments into every solver path, many times; print one
line per path: runs, ended as the contract says, the slowest end after the signal.

    python bench/signal_stress.py [--runs 100] [--paths z3,sat,numpy,uniform-domain]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from signal_runs import PATHS, SIGNALS, send_at_random


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--paths", default=",".join(PATHS))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    bad = 0
    for path in args.paths.split(","):
        ok, slowest, interrupted = 0, 0.0, 0
        for k in range(args.runs):
            outcome = send_at_random(path, SIGNALS[k % 2], rng)
            problem = outcome.problem()
            ok += problem is None
            interrupted += outcome.code in (130, 143)
            slowest = max(slowest, outcome.seconds_after_signal)
            if problem:
                print(f"  {path}: {problem} (delay {outcome.delay:.2f} s, signal {outcome.signum})", flush=True)
        bad += ok < args.runs
        print(f"{path}: {ok}/{args.runs} as the contract says ({interrupted} interrupted, the rest finished first); "
              f"slowest end {slowest:.2f} s after the signal", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
