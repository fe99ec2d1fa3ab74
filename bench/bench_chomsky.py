"""The whole Chomsky-hierarchy benchmark (docs/chomsky.md), timed: each task's learned table
(learning, proof, scoring), then each bundled machine's constructed table proved alone as
the baseline; prints per task the proof times and their ratio, and the whole run's time.

    python bench/bench_chomsky.py [--out DIR] [--tasks a,b] [--eval-samples K]

Writes DIR/results.json, results.md, scores.svg and DIR/<task>.npz (default DIR:
tour/chomsky-bench); `theorymodel verify --uniform DIR/<task>.npz chomsky_<task>` re-proves each.
"""

from __future__ import annotations

import argparse
import sys
import time

from proofs_check.uniform.proof import verify_uniform
from theorymodel.benchmarks.chomsky.run import BenchmarkOptions, parse_tasks, run_benchmark
from theorymodel.compile.uniform import compile_uniform
from theorymodel.machines.library import load


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tour/chomsky-bench")
    ap.add_argument("--tasks")
    ap.add_argument("--eval-samples", type=int, default=2)
    args = ap.parse_args()
    options = BenchmarkOptions(tasks=parse_tasks(args.tasks), eval_samples=args.eval_samples)
    start = time.perf_counter()
    report = run_benchmark(options, args.out, lambda line: print(line, file=sys.stderr, flush=True))
    whole = time.perf_counter() - start
    print(f"{'task':28s} {'L':>3s} {'words':>7s} {'proved':>7s} {'score':>6s} {'ctrl':>6s} {'learn s':>8s} "
          f"{'proof s':>8s} {'constructed proof s':>20s} {'ratio':>6s} {'lengths scored':>15s}")
    for row in report["tasks"]:
        tm = load(row["machine"])
        t0 = time.perf_counter()
        baseline = verify_uniform(tm, compile_uniform(tm))
        base = time.perf_counter() - t0
        scored = sum(s["score"] is not None for s in row["scores"])
        print(f"{row['task']:28s} {row['train_n'][1]:3d} {row['training_inputs']:7d} {row['guarantee'] or 'NO':>7.7s} "
              f"{row['score'] if row['score'] is not None else '-':>6} {row['constructed_score'] or '-':>6} "
              f"{row['learn_seconds']:8.1f} {row['prove_seconds']:8.1f} {base:20.1f} "
              f"{row['prove_seconds'] / base if base else float('nan'):6.2f} {scored:>7d}/{len(row['scores'])}"
              + ("" if baseline.verified else "  (constructed table NOT proved)"), flush=True)
    print(f"{report['proved']} of {report['total']} learned tables proved; whole benchmark run {whole:.0f} s")
    return 0 if report["proved"] == report["total"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
