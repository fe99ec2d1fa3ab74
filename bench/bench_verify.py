"""Verification: z3 proof against exhaustive checking as n grows, and the crossover.

For each bundled machine and input length n, the compiled predictor (tableau route)
is verified both ways in the same run; prints both times and the first n from which
the proof is faster. Usage: ``python bench/bench_verify.py [--max-n 18]``.
"""

from __future__ import annotations

import argparse
import time

from proofs_check.verdict import MachineTarget, verify
from theorymodel.compile import compile_target
from theorymodel.machines import library
from theorymodel.predictor import LinearPredictor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-n", type=int, default=18)
    parser.add_argument("--machines", default="binary_increment,parity")
    args = parser.parse_args()
    for name in args.machines.split(","):
        tm = library.load(name)
        crossover = None
        print(f"\n{name}: {'n':>3} {'inputs':>9} {'tokens':>7} {'z3 s':>8} {'exhaustive s':>13}")
        for n in range(4, args.max_n + 1, 2):
            res = compile_target(tm, n=n, route="tableau")
            pred = LinearPredictor.from_program(res.program)
            g = res.geometry
            target = MachineTarget(tm, n, g.T, res.program.meta["output"])
            start = time.perf_counter()
            proof = verify(target, pred, method="z3", reach=(g.L, g.R))
            t_z3 = time.perf_counter() - start
            start = time.perf_counter()
            check = verify(target, pred, method="exhaustive")
            t_ex = time.perf_counter() - start
            assert proof.verified and check.verified
            if crossover is None and t_z3 < t_ex:
                crossover = n
            print(f"{'':{len(name) + 1}} {n:>3} {2 ** n:>9,} {pred.n_generated:>7} {t_z3:>8.2f} {t_ex:>13.2f}")
        print(f"{name}: z3 is faster from n = {crossover}" if crossover
              else f"{name}: no crossover up to n = {args.max_n}")


if __name__ == "__main__":
    main()
