"""``theorymodel benchmark chomsky``: the field's length-generalisation benchmark, run
through the whole pipeline (:mod:`theorymodel.benchmarks.chomsky.run`)."""

from __future__ import annotations

import argparse
import sys

from theorymodel.reporting import Report


def cmd_benchmark_chomsky(args: argparse.Namespace) -> Report:
    from theorymodel.benchmarks.chomsky.run import (
        BenchmarkOptions,
        markdown_table,
        parse_tasks,
        run_benchmark,
    )
    from theorymodel.progress import QUIET

    options = BenchmarkOptions(tasks=parse_tasks(args.tasks), train_n=args.train_n, train_samples=args.samples,
                               learner=args.learner, eval_lengths=tuple(args.eval_lengths),
                               eval_samples=args.eval_samples, token_budget=args.token_budget,
                               method=args.method, seed=args.seed, timeout=args.timeout)

    def progress(line: str) -> None:  # off a terminal too: a line per stage on stderr
        if not (args.quiet or QUIET.is_set()):
            print(line, file=sys.stderr, flush=True)

    report = run_benchmark(options, args.out, progress)
    text = markdown_table(report) + f"\n{report['proved']} of {report['total']} learned tables proved for every length"
    missing = [r["task"] for r in report["tasks"] if not r["proved"]]
    return Report(report, text, 0 if not missing else 1,
                  None if not missing else f"not proved: {', '.join(missing)}")
