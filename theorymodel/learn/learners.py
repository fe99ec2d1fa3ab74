"""Learning one position's next-token rule from samples (docs/paper.md Thm 3.3: the
time-inhomogeneous linear AR class is learned position by position).

Features of position p are one-hot indicators ``[x_q == t]`` of the earlier positions q,
restricted to tokens seen at q in training, minus one per position (its first seen token,
absorbed by the bias). Every learner returns *integer* scores, so the learned predictor
is exact and can be verified like a constructed one:

- ``lp``: the consistent multiclass separator of least L1 norm with margin 1 (scipy's
  HiGHS). L1 favours sparse rules, which is what CoT steps are. When no consistent
  separator exists (e.g. parity without CoT), the soft-margin LP (hinge slack) is solved.
  Its rational vertex is scaled and rounded; margins are re-checked exactly and the
  scale grows until every training sample keeps a positive margin;
- ``perceptron``: the multiclass perceptron with margin 1 and integer updates;
- ``sgd``: softmax cross-entropy by full-batch gradient descent (Adam) in numpy, as in the
  paper's experiments; floats are rounded to integers at a fixed scale at the end.

Ties (equal top scores on an input never seen in training) would break the strict argmax
the contract asks for; every learner therefore folds one convention into its integers:
a tie goes to the position's most frequent training token.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

LEARNERS = ("lp", "perceptron", "sgd")


@dataclass
class PositionRule:
    """Integer scores ``bias[d] + sum_f weights[d, f] * feature_f`` over ``classes``."""

    classes: np.ndarray  # token ids that get a score (the ones seen in training)
    features: np.ndarray  # (F, 2): (position, token) of each indicator feature
    weights: np.ndarray  # (D, F) int64
    bias: np.ndarray  # (D,) int64

    def scores(self, seqs: np.ndarray) -> np.ndarray:
        phi = featurize(seqs, self.features)
        return phi @ self.weights.T + self.bias


def featurize(seqs: np.ndarray, features: np.ndarray) -> np.ndarray:
    if not len(features):
        return np.zeros((len(seqs), 0), dtype=np.int64)
    return (seqs[:, features[:, 0]] == features[:, 1]).astype(np.int64)


def feature_table(train: np.ndarray, upto: int) -> np.ndarray:
    """(position, token) indicators of positions < ``upto`` that vary in ``train``.

    Indicators that agree on every training sample are one feature to any learner; the
    most recent position stands for them (a CoT copies values forward, and the latest
    copy is the one a step reads). This keeps the problems small on long CoTs.
    """
    feats = []
    for q in range(upto):
        seen = np.unique(train[:, q])
        feats += [(q, int(t)) for t in seen[1:]]
    table = np.array(feats, dtype=np.int64).reshape(-1, 2)
    if not len(table):
        return table
    cols = featurize(train, table)
    packed = np.packbits(cols.astype(np.uint8), axis=0).T  # one byte string per feature
    keys = [row.tobytes() for row in packed]
    latest: dict[bytes, int] = {}
    for i, key in enumerate(keys):
        latest[key] = i
    return table[np.sort(np.fromiter(latest.values(), dtype=np.int64))]


def fit_position(train: np.ndarray, pos: int, learner: str, *, seed: int = 0,
                 features: np.ndarray | None = None, counts: np.ndarray | None = None) -> PositionRule:
    """Learn the token at ``pos`` from the tokens before it, on sequences ``train``.
    ``counts``: how many times each row of ``train`` occurs (distinct rows given once; a
    repeated row adds no constraint, but the counts decide the most frequent token)."""
    y_raw = train[:, pos]
    classes = np.unique(y_raw)
    feats = feature_table(train, pos) if features is None else features
    if len(classes) == 1:  # constant in training: the bias alone
        return PositionRule(classes, feats[:0], np.zeros((1, 0), np.int64), np.zeros(1, np.int64))
    y = np.searchsorted(classes, y_raw)
    phi = featurize(train, feats)
    if learner == "lp":
        w, b = _lp(phi, y, len(classes))
        W, B = _to_integers(w, b, phi, y)
    elif learner == "perceptron":
        W, B = _perceptron(phi, y, len(classes), seed)
    elif learner == "sgd":
        w, b = _sgd(phi, y, len(classes), seed)
        W, B = _round(w, b, 1000.0 / max(1e-12, float(np.abs(np.hstack([w.ravel(), b])).max())))
    else:
        raise ValueError(learner)
    # Ties on inputs never seen are broken toward the token most frequent here in training,
    # inside the exact weights (a strict argmax is the contract): doubling keeps every
    # training margin >= 2 before the +1, so training margins stay >= 1.
    W, B = 2 * W, 2 * B
    B[np.argmax(np.bincount(y, weights=counts, minlength=len(classes)))] += 1
    keep = np.nonzero(np.abs(W).sum(axis=0))[0]
    return PositionRule(classes, feats[keep], W[:, keep], B)


def _lp(phi: np.ndarray, y: np.ndarray, D: int) -> tuple[np.ndarray, np.ndarray]:
    """Least-L1 multiclass separator with margin 1; class 0's scores are fixed at 0.

    One constraint per (sample i, wrong class d): s_y(i) - s_d >= 1, where
    s_c = w_c . phi + b_c. Variables per class c >= 1: w+ (F), w- (F), b (free).
    """
    M, F = phi.shape
    width = 2 * F + 1
    nv = (D - 1) * width
    ext = sp.hstack([sp.csr_matrix(phi), -sp.csr_matrix(phi), np.ones((M, 1))], format="csr")  # s_c per class
    blocks = []
    for d in range(D):
        wrong = np.nonzero(y != d)[0]  # samples for which d is a wrong class
        if not len(wrong):
            continue
        part = sp.lil_matrix((len(wrong), nv)).tocsr()
        rows_ext = ext[wrong]
        # -(s_y - s_d) <= -1  ->  s_d - s_y <= -1
        if d > 0:
            part = part + _place(rows_ext, (d - 1) * width, nv)
        for c in range(1, D):
            sel = np.nonzero(y[wrong] == c)[0]
            if len(sel):
                mask = sp.diags(np.isin(np.arange(len(wrong)), sel).astype(float))
                part = part - mask @ _place(rows_ext, (c - 1) * width, nv)
        blocks.append(part)
    A = sp.vstack(blocks, format="csr")
    r = A.shape[0]
    rhs = -np.ones(r)
    cost = np.ones(nv)
    bounds = []
    for d in range(1, D):
        bounds += [(0, None)] * (2 * F) + [(None, None)]
        cost[(d - 1) * width + 2 * F] = 0.0
    res = linprog(cost, A_ub=A, b_ub=rhs, bounds=bounds, method="highs")
    if res.status == 2:  # infeasible: no consistent separator; hinge slack per constraint
        A2 = sp.hstack([A, -sp.identity(r, format="csr")], format="csr")
        cost2 = np.concatenate([cost * 1e-3, np.ones(r)])
        res = linprog(cost2, A_ub=A2, b_ub=rhs, bounds=bounds + [(0, None)] * r, method="highs")
    if res.x is None:
        raise RuntimeError(f"the LP solver failed: {res.message}")
    x = res.x[:nv]
    w = np.zeros((D, F))
    b = np.zeros(D)
    for d in range(1, D):
        o = (d - 1) * width
        w[d] = x[o:o + F] - x[o + F:o + 2 * F]
        b[d] = x[o + 2 * F]
    return w, b


def _place(block: sp.csr_matrix, offset: int, width: int) -> sp.csr_matrix:
    """``block`` as columns offset .. offset + block.shape[1] of a wider matrix."""
    coo = block.tocoo()
    return sp.csr_matrix((coo.data, (coo.row, coo.col + offset)), shape=(block.shape[0], width))


def _round(w: np.ndarray, b: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    return np.rint(w * scale).astype(np.int64), np.rint(b * scale).astype(np.int64)


def _margins_ok(W: np.ndarray, B: np.ndarray, phi: np.ndarray, y: np.ndarray) -> bool:
    s = phi @ W.T + B
    top = s[np.arange(len(y)), y]
    s[np.arange(len(y)), y] = np.iinfo(np.int64).min
    return bool((top > s.max(axis=1)).all())


def _to_integers(w: np.ndarray, b: np.ndarray, phi: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale the LP's solution to integers, growing the scale until training margins survive
    (when the data were separable; otherwise the first scale is kept)."""
    w = np.where(np.abs(w) < 1e-9, 0.0, w)
    b = np.where(np.abs(b) < 1e-9, 0.0, b)
    separable = _margins_ok(w, b, phi, y)
    scale = 2.0 * (np.count_nonzero(w, axis=1).max() + 2)
    for _ in range(12):
        W, B = _round(w, b, scale)
        if not separable or _margins_ok(W, B, phi, y):
            return W, B
        scale *= 4
    return W, B


def _perceptron(phi: np.ndarray, y: np.ndarray, D: int, seed: int,
                epochs: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    W = np.zeros((D, phi.shape[1]), dtype=np.int64)
    B = np.zeros(D, dtype=np.int64)
    for _ in range(epochs):
        mistakes = 0
        for i in rng.permutation(len(y)):
            s = W @ phi[i] + B
            yi = y[i]
            s_y = s[yi]
            s[yi] = np.iinfo(np.int64).min
            d = int(np.argmax(s))
            if s_y - s[d] < 1:
                W[yi] += phi[i]
                B[yi] += 1
                W[d] -= phi[i]
                B[d] -= 1
                mistakes += 1
        if not mistakes:
            break
    return W, B


def _sgd(phi: np.ndarray, y: np.ndarray, D: int, seed: int, steps: int = 400,
         lr: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = phi.astype(np.float64)
    W = rng.normal(0, 0.01, (D, X.shape[1]))
    b = np.zeros(D)
    onehot = np.eye(D)[y]
    mW, vW, mb, vb = (np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b))
    for t in range(1, steps + 1):
        logits = X @ W.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / len(y)
        gW, gb = g.T @ X, g.sum(axis=0)
        for m, v, grad in ((mW, vW, gW), (mb, vb, gb)):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad**2
        W -= lr * (mW / (1 - 0.9**t)) / (np.sqrt(vW / (1 - 0.999**t)) + 1e-8)
        b -= lr * (mb / (1 - 0.9**t)) / (np.sqrt(vb / (1 - 0.999**t)) + 1e-8)
    return W, b
