"""The learning experiments of docs/paper.md, as functions that return table rows.

- :func:`sample_curves` (a): test error against the number of samples M, with and without
  CoT (Thm 3.3: learnable with CoT; a linear predictor cannot represent parity without);
- :func:`tradeoff` (b): n-bit sparse parity with K-parity tokens needs ceil((s-1)/(K-1))
  tokens, but learning one K-parity token searches the K-subsets of earlier positions:
  fewer tokens, costlier steps;
- :func:`noise` (c): label noise in the CoT tokens; the roll-out error against the sum of
  per-step (teacher-forced) errors, over CoTs of growing length (Thm 3.6).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np

from theorymodel.complexity.classes.parity import xor_rollout
from theorymodel.learn.sources import CoTSource
from theorymodel.learn.train import assemble, draw, evaluate, fit_all, learn, split


def answer_balance(pred: Any, source: CoTSource, train: np.ndarray, heldout: np.ndarray) -> dict[str, Any]:
    """An honest reading of a test error when one answer dominates.

    ``majority_error``: the test error of always answering the most common training
    answer (what a learner gets for free). ``balanced_error``: the mean, over the answers
    that occur in the test set, of the error on the inputs with that answer (a majority
    guess scores 0.5 on two answers). ``majority_share``: how much of the test set has
    the most common test answer."""
    if not len(heldout):
        return {"majority_error": None, "balanced_error": None, "majority_share": None}
    positions = list(source.answer.positions)
    train_answers = source.sequences(np.unique(train))[:, positions]
    rows, counts = np.unique(train_answers, axis=0, return_counts=True)
    majority = rows[int(np.argmax(counts))]
    ref = source.sequences(heldout)
    out = pred.rollout(ref[:, : source.n_inputs], margins=True)
    want = ref[:, positions]
    wrong = (out.sequences[:, positions] != want).any(axis=1) | out.ties.any(axis=1)
    classes, inverse, sizes = np.unique(want, axis=0, return_inverse=True, return_counts=True)
    per_class = np.bincount(inverse.ravel(), weights=wrong, minlength=len(classes)) / sizes
    return {"majority_error": float((want != majority).any(axis=1).mean()),
            "balanced_error": float(per_class.mean()), "majority_share": float(sizes.max() / len(heldout))}


def sample_curves(sources: list[CoTSource], samples: list[int], *, learner: str = "lp", seed: int = 0,
                  progress=None) -> list[dict[str, Any]]:
    """Test error against samples M, with and without CoT, beside the majority baseline and
    the balanced error (:func:`answer_balance`)."""
    rows = []
    for source in sources:
        for cot in (True, False):
            src = source if cot else source.without_cot()
            for m in samples:
                if m >= src.input_count:
                    continue
                r = learn(src, m, learner=learner, seed=seed, jobs=1)
                heldout = draw(src, m, seed).heldout
                rows.append({"target": source.name, "n": source.n_inputs, "cot": cot,
                             "cot_tokens": src.cot_tokens, "samples": m, "train_error": r.train_error,
                             "test_error": r.test_error, **answer_balance(r.predictor, src, r.train_index, heldout),
                             "seconds": round(r.seconds, 3)})
                if progress:
                    progress(1)
    return rows


# -- (b) the trade-off ------------------------------------------------------------------
def xor_tree(n: int, support: list[int], K: int) -> list[list[int]]:
    """Tokens of the K-ary XOR tree over ``support`` (positions; tokens are n, n+1, ...):
    ceil((s-1)/(K-1)) tokens, each the XOR of at most K earlier positions."""
    pending = list(support)
    tokens: list[list[int]] = []
    if len(pending) <= 1:
        return [pending]
    while len(pending) > 1:
        group, pending = pending[:K], pending[K:]
        tokens.append(group)
        pending = [*pending, n + len(tokens) - 1]
    return tokens


def learn_xor_token(seqs: np.ndarray, pos: int, K: int) -> tuple[list[int] | None, int]:
    """The first subset of at most K earlier positions whose XOR fits every sample; and
    how many subsets were tried (the learning cost of one K-parity token)."""
    y = seqs[:, pos]
    tried = 0
    for size in range(1, K + 1):
        for subset in combinations(range(pos), size):
            tried += 1
            if np.array_equal(seqs[:, list(subset)].sum(axis=1) % 2, y):
                return list(subset), tried
    return None, tried


def tradeoff(n: int, s: int, ks: list[int], *, seed: int = 0, test: int = 2000) -> list[dict[str, Any]]:
    """Sparse parity of s hidden bits among n, with K-parity CoT tokens, for each K."""
    rng = np.random.default_rng(seed)
    support = sorted(rng.choice(n, size=s, replace=False).tolist())
    rows = []
    for K in ks:
        tokens = xor_tree(n, support, K)
        start = time.perf_counter()
        needed = None
        tried_total = 0
        for m in [2**e for e in range(2, 16)]:
            x = rng.integers(0, 2, (m, n))
            seqs = xor_rollout(x, tokens)
            learned, tried_total = [], 0
            for j in range(len(tokens)):
                subset, tried = learn_xor_token(seqs, n + j, K)
                tried_total += tried
                learned.append(subset or [])
            xt = rng.integers(0, 2, (test, n))
            if np.array_equal(xor_rollout(xt, learned)[:, -1], xor_rollout(xt, tokens)[:, -1]):
                needed = m
                break
        rows.append({"n": n, "s": s, "K": K, "cot_tokens": len(tokens),
                     "closed_form": max(1, math.ceil((s - 1) / (K - 1))), "samples_needed": needed,
                     "subsets_searched": tried_total, "seconds": round(time.perf_counter() - start, 4)})
    return rows


# -- (c) noise --------------------------------------------------------------------------
def noise(sources: list[CoTSource], rates: list[float], samples: int, *, seed: int = 0,
          progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Flip each generated training token with probability p (to another token seen at that
    position); learn; compare the roll-out error with the summed per-step error."""
    rows = []
    for source in sources:
        for p in rates:
            rng = np.random.default_rng(seed)
            train, test, _ = split(source, min(samples, source.input_count // 2), seed)
            seqs = source.sequences(train).copy()
            n = source.n_inputs
            for pos in range(n, seqs.shape[1]):
                seen = np.unique(seqs[:, pos])
                if len(seen) < 2:
                    continue
                flip = rng.random(len(seqs)) < p
                for i in np.nonzero(flip)[0]:
                    others = seen[seen != seqs[i, pos]]
                    seqs[i, pos] = rng.choice(others)
            rules = fit_all(seqs, n, "lp", seed, jobs=1)
            pred = assemble(rules, source)
            rollout_error, _ = evaluate(pred, source, test)
            ref = source.sequences(test)
            forced = pred.rollout(ref[:, :n], reference=ref, teacher_forced=True).sequences
            per_step = (forced[:, n:] != ref[:, n:]).mean(axis=0)
            rows.append({"target": source.name, "n": n, "cot_tokens": source.cot_tokens, "noise": p,
                         "samples": len(train), "rollout_error": rollout_error,
                         "sum_per_step_error": float(per_step.sum()), "max_per_step_error": float(per_step.max()),
                         "bound_holds": bool(rollout_error <= per_step.sum() + 1e-12)})
            if progress is not None:
                progress(1)
    return rows


