"""Start-up: ``theorymodel run 1RB1LB_1LA1RZ --json`` against bare ``python -c pass``, in the
same run (best of N each). The goal is at most 0.3 s over bare Python. Usage:
``python bench/bench_startup.py [--repeat 7]``."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time


def best(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    bare = best([sys.executable, "-c", "pass"], args.repeat)
    ours = best([sys.executable, "-m", "theorymodel", "run", "1RB1LB_1LA1RZ", "--json"], args.repeat)
    print(f"python -c pass: {bare:.3f} s; theorymodel run 1RB1LB_1LA1RZ --json: {ours:.3f} s; "
          f"over bare Python: {ours - bare:.3f} s (goal <= 0.300 s); ratio {ours / bare:.1f}x")


if __name__ == "__main__":
    main()
