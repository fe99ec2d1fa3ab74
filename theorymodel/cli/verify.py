"""Commands that check predictors: verify, counterexample, bound."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from theorymodel.errors import UsageError
from theorymodel.progress import ProgressBar
from theorymodel.reporting import Report


# -- verify / counterexample ----------------------------------------------------------
def _verdict_report(verdict, payload: dict, args: argparse.Namespace, target, predictor, assumptions) -> Report:
    from pathlib import Path

    from proofs_check.verdict import certificate
    from theorymodel.io import atomic_write

    if getattr(args, "out", None):
        cert = certificate(verdict, target, predictor, assumptions)
        atomic_write(Path(args.out) / "verdict.json", json.dumps(cert, indent=2, default=str) + "\n")
        payload["certificate"] = str(Path(args.out) / "verdict.json")
    cex = verdict.counterexample
    lines = [f"{'VERIFIED' if verdict.verified else 'COUNTEREXAMPLE'} ({verdict.guarantee}, "
             f"{verdict.inputs:,} inputs, {verdict.cot_tokens:,} CoT tokens, {verdict.seconds:.2f} s)"]
    basis = verdict.basis()
    if basis and verdict.verified:
        lines.append(f"  rests on {basis}")
    if "methods" in verdict.details:
        payload["methods"] = verdict.details["methods"]
    if cex is not None:
        lines.append(f"  input {cex.input!r}: position {cex.position}, expected {cex.expected!r}, got {cex.got!r}")
    return Report(payload, "\n".join(lines), 0 if verdict.verified else 1,
                  None if verdict.verified else f"counterexample {cex.input!r} at position {cex.position}")


def _run_verify(target, predictor, args: argparse.Namespace, reach) -> Any:
    """:func:`proofs_check.verdict.verify` with the CLI's time limit; a limit reached names
    the stage it stopped in and the options that could be faster."""
    from proofs_check.per_length.exhaustive import MAX_EXHAUSTIVE
    from proofs_check.per_length.exhaustive import estimate_seconds as exhaustive_seconds
    from proofs_check.semantics.z3util import smt2_recording
    from proofs_check.verdict import verify
    from theorymodel.errors import ResourceLimitError, input_space
    from theorymodel.progress import STAGE, stage

    stage("", hint="")
    # --smt2 asks for z3's queries: auto then proves with z3 rather than enumerating
    method = "z3" if args.smt2 and args.method == "auto" and not hasattr(target, "circuit") else args.method
    try:
        with smt2_recording(args.smt2):
            return verify(target, predictor, method=method, reach=reach, timeout=args.timeout)
    except ResourceLimitError as exc:
        if exc.limit != "solver-timeout":
            raise
        total = input_space(len(target.alphabet), target.n)
        hints = []
        if total <= MAX_EXHAUSTIVE and args.method != "exhaustive":
            estimate = exhaustive_seconds(target, predictor)
            hints.append(f"--method exhaustive ({total:,} inputs, estimated {estimate:.0f} s)")
        hints.append(f"a larger --timeout (now {args.timeout:g} s)")
        where = f" during {STAGE[0]}" if STAGE[0] else ""
        raise ResourceLimitError(f"{exc}{where}; try " + " or ".join(hints), limit=exc.limit,
                                 details={**exc.details, "stage": STAGE[0]}) from None


def cmd_verify(args: argparse.Namespace) -> Report:
    from proofs_check.targets import check_target
    from theorymodel.compile.pipeline import compile_target, resolve_target
    from theorymodel.predictor import LinearPredictor

    if args.uniform:
        return _verify_uniform(args)
    if args.target is not None:
        raise UsageError("verify takes one MACHINE; a predictor file is checked with --uniform PRED.npz MACHINE, "
                         "or with counterexample PRED.npz MACHINE --n N")
    if args.n is None:
        raise UsageError("--n is required (or --uniform for every input length)")
    with ProgressBar(f"compiling and proving {args.machine} (n = {args.n}, method {args.method})", None,
                     enabled=not args.json):
        result = compile_target(resolve_target(args.machine, args.format), n=args.n, route=args.route,
                                time_bound=args.time_bound, output=args.output)
        predictor = LinearPredictor.from_program(result.program)
        check = check_target(result)
        verdict = _run_verify(check.target, predictor, args, check.reach)
    payload = verdict.to_json()
    payload.update({"route": result.route, "time_bound": result.geometry.T if result.geometry else None,
                    "lemmas": verdict.details.get("lemmas", []), "local": verdict.details.get("local")})
    return _verdict_report(verdict, payload, args, check.target, predictor, list(check.assumptions))


def _verify_uniform(args: argparse.Namespace) -> Report:
    from proofs_check.semantics.z3util import smt2_recording
    from proofs_check.uniform.proof import uniform_claim
    from theorymodel.compile.uniform import compile_uniform
    from theorymodel.machines import load_machine

    predictor_file = args.machine if args.target else None
    tm = load_machine(args.target or args.machine, fmt=args.format)
    with smt2_recording(args.smt2), ProgressBar(f"proving {predictor_file or tm.name} for every input length "
                                                f"(method {args.method})", None, enabled=not args.json):
        if predictor_file is not None:
            from proofs_check.uniform.invariance import uniform_claim_for_file

            payload = uniform_claim_for_file(predictor_file, tm, method=args.method, timeout=args.timeout,
                                             max_n=args.max_n)
            if not payload["uniform"]:
                diff = payload["first_difference"]
                return Report(payload, f"{predictor_file}: not one shared table: {diff['reason']}", 1,
                              f"the predictor is not translation-invariant (position {diff['position']})")
        else:
            payload = uniform_claim(tm, compile_uniform(tm), method=args.method, timeout=args.timeout,
                                    max_n=args.max_n)
    if args.out:
        from theorymodel.io import atomic_write

        path = Path(args.out) / "uniform-verdict.json"
        atomic_write(path, json.dumps({**payload, "kind": "uniform"}, indent=2, default=str) + "\n")
        payload["certificate"] = str(path)
    lines = [f"{predictor_file or tm.name}: uniform rule"
             + (f" ({payload['tiled_positions']:,} positions of one shared table, rows of {payload['width']} cells)"
                if predictor_file else "")
             + f", {payload['table']['vocab_size']} tokens, {payload['table']['nnz']} non-zero "
             f"entries (the same for every n, T and W)",
             f"  {'VERIFIED' if payload['verified'] else 'NOT PROVED'} ({payload['guarantee']}, "
             f"{payload['triples']} triples, {payload['seconds']:.2f} s)",
             f"  claim: {payload['claim']}", f"  assumption: {payload['assumption']}"]
    if payload.get("methods"):
        lines.append(f"  {' and '.join(payload['methods'])} agree")
    return _uniform_outcome(payload, lines, "counterexample {input!r} (row {row}, cell {cell})",
                            f"{len(payload['failed_triples'])} triples fail; none reached on inputs up to "
                            f"--max-n {args.max_n}")


def _uniform_outcome(payload: dict[str, Any], lines: list[str], wrong: str, unproved: str) -> Report:
    """The end of a uniform report: proved (exit 0), a replayed counterexample, or failed
    triples no run reached (exit 1). ``wrong`` is formatted with the counterexample's keys."""
    if payload["verified"]:
        return Report(payload, "\n".join(lines))
    cex = payload["counterexample"]
    if cex is not None:
        where = f", input at cell {cex['offset']}" if "offset" in cex else ""
        lines.append(f"  counterexample: input {cex['input']!r}, width {cex['width']}{where}: row {cex['row']}, cell "
                     f"{cex['cell']}: expected {cex['expected']!r}, got {cex['got']!r}")
        return Report(payload, "\n".join(lines), 1, wrong.format(**cex))
    if payload.get("note"):
        lines.append(f"  {payload['note']}")
        return Report(payload, "\n".join(lines), 1, "not proved for this file")
    lines.append(f"  {len(payload['failed_triples'])} failed triples, none reached by inputs up to length "
                 f"{payload['search']['complete_up_to']}")
    return Report(payload, "\n".join(lines), 1, unproved)


def cmd_counterexample(args: argparse.Namespace) -> Report:
    from proofs_check.targets import check_target_for_file
    from theorymodel.compile.pipeline import resolve_target
    from theorymodel.predictor import load

    if args.uniform:  # every input length: the file's shared table, or where it stops being one
        args.machine = args.predictor
        report = _verify_uniform(args)
        report.payload["found"] = report.payload.get("counterexample") is not None
        return report
    if args.n is None:
        raise UsageError("--n is required (or --uniform for every input length)")
    predictor = load(args.predictor, n_inputs=args.n)
    check = check_target_for_file(resolve_target(args.target, args.format), predictor, args.n, args.time_bound)
    with ProgressBar(f"checking {args.predictor} against {args.target} (n = {args.n}, method {args.method})", None,
                     enabled=not args.json):
        verdict = _run_verify(check.target, predictor, args, check.reach)
    cex = verdict.counterexample
    payload: dict[str, Any] = {"found": cex is not None, "method": verdict.method}
    if cex is not None:
        payload.update(cex.to_json())
    else:
        payload.update({"guarantee": verdict.guarantee, "inputs": verdict.inputs})
    payload["seconds"] = round(verdict.seconds, 6)
    payload["arithmetic"] = predictor.arithmetic  # float files are read as exact rationals
    return _verdict_report(verdict, payload, args, check.target, predictor, [])


# -- bound ------------------------------------------------------------------------------
def cmd_bound(args: argparse.Namespace) -> Report:
    from proofs_check.certificates.bounds import bound_report
    from theorymodel.compile.pipeline import resolve_target
    from theorymodel.plotting import plot_target

    plot, _ = plot_target(args.plot, None)
    routes = [args.route] if args.route else None
    with ProgressBar(f"compiling every route of {args.machine} and proving the bounds", None, enabled=not args.json):
        payload, text, holds = bound_report(resolve_target(args.machine, args.format), args.n, routes=routes,
                                            time_bound=args.time_bound, output=args.output, plot=plot)
    return Report(payload, text + (f"\nwrote {plot}" if plot else ""), 0 if holds else 1,
                  None if holds else "a bound does not hold")
