"""``auto``'s portfolio: each method's estimate beside its measured time, and auto's time
beside the best single method's, in the same run.

For each case (a bundled machine at a length n, or a circuit file with its compiled
predictor), runs ``exhaustive`` (where the inputs can be enumerated), the proof ``auto``
would run (z3, or SAT sweeping for an unlabelled circuit predictor), and ``auto``, each
under ``--timeout``; prints estimate and time per method and the ratio auto / best.
The rates in ``proofs_check/per_length/z3_query.py`` and ``sweep.py`` were read off this.

Usage: ``python bench/bench_portfolio.py [--timeout 120] [--cases NAME:N,...]``
"""

from __future__ import annotations

import argparse
import time

from proofs_check.per_length.exhaustive import MAX_EXHAUSTIVE
from proofs_check.verdict import proof_estimate, verify
from theorymodel.errors import ResourceLimitError, input_space

DEFAULT_CASES = ("binary_palindrome:6,binary_palindrome:10,binary_palindrome:12,zeros_then_ones:8,"
                 "binary_increment:12,parity:14,chomsky_even_pairs:8,chomsky_reverse_string:6,"
                 "examples/circuits/c17.bench,examples/circuits/c432.bench")


def _case(spec: str):
    from proofs_check.targets import check_target
    from theorymodel.compile.pipeline import compile_target, resolve_target
    from theorymodel.predictor import LinearPredictor

    name, _, n = spec.partition(":")
    result = compile_target(resolve_target(name, None), n=int(n) if n else None, route="circuit")
    check = check_target(result)
    return check.target, LinearPredictor.from_program(result.program), check.reach


def _timed(target, pred, reach, method: str, timeout: float) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        verdict = verify(target, pred, method=method, reach=reach, timeout=timeout, simulation=False)
        what = ("proved" if verdict.verified else "refuted") + f" by {verdict.method}"
    except ResourceLimitError as exc:
        what = f"exit 3 ({exc.limit})"
    return what, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--cases", default=DEFAULT_CASES)
    args = parser.parse_args()
    print(f"{'case':<32} {'method':<11} {'estimate s':>10} {'measured s':>10}  outcome")
    for spec in args.cases.split(","):
        target, pred, reach = _case(spec)
        proof_name, proof_seconds = proof_estimate(target, pred)
        rows = [(proof_name, proof_seconds)]
        if input_space(len(target.alphabet), target.n) <= MAX_EXHAUSTIVE:
            from proofs_check.per_length.exhaustive import estimate_seconds

            rows.append(("exhaustive", estimate_seconds(target, pred)))
        best = float("inf")
        for method, estimate in rows:
            what, seconds = _timed(target, pred, reach, "z3" if method == "z3" else method, args.timeout)
            if what.startswith(("proved", "refuted")):
                best = min(best, seconds)
            print(f"{spec:<32} {method:<11} {estimate:>10.2f} {seconds:>10.2f}  {what}")
        what, seconds = _timed(target, pred, reach, "auto", args.timeout)
        print(f"{spec:<32} {'auto':<11} {'':>10} {seconds:>10.2f}  {what}; auto / best = {seconds / best:.2f}")


if __name__ == "__main__":
    main()
