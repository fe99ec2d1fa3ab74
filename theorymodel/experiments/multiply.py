"""Multiplication CoT data: the paper's format, our finer CoT, and no CoT.

All three share the prompt ``a_digits x b_digits =`` (most significant digit first, as
the paper writes it) and end with ``= answer`` (zero-padded to 2d digits), so exact match
and per-digit accuracy mean the same thing for each.

``paper`` (docs/paper.md, token for token)::

    1 2 x 3 4 = ( 2 x 1 + 1 x 1 0 ) x ( 4 x 1 + 3 x 1 0 ) = 2x4 x 1 x 1 + 2x3 x 1 x 1 0 +
    1x4 x 1 0 x 1 + 1x3 x 1 0 x 1 0 = 0 8 + 0 6 0 + 0 4 0 + 0 3 0 0 = 0 4 0 8

(the partial product of digits i, j, least significant first, is padded to i + j + 2
digits; a 4x4 sequence with ``[BOS]`` is 307 tokens).

``fine`` (ours, docs/multiply.md): schoolbook multiplication, row by row (one row per
digit b_j of the second operand), each row's partial product added into an accumulator
column by column, least significant first. Every value is a digit, and every step is a
*join* of at most three earlier tokens or a *lookup* of one. Column k = i + j of row j
(i = 0..d) is up to five tokens:

- ``aixbj``: the digit pair (join of two operand digits; i < d only);
- ``j<lo><hi><c1>``: the low digit of a_i*b_j, the high digit of a_(i-1)*b_j and the row carry
  (join of lookups of the two pair tokens and of the previous ``e`` token);
- ``e<e>c<c1>``: their sum as digit and carry (lookup of the ``j`` token);
- ``k<e><acc><c2>``: that digit, the accumulator digit of column k from the row above,
  and the accumulator carry (join of lookups);
- ``d<g>c<c2>``: the new accumulator digit and carry (lookup of the ``k`` token).

A join of k tokens scores each candidate by how many factors match (k only at the
right one), and a lookup scores by the one token it reads. Both are exact linear
argmaxes of one-hot features with margin 1, so a linear next-token predictor represents
every step exactly. The answer digits are lookups of the final ``d`` tokens. The
dictionary is small (about 540 tokens) because no token holds more than three digits.
2x2: 40 tokens with [BOS] (paper: 77). 4x4: 116 (paper: 307).

``none``: ``a x b = answer``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from theorymodel.program import token_ids

FORMATS = ("paper", "fine", "none")
BOS = "[BOS]"


def digits_lsb(value: int, d: int) -> list[int]:
    return [(value // 10**i) % 10 for i in range(d)]


def _prompt(a: int, b: int) -> list[str]:
    return [*str(a), "x", *str(b), "="]


def _answer(a: int, b: int, d: int) -> list[str]:
    return list(str(a * b).zfill(2 * d))


def paper_cot(a: int, b: int, d: int) -> list[str]:
    """The paper's sequence (without [BOS])."""
    da, db = digits_lsb(a, d), digits_lsb(b, d)

    def power(i: int) -> list[str]:
        return ["1"] + ["0"] * i

    def expand(ds: list[int]) -> list[str]:
        out = ["("]
        for i, x in enumerate(ds):
            if i:
                out.append("+")
            out += [str(x), "x", *power(i)]
        return [*out, ")"]

    seq = _prompt(a, b) + expand(da) + ["x"] + expand(db) + ["="]
    terms, partials = [], []
    for i, x in enumerate(da):
        for j, y in enumerate(db):
            terms.append([f"{x}x{y}", "x", *power(i), "x", *power(j)])
            partials.append(list(str(x * y * 10 ** (i + j)).zfill(i + j + 2)))
    for k, t in enumerate(terms):
        seq += (["+"] if k else []) + t
    seq.append("=")
    for k, p in enumerate(partials):
        seq += (["+"] if k else []) + p
    return [*seq, "=", *_answer(a, b, d)]


def fine_cot(a: int, b: int, d: int) -> list[str]:
    """Our CoT (module doc): 5d + 4 tokens per row, then the answer."""
    da, db = digits_lsb(a, d), digits_lsb(b, d)
    seq = _prompt(a, b)
    acc = [0] * (2 * d + 1)  # accumulator digits, least significant first
    for j, y in enumerate(db):
        c1 = c2 = 0
        for i in range(d + 1):
            k = i + j
            lo = da[i] * y % 10 if i < d else 0
            hi = da[i - 1] * y // 10 if i > 0 else 0
            if i < d:
                seq.append(f"{da[i]}x{y}")
            seq.append(f"j{lo}{hi}{c1}")
            c1, e = divmod(lo + hi + c1, 10)
            seq.append(f"e{e}c{c1}")
            seq.append(f"k{e}{acc[k]}{c2}")
            c2, acc[k] = divmod(e + acc[k] + c2, 10)
            seq.append(f"d{acc[k]}c{c2}")
        acc[j + d + 1] = c2
    assert acc[2 * d] == 0 and int("".join(map(str, reversed(acc[:2 * d])))) == a * b
    return [*seq, "=", *_answer(a, b, d)]


def none_cot(a: int, b: int, d: int) -> list[str]:
    return _prompt(a, b) + _answer(a, b, d)


def sequence(fmt: str, a: int, b: int, d: int) -> list[str]:
    """``[BOS]`` then the sequence of ``fmt``."""
    make = {"paper": paper_cot, "fine": fine_cot, "none": none_cot}[fmt]
    return [BOS, *make(a, b, d)]


def is_train(a: int, b: int) -> bool:
    """The fixed 75/25 split: a hash of the operand pair (so validation pairs are never seen)."""
    h = hashlib.sha256(f"{a}x{b}".encode()).digest()
    return h[0] % 4 != 0


def operands(d: int) -> range:
    """The paper's operand range generalised: 1...1 .. 9...9 (11..99 for d = 2, 1111..9999 for d = 4)."""
    lo = int("1" * d)
    return range(lo, 10**d)


def pairs(d: int, split: str) -> list[tuple[int, int]]:
    want = split == "train"
    return [(a, b) for a in operands(d) for b in operands(d) if is_train(a, b) == want]


MATERIALISED_PAIRS = 2_000_000  # beyond this many operand pairs (d >= 4), sample instead of listing


def sample_pairs(d: int, split: str, count: int, seed: int = 0) -> list[tuple[int, int]]:
    """Up to ``count`` distinct pairs of one split, in a fixed order for a seed: all of them
    (or a seeded subset) when the space is listed, otherwise by rejection sampling (at
    d = 4 there are 79M pairs: the paper's 1111..9999)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ops = operands(d)
    if len(ops) ** 2 <= MATERIALISED_PAIRS:
        every = pairs(d, split)
        if len(every) <= count:
            return every
        return [every[i] for i in sorted(rng.choice(len(every), count, replace=False))]
    want = split == "train"
    chosen: dict[tuple[int, int], None] = {}
    while len(chosen) < count:
        a, b = (int(v) for v in rng.integers(ops.start, ops.stop, 2))
        if is_train(a, b) == want:
            chosen[(a, b)] = None
    return list(chosen)


@dataclass
class Layout:
    """Where the prompt ends and the answer lies, and the CoT's named segments."""

    length: int
    prompt: int  # tokens up to and including the first '=' (with [BOS])
    answer: range
    segments: dict[str, range]


def layout(fmt: str, d: int) -> Layout:
    seq = sequence(fmt, int("1" * d), int("1" * d), d)
    prompt = 1 + d + 1 + d + 1
    answer = range(len(seq) - 2 * d, len(seq))
    segments: dict[str, range] = {}
    if fmt == "paper":
        eqs = [i for i, t in enumerate(seq) if t == "="]
        segments = {"expand": range(eqs[0] + 1, eqs[1] + 1), "products": range(eqs[1] + 1, eqs[2] + 1),
                    "partials": range(eqs[2] + 1, eqs[3] + 1)}
    elif fmt == "fine":
        segments = {"cells": range(prompt, answer.start - 1)}
    segments["answer"] = range(answer.start - (0 if fmt == "none" else 1), answer.stop)
    return Layout(len(seq), prompt, answer, segments)


def vocabulary(fmt: str, d: int) -> list[str]:
    """Every token the format can produce for d-digit operands (fixed order)."""
    toks = [BOS, "x", "=", "(", ")", "+", *map(str, range(10))]
    if fmt == "paper":
        toks += [f"{x}x{y}" for x in range(10) for y in range(10)]
    if fmt == "fine":
        toks += [f"{x}x{y}" for x in range(10) for y in range(10)]
        toks += [f"j{lo}{hi}{c}" for lo in range(10) for hi in range(9) for c in range(2)]
        toks += [f"e{e}c{c}" for e in range(10) for c in range(2)]
        toks += [f"k{e}{a}{c}" for e in range(10) for a in range(10) for c in range(2)]
        toks += [f"d{g}c{c}" for g in range(10) for c in range(2)]
    return toks


def encode(seqs: Iterable[list[str]], vocab: list[str]) -> list[list[int]]:
    tid = token_ids(vocab)
    return [[tid[t] for t in s] for s in seqs]
