"""The table of docs/uniform.md, "Every bundled machine learned": for each machine and each
learner, the smallest training lengths 0..B (B in 2..6) whose learned table is proved for
every input length, with the training inputs, the domain sizes and the times.

    python bench/learn_uniform_table.py [MACHINE ...]
"""

from __future__ import annotations

import sys
import time

from theorymodel.errors import TheoryModelError
from theorymodel.learn.uniform import learn_uniform_report
from theorymodel.machines import library

DEFAULT = ["binary_increment", "binary_decrement", "binary_palindrome", "parity", "ternary_increment",
           "unary_addition", "zeros_then_ones", "bb2", "bb3", "bb4"]


def main() -> None:
    names = sys.argv[1:] or DEFAULT
    print("| machine | learner | proved from | training inputs | seen / invariant / syntactic | learn s | proof s |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        tm = library.load(name)
        for learner in ("lp", "sgd"):
            row = None
            for hi in range(2, 7):
                start = time.perf_counter()
                try:
                    rep = learn_uniform_report(tm, lengths=(0, hi), learner=learner, method="z3", max_n=hi + 2)
                except TheoryModelError as exc:
                    row = f"| {name} | {learner} | error: {exc} | | | | |"
                    break
                if rep["verified"]:
                    sizes = rep["domain_sizes"]
                    row = (f"| {name} | {learner} | 0..{hi} | {rep['training_inputs']} | {sizes['observed']} / "
                           f"{sizes['invariant']} / {sizes['syntactic']} | {rep['learn_seconds']:.1f} | "
                           f"{rep['seconds']:.1f} |")
                    break
                last = rep
                if time.perf_counter() - start > 300:
                    break
            if row is None:
                sizes = last["domain_sizes"]
                cex = last["counterexample"]
                why = f"{len(last['failed_triples'])} failed triples" + (f", counterexample {cex['input']!r}"
                                                                         if cex else "")
                row = (f"| {name} | {learner} | not proved up to 0..{hi} ({why}) | {last['training_inputs']} | "
                       f"{sizes['observed']} / {sizes['invariant']} / {sizes['syntactic']} | "
                       f"{last['learn_seconds']:.1f} | {last['seconds']:.1f} |")
            print(row, flush=True)


if __name__ == "__main__":
    main()
