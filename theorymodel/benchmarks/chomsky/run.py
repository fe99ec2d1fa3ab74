"""``theorymodel benchmark chomsky``: each task's machine, its tied table learned from the
CoTs of short words, the table proved for every length, and both the learned and the
constructed table scored by the benchmark's own protocol (docs/chomsky.md).

The protocol (the benchmark's ``experiments/range_evaluation.py`` and ``example.py``):
inputs drawn by the task's sampler at each test length; per-token accuracy of the output,
pooled over a length's samples, after the task's accuracy mask (positions past the
termination token dropped); the score is the mean over test lengths. Here the "network"
is the table rolled out row by row (:func:`theorymodel.program.uniform.final_rows`) from
the input, in the window the machine's run needs (the claim's space bound), for the
run's T steps; its answer is the last row's tape, blanks stripped.

What differs from the paper's networks: the CoT is the machine's whole configuration at
every step (the point of arXiv 2309.06979), where the benchmark's networks see
input/output pairs only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from theorymodel.benchmarks import CHOMSKY_EVAL_LENGTHS as DEFAULT_EVAL_LENGTHS
from theorymodel.benchmarks import CHOMSKY_EVAL_SAMPLES as DEFAULT_EVAL_SAMPLES
from theorymodel.benchmarks import CHOMSKY_TOKEN_BUDGET as DEFAULT_TOKEN_BUDGET
from theorymodel.benchmarks.chomsky import TASKS, ChomskyTask, answer_ids, id_text, token_accuracy
from theorymodel.errors import ResourceLimitError, UsageError

MAX_STEPS = 50_000_000  # a run of the machine on a test input (the task's machines are polynomial)


@dataclass(frozen=True, kw_only=True)
class BenchmarkOptions:
    tasks: tuple[str, ...] = tuple(TASKS)
    train_n: tuple[int, int] | None = None  #: None: each task's own (its smallest proved L)
    train_samples: int | None = None  #: None: each task's own (every word where that is few)
    learner: str = "sgd"
    eval_lengths: tuple[int, ...] = DEFAULT_EVAL_LENGTHS
    eval_samples: int = DEFAULT_EVAL_SAMPLES
    token_budget: int = DEFAULT_TOKEN_BUDGET
    method: str = "auto"
    seed: int = 0
    timeout: float | None = None  #: per proof


def parse_tasks(text: str | None) -> tuple[str, ...]:
    """``--tasks a,b,c`` (task module names, with or without ``chomsky_``), in the paper's order."""
    if not text:
        return tuple(TASKS)
    names = [t.strip().removeprefix("chomsky_") for t in text.split(",") if t.strip()]
    unknown = [t for t in names if t not in TASKS]
    if unknown or not names:
        raise UsageError(f"unknown task {unknown[0] if unknown else text!r}; tasks are {', '.join(TASKS)}")
    return tuple(name for name in TASKS if name in names)  # the paper's order


def score_rule(task: ChomskyTask, tm: Any, rule: Any, lengths: Sequence[int], samples: int, *, seed: int,
               budget: int) -> list[dict[str, Any]]:
    """The benchmark's score of ``rule`` at each test length (pooled masked per-token
    accuracy of the decoded answers), the inputs drawn by the task's sampler with a seeded
    generator. A length whose roll-out would pass ``budget`` generated tokens (counted
    from the machine's runs before any is rolled out) is reported with ``"score": None``."""
    from theorymodel.machines import simulate
    from theorymodel.program.uniform import UniformLayout, decode_row, final_rows

    rows: list[dict[str, Any]] = []
    spent = 0
    for n in lengths:
        rng = np.random.default_rng([seed, n])
        inputs, targets = task.sample(rng, samples, n)
        words = [tuple(id_text(x)) for x in inputs]
        runs = [simulate(tm, w, max_steps=MAX_STEPS) for w in words]
        if not all(r.halted for r in runs):
            raise ResourceLimitError(f"{tm.name} did not halt within {MAX_STEPS:,} steps on a test input of length "
                                     f"{n}", limit="max-steps")
        left = max(-min(r.leftmost_head, 0) for r in runs)
        width = left + max(max(r.rightmost_head, len(w) - 1, 0) for r, w in zip(runs, words, strict=True)) + 1
        steps = [r.steps for r in runs]
        tokens = sum(steps) * (width + 1)
        if spent + tokens > budget:
            rows.append({"length": n, "score": None, "samples": len(words), "tokens": tokens,
                         "reason": f"not rolled out: {tokens:,} tokens would pass the budget of {budget:,}"})
            continue
        spent += tokens
        start = time.perf_counter()
        last, tied = final_rows(rule, UniformLayout(width, left), words, steps)
        right = scored = exact = halted = 0
        for row, tie, target in zip(last, tied.tolist(), targets, strict=True):
            state, _, cells = decode_row(rule, row)
            answer = [] if tie else answer_ids("".join(cells).strip(tm.blank_symbol))
            r, s = token_accuracy(task, answer, target)
            right, scored = right + r, scored + s
            exact += r == s
            halted += state in tm.final_states and not tie
        rows.append({"length": n, "score": round(100.0 * right / scored, 3) if scored else 100.0,
                     "samples": len(words), "exact_match": exact / len(words), "halted": halted / len(words),
                     "tokens": tokens, "width": width, "max_steps": max(steps),
                     "seconds": round(time.perf_counter() - start, 3)})
    return rows


def mean_score(rows: list[dict[str, Any]]) -> float | None:
    scores = [r["score"] for r in rows if r["score"] is not None]
    return round(float(np.mean(scores)), 3) if scores else None


def run_task(task: ChomskyTask, options: BenchmarkOptions, out: Path | None) -> dict[str, Any]:
    """One task: learn, prove (or refute), score the learned and the constructed table."""
    from proofs_check.uniform.proof import uniform_claim
    from theorymodel.compile.uniform import compile_uniform
    from theorymodel.io import atomic_write
    from theorymodel.learn.uniform import learn_uniform
    from theorymodel.machines.library import load

    tm = load(task.machine)
    lo, hi = options.train_n or (0, task.train_max_length)
    samples = options.train_samples if options.train_n is not None else task.train_samples
    if options.train_samples is not None:
        samples = options.train_samples
    start = time.perf_counter()
    learned = learn_uniform(tm, lengths=(lo, hi), samples=samples, learner=options.learner, seed=options.seed)
    learn_seconds = time.perf_counter() - start
    start = time.perf_counter()
    claim = uniform_claim(tm, learned.rule, method=options.method, timeout=options.timeout, max_n=hi + 4)
    prove_seconds = time.perf_counter() - start
    written = None
    if out is not None:
        written = str(atomic_write(out / f"{task.name}.npz", learned.file))
    scores = score_rule(task, tm, learned.rule, options.eval_lengths, options.eval_samples, seed=options.seed,
                        budget=options.token_budget)
    control = score_rule(task, tm, compile_uniform(tm), options.eval_lengths, options.eval_samples,
                         seed=options.seed, budget=options.token_budget)
    return {
        "task": task.name, "level": task.level, "machine": tm.name,
        "states": len(tm.states), "tape_symbols": len(tm.tape_symbols), "vocab_size": learned.rule.V,
        "train_n": [lo, hi], "train_samples": samples, "training_inputs": learned.words,
        "triples_seen": learned.triples_seen, "learn_seconds": round(learn_seconds, 3),
        "proved": bool(claim["verified"]), "guarantee": claim["guarantee"], "triples": claim["triples"],
        "failed_triples": claim["failed_triples"], "counterexample": claim["counterexample"],
        "search": claim.get("search"), "prove_seconds": round(prove_seconds, 3),
        "score": mean_score(scores), "scores": scores,
        "constructed_score": mean_score(control), "constructed_scores": control,
        "file": written,
    }


def run_benchmark(options: BenchmarkOptions, out: str | Path | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every task of ``options``; with ``out``, writes ``results.json``, ``results.md``,
    ``scores.svg`` and one tile file per task there."""
    from theorymodel.benchmarks.chomsky.cited import ARCHITECTURES, CITED, SOURCE

    folder = Path(out) if out is not None else None
    results = []
    for i, name in enumerate(options.tasks, 1):
        if progress:
            progress(f"[{i}/{len(options.tasks)}] {name}: learning, proving, scoring")
        start = time.perf_counter()
        row = run_task(TASKS[name], options, folder)
        row["seconds"] = round(time.perf_counter() - start, 3)
        row["cited"] = CITED.get(name, {})
        results.append(row)
        if progress:
            progress(f"[{i}/{len(options.tasks)}] {name}: {'proved' if row['proved'] else 'NOT proved'}, "
                     f"score {row['score']}, {row['seconds']:.0f} s")
    report = {
        "benchmark": "Neural Networks and the Chomsky Hierarchy (Deletang et al., ICLR 2023, arXiv 2207.02098)",
        "protocol": {"eval_lengths": list(options.eval_lengths), "eval_samples": options.eval_samples,
                     "score": "per-token accuracy of the decoded answer after the task's accuracy mask, pooled over "
                              "a length's samples, averaged over the test lengths rolled out (in %)",
                     "token_budget": options.token_budget},
        "learner": options.learner, "seed": options.seed,
        "tasks": results,
        "proved": sum(r["proved"] for r in results), "total": len(results),
        "cited": {"architectures": list(ARCHITECTURES), "source": SOURCE},
    }
    if folder is not None:
        write_outputs(report, folder)
    return report


def markdown_table(report: dict[str, Any]) -> str:
    """The results beside the paper's numbers (marked as cited)."""
    archs = report["cited"]["architectures"]
    head = ("| task | level | L (words) | proved | learned score | constructed | "
            + " | ".join(f"{a} (cited)" for a in archs) + " |")
    lines = [head, "|" + "---|" * (6 + len(archs))]
    for r in report["tasks"]:
        words = f"{r['train_n'][1]} ({r['training_inputs']:,}" + (" sampled)" if r["train_samples"] else ")")
        proof = r["guarantee"] if r["proved"] else ("refuted: " + repr(r["counterexample"]["input"])
                                                    if r["counterexample"] else "not proved")
        cited = [f"{r['cited'][a]:.1f}" if a in r["cited"] else "-" for a in archs]
        lines.append(f"| {r['task']} | {r['level']} | {words} | {proof} | {_pct(r['score'])} | "
                     f"{_pct(r['constructed_score'])} | " + " | ".join(cited) + " |")
    return "\n".join(lines) + "\n"


def _pct(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


def write_outputs(report: dict[str, Any], folder: Path) -> list[str]:
    import json

    from theorymodel.io import atomic_write
    from theorymodel.plotting import have_matplotlib, plot_rows

    written = [str(atomic_write(folder / "results.json", json.dumps(report, indent=2, default=str) + "\n")),
               str(atomic_write(folder / "results.md", markdown_table(report)))]
    if have_matplotlib():
        rows = [{"length": s["length"], "score": s["score"], "task": r["task"]}
                for r in report["tasks"] for s in r["scores"] if s["score"] is not None]
        if rows:
            written.append(str(plot_rows(rows, "length", "score", ["task"], folder / "scores.svg",
                                         title="learned tables: score by test length")))
    report["written"] = written
    return written
