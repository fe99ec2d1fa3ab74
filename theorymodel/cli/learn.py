"""Learning from CoT samples: learn."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from theorymodel.cli.common import _plural
from theorymodel.cli.verify import _uniform_outcome
from theorymodel.errors import UsageError
from theorymodel.progress import ProgressBar
from theorymodel.reporting import Report


# -- learn ------------------------------------------------------------------------------
def _learn_uniform(args: argparse.Namespace) -> Report:
    from theorymodel.learn.uniform import learn_uniform_report
    from theorymodel.machines import load_machine

    if args.train_n is None:
        raise UsageError("--uniform learns from runs of several lengths: give --train-n A..B")
    tm = load_machine(args.target)
    if args.export_linearlm:
        raise UsageError("learn --uniform writes its tile file with --out DIR (DIR/uniform.npz)")
    with ProgressBar(f"learning {tm.name}'s uniform table ({args.learner}) and proving it", None,
                     enabled=not args.json):
        payload = learn_uniform_report(tm, lengths=args.train_n, samples=args.samples, learner=args.learner,
                                       seed=args.seed, method=args.method or "auto", max_n=args.max_n, out=args.out)
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
                       progress=bar.advance)
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
            f"({_plural(source.cot_tokens, 'generated token')}), learner {args.learner}, {args.samples} i.i.d. samples "
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
