"""Length complexity: length and census."""

from __future__ import annotations

import argparse
from typing import Any

from theorymodel.cli.common import MAX_LENGTH_N, _bounds_text, _plural
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.progress import ProgressBar
from theorymodel.reporting import Report


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
    if args.check:
        from theorymodel.complexity.census_file import check_file

        if args.export or args.max_k is not None or args.layered:
            raise UsageError("--check FILE re-checks a result file on its own")
        payload = check_file(args.check, args.n, workers=args.workers, progress=not args.json)
        text = (f"{args.check}: {payload['rows']:,} classes of n = {payload['n']}, "
                + ("every row checked" if payload["verified"] else f"{len(payload['failures'])} rows FAILED")
                + f" ({payload['seconds']:.1f} s)\n" + "\n".join(f"  {k}: {v}" for k, v in payload["checks"].items()))
        if not payload["verified"]:
            first = payload["failures"][0]
            return Report(payload, text + f"\n  first failure: {first['representative']}: {first['reason']}", 1,
                          f"{len(payload['failures'])} rows of {args.check} do not check")
        return Report(payload, text)
    layered = True if args.layered or args.export else None
    if args.max_k is not None and (args.layered or args.export):
        raise UsageError("--max-k decides the first layers only; --layered and --export run the whole census")
    payload = census(args.n, args.cls, db=args.db, scheduler=args.scheduler, max_k=args.max_k,
                     progress=not args.json, layered=layered, workers=args.workers)
    if args.export:
        from theorymodel.complexity.census_file import export_file

        payload["export"] = export_file(payload["db"], args.n, args.export)
    if "lower_bounds" in payload:
        head = (f"census n = {payload['n']}, class {payload['class']}, layered: {payload['functions']:,} functions in "
                f"{payload['classes']:,} NPN classes ({payload['solved_now']:,} decided now on "
                f"{payload['workers']} worker(s), {payload['reused']:,} reused and checked; "
                f"{payload['seconds']:.1f} s)")
        lines = [head, "  length      functions  classes"]
        for k, count in payload["functions_by_length"].items():
            lines.append(f"  {k:>6}  {count:>13,}  {payload['classes_by_length'][k]:>7,}")
        lines.append("  lower bounds: " + ", ".join(f"{v:,} by {k}" for k, v in payload["lower_bounds"].items()))
        if payload.get("export"):
            lines.append(f"  wrote {payload['export']['file']} (sha256 {payload['export']['sha256']})")
        return Report(payload, "\n".join(lines))
    if args.max_k == 1:
        head = (f"census n = {payload['n']}, class {payload['class']}, first layer: {payload['functions']:,} "
                f"functions in {payload['classes']:,} NPN classes (class table {payload['classes_table']}, "
                f"{payload['unate_classes']} unate classes solved exactly, {payload['seconds']:.1f} s)")
    elif args.max_k == 2:
        head = (f"census n = {payload['n']}, class {payload['class']}, length <= 2 by composition: "
                f"{payload['functions']:,} functions in {payload['classes']:,} NPN classes (class table "
                f"{payload['classes_table']}; {payload['first_tokens']} first tokens x {payload['second_tokens']:,} "
                f"second tokens; {payload['seconds']:.1f} s)")
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
