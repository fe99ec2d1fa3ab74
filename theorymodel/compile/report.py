"""What ``theorymodel compile`` reports and writes: stats, exact margins, cot.jsonl."""

from __future__ import annotations

import json
from itertools import islice, product
from typing import Any

import numpy as np

from theorymodel.compile.pipeline import CompileResult
from theorymodel.errors import ResourceLimitError, input_space
from theorymodel.machines import TuringMachine
from theorymodel.predictor.linear import LinearPredictor, tolerance

EXHAUSTIVE_WORK = 400_000_000  # inputs x non-zeros for an exhaustive margin
SAMPLE_INPUTS = 2048
MAX_JSONL_BYTES = 2 * 1024**3


def input_words(program, *, limit: int | None, seed: int = 0) -> tuple[list[tuple[str, ...]], bool]:
    """All inputs of length n (lexicographic) when there are at most ``limit``, else a
    seeded uniform sample of ``limit``. Returns (words, exhaustive)."""
    alphabet, n = program.input_alphabet, program.n_inputs
    total = input_space(len(alphabet), n)
    if limit is None or total <= limit:
        return list(product(alphabet, repeat=n)), True
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(alphabet), size=(limit, n))
    return [tuple(alphabet[i] for i in row) for row in idx], False


def batched(items, size):
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def exact_margins(program, predictor: LinearPredictor, *, seed: int = 0) -> dict[str, Any]:
    """Minimum margin per position over every input (or a sample when too many), the
    roll-out checked against the program on the way."""
    affordable = max(SAMPLE_INPUTS, EXHAUSTIVE_WORK // max(predictor.nnz, 1))
    words, exhaustive = input_words(program, limit=affordable, seed=seed)
    if not exhaustive:
        words = words[:SAMPLE_INPUTS]
    per_position = None
    mismatches = 0
    weakest: dict[str, Any] | None = None  # the first input and position without a positive margin
    for chunk in batched(words, 4096):
        x = program.encode_inputs(chunk)
        ref = program.evaluate(x)
        r = predictor.rollout(x, reference=ref, margins=True)
        mismatches += int((r.first_error >= 0).sum())
        if weakest is None and len(chunk) and (r.margins.min() <= 0 or (r.first_error >= 0).any()):
            b = int(np.argmax((r.margins <= 0).any(axis=1) | (r.first_error >= 0)))
            k = int(np.argmax((r.margins[b] <= 0) | (r.sequences[b, program.n_inputs:] != ref[b, program.n_inputs:])))
            scores = predictor.scores(r.sequences[b], k)
            top = [predictor.vocab[int(t)] for t in np.argsort(-scores, kind="stable")[:2]]
            weakest = {"input": "".join(chunk[b]) if all(len(c) == 1 for c in chunk[b]) else " ".join(chunk[b]),
                       "position": program.n_inputs + k, "expected": program.vocab[int(ref[b, program.n_inputs + k])],
                       "tied_tokens": top, "margin": int(r.margins[b, k])}
        if not len(chunk):
            continue
        low = r.margins.min(axis=0)
        per_position = low if per_position is None else np.minimum(per_position, low)
    if per_position is None or per_position.size == 0:
        return {"min_margin": None, "tolerance": None, "margin_guarantee": "exhaustive",
                "rollout_mismatches": mismatches, "inputs_checked": len(words), "weakest": None}
    tol = tolerance(per_position, predictor.fan_in())
    return {
        "min_margin": int(per_position.min()),
        "tolerance": str(tol),
        "margin_guarantee": "exhaustive" if exhaustive else "sampled",
        "rollout_mismatches": mismatches,
        "inputs_checked": len(words),
        "weakest": weakest,
    }


def cot_jsonl_bytes(program, *, limit: int, seed: int = 0) -> tuple[bytes, int, bool]:
    """The ``cot.jsonl`` text: (bytes, lines, every input listed)."""
    words, exhaustive = input_words(program, limit=limit, seed=seed)
    estimate = len(words) * (program.context_length * 6 + 64)
    if estimate > MAX_JSONL_BYTES:
        raise ResourceLimitError(
            f"cot.jsonl would take about {estimate} bytes (cap {MAX_JSONL_BYTES})",
            limit="size-cap", details={"bytes": estimate, "cap": MAX_JSONL_BYTES},
        )
    lines = []
    for chunk in batched(words, 4096):
        lines += [json.dumps(rec) for rec in program.records(chunk)]
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), len(words), exhaustive


def stats(result: CompileResult, predictor: LinearPredictor, margins: dict[str, Any]) -> dict[str, Any]:
    program = result.program
    target = result.target
    payload: dict[str, Any] = {
        "machine": target.name,
        "n": program.n_inputs,
        "route": result.route,
        "time_bound": result.geometry.T if result.geometry else None,
        "vocab": list(program.vocab),
        "vocab_size": len(program.vocab),
        "input_tokens": program.n_inputs,
        "cot_tokens": program.cot_tokens,
        "context_length": program.context_length,
        "weights_nnz": predictor.nnz,
        "min_margin": margins["min_margin"],
        "seconds": round(result.seconds, 6),
        # extensions (README): exactness and size facts
        "output": program.meta.get("output", "bits"),
        "tolerance": margins["tolerance"],
        "margin_guarantee": margins["margin_guarantee"],
        "dense_size": predictor.dense_size,
    }
    if result.geometry is not None:
        g = result.geometry
        payload["reach"] = {"left": g.L, "right": g.R, "measured": result.enumerated}
        payload["formula"] = str(result.formula)
        if "shared_table_nnz" in program.meta:  # a uniform program: one table, whatever n is
            payload["width"] = program.meta["width"]
            payload["offset"] = program.meta["offset"]
            payload["shared_table_nnz"] = program.meta["shared_table_nnz"]
            payload["position_dependent_cot_tokens"] = position_dependent_tokens(result)
    return payload


def position_dependent_tokens(result: CompileResult) -> dict[str, int]:
    """The CoT tokens of the routes with one weight block per position, at the same n
    and T: what the shared table is set against."""
    from theorymodel.compile.geometry import evaluate_formula
    from theorymodel.compile.routes import ROUTES

    g = result.machine_geometry
    tm = result.target
    assert isinstance(tm, TuringMachine)  # a geometry means a machine
    output = str(result.program.meta["output"])
    return {name: evaluate_formula(route.formula(output), g, len(tm.states), len(tm.tape_symbols))
            for name, route in ROUTES.items() if not route.window_holds_input}
