"""The paper's experiments, doctor and demo."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

from theorymodel.cli.common import _table
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.progress import ProgressBar
from theorymodel.reporting import Report


def cmd_experiment_samples(args: argparse.Namespace) -> Report:
    from theorymodel.learn import resolve_source
    from theorymodel.learn.experiments import sample_curves
    from theorymodel.plotting import plot_panels

    plot, note = _plot(args)
    sources = [resolve_source(t, args.n, args.route, None) for t in args.targets]
    total = len(sources) * 2 * len(args.samples)
    with ProgressBar("sample curves", total) as bar:
        rows = sample_curves(sources, args.samples, learner=args.learner, seed=args.seed,
                             progress=bar.advance)
    if plot:
        # the test error beside the balanced error: a low test error without CoT can be the majority guess
        plot_panels(rows, "samples", [("test_error", "test error: held-out inputs answered wrong"),
                                      ("balanced_error", "balanced error: mean of the per-answer error rates")],
                    ["target", "cot"], plot, logx=True,
                    title=f"error against samples (learner {args.learner}, n = {args.n})")
    text = _table(rows, ["target", "n", "cot", "cot_tokens", "samples", "train_error", "test_error",
                         "majority_error", "balanced_error", "seconds"])
    text += ("\nmajority_error: always answering the most common training answer; balanced_error: the mean error "
             "over the answers\n(a majority guess scores 0.5). Where one answer dominates, a low test_error without "
             "CoT is the\nmajority baseline, not learning: compare balanced_error.")
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
                     progress=bar.advance)
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
                             device=args.device, workdir=workdir, max_n=args.max_n,
                             eval_bits=tuple(args.eval_bits))
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
    text += "".join(
        f"\n{r['machine']}: decoded answer right on random operand pairs: "
        + ", ".join(f"{b} bits {v:.2f}" for b, v in r["operands"]["tied"].items())
        + f" (tied); {_untied_answers(r['operands'])} (untied)" for r in rows if "operands" in r)
    if plot:
        points = [{"n": int(n), "exact_match": v, "series": _series(r, model, "n")}
                  for r in rows if "operands" not in r for model in ("tied", "untied")
                  for n, v in r[model]["exact_match"].items() if v is not None]
        points += [{"n": int(b), "exact_match": v, "series": _series(r, model, "operand bits")}
                   for r in rows if "operands" in r for model in ("tied", "untied")
                   for b, v in r["operands"][model].items() if v is not None]
        plot_rows(points, "n", "exact_match", ["series"], plot, logx=True,
                  title="exact match against input length n (operand bits for arithmetic)")
    report = _experiment_report("lengthgen", rows, text + "".join(f"\nwrote {w}" for w in written), plot, note)
    report.payload["written"] = [*report.payload["written"], *written]
    return report


def _series(row: dict[str, Any], model: str, x: str) -> str:
    proved = " (proved)" if model == "tied" and row["tied"]["proved"] else ""
    return f"{row['machine']} {model}{proved}, x = {x}"


def _untied_answers(operands: dict[str, Any]) -> str:
    known = {b: v for b, v in operands["untied"].items() if v is not None}
    ran = ", ".join(f"{b} bits {v:.2f}" for b, v in known.items())
    return (ran + "; " if ran else "") + "cannot run on longer operands (no weights beyond its context)"


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
