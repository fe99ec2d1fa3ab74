"""The ``theorymodel`` command line (docs/contract.md).

Each sub-command is a function ``(args) -> Report``; :func:`main` prints the report
(one JSON object with ``--json``) and maps errors to exit codes: 2 for bad input or
usage, 3 for a resource limit, each with one ``error:`` line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from theorymodel.errors import ResourceLimitError, TheoryModelError, UsageError
from theorymodel.progress import ProgressBar
from theorymodel.reporting import Report


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one ``error:`` line (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def _positive_int(text: str) -> int:
    value = _nonnegative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds")
    return value


# -- run ------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> Report:
    from theorymodel.machines import load_machine
    from theorymodel.machines.simulate import run_batch, simulate

    tm = load_machine(args.machine, fmt=args.format)
    if args.batch is not None:
        if args.input is not None or args.trace:
            raise UsageError("--batch runs every input of one length; drop --input/--trace")
        batch = run_batch(tm, args.batch, max_steps=args.max_steps)
        payload = batch.to_json()
        text = (
            f"{tm.name}: {batch.inputs} inputs of length {batch.n}, "
            f"T({batch.n}) = {batch.time_bound} steps, all halted: {batch.all_halted}\n"
            + "\n".join(f"  {k:>8} steps: {v} inputs" for k, v in sorted(batch.histogram.items()))
        )
        if not batch.all_halted:
            payload["limit"] = "max-steps"
            return Report(payload, text, 3, f"some input did not halt within {args.max_steps} steps")
        return Report(payload, text)
    with ProgressBar(tm.name, None, unit="steps") as bar:
        result = simulate(tm, args.input, max_steps=args.max_steps, trace=args.trace,
                          progress=bar.update if bar.enabled else None)
    payload = result.to_json()
    lines = [
        f"machine  {tm.name}",
        f"input    {result.input!r}",
        f"halted   {result.halted} after {result.steps:,} steps in state {result.state!r}"
        + (" (accepted)" if result.accepted else ""),
        f"output   {result.output if len(result.output) <= 200 else result.output[:200] + '...'}",
        f"nonblank {result.nonblank}   head {result.head}",
    ]
    if result.trace is not None:
        lines += [f"  {c['step']:>6} {c['state']:>10} @{c['head']:<4} {c['tape']}" for c in result.trace]
    if not result.halted:
        payload["limit"] = "max-steps"
        return Report(payload, "\n".join(lines), 3, f"not halted within --max-steps {args.max_steps}")
    return Report(payload, "\n".join(lines))


# -- list / show ------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> Report:
    from theorymodel.machines import library

    rows = []
    for name in library.names():
        tm = library.load(name)
        rows.append({
            "name": name,
            "description": library.describe(name),
            "states": len(tm.states),
            "tape_symbols": len(tm.tape_symbols),
            "input_symbols": list(tm.input_symbols),
            "accepts": bool(tm.final_states),
        })
    width = max(len(str(r["name"])) for r in rows)
    text = "\n".join(f"{r['name']:<{width}}  {r['description']}" for r in rows)
    return Report({"machines": rows}, text)


def cmd_show(args: argparse.Namespace) -> Report:
    from theorymodel.io import atomic_write
    from theorymodel.machines import formats, load_machine

    tm = load_machine(args.machine, fmt=args.format)
    written = []
    if args.picture:
        from theorymodel.display import machine_scene

        machine_scene(tm).save(args.picture)
        written.append(str(args.picture))
    if args.dot:
        atomic_write(args.dot, formats.to_dot(tm))
        written.append(str(args.dot))
    if args.write:
        fmt = args.to or formats.format_for_path(args.write)
        if fmt not in formats.WRITERS:
            raise UsageError(f"cannot tell the format of {args.write}; give --to {'|'.join(formats.WRITERS)}")
        atomic_write(args.write, formats.WRITERS[fmt](tm))
        written.append(str(args.write))
    elif args.to:
        if args.to not in formats.WRITERS:
            raise UsageError(f"unknown format {args.to!r}; formats are {', '.join(formats.WRITERS)}")
        return Report({"machine": tm.name, "format": args.to, "text": formats.WRITERS[args.to](tm)},
                      formats.WRITERS[args.to](tm).rstrip("\n"))
    payload = {
        "machine": tm.name,
        **tm.to_dict(),
        "halting_states": list(tm.halting_states),
        "n_states": len(tm.states),
        "n_symbols": len(tm.tape_symbols),
        "n_transitions": tm.n_transitions,
        "written": written,
    }
    table = [[("→" if q == tm.initial_state else " ") + ("*" if q in tm.final_states else " ") + q]
             + [(f"{t.write},{t.move},{t.next_state}" if (t := tm.transition(q, s)) else "-") for s in tm.tape_symbols]
             for q in tm.states]
    table.insert(0, ["  state", *tm.tape_symbols])
    widths = [max(len(row[c]) for row in table) + 2 for c in range(len(table[0]))]
    header, *rows = ["".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]
    text = (
        f"{tm.name}: {len(tm.states)} states, {len(tm.tape_symbols)} tape symbols "
        f"(blank {tm.blank_symbol!r}), input symbols {list(tm.input_symbols)}\n"
        + "\n".join([header, *rows])
        + "".join(f"\nwrote {w}" for w in written)
    )
    return Report(payload, text)


# -- compile --------------------------------------------------------------------------
def cmd_compile(args: argparse.Namespace) -> Report:
    import time

    from theorymodel.compile.pipeline import compile_target, resolve_target
    from theorymodel.compile.report import cot_jsonl_bytes, exact_margins, stats
    from theorymodel.io import atomic_write_files
    from theorymodel.predictor import LinearPredictor, save_linearlm
    from theorymodel.predictor.export import predictor_bytes

    if args.context_length is not None and (args.route != "uniform" or not args.export_linearlm):
        raise UsageError("--context-length goes with --route uniform --export-linearlm (other routes' context is "
                         "their CoT)")
    if args.context_length is not None:
        from theorymodel.predictor.uniform_file import MAX_CONTEXT

        if args.context_length > MAX_CONTEXT:  # what every reader of the file refuses
            raise UsageError(f"--context-length {args.context_length} is more than the {MAX_CONTEXT} positions a "
                             "uniform file may cover")
    if args.input is not None and not args.picture:
        raise UsageError("--input goes with --picture (it chooses the input drawn); compile covers every input of "
                         "length --n")
    start = time.perf_counter()
    target = resolve_target(args.machine, args.format)
    with ProgressBar(f"compiling {args.machine} (route {args.route})", None, enabled=not args.json):
        result = compile_target(target, n=args.n, route=args.route, time_bound=args.time_bound,
                                output=args.output, width=args.width)
        predictor = LinearPredictor.from_program(result.program)
        margins = exact_margins(result.program, predictor, seed=args.seed)
    weakest = margins.pop("weakest")
    if weakest is not None:  # never hand out a predictor without a strict argmax as a success
        result.seconds = time.perf_counter() - start
        payload = {**stats(result, predictor, margins), "written": [], "weakest": weakest}
        return Report(payload, f"no strict argmax at position {weakest['position']} on input {weakest['input']!r}: "
                               f"{' / '.join(weakest['tied_tokens'])}", 1,
                      f"the compiled predictor has margin {weakest['margin']} at position {weakest['position']} "
                      f"on input {weakest['input']!r} (tokens {' and '.join(map(repr, weakest['tied_tokens']))})")
    written = []
    if args.picture:
        program = result.program
        word = (program.input_alphabet[0],) * program.n_inputs if args.input is None else \
            tuple(args.input.split() if " " in args.input else args.input)
        predictor.picture(word).save(args.picture)
        written.append(str(args.picture))
    if args.out:
        cot, cot_inputs, cot_exhaustive = cot_jsonl_bytes(result.program, limit=args.samples, seed=args.seed)
        written += [str(p) for p in atomic_write_files(args.out, {"cot.jsonl": cot,
                                                                  "predictor.npz": predictor_bytes(predictor)})]
    if args.export_linearlm and result.route == "uniform":
        from theorymodel.predictor.uniform_file import export_uniform_program

        export_uniform_program(result.program, args.export_linearlm, context_length=args.context_length)
        written.append(str(args.export_linearlm))
    elif args.export_linearlm:
        save_linearlm(predictor, args.export_linearlm, max_bytes=args.max_bytes)
        written.append(str(args.export_linearlm))
    result.seconds = time.perf_counter() - start
    payload = stats(result, predictor, margins)
    payload["written"] = written
    if args.out:
        payload["cot_inputs"] = cot_inputs
        payload["cot_exhaustive"] = cot_exhaustive
    text = "\n".join([
        f"{payload['machine']}: route {payload['route']}, n = {payload['n']}"
        + (f", T = {payload['time_bound']}" if payload["time_bound"] is not None else " (a circuit: no time bound)"),
        f"  cot_tokens     {payload['cot_tokens']:,}  (context {payload['context_length']:,})",
        f"  vocab          {payload['vocab_size']} tokens",
        f"  weights_nnz    {payload['weights_nnz']:,}  (dense layout: {payload['dense_size']:,})",
        *([f"  shared table   {payload['shared_table_nnz']:,} non-zero entries, the same for every n, T and "
           f"width (rows of {payload['width']} cells); position-dependent routes at this n: "
           + ", ".join(f"{r} {v:,} tokens" for r, v in payload["position_dependent_cot_tokens"].items())]
          if "shared_table_nnz" in payload else []),
        f"  min_margin     {payload['min_margin']}  ({payload['margin_guarantee']}),"
        f" tolerance {payload['tolerance']}",
        *(f"  wrote {w}" for w in written),
    ])
    return Report(payload, text)


# -- verify / counterexample ----------------------------------------------------------
def _verdict_report(verdict, payload: dict, args: argparse.Namespace, target, predictor, assumptions) -> Report:
    from pathlib import Path

    from proofs_check.verdict import certificate
    from theorymodel.io import atomic_write

    if getattr(args, "out", None):
        cert = certificate(verdict, target, predictor, assumptions)
        atomic_write(Path(args.out) / "certificate.json", json.dumps(cert, indent=2, default=str) + "\n")
        payload["certificate"] = str(Path(args.out) / "certificate.json")
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


def cmd_verify(args: argparse.Namespace) -> Report:
    from proofs_check.targets import check_target
    from proofs_check.verdict import verify
    from proofs_check.z3util import smt2_recording
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
        with smt2_recording(args.smt2):
            verdict = verify(check.target, predictor, method=args.method, reach=check.reach, timeout=args.timeout)
    payload = verdict.to_json()
    payload.update({"route": result.route, "time_bound": result.geometry.T if result.geometry else None,
                    "lemmas": verdict.details.get("lemmas", []), "local": verdict.details.get("local")})
    return _verdict_report(verdict, payload, args, check.target, predictor, list(check.assumptions))


def _verify_uniform(args: argparse.Namespace) -> Report:
    from proofs_check.uniform import uniform_claim
    from proofs_check.z3util import smt2_recording
    from theorymodel.compile.uniform import compile_uniform
    from theorymodel.machines import load_machine

    predictor_file = args.machine if args.target else None
    tm = load_machine(args.target or args.machine, fmt=args.format)
    with smt2_recording(args.smt2):
        if predictor_file is not None:
            from proofs_check.invariance import uniform_claim_for_file

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

        path = Path(args.out) / "certificate.json"
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
                 f"{payload['search']['max_n']}")
    return Report(payload, "\n".join(lines), 1, unproved)


def cmd_counterexample(args: argparse.Namespace) -> Report:
    from proofs_check.targets import check_target_for_file
    from proofs_check.verdict import verify
    from proofs_check.z3util import smt2_recording
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
    with smt2_recording(args.smt2):
        verdict = verify(check.target, predictor, method=args.method, reach=check.reach, timeout=args.timeout)
    cex = verdict.counterexample
    payload: dict[str, Any] = {"found": cex is not None}
    if cex is not None:
        payload.update(cex.to_json())
    else:
        payload.update({"guarantee": verdict.guarantee, "inputs": verdict.inputs})
    payload["seconds"] = round(verdict.seconds, 6)
    payload["arithmetic"] = predictor.arithmetic  # float files are read as exact rationals
    return _verdict_report(verdict, payload, args, check.target, predictor, [])


# -- bound ------------------------------------------------------------------------------
def cmd_bound(args: argparse.Namespace) -> Report:
    from proofs_check.bounds import bound_report
    from theorymodel.compile.pipeline import resolve_target
    from theorymodel.plotting import plot_target

    plot, _ = plot_target(args.plot, None)
    routes = [args.route] if args.route else None
    with ProgressBar(f"compiling every route of {args.machine} and proving the bounds", None, enabled=not args.json):
        payload, text, holds = bound_report(resolve_target(args.machine, args.format), args.n, routes=routes,
                                            time_bound=args.time_bound, output=args.output, plot=plot)
    return Report(payload, text + (f"\nwrote {plot}" if plot else ""), 0 if holds else 1,
                  None if holds else "a bound does not hold")


# -- length -----------------------------------------------------------------------------
def _n_range(text: str) -> tuple[int, int]:
    """``N`` or ``A..B`` (inclusive)."""
    lo, sep, hi = text.partition("..")
    a = _nonnegative_int(lo)
    b = _nonnegative_int(hi) if sep else a
    if b < a:
        raise argparse.ArgumentTypeError(f"{text!r}: the range is empty")
    return a, b


MAX_LENGTH_N = 24  # 2^24 truth-table rows


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _bounds_text(bounds: dict[str, int]) -> str:
    return ", ".join(f"{name} {_plural(value, 'token')}" for name, value in bounds.items()) or "-"


def cmd_length(args: argparse.Namespace) -> Report:
    from theorymodel.complexity import length_complexity, resolve
    from theorymodel.functions import named

    lo, hi = args.n
    if hi > MAX_LENGTH_N:
        raise ResourceLimitError(f"--n {hi}: length complexity is computed over all 2^n inputs; n <= {MAX_LENGTH_N}",
                                 limit="size-cap", details={"n": hi, "cap": MAX_LENGTH_N})
    if args.smt2 and args.cls != "linear":
        raise UsageError(f"class {args.cls} is refuted by a SAT solver: --certificate DIR writes DIMACS and DRAT")
    if lo != hi or args.plot:
        if args.export_linearlm or args.certificate or args.smt2:
            raise UsageError("--export-linearlm, --certificate and --smt2 take a single --n")
        series = []
        function = named(args.target)
        paired = function is not None and function.even_n  # defined for even n only
        ns = range(lo + (lo % 2 if paired else 0), hi + 1, 2 if paired else 1)
        with ProgressBar(f"length complexity of {args.target}", len(ns), enabled=not args.json) as bar:
            for n in ns:
                series.append(length_complexity(resolve(args.target, n), cls=args.cls, max_k=args.max_k,
                                                timeout=args.timeout).to_json())
                bar.advance()
        payload: dict[str, Any] = {"target": args.target, "class": args.cls, "series": series}
        if args.plot:
            from theorymodel.complexity.plot import plot_series
            from theorymodel.plotting import plot_target

            plot_target(args.plot, None)

            plot_series(series, args.plot, title=f"{args.target}: length complexity, class {args.cls}")
            payload["written"] = [str(args.plot)]
        lines = [f"{args.target}, class {args.cls}"]
        lines += [f"  n = {r['n']:2d}: {r['length_complexity']}  (upper bounds {_bounds_text(r['upper_bounds'])}, "
                  f"{r['seconds']:.2f} s)" for r in series]
        return Report(payload, "\n".join(lines))
    target = resolve(args.target, lo)
    result = length_complexity(target, cls=args.cls, max_k=args.max_k, timeout=args.timeout)
    payload = result.to_json()
    if args.export_linearlm:
        from theorymodel.predictor import LinearPredictor, save_linearlm

        predictor = LinearPredictor.from_program(result.program())
        save_linearlm(predictor, args.export_linearlm, max_bytes=args.max_bytes)
        payload["written"] = [str(args.export_linearlm)]
    lb = result.lower_bound
    certificate_dir = args.certificate or args.smt2
    if certificate_dir and result.length_complexity is not None:
        from theorymodel.complexity.certificate import write_certificate

        with ProgressBar("writing and checking the certificate", None, enabled=not args.json):
            payload["certificate"] = write_certificate(result, certificate_dir)
        payload.setdefault("written", []).extend(payload["certificate"].pop("written"))
    if result.length_complexity is None:
        return Report(payload, f"{target.name}, n = {target.n}: not computable by class {result.cls}: "
                               f"{lb.get('reason')}", exit_code=1,
                      message=f"{target.name} is not expressible in class {result.cls}")
    text = (f"{target.name}, n = {target.n}, class {result.cls}: length complexity {result.length_complexity} "
            f"(witness re-simulated on all {2 ** target.n} inputs; {_plural(lb['k'] - 1, 'token')}: {lb['status']} "
            f"by {lb['solver']})")
    if result.upper_bounds:
        text += "\n  construction upper bounds: " + _bounds_text(result.upper_bounds)
    cert = payload.get("certificate")
    if cert:
        checks = [f"DRAT proof {'checked' if cert['drat_check']['verified'] else 'NOT checked'}",
                  f"z3 re-solve {'unsat' if cert['second_solver']['unsat'] else 'NOT unsat'}"] \
            if "drat_check" in cert else [f"fresh z3 {'unsat' if cert['smt_check']['unsat'] else 'NOT unsat'}"] \
            if "smt_check" in cert else ["by definition, no file"]
        text += "\n  certificate: " + ", ".join(checks) + "".join(f"\n  wrote {w}" for w in payload["written"])
        if not cert["verified"]:
            return Report(payload, text, 1, "the certificate files did not check")
    return Report(payload, text)


# -- census -----------------------------------------------------------------------------
def _census_sample(args: argparse.Namespace) -> Report:
    from theorymodel.complexity.sample import sample_census

    if args.max_k is not None:
        raise UsageError("--sample solves each drawn class fully; --max-k 1 decides the first layer of all classes")
    p = sample_census(args.n, args.cls, k=args.sample, seed=args.seed or 0, db=args.db, scheduler=args.scheduler,
                      class_timeout=args.class_timeout, progress=not args.json)
    run, t = p["run"], p["class_seconds"]
    lines = [f"census n = {p['n']}, class {p['class']}: {p['sample']:,} of {p['classes']:,} NPN classes drawn "
             f"(seed {p['seed']}; {run['solved_now']:,} solved now on {run['workers']} worker(s) in "
             f"{run['wall_seconds']:.1f} s, {run['reused']:,} read back and checked)",
             "  length   estimated functions   95% interval                        classes in sample"]
    for key, e in p["estimate"].items():
        lines.append(f"  {key:>10}  {e['functions']:>17,}   [{e['low']:,}, {e['high']:,}]".ljust(72)
                     + f"{e['sampled_classes']:,}")
    lines.append(f"  per class: median {t['median']:.3f} s, mean {t['mean']:.3f} s, p90 {t['p90']:.3f} s, "
                 f"max {t['max']:.3f} s")
    proj = p["projection"]
    lines.append(f"  all {p['classes']:,} classes: {proj['cpu_hours']:,} CPU-hours; wall hours on 1/2/16/64 workers: "
                 + " / ".join(f"{v:,}" for v in proj["wall_hours"].values()))
    if p["unresolved"]:
        lines.append(f"  {len(p['unresolved'])} classes reached --class-timeout and are intervals (see --json)")
    return Report(p, "\n".join(lines))


def cmd_census(args: argparse.Namespace) -> Report:
    from theorymodel.complexity.census import census

    if args.sample is not None:
        return _census_sample(args)
    if args.seed is not None or args.class_timeout is not None:
        raise UsageError("--seed and --class-timeout go with --sample K")
    payload = census(args.n, args.cls, db=args.db, scheduler=args.scheduler, max_k=args.max_k,
                     progress=not args.json)
    if args.max_k is not None:
        head = (f"census n = {payload['n']}, class {payload['class']}, first layer: {payload['functions']:,} "
                f"functions in {payload['classes']:,} NPN classes (class table {payload['classes_table']}, "
                f"{payload['unate_classes']} unate classes solved exactly, {payload['seconds']:.1f} s)")
    else:
        head = (f"census n = {payload['n']}, class {payload['class']}: {payload['functions']:,} functions in "
                f"{payload['classes']} NPN classes ({payload['solved_now']} solved now, {payload['reused']} reused "
                f"from {payload['db']})")
    lines = [head, "  length      functions  classes"]
    for k, count in payload["functions_by_length"].items():
        lines.append(f"  {k:>6}  {count:>13,}  {payload['classes_by_length'][k]:>7,}")
    if payload.get("rejected_rows"):
        first = payload["rejected"][0]
        lines.append(f"  warning: {payload['rejected_rows']} stored rows were not backed by their own witness and "
                     f"lower bound (first {first['tt']}: {first['reason']}); they were solved again")
    return Report(payload, "\n".join(lines))


# -- learn ------------------------------------------------------------------------------
def _learn_uniform(args: argparse.Namespace) -> Report:
    from theorymodel.learn.uniform import learn_uniform_report
    from theorymodel.machines import load_machine

    if args.train_n is None:
        raise UsageError("--uniform learns from runs of several lengths: give --train-n A..B")
    tm = load_machine(args.target)
    if args.export_linearlm:
        raise UsageError("learn --uniform writes its tile file with --out DIR (DIR/uniform.npz)")
    payload = learn_uniform_report(tm, lengths=args.train_n, samples=args.samples, learner=args.learner,
                                   seed=args.seed, method=args.method or "z3", max_n=args.max_n, out=args.out)
    lines = [f"{tm.name}: uniform table learned ({args.learner}) from {payload['training_inputs']} inputs of "
             f"length {args.train_n[0]}..{args.train_n[1]}: {payload['triples_seen']} triples seen, "
             f"{payload['triples_never_seen']} never seen",
             f"  {'PROVED for every input length' if payload['verified'] else 'NOT PROVED'} ({payload['guarantee']}, "
             f"{payload['triples']} triples, {payload['seconds']:.2f} s)"]
    lines += [f"  wrote {w}" for w in payload["written"]]
    return _uniform_outcome(payload, lines, "the learned table is wrong on input {input!r}",
                            "the uniform claim is not proved for the learned table")


def cmd_learn(args: argparse.Namespace) -> Report:
    from theorymodel.learn import learn, resolve_source, verify_learned

    if args.uniform or args.route == "uniform":  # one shared table for every length (docs/uniform.md)
        return _learn_uniform(args)
    if args.samples is None:
        raise UsageError("--samples is required (training inputs M)")

    source = resolve_source(args.target, args.n, args.route, args.time_bound)
    cot_tokens = source.cot_tokens
    if args.no_cot:
        source = source.without_cot()
    with ProgressBar(f"learning {source.cot_tokens:,} positions", source.cot_tokens) as bar:
        result = learn(source, args.samples, learner=args.learner, seed=args.seed, jobs=args.jobs,
                       progress=bar.advance if bar.enabled else None)
    pred = result.predictor
    payload: dict[str, Any] = {
        "learner": args.learner, "samples": args.samples, "cot": not args.no_cot,
        "train_error": result.train_error, "test_error": result.test_error, "verified": None,
        "cot_tokens": source.cot_tokens, "cot_tokens_with_cot": cot_tokens,
        "error": result.error, "error_guarantee": result.error_guarantee,
        "error_interval": list(result.error_interval), "heldout_error": result.test_error,
        "distinct_training_inputs": result.distinct_training_inputs,
        "test_inputs": result.test_inputs, "test_guarantee": result.test_guarantee,
        "first_wrong": result.first_wrong, "weights_nnz": pred.nnz, "seed": args.seed,
        "learn_seconds": round(result.seconds, 6),
    }
    verdict = verify_learned(source, pred, method=args.method, timeout=args.timeout)
    if verdict is not None:
        payload.update(verified=verdict.verified, guarantee=verdict.guarantee,
                       counterexample=None if verdict.counterexample is None else verdict.counterexample.to_json())
    else:
        payload.update(guarantee=None, counterexample=None,
                       note="a cot.jsonl has no reference semantics: test_error is the check")
    written = []
    if args.export_linearlm:
        from theorymodel.predictor import save_linearlm

        save_linearlm(pred, args.export_linearlm, max_bytes=args.max_bytes)
        written.append(str(args.export_linearlm))
    if args.out:
        from theorymodel.predictor import save_predictor

        written.append(str(save_predictor(pred, Path(args.out) / "predictor.npz")))
    if written:
        payload["written"] = written
    text = (f"{source.name}, n = {source.n_inputs}, {'with' if not args.no_cot else 'without'} CoT "
            f"({source.cot_tokens} generated tokens), learner {args.learner}, {args.samples} i.i.d. samples "
            f"({result.distinct_training_inputs:,} distinct inputs)\n"
            f"  error under the uniform distribution {result.error:.4f} ("
            + ("exact" if result.error_guarantee == "exact" else
               "estimated, 95% interval [{:.4f}, {:.4f}]".format(*result.error_interval)) + ")\n"
            f"  train error {result.train_error:.4f}, held-out error "
            + ("- (every input was drawn)" if result.test_error is None else
               f"{result.test_error:.4f} on {result.test_inputs:,} inputs ({result.test_guarantee})"))
    if result.first_wrong:
        fw = result.first_wrong
        what = "a tie (no strict argmax)" if fw["tie"] else f"{fw['expected']} -> {fw['got']}"
        text += f"\n  first wrong: input {fw['input']} at position {fw['position']} ({what})"
    if verdict is not None:
        text += f"\n  verified: {verdict.verified} ({verdict.guarantee}, {verdict.inputs:,} inputs)"
    if verdict is not None and verdict.counterexample is not None:
        cex = verdict.counterexample
        return Report(payload, text, exit_code=1,
                      message=f"the learned predictor is wrong on input {cex.input!r} at position {cex.position}")
    return Report(payload, text)


# -- experiment -------------------------------------------------------------------------
def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give positive integers, e.g. 25,50,100")
    return values


def _rate_list(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of rates") from None
    if not values or not all(0 <= v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: rates lie in [0, 1)")
    return values


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    def fmt(v: Any) -> str:
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    width = [max(len(c), *(len(fmt(r[c])) for r in rows)) for c in cols]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, width, strict=True))]
    lines += ["  ".join(fmt(r[c]).rjust(w) for c, w in zip(cols, width, strict=True)) for r in rows]
    return "\n".join(lines)


def cmd_experiment_samples(args: argparse.Namespace) -> Report:
    from theorymodel.learn import resolve_source
    from theorymodel.learn.experiments import sample_curves
    from theorymodel.plotting import plot_rows

    plot, note = _plot(args)
    sources = [resolve_source(t, args.n, args.route, None) for t in args.targets]
    total = len(sources) * 2 * len(args.samples)
    with ProgressBar("sample curves", total) as bar:
        rows = sample_curves(sources, args.samples, learner=args.learner, seed=args.seed,
                             progress=bar.advance if bar.enabled else None)
    if plot:
        plot_rows(rows, "samples", "test_error", ["target", "cot"], plot,
                  title=f"test error against samples (learner {args.learner}, n = {args.n})", logx=True)
    text = _table(rows, ["target", "n", "cot", "cot_tokens", "samples", "train_error", "test_error", "seconds"])
    return _experiment_report("samples", rows, text, plot, note)


MAX_TRADEOFF_N = 4096


def cmd_experiment_tradeoff(args: argparse.Namespace) -> Report:
    from theorymodel.learn.experiments import tradeoff
    from theorymodel.plotting import plot_rows

    if args.n > MAX_TRADEOFF_N:
        raise ResourceLimitError(f"--n {args.n}: the trade-off experiment samples n-bit inputs; n <= {MAX_TRADEOFF_N}",
                                 limit="size-cap", details={"n": args.n, "cap": MAX_TRADEOFF_N})
    if not 1 <= args.s <= args.n:
        raise UsageError("--s must lie in 1..--n")
    if min(args.k) < 2:
        raise UsageError("--k values must be >= 2")
    plot, note = _plot(args)
    rows = tradeoff(args.n, args.s, args.k, seed=args.seed)
    if plot:
        plot_rows(rows, "cot_tokens", "subsets_searched", ["s"], plot,
                  title=f"sparse parity (s = {args.s} of n = {args.n}): CoT length against learning cost")
    text = _table(rows, ["K", "cot_tokens", "closed_form", "samples_needed", "subsets_searched", "seconds"])
    return _experiment_report("tradeoff", rows, text, plot, note)


def cmd_experiment_noise(args: argparse.Namespace) -> Report:
    from theorymodel.learn import resolve_source
    from theorymodel.learn.experiments import noise
    from theorymodel.plotting import plot_rows

    plot, note = _plot(args)
    sources = [resolve_source(args.target, n, args.route, None) for n in args.n]
    with ProgressBar("noise experiment", len(sources) * len(args.rates)) as bar:
        rows = noise(sources, args.rates, args.samples, seed=args.seed,
                     progress=bar.advance if bar.enabled else None)
    if plot:
        plot_rows(rows, "cot_tokens", "rollout_error", ["noise"], plot,
                  title=f"{args.target}: roll-out error against CoT length, label noise p")
    text = _table(rows, ["target", "n", "cot_tokens", "noise", "samples", "rollout_error",
                         "sum_per_step_error", "bound_holds"])
    return _experiment_report("noise", rows, text, plot, note)


def cmd_experiment_lengthgen(args: argparse.Namespace) -> Report:
    import importlib.util
    import tempfile

    if importlib.util.find_spec("torch") is None:
        raise UsageError("this experiment trains with torch: pip install 'theorymodel[experiments]'")
    from theorymodel.experiments.lengthgen import lengthgen
    from theorymodel.machines import library
    from theorymodel.plotting import plot_rows

    machines = [m for m in args.machines.split(",") if m]
    unknown = [m for m in machines if m not in library.names()]
    if unknown or not machines:
        raise UsageError(f"unknown machine {unknown[0] if unknown else '(none)'}; "
                         f"bundled: {', '.join(library.names())}")
    plot, note = _plot(args)
    with contextlib.ExitStack() as stack:
        workdir = args.out or stack.enter_context(tempfile.TemporaryDirectory())
        Path(workdir).mkdir(parents=True, exist_ok=True)
        with ProgressBar(f"training and proving on {len(machines)} machines", None, enabled=not args.json):
            rows = lengthgen(machines, train_n=args.train_n, eval_n=tuple(args.eval_n), steps=args.steps,
                             untied_steps=args.untied_steps, untied_d=args.untied_d, lr=args.lr, seed=args.seed,
                             device=args.device,
                             workdir=workdir, max_n=args.max_n)
    written = [str(Path(args.out) / f"{m}-tied.npz") for m in machines] if args.out else []
    table = []
    for r in rows:
        for model in ("tied", "untied"):
            m = r[model]
            table.append({"machine": r["machine"], "model": model,
                          **{f"n={n}": "-" if v is None else f"{v:.3f}" for n, v in m["exact_match"].items()},
                          "proof": m.get("proof", "not uniform"), "train_s": m["train_seconds"]})
    text = _table(table, list(table[0])) + "\n" + "\n".join(
        f"{r['machine']}: tied model {'proved for every length' if r['tied']['proved'] else 'NOT proved'}"
        f" ({r['tied']['proof_seconds']} s; rounded to integers: "
        f"{'proved' if r['tied']['rounded_to_integers_proved'] else 'not proved'}); untied: {r['untied']['note']}"
        for r in rows)
    if plot:
        points = [{"n": int(n), "exact_match": v,
                   "series": f"{r['machine']} {model}" + (" (proved)" if model == "tied" and r["tied"]["proved"]
                                                          else "")}
                  for r in rows for model in ("tied", "untied") for n, v in r[model]["exact_match"].items()
                  if v is not None]
        plot_rows(points, "n", "exact_match", ["series"], plot, title="exact match of full roll-outs against n",
                  logx=True)
    report = _experiment_report("lengthgen", rows, text + "".join(f"\nwrote {w}" for w in written), plot, note)
    report.payload["written"] = [*report.payload["written"], *written]
    return report


def _torch_config(args: argparse.Namespace, **extra: Any):
    try:
        from theorymodel.experiments.training import TrainConfig
    except ImportError as exc:
        raise UsageError("this experiment needs torch: pip install 'theorymodel[experiments]'") from exc
    if args.steps < 1 or args.batch < 1 or args.d < 1 or args.accumulate < 1:
        raise UsageError("--steps, --batch, --d and --accumulate must be >= 1")
    if not 0 < args.lr < 1:
        raise UsageError("--lr must lie in (0, 1)")
    return TrainConfig(steps=args.steps, batch=args.batch, d=args.d, lr=args.lr, accumulate=args.accumulate,
                       seed=args.seed, device=args.device, warmup=min(50, max(1, args.steps // 10)), **extra)


def _plot(args: argparse.Namespace) -> tuple[str | None, str]:
    from theorymodel.plotting import plot_target

    return plot_target(args.plot, f"experiment_{args.experiment}.png", no_plot=args.no_plot)


def _experiment_report(name: str, rows: list[dict[str, Any]], text: str, plot: str | None, note: str) -> Report:
    written = [plot] if plot else []
    tail = f"\nwrote {plot}" if plot else (f"\n{note}" if note else "")
    return Report({"experiment": name, "rows": rows, "written": written}, text + tail)


def cmd_experiment_multiply(args: argparse.Namespace) -> Report:
    cfg = _torch_config(args, digits=args.digits, cot=args.cot, model=args.model, eval_pairs=args.eval_pairs)
    if not 1 <= args.digits <= 6:
        raise UsageError("--digits must lie in 1..6")
    from theorymodel.experiments.training import train_multiply
    from theorymodel.plotting import plot_curve

    plot, _ = _plot(args)
    result = train_multiply(cfg, checkpoint=Path(args.checkpoint) if args.checkpoint else None)
    if plot:
        plot_curve(result["curve"], plot, f"{args.digits}x{args.digits} digits, {args.model}, CoT {args.cot}")
    result["written"] = ([plot] if plot else []) + ([str(args.checkpoint)] if args.checkpoint else [])
    tf = ", ".join(f"{k} {v:.3f}" for k, v in result["teacher_forced"].items())
    text = (f"{args.digits}x{args.digits}-digit multiplication, {args.model} model, CoT {args.cot} "
            f"(context {result['context_length']}, dictionary {result['vocab_size']})\n"
            f"  exact match {result['exact_match']:.4f}, digit accuracy {result['digit_accuracy']:.4f} on "
            f"{result['validation_pairs']:,} held-out pairs\n"
            f"  teacher-forced accuracy per segment: {tf}\n"
            f"  parameters {result['params_effective']:,} effective / {result['params_stored']:,} stored; "
            f"{result['train_sequences']:,} training sequences; {result['seconds']:.1f} s on {result['device']}")
    return Report(result, text)


def cmd_experiment_text(args: argparse.Namespace) -> Report:
    cfg = _torch_config(args)
    from theorymodel.experiments.text import train_text
    from theorymodel.plotting import plot_curve

    if args.context < 2:
        raise UsageError("--context must be >= 2")
    plot, _ = _plot(args)
    result = train_text(cfg, args.corpus, context=args.context)
    if plot:
        plot_curve(result["curve"], plot, "linear language model")
    result["written"] = [plot] if plot else []
    b = result["baselines"]
    text = (f"linear LM on {result['corpus']} ({result['characters']:,} characters, {result['vocab_size']} symbols), "
            f"context {result['context']}, d = {result['d']}\n"
            f"  validation perplexity {result['val_perplexity']:.3f} (unigram {b['unigram']:.3f}, bigram "
            f"{b['bigram']:.3f})\n  sample after {result['prompt']!r}:\n{result['sample']}")
    return Report(result, text)


# -- doctor -----------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace) -> Report:
    from theorymodel.doctor import environment

    payload = environment()
    width = max(len(k) for k in payload["packages"])
    built = "built" if payload["compiled_simulator"] else "NOT built (the Python loop, about 50x slower)"
    lines = [f"theorymodel {payload['theorymodel']} on Python {payload['python']}", f"  compiled simulator: {built}"]
    lines += [f"  {name:<{width}}  {version or 'not installed'}" for name, version in payload["packages"].items()]
    lines += [f"  extra {name:<12} {'present' if ok else 'missing'}" for name, ok in payload["extras"].items()]
    return Report(payload, "\n".join(lines))


# -- demo -------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> Report:
    from theorymodel.demo import run_demo

    return run_demo()


# -- parser ---------------------------------------------------------------------------
class _Choices:
    """An argparse choice list read from a registry on first use (start-up stays cheap)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def _names(self) -> list[str]:
        import importlib

        return list(getattr(importlib.import_module(self.module), self.name))

    def __contains__(self, value: object) -> bool:
        return value in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def build_parser() -> argparse.ArgumentParser:
    from proofs_check.methods import METHOD_HELP, METHODS
    from theorymodel import __version__
    from theorymodel.compile.route import DEFAULT_ROUTE
    from theorymodel.complexity.classes import CLASS_NAMES
    from theorymodel.machines.formats import FORMATS
    from theorymodel.machines.simulate import DEFAULT_MAX_STEPS

    # registries whose modules are heavy load only when their option is used or shown
    ROUTES = _Choices("theorymodel.compile.routes", "ROUTES")
    LEARNERS = _Choices("theorymodel.learn.learners", "LEARNERS")

    parser = _Parser(prog="theorymodel", description="Chain-of-thought learning theory, executable.")
    parser.add_argument("--version", action="version", version=f"theorymodel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, func: Callable[[argparse.Namespace], Report], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
        p.add_argument("--quiet", action="store_true", help="no progress display on stderr")
        p.set_defaults(func=func)
        return p

    p = add("run", cmd_run, "Run a Turing machine on one input (or every input of one length).")
    p.add_argument("machine", help="a machine file, Busy Beaver notation, or a bundled name")
    p.add_argument("--input", help="the input word (symbols concatenated, or space-separated)")
    p.add_argument("--max-steps", type=_nonnegative_int, default=DEFAULT_MAX_STEPS)
    p.add_argument("--trace", action="store_true", help="one configuration per step")
    p.add_argument("--format", choices=FORMATS, help="force the machine format")
    p.add_argument("--batch", type=_nonnegative_int, metavar="N",
                   help="run every input of length N; report T(N) and the step histogram")

    add("list", cmd_list, "List the bundled example machines.")

    p = add("show", cmd_show, "Show a machine's transition table; draw or convert it.")
    p.add_argument("machine")
    p.add_argument("--format", choices=FORMATS, help="force the input format")
    p.add_argument("--dot", metavar="FILE", help="write the state graph in Graphviz DOT")
    p.add_argument("--picture", metavar="FILE.svg", help="draw the state graph (svg without extras; png, pdf "
                                                         "with matplotlib)")
    p.add_argument("--write", metavar="FILE", help="write the machine (format from --to or the extension)")
    p.add_argument("--to", metavar="FMT", help="yaml|json|bb|morphett|tmsim|dot")

    p = add("compile", cmd_compile, "Compile a machine or circuit into CoT data and a linear predictor.")
    p.add_argument("machine", help="a MACHINE, or a .bench/.aag circuit file")
    p.add_argument("--n", type=_nonnegative_int, help="input length (machines)")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES, default=DEFAULT_ROUTE)
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--width", type=_positive_int, metavar="W",
                   help="cells per row of the uniform route (default: the smallest that holds every run)")
    p.add_argument("--output", choices=["accept", "tape"])
    p.add_argument("--out", metavar="DIR", help="write cot.jsonl and predictor.npz")
    p.add_argument("--export-linearlm", metavar="FILE.npz",
                   help="the paper's LinearModel layout (the uniform route writes its one tile, docs/uniform.md)")
    p.add_argument("--context-length", type=_positive_int, metavar="C",
                   help="with --route uniform --export-linearlm: the positions the tile covers (default: the "
                        "prompt and the T rows at --n)")
    p.add_argument("--max-bytes", type=_nonnegative_int, default=2 * 1024**3)
    p.add_argument("--picture", metavar="FILE.svg",
                   help="draw the CoT of one input (--input) as a tableau: svg, or png/pdf with matplotlib")
    p.add_argument("--input", metavar="WORD", help="with --picture: the input (default: the first in order)")
    p.add_argument("--samples", type=_nonnegative_int, default=1 << 16,
                   help="cot.jsonl holds every input up to this many, else a seeded sample")
    p.add_argument("--seed", type=int, default=0, help="seed of every sample drawn")
    p.add_argument("--format", choices=FORMATS, help="force the machine format")

    p = add("verify", cmd_verify, "Prove the compiled predictor right on every input of length n.")
    p.add_argument("machine", help="a MACHINE, or a .bench/.aag circuit file; with --uniform, also a predictor "
                                   "file followed by its MACHINE")
    p.add_argument("target", nargs="?", help="with --uniform PRED.npz: the MACHINE it is checked against")
    p.add_argument("--n", type=_nonnegative_int, help="input length (machines)")
    p.add_argument("--uniform", action="store_true",
                   help="prove the uniform (time-invariant) rule for every input length (docs/uniform.md)")
    p.add_argument("--max-n", type=_nonnegative_int, default=8,
                   help="with --uniform: input lengths searched for a run reaching a failed triple")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES, default=DEFAULT_ROUTE)
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--output", choices=["accept", "tape"])
    p.add_argument("--method", choices=METHODS, default="auto", help=METHOD_HELP)
    p.add_argument("--timeout", type=_positive_float, metavar="S", help="seconds for the solver (exit 3 when spent)")
    p.add_argument("--out", metavar="DIR", help="write certificate.json")
    p.add_argument("--smt2", metavar="DIR", help="write every z3 query as SMT-LIB2 (each should be unsat)")
    p.add_argument("--format", choices=FORMATS)

    p = add("counterexample", cmd_counterexample,
            "Find an input where a predictor file goes wrong, or prove there is none.")
    p.add_argument("predictor", help="predictor.npz, or a LinearModel-layout .npz")
    p.add_argument("target", help="a MACHINE or a .bench/.aag circuit")
    p.add_argument("--n", type=_nonnegative_int, help="input length (required unless --uniform)")
    p.add_argument("--uniform", action="store_true",
                   help="every input length: check the file is one shared table, prove it, or search inputs up to "
                        "--max-n for a replayed counterexample (docs/uniform.md)")
    p.add_argument("--max-n", type=_nonnegative_int, default=8, help="with --uniform: input lengths searched")
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--method", choices=METHODS, default="auto", help=METHOD_HELP)
    p.add_argument("--timeout", type=_positive_float, metavar="S")
    p.add_argument("--out", metavar="DIR", help="write certificate.json")
    p.add_argument("--smt2", metavar="DIR", help="write every z3 query as SMT-LIB2 (each should be unsat)")
    p.add_argument("--format", choices=FORMATS)

    p = add("bound", cmd_bound, "Closed-form CoT lengths of every route, proved against the paper's forms.")
    p.add_argument("machine")
    p.add_argument("--n", type=_n_range, metavar="N|A..B",
                   help="input length, or a range (exact lengths from the formulas at the measured T and reach)")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES, help="one route (default: every route)")
    p.add_argument("--plot", metavar="FILE.png", help="plot the CoT length of each route over the --n range")
    p.add_argument("--time-bound", type=_nonnegative_int, metavar="T")
    p.add_argument("--output", choices=["accept", "tape"])
    p.add_argument("--format", choices=FORMATS)

    p = add("length", cmd_length, "Exact length complexity of a Boolean target, with witness and certificate.")
    p.add_argument("target", help="parity, majority, and, or, equality, inner-product, threshold-K, tt:<bits>, "
                                  "a .bench circuit or a decision machine")
    p.add_argument("--n", type=_n_range, required=True, metavar="N|A..B", help="input bits, or a range for a series")
    p.add_argument("--class", dest="cls", default="linear", help=f"one of {', '.join(CLASS_NAMES)}")
    p.add_argument("--max-k", type=_nonnegative_int, default=8)
    p.add_argument("--timeout", type=_positive_float, metavar="S")
    p.add_argument("--export-linearlm", metavar="FILE.npz")
    p.add_argument("--max-bytes", type=_nonnegative_int, default=2 * 1024**3)
    p.add_argument("--plot", metavar="FILE.png", help="plot exact values and bounds over the --n range")
    p.add_argument("--certificate", metavar="DIR",
                   help="write the lower bound's refuted query (DIMACS + DRAT proof, or SMT-LIB2 for linear) and "
                        "check it in fresh processes")
    p.add_argument("--smt2", metavar="DIR", help="class linear: write the refuted z3 query as SMT-LIB2 (checked)")

    p = add("census", cmd_census, "Length complexity of every Boolean function of n inputs, by NPN class.")
    p.add_argument("--n", type=_nonnegative_int, required=True, help="input length")
    p.add_argument("--class", dest="cls", default="linear",
                   help=f"an NPN-invariant class among {', '.join(CLASS_NAMES)} (linear, b2)")
    p.add_argument("--db", metavar="FILE", help="SQLite results file (default under the user cache directory)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask distributed scheduler to run the classes on")
    p.add_argument("--sample", type=_nonnegative_int, metavar="K",
                   help="solve K classes drawn at random and estimate the distribution over functions, with 95%% "
                        "intervals and the projected cost of the whole census")
    p.add_argument("--seed", type=_nonnegative_int, help="with --sample: the draw's seed (default 0)")
    p.add_argument("--class-timeout", type=_positive_float, metavar="S",
                   help="with --sample: seconds per class; a class that reaches it is stored as an interval")
    p.add_argument("--max-k", type=_nonnegative_int, metavar="1",
                   help="decide only length 1 for every class (the first layer; how n = 5 runs, in about a minute)")

    p = add("learn", cmd_learn, "Learn a linear next-token predictor from CoT samples and verify it.")
    p.add_argument("target", help="parity (cascade CoT), a named function or tt: (minimal CoT), a machine, "
                                  "a .bench circuit, or a cot.jsonl file")
    p.add_argument("--n", type=_nonnegative_int, help="input length")
    p.add_argument("--samples", type=_nonnegative_int, help="training inputs M (required unless --uniform)")
    p.add_argument("--uniform", action="store_true",
                   help="learn one shared (left, middle, right) table and prove it for every length (docs/uniform.md)")
    p.add_argument("--train-n", type=_n_range, metavar="A..B", help="with --uniform: training input lengths")
    p.add_argument("--max-n", type=_nonnegative_int,
                   help="with --uniform: lengths searched for a counterexample (default: B + 4)")
    p.add_argument("--learner", metavar="LEARNER", choices=LEARNERS, default="lp")
    p.add_argument("--no-cot", action="store_true", help="supervise the answer only (one generated token)")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="seed of every sample drawn")
    p.add_argument("--route", metavar="ROUTE", choices=ROUTES, default="tableau", help="CoT of a machine")
    p.add_argument("--time-bound", type=_nonnegative_int)
    p.add_argument("--method", choices=METHODS,
                   help="verification (default: exhaustive for machines up to 2^16 inputs, else auto); " + METHOD_HELP)
    p.add_argument("--timeout", type=_positive_float, metavar="S")
    p.add_argument("--jobs", type=_nonnegative_int, help="processes for independent positions")
    p.add_argument("--export-linearlm", metavar="FILE.npz")
    p.add_argument("--max-bytes", type=_nonnegative_int, default=2 * 1024**3)
    p.add_argument("--out", metavar="DIR",
                   help="write predictor.npz (with --uniform: DIR/uniform.npz, the proved tile file)")

    p = add("experiment", cmd_demo, "The paper's experiments: learning curves, trade-off, noise, ...")
    exp = p.add_subparsers(dest="experiment", required=True, parser_class=_Parser)

    def add_exp(name: str, func: Callable[[argparse.Namespace], Report], help_: str) -> argparse.ArgumentParser:
        q = exp.add_parser(name, help=help_, description=help_,
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        q.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
        q.add_argument("--quiet", action="store_true", help="no progress display on stderr")
        q.add_argument("--seed", type=_nonnegative_int, default=0, help="seed of every sample drawn")
        q.add_argument("--plot", metavar="FILE.png|svg|pdf",
                       help=f"where to draw the results (default experiment_{name}.png)")
        q.add_argument("--no-plot", action="store_true", help="draw nothing")
        q.set_defaults(func=func)
        return q

    q = add_exp("samples", cmd_experiment_samples, "Test error against samples, with and without CoT.")
    q.add_argument("targets", nargs="*", default=["parity", "binary_palindrome", "zeros_then_ones"])
    q.add_argument("--n", type=_nonnegative_int, default=8)
    q.add_argument("--samples", type=_int_list, default=[25, 50, 100, 200])
    q.add_argument("--learner", metavar="LEARNER", choices=LEARNERS, default="lp")
    q.add_argument("--route", metavar="ROUTE", choices=ROUTES, default="tableau")
    q = add_exp("tradeoff", cmd_experiment_tradeoff, "K-parity tokens: CoT length against learning cost.")
    q.add_argument("--n", type=_nonnegative_int, default=24)
    q.add_argument("--s", type=_nonnegative_int, default=8, help="hidden parity size")
    q.add_argument("--k", type=_int_list, default=[2, 3, 4, 5, 8])
    q = add_exp("noise", cmd_experiment_noise, "Label noise in CoT tokens: roll-out error against CoT length.")
    q.add_argument("target", nargs="?", default="binary_palindrome")
    q.add_argument("--n", type=_int_list, default=[4, 6, 8])
    q.add_argument("--rates", type=_rate_list, default=[0.0, 0.01, 0.05])
    q.add_argument("--samples", type=_nonnegative_int, default=200)
    q.add_argument("--route", metavar="ROUTE", choices=ROUTES, default="tableau")

    q = add_exp("lengthgen", cmd_experiment_lengthgen,
                "Length generalisation: a tied (uniform) and an untied linear model trained by SGD on short CoTs; "
                "exact match at longer inputs, and the tied weights proved for every length.")
    q.add_argument("--machines", default="binary_increment,binary_palindrome,ternary_increment",
                   help="bundled machines, comma-separated")
    q.add_argument("--train-n", type=_nonnegative_int, default=6, help="train on every input of length 0..N")
    q.add_argument("--eval-n", type=_int_list, default=[6, 12, 24, 48], help="lengths where exact match is measured")
    q.add_argument("--steps", type=_positive_int, default=3000, help="Adam steps of the tied model (at most)")
    q.add_argument("--untied-steps", type=_positive_int, default=300, help="Adam steps of the untied model")
    q.add_argument("--untied-d", type=_positive_int, default=16, help="embedding width of the untied model")
    q.add_argument("--lr", type=float, default=0.05, help="the tied model's learning rate")
    q.add_argument("--max-n", type=_nonnegative_int, default=12,
                   help="when the proof fails: input lengths searched for a counterexample")
    q.add_argument("--out", metavar="DIR", help="keep the tied models' files (check them with verify --uniform)")
    q.add_argument("--device", choices=("cpu", "cuda"), default="cpu")

    def torch_flags(q: argparse.ArgumentParser, steps: int, d: int) -> None:
        q.add_argument("--steps", type=_nonnegative_int, default=steps)
        q.add_argument("--batch", type=_nonnegative_int, default=256)
        q.add_argument("--accumulate", type=_nonnegative_int, default=1, help="micro-batches per step")
        q.add_argument("--d", type=_nonnegative_int, default=d, help="embedding width")
        q.add_argument("--lr", type=float, default=1e-3)
        q.add_argument("--device", choices=("cpu", "cuda"), default="cpu")

    q = add_exp("multiply", cmd_experiment_multiply, "Train the paper's linear or MLP predictor on multiplication.")
    q.add_argument("--digits", type=_nonnegative_int, default=2)
    q.add_argument("--model", choices=("linear", "mlp"), default="linear")
    q.add_argument("--cot", choices=("paper", "fine", "none"), default="fine")
    q.add_argument("--eval-pairs", type=_positive_int, default=2000, help="held-out pairs decoded")
    q.add_argument("--checkpoint", metavar="FILE.pt", help="resume from and save to this file")
    torch_flags(q, 1500, 64)
    q = add_exp("text", cmd_experiment_text, "Train a linear language model; perplexity against n-gram baselines.")
    q.add_argument("--corpus", metavar="FILE.txt", help="UTF-8 text (default: Python's pydoc topics)")
    q.add_argument("--context", type=_nonnegative_int, default=64)
    torch_flags(q, 600, 32)

    add("demo", cmd_demo, "Run the pipeline on a bundled machine and print a short report.")
    add("doctor", cmd_doctor, "Versions of the solvers and libraries, the compiled simulator, the extras present.")
    return parser


OUTPUT_FILES = ("dot", "write", "export_linearlm", "plot", "checkpoint", "picture")
OUTPUT_DIRS = ("out", "smt2", "certificate")


def preflight(args: argparse.Namespace) -> None:
    """Refuse unwritable output paths before any work starts (a proof or a training
    run is never thrown away because its output cannot be written)."""
    from theorymodel.io import check_output

    for name in OUTPUT_FILES:
        if getattr(args, name, None) is not None:
            check_output(getattr(args, name))
    for name in OUTPUT_DIRS:
        if getattr(args, name, None) is not None:
            check_output(getattr(args, name), directory=True)
    if getattr(args, "picture", None) is not None:
        from theorymodel.plotting import have_matplotlib, plot_format

        if plot_format(args.picture) != "svg" and not have_matplotlib():
            raise UsageError(f"a {plot_format(args.picture)} picture needs matplotlib: pip install "
                             "'theorymodel[plots]' (an .svg picture needs nothing)")


_STOPPED_BY: list[int] = []
STOP_GRACE_SECONDS = 5.0


def _on_signal(signum: int, frame: object) -> None:
    _STOPPED_BY.append(signum)
    raise KeyboardInterrupt  # unwinds through every writer's cleanup of its temp file


def _stop_solvers_on_signals() -> None:
    """A signal arrives while z3 runs in C, where no Python handler can run until it
    returns. Python's C-level handler writes the signal's number to a wake-up pipe at
    once; a watcher thread then interrupts z3 (thread-safe), z3 returns, and the Python
    handler raises. SAT calls run in conflict-budgeted slices and need no help."""
    import signal
    import threading

    main_thread = threading.main_thread()
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)

    def watch() -> None:
        while True:
            data = os.read(read_end, 64)
            if not data:
                return
            z3 = sys.modules.get("z3")
            if z3 is not None:
                with contextlib.suppress(Exception):
                    z3.main_ctx().interrupt()
            # A KeyboardInterrupt raised inside a finaliser (``__del__``) is swallowed by
            # Python. The main thread then learns of the signal when the command returns
            # (see main); if it is still busy after a grace period, end the process here.
            main_thread.join(STOP_GRACE_SECONDS)
            if main_thread.is_alive() and _STOPPED_BY:
                from theorymodel.io import remove_pending_temp_files

                remove_pending_temp_files()
                print("error: interrupted", file=sys.stderr, flush=True)
                os._exit(128 + _STOPPED_BY[0])

    threading.Thread(target=watch, name="stop-solvers", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    want_json = "--json" in (argv if argv is not None else sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):  # a name with odd characters never breaks printing
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    with contextlib.suppress(ValueError, AttributeError):  # not the main thread, or no such signal here
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGHUP, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        _stop_solvers_on_signals()
    default_hook = sys.unraisablehook

    def quiet_stop(unraisable: Any) -> None:  # a stop signal that landed in a finaliser: main reports it
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):
            default_hook(unraisable)

    sys.unraisablehook = quiet_stop
    try:
        args = build_parser().parse_args(argv)
        from theorymodel.progress import QUIET

        (QUIET.set if getattr(args, "quiet", False) else QUIET.clear)()
        preflight(args)
        report = args.func(args)
        if _STOPPED_BY:  # a stop signal whose KeyboardInterrupt a finaliser swallowed
            raise KeyboardInterrupt
    except ResourceLimitError as exc:
        if want_json:
            print(json.dumps({"error": str(exc), "limit": exc.limit, **exc.details}))
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except TheoryModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 128 + (_STOPPED_BY[0] if _STOPPED_BY else signal.SIGINT)
    except MemoryError:
        if want_json:
            print(json.dumps({"error": "out of memory", "limit": "memory"}))
        print("error: out of memory", file=sys.stderr)
        return 3
    except RecursionError:
        print("error: input nested too deeply", file=sys.stderr)
        return 2
    except Exception as exc:  # an internal bug: still one line, with a way to see more
        if os.environ.get("THEORYMODEL_DEBUG"):
            raise
        print(f"error: internal error {type(exc).__name__}: {exc} "
              "(set THEORYMODEL_DEBUG=1 for the traceback)", file=sys.stderr)
        return 70
    try:
        if args.json:
            print(json.dumps(report.payload))
        elif report.text:
            written = report.payload.get("written") or []
            extra = [f"wrote {w}" for w in written if isinstance(w, str) and f"wrote {w}" not in report.text]
            print("\n".join([report.text, *extra]))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if report.exit_code and report.message:
        print(f"error: {report.message}", file=sys.stderr)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
