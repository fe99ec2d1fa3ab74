"""The uniform proof (every input length at once) against today's per-n proof.

For each machine: the uniform lemma's time, triples and z3 query size, then the per-n
proof of the compiled tableau predictor (``verify --n N``) for each N, and the ratio.
Usage: ``python bench/bench_uniform.py [--n 8,16,20] [--machines binary_increment,...]``.
bb4 runs on the empty input (its natural width); its per-n column is n = 0.
"""

from __future__ import annotations

import argparse
import time

from proofs_check.targets import check_target
from proofs_check.uniform.proof import verify_uniform
from proofs_check.verdict import verify
from theorymodel.compile import compile_target
from theorymodel.compile.uniform import compile_uniform
from theorymodel.machines import library
from theorymodel.predictor import LinearPredictor


def per_n_seconds(name: str, n: int) -> float:
    tm = library.load(name)
    start = time.perf_counter()
    result = compile_target(tm, n=n, route="tableau")
    check = check_target(result)
    verdict = verify(check.target, LinearPredictor.from_program(result.program), reach=check.reach)
    assert verdict.verified
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", default="8,16,20")
    parser.add_argument("--machines", default="binary_increment,binary_palindrome,bb4")
    args = parser.parse_args()
    for name in args.machines.split(","):
        tm = library.load(name)
        start = time.perf_counter()
        v = verify_uniform(tm, compile_uniform(tm))
        uniform_s = time.perf_counter() - start
        assert v.verified
        print(f"\n{name}: uniform proof {uniform_s:.2f} s ({v.triples} triples, one z3 query of size "
              f"{v.details['query_size']})")
        for n in ([0] if name.startswith("bb") else [int(x) for x in args.n.split(",")]):
            s = per_n_seconds(name, n)
            print(f"  per-n proof, n = {n:>2}: {s:8.2f} s   ratio per-n / uniform = {s / uniform_s:8.1f}x")


if __name__ == "__main__":
    main()
