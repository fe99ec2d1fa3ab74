"""Length generalisation, trained by SGD and proved (``theorymodel experiment lengthgen``).

Two linear next-token predictors are trained on the uniform layout's CoTs (docs/uniform.md)
of inputs of length <= ``train_n``:

- **tied**: the paper's one-layer linear model with its masked ``(C d) x (C d)`` layer replaced
  by one shared block at the fixed relative offsets W+1, W, W-1 (a causal convolution):
  ``logits(t) = out(K_0 e(x[t-W-1]) + K_1 e(x[t-W]) + K_2 e(x[t-W+1]) + b)``, with identity
  embeddings and outputs factored into a symbol's and a state's score
  (:func:`theorymodel.learn.uniform.sgd_tied`, the learner of ``learn --learner sgd``). Its
  weights do not depend on the position, the input length or the width W, so it runs at
  any length.
- **untied**: the paper's ``LinearModel`` (:class:`~theorymodel.experiments.models.LinearLM`),
  one block per position, trained on one fixed window that holds every training run. It has
  no weights beyond its training context: at longer inputs it cannot run at all.

Each input is laid out in its own tight window (the claim holds for every width), so the
runs touch both walls. The tied model is saved as a uniform LinearModel file and then
**proved** exactly: the float32 weights are read as the rationals they are
(:mod:`theorymodel.predictor.uniform_file`), the shared table is extracted and the finite
lemma of :mod:`proofs_check.uniform.proof` decides it for every length; a failed lemma is
searched for a real counterexample input. Exact match at every n is measured with the same
exact arithmetic. Whether rounding the table to integers (after scaling) keeps the proof is
reported too.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Sequence
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from proofs_check.uniform.invariance import NotUniform
from theorymodel.compile.uniform import compile_uniform
from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.machines import TuringMachine, library, reference_run
from theorymodel.program.uniform import UniformLayout, UniformRule, rollout

EVAL_INPUTS = 64  # inputs per length for exact match (all of them when there are fewer)
# caps, each checked before any model is trained (exit 3)
MAX_LENGTH = 256  # input length of --train-n, --eval-n and --max-n (each run is simulated, then rolled out)
MAX_TRAIN_INPUTS = 1 << 16  # every input of length 0..--train-n is trained on
MAX_EVAL_CELLS = 1 << 25  # cells of one machine's exact-match roll-outs (inputs x rows x (W + 1))
MAX_UNTIED_BYTES = 4 << 30  # float32 bytes of the untied model: its (C d)^2 layer (x 6: mask, gradient, Adam)


# -- data -------------------------------------------------------------------------------------
def tight_layout(tm: TuringMachine, word: tuple[str, ...]) -> tuple[UniformLayout, int]:
    """The input's own window (its run's reach) and its number of steps."""
    run = reference_run(tm, word)
    if not run.halted:
        raise UsageError(f"{tm.name} does not halt on {''.join(word)!r}")
    return UniformLayout.holding(len(word), run.leftmost_head, run.rightmost_head), run.steps


def sequences(rule: UniformRule, layout: UniformLayout, words: list[tuple[str, ...]], steps: int) -> np.ndarray:
    """Flat token sequences ``#, row 0, #, row 1, ...`` (batch, (steps+1)(W+1)+1), from the
    machine's rule (a halted configuration repeats)."""
    rows = rollout(rule, layout, words, steps).rows
    flat = rows.reshape(len(words), -1)
    return np.concatenate([np.full((len(words), 1), rule.separator), flat], axis=1)


def grouped(tm: TuringMachine, words: list[tuple[str, ...]]) -> dict[UniformLayout, tuple[list, int]]:
    """Inputs grouped by their tight window, with the group's step count (one row more than
    the longest run, so every halted configuration is shown repeating)."""
    groups: dict[UniformLayout, tuple[list, int]] = {}
    for w in words:
        layout, steps = tight_layout(tm, w)
        ws, most = groups.get(layout, ([], 0))
        groups[layout] = ([*ws, w], max(most, steps + 1))
    return groups


def eval_words(tm: TuringMachine, n: int, seed: int) -> list[tuple[str, ...]]:
    alphabet = tm.input_symbols
    if len(alphabet) ** n <= EVAL_INPUTS:
        return eval_words_all(tm, n)
    rng = np.random.default_rng(seed + n)
    return [tuple(rng.choice(alphabet, size=n).tolist()) for _ in range(EVAL_INPUTS)]


# -- the tied model: theorymodel.learn.uniform.sgd_tied ------------------------------------------
def exact_rule(tm: TuringMachine, path: Path) -> UniformRule:
    """The trained file's shared table, read exactly, in the machine's dictionary."""
    from proofs_check.uniform.invariance import read_shared_table, rule_for_machine

    table = read_shared_table(path)
    assert not isinstance(table, NotUniform)  # a tile file is one table by construction
    return rule_for_machine(tm, table)


def exact_match(rule: UniformRule, reference: UniformRule, groups: dict[UniformLayout, tuple[list, int]]) -> float:
    """Fraction of inputs (:func:`grouped` by their tight window) whose whole roll-out (every
    row, strict argmax everywhere) is the machine's run, in exact arithmetic."""
    right = 0
    for layout, (ws, steps) in groups.items():
        got = rollout(rule, layout, ws, steps)
        want = rollout(reference, layout, ws, steps).rows
        ok = (got.rows == want).all(axis=(1, 2)) & ~got.ties.any(axis=(1, 2))
        right += int(ok.sum())
    return right / sum(len(ws) for ws, _ in groups.values())


def rounded_rule(rule: UniformRule, scale_to: int = 1000) -> UniformRule:
    """The table scaled so its largest entry is ``scale_to``, rounded to integers."""
    arrays = [np.asarray(a, dtype=object) for a in (rule.left, rule.middle, rule.right, rule.bias)]
    top = max(abs(int(v)) for a in arrays for v in a.ravel().tolist()) or 1
    ints = [np.array([round(int(v) * scale_to / top) for v in a.ravel().tolist()], dtype=np.int64).reshape(a.shape)
            for a in arrays]
    return UniformRule(rule.vocab, rule.symbols, rule.states, rule.blank, rule.initial, rule.symbol_token,
                       dict(rule.head_token), ints[0], ints[1], ints[2], ints[3])


def train_tied(tm: TuringMachine, train_n: int, *, steps: int, lr: float, seed: int, workdir: Path,
               check_every: int = 50) -> dict[str, Any]:
    """Train the tied model (:func:`theorymodel.learn.uniform.sgd_tied`, the learner of
    ``learn --learner sgd``) on every generated position of the CoTs of inputs of length
    <= ``train_n`` (each run in the windows of
    :func:`theorymodel.learn.uniform.observed_triples`: tight, cut after each step, and two
    cells wider). Every ``check_every`` steps the float32 weights are read back exactly and
    the uniform lemma decided on them; training stops when it holds. The tile file is
    written to ``workdir``."""
    from theorymodel.learn.uniform import observed_triples, sgd_tied

    reference = compile_uniform(tm)
    V = reference.V
    words = [w for n in range(train_n + 1) for w in eval_words_all(tm, n)]
    data = observed_triples(tm, words, dict(reference.token_id))
    file, training = sgd_tied(tm, data, reference.vocab, seed, steps=steps, lr=lr, check_every=check_every)
    path = workdir / f"{tm.name}-tied.npz"
    path.write_bytes(file)
    return {"path": path, "steps": training["steps"], "proved_at_step": training["proved_at_step"],
            "loss": training["loss"], "train_seconds": training["train_seconds"], "training_inputs": len(words),
            "training_positions": data.positions, "parameters": 3 * V * V + V}


def eval_words_all(tm: TuringMachine, n: int) -> list[tuple[str, ...]]:
    return list(product(tm.input_symbols, repeat=n))


# -- the untied baseline ----------------------------------------------------------------------
def untied_window(tm: TuringMachine, words: list[tuple[str, ...]]) -> tuple[UniformLayout, int]:
    """The one window that holds every training run, and the rows drawn in it (the context
    is ``(rows + 1) (W + 1) + 1`` tokens)."""
    lays = [tight_layout(tm, w) for w in words]
    left = max(lay.offset for lay, _ in lays)
    right = max(lay.width - lay.offset for lay, _ in lays)
    return UniformLayout(left + right, left), max(s for _, s in lays) + 1


def train_untied(tm: TuringMachine, train_n: int, *, steps: int, lr: float, d: int, seed: int,
                 device: str, pairs: Sequence[tuple[int, int]] = ()) -> dict[str, Any]:
    """The paper's LinearModel on one window that holds every training run; exact match at
    ``train_n`` by greedy decoding inside its context (float32, its own arithmetic), and
    for an arithmetic machine the decoded answer on the operand ``pairs`` (words it was
    trained on: it cannot read longer ones)."""
    from theorymodel.experiments.models import LinearLM

    reference = compile_uniform(tm)
    V = reference.V
    words = [w for n in range(train_n + 1) for w in eval_words_all(tm, n)]
    layout, rows = untied_window(tm, words)
    data = torch.as_tensor(sequences(reference, layout, words, rows), device=device)
    C = data.shape[1]
    torch.manual_seed(seed)
    model = LinearLM(V, C, d).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    prompt = layout.width + 2
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        logits = model(data[:, :-1])[:, prompt - 1:]
        loss = nn.functional.cross_entropy(logits.reshape(-1, V), data[:, prompt:].reshape(-1))
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    from theorymodel.experiments.arithmetic import OPERATIONS, answer_is_right, operand_word

    idx = [words.index(w) for w in words if len(w) == train_n]
    asked = [words.index(operand_word(tm, a, b)) for a, b in pairs]
    with torch.no_grad():  # one greedy decoding for the test words and the operand pairs
        out = model.greedy(data[idx + asked, :prompt], C)
    match = float((out[:len(idx)] == data[idx]).all(dim=1).float().mean())
    answers = None
    if pairs:
        _, op = OPERATIONS[tm.name]
        finals = out[len(idx):, -(layout.width + 1):].cpu().numpy()
        answers = sum(answer_is_right(tm, reference, row, op(a, b)) for row, (a, b) in
                      zip(finals, pairs, strict=True)) / len(pairs)
    # is it one shared table? the file in the paper's layout, checked like any other
    from proofs_check.uniform.invariance import NotUniform, read_shared_table
    from theorymodel.predictor.export import _npz_bytes

    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    with tempfile.TemporaryDirectory() as tmp:  # large: (C d)^2 floats; checked, then dropped
        path = Path(tmp) / f"{tm.name}-untied.npz"
        path.write_bytes(_npz_bytes({**state, "vocab": np.array(list(reference.vocab)),
                                     "context_length": np.array(C), "input_tokens": np.array(prompt)}))
        shared = read_shared_table(path)
    return {"exact_match": match, "answer_match": answers, "context_length": int(C), "width": layout.width,
            "train_seconds": seconds,
            "parameters": model.parameter_counts()["effective"], "loss": float(loss.detach()),
            "uniform": not isinstance(shared, NotUniform),
            "first_difference": shared.to_json() if isinstance(shared, NotUniform) else None}


# -- the experiment -------------------------------------------------------------------------
def _too_large(what: str, value: int, cap: int, unit: str = "") -> ResourceLimitError:
    return ResourceLimitError(f"{what}: {value:,}{unit}, more than the cap of {cap:,}{unit}", limit="size-cap",
                              details={"value": value, "cap": cap})


def check_limits(machines: list[str], *, train_n: int, eval_n: tuple[int, ...], lr: float, untied_d: int,
                 seed: int, max_n: int, eval_bits: tuple[int, ...] = ()
                 ) -> dict[str, dict[int, dict[UniformLayout, tuple[list, int]]]]:
    """Every flag and cap checked before any training: the learning rate (exit 2), then the
    lengths, the training inputs, the untied model's bytes and the exact-match roll-outs'
    cells (exit 3), from the machines' runs alone. Returns each machine's evaluation inputs
    grouped by window (:func:`grouped`), for :func:`exact_match`."""
    from theorymodel.learn.uniform import check_runs

    if not (math.isfinite(lr) and lr > 0):
        raise UsageError(f"--lr must be a positive number, got {lr}")
    from theorymodel.experiments.arithmetic import MAX_BITS, OPERATIONS, estimate_answer_cost

    for flag, n in (("--eval-n", max(eval_n, default=0)), ("--max-n", max_n), ("--train-n", train_n)):
        if n > MAX_LENGTH:
            raise _too_large(f"{flag} {n}", n, MAX_LENGTH, " symbols")
    if any(b < 1 for b in eval_bits):
        raise UsageError("--eval-bits takes operand sizes of at least 1 bit")
    if max(eval_bits, default=0) > MAX_BITS:
        raise _too_large(f"--eval-bits {max(eval_bits)}", max(eval_bits), MAX_BITS, " bits")
    for name in machines:
        for b in eval_bits if name in OPERATIONS else ():
            estimate_answer_cost(library.load(name), b)
    evals = {}
    for name in machines:
        tm = library.load(name)
        k = len(tm.input_symbols)
        inputs = sum(k**n for n in range(train_n + 1))
        if inputs > MAX_TRAIN_INPUTS:
            raise _too_large(f"{name}: training inputs of length 0..{train_n}", inputs, MAX_TRAIN_INPUTS)
        words = [w for n in range(train_n + 1) for w in eval_words_all(tm, n)]
        check_runs(tm, words)
        layout, rows = untied_window(tm, words)
        C = (rows + 1) * (layout.width + 1) + 1
        V = compile_uniform(tm).V
        untied = 4 * (6 * (C * untied_d) ** 2 + 3 * len(words) * C * (untied_d + V))
        if untied > MAX_UNTIED_BYTES:
            raise _too_large(f"{name}: the untied model (context {C}, d = {untied_d})", untied, MAX_UNTIED_BYTES,
                             " bytes")
        evals[name] = {n: grouped(tm, eval_words(tm, n, seed)) for n in eval_n}
        cells = sum(len(ws) * (steps + 1) * (lay.width + 1) for groups in evals[name].values()
                    for lay, (ws, steps) in groups.items())
        if cells > MAX_EVAL_CELLS:
            raise _too_large(f"{name}: the exact-match roll-outs at n = {', '.join(map(str, eval_n))}", cells,
                             MAX_EVAL_CELLS, " cells")
    return evals


def lengthgen(machines: list[str], *, train_n: int = 6, eval_n: tuple[int, ...] = (6, 12, 24, 48),
              steps: int = 3000, untied_steps: int = 300, lr: float = 0.05, untied_d: int = 16, seed: int = 0,
              device: str = "cpu", workdir: str | Path = ".", max_n: int = 12,
              eval_bits: tuple[int, ...] = (8, 16, 32, 64)) -> list[dict[str, Any]]:
    """One row per machine: the tied model's training and proof, exact match at each n for
    both models (the untied one within its training context only). For an arithmetic
    machine (:data:`theorymodel.experiments.arithmetic.OPERATIONS`) also the decoded answer
    on random operand pairs of each size in ``eval_bits`` and of the largest size the
    training inputs hold (:func:`theorymodel.experiments.arithmetic.answer_match`)."""
    from proofs_check.uniform.proof import lemma_exhaustive, search_counterexample, verify_uniform
    from theorymodel.experiments.arithmetic import OPERATIONS, answer_match, operand_pairs

    evals = check_limits(machines, train_n=train_n, eval_n=eval_n, lr=lr, untied_d=untied_d, seed=seed,
                         max_n=max_n, eval_bits=eval_bits)
    rows = []
    for name in machines:
        tm = library.load(name)
        reference = compile_uniform(tm)
        tied = train_tied(tm, train_n, steps=steps, lr=lr, seed=seed, workdir=Path(workdir))
        start = time.perf_counter()
        rule = exact_rule(tm, tied["path"])
        verdict = verify_uniform(tm, rule, method="auto")  # the enumeration decides, z3 proves what holds
        proof_seconds = time.perf_counter() - start
        cex = None if verdict.verified else search_counterexample(tm, rule, max_n=max_n)
        rounded = lemma_exhaustive(tm, rounded_rule(rule)).verified
        trained_bits = (train_n - 1) // 2  # the largest operands of the training words x+y
        pairs = operand_pairs(trained_bits, seed=seed) if name in OPERATIONS and trained_bits >= 1 else []
        untied = train_untied(tm, train_n, steps=untied_steps, lr=1e-2, d=untied_d, seed=seed, device=device,
                              pairs=pairs)
        row: dict[str, Any] = {
            "machine": name, "train_n": [0, train_n], "training_inputs": tied["training_inputs"],
            "tied": {"exact_match": {str(n): exact_match(rule, reference, evals[name][n]) for n in eval_n},
                     "parameters": tied["parameters"], "steps": tied["steps"], "loss": round(tied["loss"], 6),
                     "train_seconds": round(tied["train_seconds"], 3), "proof": verdict.guarantee
                     if verdict.verified else "not proved", "proved": verdict.verified,
                     "proved_at_step": tied["proved_at_step"], "proof_seconds": round(proof_seconds, 3),
                     "failed_triples": len(verdict.failed), "arithmetic": "exact-rational",
                     "counterexample": None if cex is None else cex.to_json(),
                     "rounded_to_integers_proved": rounded},
            "untied": {"exact_match": {str(n): (untied["exact_match"] if n == train_n else None) for n in eval_n},
                       "context_length": untied["context_length"], "parameters": untied["parameters"],
                       "train_seconds": round(untied["train_seconds"], 3), "uniform": untied["uniform"],
                       "first_difference": untied["first_difference"],
                       "note": f"no weights beyond its training context of {untied['context_length']} tokens: "
                               f"it cannot run on inputs longer than {train_n}"},
        }
        if name in OPERATIONS:
            sizes = sorted({*([trained_bits] if pairs else []), *eval_bits})
            answers = [answer_match(tm, rule, b, seed=seed) for b in sizes]
            row["operands"] = {
                "trained_bits": trained_bits, "pairs": len(pairs) if pairs else 0,
                "tied": {str(a["bits"]): a["exact_match"] for a in answers},
                "untied": {str(b): (untied["answer_match"] if pairs and b == trained_bits else None) for b in sizes},
                "tokens_per_second": {str(a["bits"]): a["tokens_per_second"] for a in answers},
                "measure": "decoded final row equals the operation's result, from Python integers"}
        rows.append(row)
    return rows
