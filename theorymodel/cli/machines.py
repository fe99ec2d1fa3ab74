"""Commands on machines and circuits: run, list, show, compile."""

from __future__ import annotations

import argparse

from theorymodel.errors import UsageError
from theorymodel.progress import ProgressBar
from theorymodel.reporting import Report


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
                          progress=bar.update)
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
