"""A uniform (time-invariant) linear next-token rule and its fixed-width tableau layout.

The CoT is the machine's configurations in rows of ``W`` cells, each row closed by a
separator ``#`` (docs/uniform.md). The context opens with ``#``, then row 0 (the input
placed at ``offset`` in a blank window, the head ``[q0]`` on its first cell) and ``#``.
Every generated position ``p`` reads the three positions ``p-W-2, p-W-1, p-W``: for a cell,
the three cells above it (``#`` standing for the walls); for a separator, ``#`` above it.
One shared score table over (left, middle, right) decides every position::

    score(d) = left[d, l] + middle[d, m] + right[d, r] + bias[d]        (exact integers)

and the next token is the strict argmax. The table's size depends on the machine only,
not on the input length, the number of steps or the width.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from theorymodel.errors import UsageError

SEPARATOR = "#"


def uniform_vocab(symbols: Sequence[str], states: Sequence[str]
                  ) -> tuple[tuple[str, ...], tuple[int, ...], dict[tuple[int, int], int]]:
    """The uniform dictionary in its canonical order: ``#``, the tape symbols, then the
    head tokens ``[q]s`` state by state; with the symbol tokens' ids and ``(state code,
    symbol code) -> head token id``."""
    G, Q = len(symbols), len(states)
    vocab = (SEPARATOR, *symbols, *(f"[{q}]{s}" for q in states for s in symbols))
    head = {(qc, sc): 1 + G + qc * G + sc for qc in range(Q) for sc in range(G)}
    return vocab, tuple(1 + c for c in range(G)), head


def _integers(a: np.ndarray) -> bool:
    """int arrays, or object arrays of Python ints (exact tables too wide for int64)."""
    return a.dtype.kind in "iu" or (a.dtype == object and all(type(v) is int for v in a.ravel().tolist()))


@dataclass(frozen=True)
class UniformRule:
    """The shared score table of a uniform predictor (arXiv 2309.06979, Thm 3.8, with one
    weight block for every position instead of one per position).

    Attributes
    ----------
    vocab:
        The tokens: ``#``, the tape symbols, then the head tokens ``[q]s``.
    symbols, states, blank, initial:
        The machine's tape symbols and states (codes index these), its blank and start.
    head_token:
        ``(state code, symbol code) -> token id``; ``symbol_token``: symbol code -> token id.
    left, middle, right:
        ``(|V|, |V|)`` integer arrays: ``left[d, l]`` is the score token ``d`` gets when the
        left-above position holds ``l``.
    bias:
        ``(|V|,)`` integers.
    """

    vocab: tuple[str, ...]
    symbols: tuple[str, ...]
    states: tuple[str, ...]
    blank: str
    initial: str
    symbol_token: tuple[int, ...]
    head_token: Mapping[tuple[int, int], int]
    left: np.ndarray
    middle: np.ndarray
    right: np.ndarray
    bias: np.ndarray
    token_id: Mapping[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        V = len(self.vocab)
        for name in ("left", "middle", "right"):
            a = np.asarray(getattr(self, name))
            if a.shape != (V, V) or not _integers(a):
                raise UsageError(f"the {name} table must be an integer ({V}, {V}) array, got {a.dtype} {a.shape}")
        if np.asarray(self.bias).shape != (V,) or not _integers(np.asarray(self.bias)):
            raise UsageError(f"the bias must be {V} integers")
        if len(set(self.vocab)) != V or self.vocab[0] != SEPARATOR:
            raise UsageError("the dictionary must list # first and no token twice")
        for a in (self.left, self.middle, self.right, self.bias):
            a.setflags(write=False)
        object.__setattr__(self, "token_id", MappingProxyType({t: i for i, t in enumerate(self.vocab)}))
        object.__setattr__(self, "head_token", MappingProxyType(dict(self.head_token)))

    @property
    def separator(self) -> int:
        return 0

    @property
    def V(self) -> int:
        return len(self.vocab)

    @property
    def nnz(self) -> int:
        """Non-zero entries of the shared table: its size, whatever n, T and W are."""
        return int(sum(np.count_nonzero(a) for a in (self.left, self.middle, self.right, self.bias)))

    def scores(self, left: np.ndarray, middle: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Exact scores, shape ``(*left.shape, |V|)``, for arrays of token ids (int64, or
        Python integers for tables too wide for int64)."""
        return self.left.T[left] + self.middle.T[middle] + self.right.T[right] + self.bias

    def next_tokens(self, left: np.ndarray, middle: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(argmax token, tie) for arrays of triples: a tie means no strict argmax."""
        s = self.scores(left, middle, right)
        best = s.argmax(axis=-1)
        top = np.take_along_axis(s, best[..., None], axis=-1)[..., 0]
        tie = (s == top[..., None]).sum(axis=-1) > 1
        return best, tie

    def with_entry(self, table: str, d: int, t: int, delta: int) -> UniformRule:
        """A copy with one entry changed (``table`` is left, middle, right or bias)."""
        arrays = {name: np.array(getattr(self, name)) for name in ("left", "middle", "right", "bias")}
        if table == "bias":
            arrays["bias"][d] += delta
        else:
            arrays[table][d, t] += delta
        return UniformRule(self.vocab, self.symbols, self.states, self.blank, self.initial, self.symbol_token,
                           dict(self.head_token), arrays["left"], arrays["middle"], arrays["right"],
                           arrays["bias"])


@dataclass(frozen=True)
class UniformLayout:
    """Where row 0 puts the input: ``width`` cells, the input's first symbol at ``offset``."""

    width: int
    offset: int

    def __post_init__(self) -> None:
        if self.width < 1 or not 0 <= self.offset < self.width:
            raise UsageError(f"a window of {self.width} cells cannot start the input at cell {self.offset}")

    @property
    def row_length(self) -> int:
        return self.width + 1

    @classmethod
    def holding(cls, n: int, leftmost: int, rightmost: int) -> UniformLayout:
        """The smallest window holding an input of length ``n`` and a head that visits
        cells ``leftmost..rightmost`` (tape coordinates, the input starting at 0)."""
        left = -min(leftmost, 0)
        return cls(left + max(rightmost, n - 1, 0) + 1, left)


def initial_row(rule: UniformRule, layout: UniformLayout, word: Sequence[str]) -> np.ndarray:
    """Row 0 (``W`` cells, then ``#``): the input at the offset, the head on its first cell."""
    if layout.offset + len(word) > layout.width:
        raise UsageError(f"an input of length {len(word)} at cell {layout.offset} does not fit {layout.width} cells")
    s_code = {s: c for c, s in enumerate(rule.symbols)}
    codes = [s_code[rule.blank]] * layout.width
    for j, sym in enumerate(word):
        if sym not in s_code:
            raise UsageError(f"input symbol {sym!r} is not a tape symbol")
        codes[layout.offset + j] = s_code[sym]
    row = np.array([rule.symbol_token[c] for c in codes] + [rule.separator], dtype=np.int64)
    q0 = rule.states.index(rule.initial)
    row[layout.offset] = rule.head_token[q0, codes[layout.offset]]
    return row


@dataclass(frozen=True)
class UniformRollout:
    rows: np.ndarray  # (batch, T + 1, W + 1): row 0 is the prompt's configuration row
    ties: np.ndarray  # (batch, T, W + 1): no strict argmax at that generated position


def rollout(rule: UniformRule, layout: UniformLayout, words: Sequence[Sequence[str]], steps: int) -> UniformRollout:
    """Greedy decoding of ``steps`` rows for a batch of inputs, exactly as the
    auto-regressive predictor reads its context (each position from the three positions
    ``W+2, W+1, W`` back), vectorised over the batch; O(|V|) work per token."""
    W = layout.width
    rows = np.zeros((len(words), steps + 1, W + 1), dtype=np.int64)
    ties = np.zeros((len(words), steps, W + 1), dtype=bool)
    for t, (row, tie) in enumerate(_rows(rule, layout, words, steps)):
        rows[:, t] = row
        if t:
            ties[:, t - 1] = tie
    return UniformRollout(rows, ties)


def final_rows(rule: UniformRule, layout: UniformLayout, words: Sequence[Sequence[str]],
               steps: int | Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Row ``steps`` of :func:`rollout` for each input (``steps`` one count for all, or one
    per input), and whether any token up to that row was a tie; one row is held at a time,
    so memory is linear in the batch times the width (long roll-outs, where only the
    answer is read)."""
    want = np.broadcast_to(np.asarray(steps, dtype=np.int64), (len(words),))
    rows = _rows(rule, layout, words, int(want.max(initial=0)))
    last, _ = next(rows)
    last = last.copy()
    tied = np.zeros(len(words), dtype=bool)
    for t, (row, tie) in enumerate(rows, 1):
        live = want >= t
        tied |= live & tie.any(axis=1)
        last[live] = row[live]
    return last, tied


def initial_rows(rule: UniformRule, layout: UniformLayout, words: Sequence[Sequence[str]]) -> np.ndarray:
    return np.array([initial_row(rule, layout, word) for word in words], dtype=np.int64).reshape(
        len(words), layout.width + 1)


def _rows(rule: UniformRule, layout: UniformLayout, words: Sequence[Sequence[str]],
          steps: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Rows 0..steps of the roll-out, each with its ties (row 0 has none), one at a time."""
    W = layout.width
    prev = initial_rows(rule, layout, words)
    yield prev, np.zeros_like(prev, dtype=bool)
    sep = np.full((len(words), 1), rule.separator, dtype=np.int64)
    step = _NextTokens(rule, cells=len(words) * steps * (W + 1))
    for _ in range(steps):
        # prev ends with "#"; the "#" before it closes the row above or opens the context
        left = np.concatenate([sep, prev[:, : W - 1]], axis=1)
        row = np.empty_like(prev)
        tie = np.empty(prev.shape, dtype=bool)
        row[:, :W], tie[:, :W] = step(left, prev[:, :W], prev[:, 1:])
        row[:, W], tie[:, W] = step(prev[:, W - 1], prev[:, W], row[:, 0])
        yield row, tie
        prev = row


class _NextTokens:
    """:meth:`UniformRule.next_tokens`, remembered per (left, middle, right) triple: a long
    roll-out shows few distinct triples, so each is scored once and then looked up. The
    table has |V|^3 entries, filled lazily; it is used only when that is at most 2^24 and
    no more than the |V| scores per cell that ``cells`` would cost without it (a short
    roll-out, as the counterexample search runs by the thousand, would spend more on the
    table than on its cells)."""

    def __init__(self, rule: UniformRule, *, cells: int) -> None:
        self.rule = rule
        V = rule.V
        self.memo = min(1 << 24, cells * V) >= V**3
        if self.memo:
            self.token = np.full(V**3, -1, dtype=np.int64)
            self.tie = np.zeros(V**3, dtype=bool)

    def __call__(self, left: np.ndarray, middle: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not self.memo:
            return self.rule.next_tokens(left, middle, right)
        V = self.rule.V
        keys = (np.asarray(left) * V + np.asarray(middle)) * V + np.asarray(right)
        missing = np.unique(keys[self.token[keys] < 0])
        if missing.size:
            best, tie = self.rule.next_tokens(missing // (V * V), missing // V % V, missing % V)
            self.token[missing], self.tie[missing] = best, tie
        return self.token[keys], self.tie[keys]


def decode_row(rule: UniformRule, row: np.ndarray) -> tuple[str | None, int | None, tuple[str, ...]]:
    """(state, head cell, cells as symbols) of one configuration row; state and head are
    None when the row holds no head token (or more than one)."""
    heads = {tok: (q, s) for (q, s), tok in rule.head_token.items()}
    cells, found = [], []
    for i, tok in enumerate(row[:-1].tolist()):
        if tok in heads:
            q, s = heads[tok]
            found.append((rule.states[q], i))
            cells.append(rule.symbols[s])
        elif tok == rule.separator:
            cells.append(SEPARATOR)
        else:
            cells.append(rule.symbols[rule.symbol_token.index(tok)])
    state, head = found[0] if len(found) == 1 else (None, None)
    return state, head, tuple(cells)
