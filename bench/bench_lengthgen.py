"""Per machine: the tied model's SGD training time to a proved table, the proof time on
its float32 weights, and the largest n checked by roll-out; the LP learner's time on the
same CoTs as the baseline, with the ratio (LP time / SGD time). Run: python bench/bench_lengthgen.py
[--machines a,b] [--train-n N]."""

from __future__ import annotations

import argparse
import tempfile
import time

from theorymodel.experiments.lengthgen import lengthgen
from theorymodel.learn.uniform import learn_uniform_report
from theorymodel.machines import library


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--machines", default="binary_increment,binary_palindrome,ternary_increment")
    parser.add_argument("--train-n", type=int, default=6)
    parser.add_argument("--eval-n", default="6,12,24,48")
    args = parser.parse_args()
    eval_n = tuple(int(v) for v in args.eval_n.split(","))
    print(f"{'machine':18} {'SGD train s':>11} {'proved at':>9} {'proof s':>8} {'exact@max n':>11} "
          f"{'max n':>5} {'LP s':>6} {'LP proved':>9} {'LP/SGD':>7}")
    for name in args.machines.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            (row,) = lengthgen([name], train_n=args.train_n, eval_n=eval_n, untied_steps=1, workdir=tmp)
        tied = row["tied"]
        start = time.perf_counter()
        lp = learn_uniform_report(library.load(name), lengths=(0, args.train_n))
        lp_seconds = time.perf_counter() - start
        top = str(max(eval_n))
        print(f"{name:18} {tied['train_seconds']:>11.1f} {tied['proved_at_step']!s:>9} "
              f"{tied['proof_seconds']:>8.2f} {tied['exact_match'][top]:>11.3f} {top:>5} {lp_seconds:>6.1f} "
              f"{lp['verified']!s:>9} {tied['train_seconds'] / lp_seconds:>6.1f}x")


if __name__ == "__main__":
    main()
