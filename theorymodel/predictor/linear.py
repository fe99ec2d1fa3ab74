"""The linear auto-regressive next-token predictor (docs/paper.md: linear AR predictor, Thm 3.8).

Generated position ``k`` (absolute position ``n + k``) scores every dictionary token
``d`` as ``bias[k, d] + sum_p W[k, d, p, x_p]`` over the one-hot embedding of the
earlier positions ``p``; the next token is the strict argmax. Weights are exact
integers (or exact rationals for hand-edited models; floats only for learned ones),
stored as one ``scipy.sparse`` CSR matrix with row ``k*|V| + d`` and column
``p*|V| + y``.

The roll-out is vectorised over a batch of inputs and costs, per generated token,
time proportional to that token's non-zeros (gather the active features, scatter-add
into the scores), not to the context length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import numpy as np
import scipy.sparse as sp

from theorymodel.errors import FormatError
from theorymodel.predictor.numbers import as_int64, check_numbers, exact_ratios, max_magnitude
from theorymodel.program import (
    Answer,
    CoTProgram,
    answer_cells,
    check_answer,
    decode_answer,
    encode_words,
    token_ids,
)
from theorymodel.program.labels import NAMES as LABEL_KINDS

_NONE = np.zeros(0)  # what a roll-out did not compute (an empty array, never read)


def _none() -> np.ndarray:
    return _NONE


@dataclass
class RolloutResult:
    """Sequences generated, and where a reference (if given) was first contradicted."""

    sequences: np.ndarray
    margins: np.ndarray = field(default_factory=_none)  # (batch, G): top minus runner-up (margins=True)
    ties: np.ndarray = field(default_factory=_none)  # (batch, G) bool: argmax not strict (margins=True)
    first_error: np.ndarray = field(default_factory=_none)  # (batch,) absolute position, -1 if none


@dataclass(repr=False)
class LinearPredictor:
    """A time-inhomogeneous linear next-token predictor over a fixed dictionary.

    Attributes
    ----------
    vocab:
        The dictionary, token id -> string.
    n_inputs:
        Input positions (not generated).
    weights:
        CSR matrix, shape ``(G*|V|, C*|V|)``, ``C = n_inputs + G``.
    bias:
        CSR matrix, shape ``(G, |V|)``.
    answer:
        How the answer is decoded (copied from the program).
    input_alphabet:
        Tokens allowed at input positions.
    """

    vocab: tuple[str, ...]
    n_inputs: int
    weights: sp.csr_matrix
    bias: sp.csr_matrix
    answer: Answer
    input_alphabet: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    labels: np.ndarray | None = None  # (G, 5) claims per position (theorymodel.compile.labels)
    _blocks: list | None = field(default=None, repr=False)
    _levels: list | None = field(default=None, repr=False)
    # exact integer values of weights.data / bias.data (times 2^scale_exponent for float
    # files): int64 where the sums fit, else Python ints (object arrays)
    _wx: np.ndarray = field(default_factory=_none, repr=False)
    _bx: np.ndarray = field(default_factory=_none, repr=False)
    scale_exponent: int = field(default=0, repr=False)
    token_id: Mapping[str, int] = field(default_factory=dict, repr=False)  # token -> id, set from vocab

    def __post_init__(self) -> None:
        """Validate shapes, dictionary and answer layout; make float weights exact.

        Float weights are read as the exact rationals they are (every float is a dyadic
        rational) and scaled by one power of two into integers, which changes no argmax
        and no tie: every method (roll-out, enumeration, z3) then computes in the same
        exact arithmetic (docs/contract.md: "Float weights are read as exact rationals").
        """
        V, n = len(self.vocab), self.n_inputs
        if len(set(self.vocab)) != V:
            raise FormatError("the dictionary lists a token twice")
        if n < 0 or self.bias.ndim != 2 or self.bias.shape[1] != V:
            raise FormatError(f"the bias must have one column per token ({V}), has shape {self.bias.shape}")
        G = self.bias.shape[0]
        if self.weights.shape != (G * V, (n + G) * V):
            raise FormatError(f"the weights have shape {self.weights.shape}, expected {(G * V, (n + G) * V)}")
        # causality: generated position n + k reads positions < n + k only (a weight on itself
        # or a later position is a forward pass no auto-regressive reader can run)
        coo = self.weights.tocoo()
        if coo.nnz:
            rows, cols = np.asarray(coo.row, dtype=np.int64), np.asarray(coo.col, dtype=np.int64)
            reads_ahead = (cols // V) >= n + rows // V
            if reads_ahead.any():
                i = int(np.argmax(reads_ahead))
                raise FormatError(f"generated position {n + int(rows[i]) // V} has a weight on position "
                                  f"{int(cols[i]) // V}: a position reads only the positions before it")
        missing = [a for a in self.input_alphabet if a not in self.vocab]
        if missing:
            raise FormatError(f"the input symbol {missing[0]!r} is not in the dictionary")
        check_answer(self.answer, n_inputs=n, n_generated=G)
        if self.labels is not None:
            labels = np.asarray(self.labels)
            if labels.shape != (G, 5) or labels.dtype.kind not in "iu":
                raise FormatError(f"labels must be an integer array of shape {(G, 5)}, not {labels.shape}")
            if len(labels) and (labels[:, 0].min() < 0 or labels[:, 0].max() > max(LABEL_KINDS)
                                or labels[:, 1:].min() < -(1 << 40) or labels[:, 1:].max() > (1 << 40)):
                raise FormatError("a position label has an unknown kind or an absurd field")
            self.labels = labels.astype(np.int64)
        for name in ("weights", "bias"):
            check_numbers(getattr(self, name), f"the {name}")
        self.weights, self.bias = self.weights.tocsr(), self.bias.tocsr()
        if self._wx.size or self._bx.size:  # exact values given beside float images (a collapsed model)
            if len(self._wx) != self.weights.nnz or len(self._bx) != self.bias.nnz:
                raise FormatError("the exact weights do not match the sparse layout")
        else:
            self._wx, self._bx, self.scale_exponent = exact_data(self.weights, self.bias)
        self.token_id = MappingProxyType(token_ids(self.vocab))


    @property
    def V(self) -> int:
        return len(self.vocab)

    @property
    def n_generated(self) -> int:
        return self.bias.shape[0]

    @property
    def context_length(self) -> int:
        return self.n_inputs + self.n_generated

    @property
    def nnz(self) -> int:
        return int(self.weights.nnz + self.bias.nnz)

    @property
    def dense_size(self) -> int:
        """Entries of the paper's dense masked layer with d = |V|: (C*|V|)^2."""
        return (self.context_length * self.V) ** 2

    @property
    def is_exact(self) -> bool:
        """Integer weights as stored (float files are still *computed* exactly)."""
        return self.weights.dtype.kind in "iu" and self.bias.dtype.kind in "iu"

    @property
    def arithmetic(self) -> str:
        return "exact-integer" if self.is_exact else "exact-rational"

    def bias_row(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(tokens, exact values) of generated position ``k``'s non-zero bias."""
        lo, hi = self.bias.indptr[k], self.bias.indptr[k + 1]
        return self.bias.indices[lo:hi], self._bx[lo:hi]

    def __repr__(self) -> str:
        return (f"LinearPredictor(route={self.meta.get('route', '-')!r}, tokens={self.V}, inputs={self.n_inputs}, "
                f"generated={self.n_generated}, nnz={self.nnz}, arithmetic={self.arithmetic!r})")

    def min_margin(self, words: Sequence[Sequence[str]]) -> int | float | None:
        """The smallest margin (best score minus the runner-up) over the roll-outs of
        ``words``, in the file's exact units (None with no generated position)."""
        r = self.rollout(self.encode_inputs(words), margins=True)
        if not r.margins.size:
            return None
        low = r.margins.min()
        return int(low) if r.margins.dtype.kind in "iu" else float(low)

    def _repr_html_(self) -> str:
        from itertools import islice, product

        from theorymodel.display import html_table

        words = list(islice(product(self.input_alphabet, repeat=self.n_inputs), 64))
        return html_table("LinearPredictor", {
            "route": self.meta.get("route", "-"), "dictionary": f"{self.V} tokens", "input tokens": self.n_inputs,
            "generated tokens": self.n_generated, "non-zero weights": f"{self.nnz:,}",
            "dense layout": f"{self.dense_size:,}", "arithmetic": self.arithmetic,
            f"min margin ({len(words)} inputs)": self.min_margin(words)})

    def picture(self, word: Sequence[str]) -> Any:
        """The CoT this predictor generates on ``word`` (its own roll-out, not the machine's
        run), as a tableau picture (:class:`theorymodel.display.Scene`)."""
        from theorymodel.display import cot_rows, tableau_scene
        from theorymodel.program.labels import CELL

        seq = self.rollout(self.encode_inputs([tuple(word)])).sequences[0]
        rows, names = cot_rows(self.vocab, self.labels, self.n_inputs, seq, cell_kind=CELL)
        route = self.meta.get("route", "")
        title = f"{self.meta.get('machine', '')} on {''.join(word)!r}" + (f", route {route}" if route else "") \
            + f": answer {self.decode(seq)!r}"
        return tableau_scene(rows, title=title, row_names=names)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_program(cls, program: CoTProgram) -> LinearPredictor:
        """Analytic weights: each rule's exact linear form (one block per position,
        reading only the positions the rule reads)."""
        V = len(program.vocab)
        G = program.cot_tokens
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        b_rows, b_cols, b_vals = [], [], []
        for k, rule in enumerate(program.rules):
            form = rule.linear_form(program)
            if form.terms:
                t = np.asarray(form.terms, dtype=np.int64)
                if (t[:, 1] >= program.n_inputs + k).any():
                    raise AssertionError(f"position {k} reads a later position")
                rows.append(k * V + t[:, 0])
                cols.append(t[:, 1] * V + t[:, 2])
                vals.append(t[:, 3])
            for d, value in form.bias.items():
                if value:
                    b_rows.append(k)
                    b_cols.append(d)
                    b_vals.append(value)
        C = program.context_length
        weights = sp.csr_matrix(
            (np.concatenate(vals) if vals else np.zeros(0, np.int64),
             (np.concatenate(rows) if rows else np.zeros(0, np.int64),
              np.concatenate(cols) if cols else np.zeros(0, np.int64))),
            shape=(G * V, C * V), dtype=np.int64,
        )
        weights.sum_duplicates()
        weights.eliminate_zeros()
        bias = sp.csr_matrix((np.asarray(b_vals, dtype=np.int64), (b_rows, b_cols)), shape=(G, V),
                             dtype=np.int64)
        bias.sum_duplicates()
        meta = {**program.meta, "machine": program.name}
        return cls(program.vocab, program.n_inputs, weights, bias, program.answer,
                   program.input_alphabet, meta, program.labels)

    # -- blocks ---------------------------------------------------------------------------
    def blocks(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Per generated position: (feature positions, feature tokens, output token, weight)."""
        if self._blocks is None:
            V = self.V
            W = self.weights
            out = []
            for k in range(self.n_generated):
                lo, hi = W.indptr[k * V], W.indptr[(k + 1) * V]
                cols = W.indices[lo:hi]
                # row of each nnz within the block
                counts = np.diff(W.indptr[k * V: (k + 1) * V + 1])
                d = np.repeat(np.arange(V, dtype=np.int64), counts)
                out.append((cols // V, cols % V, d, self._wx[lo:hi]))
            self._blocks = out
        return self._blocks

    def levels(self) -> list[tuple[Any, ...]]:
        """Generated positions grouped into waves that read no position of their own wave.

        Wave ``L`` holds the positions whose generated reads all lie in earlier waves (a
        tableau row, a circuit layer). Decoding a wave at once gives exactly the greedy
        auto-regressive result, with one vectorised gather per wave instead of per token.

        Each wave is ``(ks, read_pos, base, starts, table, bias)``: its positions; one entry
        per (position, read position) pair, grouped by position (``starts`` indexes the
        first pair of each position); and ``table``, whose row ``base + y`` holds that
        pair's score contributions to every token when the read position holds ``y``.
        A token's cost is its fan-in times |V|: the context length never enters.
        ``bias`` is the wave's dense (positions x |V|) bias.
        """
        if self._levels is None:
            n, V = self.n_inputs, self.V
            blocks = self.blocks()
            level = np.zeros(len(blocks), dtype=np.int64)
            for k, (pos, _, _, _) in enumerate(blocks):
                gen = pos[pos >= n] - n
                level[k] = level[gen].max() + 1 if len(gen) else 0
            dtype = self._wx.dtype
            waves = []
            order = np.argsort(level, kind="stable")
            bounds = np.searchsorted(level[order], np.arange((level.max() + 2) if len(level) else 1))
            for a, b in pairwise(bounds):
                ks = order[a:b]
                if not len(ks):
                    continue
                read_pos: list[int] = []
                starts: list[int] = []
                rows_total = 0
                entries = []  # (table row, output token, weight)
                for k in ks:
                    pos, tok, d, w = blocks[k]
                    starts.append(len(read_pos))
                    reads, which = np.unique(pos, return_inverse=True)
                    if not len(reads):  # constant position: a zero table row
                        reads, which = np.array([0]), np.zeros(0, dtype=np.int64)
                    read_pos.extend(reads.tolist())
                    base = rows_total + np.arange(len(reads)) * V
                    entries.append((base[which] + tok, d, w))
                    rows_total += len(reads) * V
                table = np.zeros((rows_total, V), dtype=dtype)
                for rows, d, w in entries:
                    np.add.at(table, (rows, d), w)
                base = np.arange(len(read_pos), dtype=np.int64) * V
                bias = np.zeros((len(ks), V), dtype=dtype)
                for row, k in enumerate(ks):
                    cols, vals = self.bias_row(int(k))
                    bias[row, cols] = vals
                waves.append((ks, np.asarray(read_pos, dtype=np.int64), base,
                              np.asarray(starts, dtype=np.int64), table, bias))
            self._levels = waves
        return self._levels

    def fan_in(self) -> np.ndarray:
        """How many earlier positions each generated position reads."""
        return np.array([len(np.unique(p)) for p, _, _, _ in self.blocks()], dtype=np.int64)

    # -- roll-out -------------------------------------------------------------------------
    def rollout(self, inputs: np.ndarray, *, reference: np.ndarray | None = None,
                teacher_forced: bool = False, margins: bool = False) -> RolloutResult:
        """Greedy decoding from the input tokens, vectorised over the batch.

        Parameters
        ----------
        inputs:
            Token ids, shape (batch, n).
        reference:
            Full expected sequences; the first position where the roll-out differs is
            reported. With ``teacher_forced`` the reference is fed back instead of the
            predictions (per-step accuracy, docs/paper.md Thm 3.6).
        margins:
            Also return, per position, top score minus runner-up (exact) and ties.
        """
        inputs = np.asarray(inputs, dtype=np.int32)
        if inputs.ndim == 1:
            inputs = inputs[None, :]
        widest = max((len(w[1]) for w in self.levels()), default=1) * self.V
        chunk = max(1, (1 << 24) // max(widest, 1))  # bounds the gathered (batch, pairs, V) array
        if inputs.shape[0] > chunk:
            parts = [
                self.rollout(inputs[i:i + chunk],
                             reference=None if reference is None else reference[i:i + chunk],
                             teacher_forced=teacher_forced, margins=margins)
                for i in range(0, inputs.shape[0], chunk)
            ]
            return RolloutResult(
                np.concatenate([p.sequences for p in parts]),
                np.concatenate([p.margins for p in parts]) if margins else _NONE,
                np.concatenate([p.ties for p in parts]) if margins else _NONE,
                np.concatenate([p.first_error for p in parts]) if reference is not None else _NONE,
            )
        B, n, G = inputs.shape[0], self.n_inputs, self.n_generated
        seq = np.zeros((B, n + G), dtype=np.int32)
        seq[:, :n] = inputs
        feed = reference if (teacher_forced and reference is not None) else seq
        dtype = self._wx.dtype
        margin_out = np.zeros((B, G) if margins else 0, dtype=dtype)
        ties = np.zeros((B, G) if margins else 0, dtype=bool)
        first_error = np.full(B, -1, dtype=np.int64)
        for ks, read_pos, base, starts, table, bias in self.levels():
            rows = base[None, :] + feed[:, read_pos]  # (B, pairs): the active table rows
            scores = np.add.reduceat(table[rows], starts, axis=1).astype(dtype)  # (B, P, V)
            scores += bias[None, :, :]
            best = scores.argmax(axis=2)
            seq[:, n + ks] = best
            if margins:
                top = np.take_along_axis(scores, best[:, :, None], axis=2)[:, :, 0]
                if scores.size:
                    np.put_along_axis(scores, best[:, :, None], scores.min() - 1, axis=2)
                runner = scores.max(axis=2)
                margin_out[:, ks] = top - runner
                ties[:, ks] = top == runner
        if reference is not None:
            wrong = seq[:, n:] != reference[:, n:]
            has = wrong.any(axis=1)
            first_error[has] = n + wrong[has].argmax(axis=1)
        return RolloutResult(seq, margin_out, ties, first_error if reference is not None else _NONE)

    def decode(self, seq_row: Sequence[int] | np.ndarray) -> str:
        return decode_answer(self.vocab, self.answer, seq_row)

    def answer_of(self, seq_row: Sequence[int] | np.ndarray) -> tuple[str, ...]:
        """The answer as a tuple of symbols: what verdicts compare."""
        return answer_cells(self.vocab, self.answer, seq_row)

    def scores(self, seq_row: np.ndarray, k: int) -> np.ndarray:
        """Exact scores of every token at generated position ``k`` given a full sequence."""
        pos, tok, d, w = self.blocks()[k]
        out = np.zeros(self.V, dtype=self._wx.dtype)
        cols, vals = self.bias_row(k)
        out[cols] = vals
        hit = np.asarray(seq_row)[pos] == tok
        np.add.at(out, d[hit], w[hit])
        return out

    def encode_inputs(self, words) -> np.ndarray:
        """Token ids of input words, shape (batch, n)."""
        return encode_words(self.token_id, self.input_alphabet, self.n_inputs, words)


def tolerance(margins_per_position: np.ndarray, fan_in: np.ndarray) -> Fraction:
    """Largest per-entry weight change that provably keeps every roll-out right.

    Changing every entry of position ``k``'s block (its fan-in positions, every token,
    plus the bias) by at most ``eps`` moves any token's score by at most
    ``eps * (fan_in_k + 1)`` (one active feature per read position, one bias), so the
    gap between the right token and any other shrinks by at most
    ``2 * eps * (fan_in_k + 1)``. Every argmax stays strict for every
    ``eps < min_k margin_k / (2 (fan_in_k + 1))``, and that bound is tight: moving the
    right token down and the runner-up up on the active entries closes the gap.
    """
    best: Fraction | None = None
    for m, f in zip(margins_per_position, fan_in, strict=True):
        bound = Fraction(int(m)) / (2 * (int(f) + 1)) if isinstance(m, (int, np.integer)) else \
            Fraction(float(m)) / (2 * (int(f) + 1))
        best = bound if best is None or bound < best else best
    return best if best is not None else Fraction(0)


def exact_data(weights: sp.csr_matrix, bias: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, int]:
    """The exact integer values of ``weights.data`` and ``bias.data``, and ``e`` with
    ``stored value = integer * 2^-e`` (0 for integer files).

    Every float is a dyadic rational, so one power of two turns all of them into
    integers; argmaxes and ties are unchanged. The integers are int64 when every score
    (a sum of at most one weight per read position, plus the bias) and every margin
    fits, else Python ints in object arrays: slower, never rounded.

    Raises
    ------
    FormatError
        For a NaN or an infinity.
    """
    row_nnz = int(np.diff(weights.indptr).max(initial=0)) + 1
    if weights.dtype.kind in "iu" and bias.dtype.kind in "iu":
        wi, bi = as_int64(weights.data, "the weights"), as_int64(bias.data, "the bias")
        top = max(max_magnitude(wi), max_magnitude(bi))
        if top.bit_length() + row_nnz.bit_length() + 1 <= 62:
            return wi, bi, 0
        return (np.array([int(v) for v in wi.tolist()], dtype=object),
                np.array([int(v) for v in bi.tolist()], dtype=object), 0)
    # some floats: every value (integers included, never through a float) as an exact ratio
    ratios = exact_ratios(weights.data, "the weights") + exact_ratios(bias.data, "the bias")
    e = max((den.bit_length() - 1 for _, den in ratios), default=0)
    ints = [num << (e - (den.bit_length() - 1)) for num, den in ratios]
    top = max((abs(v).bit_length() for v in ints), default=0)
    dtype = np.int64 if top + row_nnz.bit_length() + 1 <= 62 else object
    out = np.array(ints, dtype=dtype) if ints else np.zeros(0, dtype=dtype)
    k = len(weights.data)
    return out[:k], out[k:], e
