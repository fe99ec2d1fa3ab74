"""``learn``: fit every generated position from CoT samples, assemble the exact
predictor, measure it on held-out inputs, and verify it (docs/paper.md Thm 3.3)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from theorymodel.errors import ResourceLimitError, UsageError
from theorymodel.learn.learners import LEARNERS, PositionRule, fit_position
from theorymodel.learn.sources import CoTSource
from theorymodel.predictor import LinearPredictor

if TYPE_CHECKING:
    from proofs_check.verdict import Verdict

MAX_TEST = 1 << 16  # held-out inputs measured; beyond that a seeded sample of this size


EXACT_POPULATION = 1 << 16  # inputs up to which the error under the uniform distribution is exact


@dataclass
class LearnResult:
    """What ``learn`` measured. ``error`` is the error under the uniform distribution on
    inputs of length n (exact, or estimated on i.i.d. draws with a 95% interval);
    ``test_error`` is the error on the inputs never drawn for training (the held-out ones)."""

    predictor: LinearPredictor
    rules: list[PositionRule]
    train_index: np.ndarray
    train_error: float
    test_error: float | None
    test_inputs: int
    test_guarantee: str
    first_wrong: dict[str, Any] | None
    seconds: float
    error: float = 0.0
    error_guarantee: str = "exact"
    error_interval: tuple[float, float] = (0.0, 0.0)
    distinct_training_inputs: int = 0

    def __repr__(self) -> str:
        test = "-" if self.test_error is None else f"{self.test_error:.4f}"
        return (f"LearnResult(samples={len(self.train_index)}, train_error={self.train_error:.4f}, "
                f"test_error={test}, error={self.error:.4f} ({self.error_guarantee}), "
                f"predictor={self.predictor.n_generated} generated tokens, {self.predictor.nnz} weights)")


@dataclass(frozen=True)
class Draw:
    """Training inputs drawn i.i.d. uniformly with replacement (the PAC setting of Thm 3.3),
    the inputs the error under the uniform distribution is measured on, and the held-out ones."""

    train: np.ndarray  # with repeats, in draw order
    population: np.ndarray
    population_guarantee: str  # "exact" (every input) or "estimated" (i.i.d. draws)
    heldout: np.ndarray
    heldout_guarantee: str  # "exhaustive" or "sampled"


def draw(source: CoTSource, samples: int, seed: int) -> Draw:
    """``samples`` i.i.d. uniform inputs (so ``samples`` may exceed the number of inputs)."""
    total = source.input_count
    if samples < 1:
        raise UsageError("--samples must be >= 1")
    if total >= 1 << 62:
        raise ResourceLimitError(f"{total} inputs are too many to index", limit="size-cap",
                                 details={"inputs": total})
    rng = np.random.default_rng(seed)
    train = rng.integers(0, total, samples)
    seen = np.unique(train)
    if total <= EXACT_POPULATION:
        everything = np.arange(total)
        return Draw(train, everything, "exact", np.setdiff1d(everything, seen), "exhaustive")
    population = rng.integers(0, total, MAX_TEST)
    if total <= 1 << 22:
        rest = np.setdiff1d(np.arange(total), seen)
        if len(rest) <= MAX_TEST:
            return Draw(train, population, "estimated", rest, "exhaustive")
        return Draw(train, population, "estimated", np.sort(rng.choice(rest, MAX_TEST, replace=False)), "sampled")
    heldout = np.setdiff1d(np.unique(rng.integers(0, total, MAX_TEST * 2)), seen)[:MAX_TEST]
    return Draw(train, population, "estimated", heldout, "sampled")


def wilson_interval(errors: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a binomial proportion."""
    if trials == 0:
        return 0.0, 1.0
    p = errors / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def split(source: CoTSource, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Train indices (``samples`` distinct inputs) and test indices (the rest, or a sample)."""
    total = source.input_count
    if samples < 1:
        raise UsageError("--samples must be >= 1")
    if samples >= total:
        raise UsageError(f"--samples {samples} leaves no held-out input (there are {total})")
    rng = np.random.default_rng(seed)
    if total <= 1 << 22:
        perm = rng.permutation(total)
        train, rest = np.sort(perm[:samples]), perm[samples:]
        if len(rest) <= MAX_TEST:
            return train, np.sort(rest), "exhaustive"
        return train, np.sort(rng.choice(rest, MAX_TEST, replace=False)), "sampled"
    train = np.unique(rng.integers(0, total, samples * 2))[:samples]
    test = np.setdiff1d(np.unique(rng.integers(0, total, MAX_TEST * 2)), train)[:MAX_TEST]
    return train, test, "sampled"


def _fit_many(args: tuple[np.ndarray, list[int], str, int]) -> list[PositionRule]:
    train, positions, learner, seed = args
    return [fit_position(train, p, learner, seed=seed + p) for p in positions]


def fit_all(train_seqs: np.ndarray, n_inputs: int, learner: str, seed: int, *, jobs: int = 1,
            progress=None) -> list[PositionRule]:
    """One rule per generated position; positions are independent, so chunks go to processes."""
    positions = list(range(n_inputs, train_seqs.shape[1]))
    if jobs <= 1 or len(positions) < 64:
        rules = []
        for p in positions:
            rules.append(fit_position(train_seqs, p, learner, seed=seed + p))
            if progress:
                progress(1)
        return rules
    chunks = [positions[i::jobs * 4] for i in range(jobs * 4)]
    order = [p for c in chunks for p in c]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        parts = []
        for part in pool.map(_fit_many, [(train_seqs, c, learner, seed) for c in chunks]):
            parts.extend(part)
            if progress:
                progress(len(part))
    by_pos = dict(zip(order, parts, strict=True))
    return [by_pos[p] for p in positions]


def assemble(rules: list[PositionRule], source: CoTSource) -> LinearPredictor:
    """The learned rules as one exact ``LinearPredictor`` (tokens never seen at a position
    get a bias below every reachable score of the seen ones, so they never win)."""
    V = len(source.vocab)
    G = len(rules)
    C = source.n_inputs + G
    rows, cols, vals, b_rows, b_cols, b_vals = [], [], [], [], [], []
    for k, rule in enumerate(rules):
        reach = int(np.abs(rule.weights).sum(axis=1).max(initial=0) + np.abs(rule.bias).max(initial=0))
        for d in range(V):
            b_rows.append(k)
            b_cols.append(d)
            b_vals.append(-(2 * reach + 1))
        for ci, d in enumerate(rule.classes):
            b_vals[k * V + int(d)] = int(rule.bias[ci])
            for (pos, tok), w in zip(rule.features, rule.weights[ci], strict=True):
                if w:
                    rows.append(k * V + int(d))
                    cols.append(int(pos) * V + int(tok))
                    vals.append(int(w))
    weights = sp.csr_matrix((np.array(vals, dtype=np.int64), (rows, cols)), shape=(G * V, C * V), dtype=np.int64)
    bias = sp.csr_matrix((np.array(b_vals, dtype=np.int64), (b_rows, b_cols)), shape=(G, V), dtype=np.int64)
    bias.eliminate_zeros()
    meta = {"machine": source.name, "route": f"learned ({source.meta.get('route', '?')})", **source.meta}
    return LinearPredictor(source.vocab, source.n_inputs, weights, bias, source.answer, source.input_alphabet,
                           meta, source.labels)


def evaluate(pred: LinearPredictor, source: CoTSource, index: np.ndarray) -> tuple[float, dict[str, Any] | None]:
    """Answer error of the roll-out on inputs ``index``, and the first wrong example."""
    if not len(index):
        return 0.0, None
    wrong_total = 0
    first = None
    for lo in range(0, len(index), 8192):
        idx = index[lo:lo + 8192]
        ref = source.sequences(idx)
        out = pred.rollout(ref[:, : source.n_inputs], reference=ref, margins=True)
        got = out.sequences[:, list(source.answer.positions)]
        # a tie anywhere is wrong too: the contract's argmax is strict
        bad = np.nonzero((got != ref[:, list(source.answer.positions)]).any(axis=1) | out.ties.any(axis=1))[0]
        wrong_total += len(bad)
        if first is None and len(bad):
            i = int(bad[0])
            differs = (out.sequences[i] != ref[i])
            differs[source.n_inputs:] |= out.ties[i]
            p = int(np.nonzero(differs)[0][0])
            first = {"input": "".join(source.vocab[t] for t in ref[i, : source.n_inputs]), "position": p,
                     "expected": source.vocab[ref[i, p]], "got": source.vocab[out.sequences[i, p]],
                     "tie": bool(out.ties[i, p - source.n_inputs])}
    return wrong_total / len(index), first


def learn(source: CoTSource, samples: int, *, learner: str = "lp", seed: int = 0, jobs: int | None = None,
          progress=None) -> LearnResult:
    if learner not in LEARNERS:
        raise UsageError(f"unknown learner {learner!r}; learners are {', '.join(LEARNERS)}")
    start = time.perf_counter()
    sample = draw(source, samples, seed)
    if samples * source.context_length > 1 << 28:
        raise ResourceLimitError("the training sequences exceed 2^28 tokens", limit="size-cap",
                                 details={"tokens": samples * source.context_length})
    train_seqs = source.sequences(sample.train)
    jobs = jobs if jobs is not None else min(4, os.cpu_count() or 1)
    rules = fit_all(train_seqs, source.n_inputs, learner, seed, jobs=jobs, progress=progress)
    pred = assemble(rules, source)
    train_error, _ = evaluate(pred, source, sample.train)
    error, first_any = evaluate(pred, source, sample.population)
    wrong = round(error * len(sample.population))
    interval = (error, error) if sample.population_guarantee == "exact" else \
        wilson_interval(wrong, len(sample.population))
    test_error: float | None = None
    first = first_any
    if len(sample.heldout):
        test_error, first = evaluate(pred, source, sample.heldout)
    return LearnResult(pred, rules, sample.train, train_error, test_error, len(sample.heldout),
                       sample.heldout_guarantee, first, time.perf_counter() - start, error,
                       sample.population_guarantee, interval, len(np.unique(sample.train)))


EXHAUSTIVE_LEARNED = 1 << 16  # machine inputs up to which a learned predictor is checked by enumeration


def verify_learned(source: CoTSource, predictor: LinearPredictor, *, method: str | None = None,
                   timeout: float | None = None) -> Verdict | None:
    """Check a learned predictor against its source's reference semantics (None for a
    ``cot.jsonl`` source, which has none). By default machines are enumerated up to
    2^16 inputs and proved by z3 beyond; named functions are proved against their
    reference circuit."""
    from proofs_check.verdict import MachineTarget, verify

    if source.target is None:
        return None
    if method is None:
        small = isinstance(source.target, MachineTarget) and source.input_count <= EXHAUSTIVE_LEARNED
        method = "exhaustive" if small else "z3"
    return verify(source.target, predictor, method=method, timeout=timeout)
