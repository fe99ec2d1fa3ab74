"""``CoTProgram``: the intermediate form every predictor is built from.

A program has ``n`` input positions (tokens over the input alphabet) followed by
generated positions. Each generated position has a *rule* that reads a few earlier
positions and yields one token; the answer is decoded from the last positions.

Every rule has two faces that tests hold against each other:

- :meth:`evaluate`: its meaning, vectorised over a batch of sequences;
- :meth:`linear_form`: exact integer scores ``bias[d] + sum w * [x_pos == tok]`` whose
  strict argmax over the dictionary is the rule's token on every reachable context
  (docs/paper.md: the linear AR predictor; Thm 3.8 for threshold rules). The margin of
  every rule here is at least 1.

Token ids index :attr:`CoTProgram.vocab`. Operands of the tableau rules may also be
constants (a cell no step has touched): encoded as ``-(token_id + 1)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from theorymodel.errors import FormatError, ProgramError, UsageError
from theorymodel.program.labels import NAMES as LABEL_KINDS


@dataclass
class LinearForm:
    """Scores of one position: ``bias[d] + sum(w for (d, pos, tok, w) in terms if x[pos] == tok)``."""

    bias: dict[int, int] = field(default_factory=dict)
    terms: list[tuple[int, int, int, int]] = field(default_factory=list)

    def add(self, out: int, pos: int, tok: int, weight: int) -> None:
        if weight:
            self.terms.append((out, pos, tok, weight))

    def add_bias(self, out: int, value: int) -> None:
        self.bias[out] = self.bias.get(out, 0) + value


@dataclass(frozen=True, slots=True)
class ThresholdRule:
    """Binary token: ONE iff ``sum(w * [x_pos == tok]) >= threshold`` (a threshold gate)."""

    terms: tuple[tuple[int, int, int], ...]  # (position, token id, weight)
    threshold: int

    def reads(self) -> tuple[int, ...]:
        return tuple(sorted({p for p, _, _ in self.terms}))

    def evaluate(self, seq: np.ndarray, prog: CoTProgram) -> np.ndarray:
        total = np.zeros(seq.shape[0], dtype=np.int64)
        for pos, tok, w in self.terms:
            total += w * (seq[:, pos] == tok)
        return np.where(total >= self.threshold, prog.one, prog.zero).astype(np.int32)

    def linear_form(self, prog: CoTProgram) -> LinearForm:
        # score(ONE) = 2(S - threshold) + 2, score(ZERO) = 1, every other token 0:
        # S >= threshold gives ONE >= 2 > 1; S < threshold gives ONE <= 0 < 1.
        form = LinearForm(bias={prog.one: 2 - 2 * self.threshold, prog.zero: 1})
        for pos, tok, w in self.terms:
            form.add(prog.one, pos, tok, 2 * w)
        return form


@dataclass(frozen=True, slots=True)
class MapRule:
    """Token = ``table[x_src]`` for a shared table (a copy, or a cell's symbol)."""

    src: int  # position, or -(token+1) for a constant
    table: str

    def reads(self) -> tuple[int, ...]:
        return (self.src,) if self.src >= 0 else ()

    def evaluate(self, seq: np.ndarray, prog: CoTProgram) -> np.ndarray:
        table = prog.tables[self.table]
        if self.src < 0:
            return np.full(seq.shape[0], table[-self.src - 1], dtype=np.int32)
        return table[seq[:, self.src]]

    def linear_form(self, prog: CoTProgram) -> LinearForm:
        table = prog.tables[self.table]
        form = LinearForm()
        if self.src < 0:
            form.add_bias(int(table[-self.src - 1]), 1)
            return form
        for tok in prog.domain(self.src):
            form.add(int(table[tok]), self.src, int(tok), 1)
        return form


@dataclass(frozen=True, slots=True)
class AcceptRule:
    """Answer ONE iff some read cell is a head cell in an accepting state."""

    cells: tuple[int, ...]

    def reads(self) -> tuple[int, ...]:
        return self.cells

    def evaluate(self, seq: np.ndarray, prog: CoTProgram) -> np.ndarray:
        accepting = prog.tables["accepting"]
        hit = np.zeros(seq.shape[0], dtype=bool)
        for pos in self.cells:
            hit |= accepting[seq[:, pos]].astype(bool)
        return np.where(hit, prog.one, prog.zero).astype(np.int32)

    def linear_form(self, prog: CoTProgram) -> LinearForm:
        # exactly one head per row: score(ONE) = 2 * [head accepting], score(ZERO) = 1
        accepting = prog.tables["accepting"]
        form = LinearForm(bias={prog.zero: 1})
        for pos in self.cells:
            for tok in prog.domain(pos):
                if accepting[tok]:
                    form.add(prog.one, pos, int(tok), 2)
        return form


@dataclass(frozen=True, slots=True)
class CellRule:
    """One tableau cell from the three cells above it (left, middle, right).

    Shared tables (built by the tableau route) map a cell token to: the symbol left
    in the middle cell after one step (``after``), and the state arriving at the
    middle cell from the left, from the middle itself, or from the right (``from_l``,
    ``from_m``, ``from_r``; -1 for none). ``lifted`` operands are input symbols seen
    as the initial head cell ``[q0]s``.
    """

    operands: tuple[int, int, int]
    lifted: tuple[bool, bool, bool] = (False, False, False)

    def reads(self) -> tuple[int, ...]:
        return tuple(sorted({p for p in self.operands if p >= 0}))

    def _view(self, k: int, seq: np.ndarray, prog: CoTProgram) -> np.ndarray:
        op = self.operands[k]
        if op < 0:
            return np.full(seq.shape[0], -op - 1, dtype=np.int32)
        col = seq[:, op]
        return prog.tables["lift"][col] if self.lifted[k] else col

    def evaluate(self, seq: np.ndarray, prog: CoTProgram) -> np.ndarray:
        t = prog.tables
        left, mid, right = (self._view(k, seq, prog) for k in range(3))
        symbol = t["after"][mid]
        arrival = np.maximum(np.maximum(t["from_l"][left], t["from_m"][mid]), t["from_r"][right])
        return t["cell"][symbol, arrival + 1]

    def linear_form(self, prog: CoTProgram) -> LinearForm:
        # score(cell(s, q)) = [after(mid) = s] + sum_k [arrival_k = q]           (q a state)
        # score(cell(s, -)) = [after(mid) = s] + sum_k [arrival_k = none] - 2
        # At most one arrival is not none (one head), so the right cell scores 2 and
        # every other token at most 1: margin 1 (see docs/tableau.md).
        t = prog.tables
        cell = t["cell"]
        n_states = cell.shape[1] - 1
        form = LinearForm()
        for out_symbol in t["symbols"]:
            form.add_bias(int(cell[out_symbol, 0]), -2)
        arrivals = (t["from_l"], t["from_m"], t["from_r"])
        for k, op in enumerate(self.operands):
            if op < 0:
                domain: list[tuple[int, int | None]] = [(-op - 1, None)]
            else:
                toks = prog.domain(op)
                domain = [(int(t["lift"][y]) if self.lifted[k] else int(y), int(y)) for y in toks]
            for view, raw in domain:
                arr = int(arrivals[k][view])
                targets = [int(cell[s, arr + 1]) for s in t["symbols"]]
                if k == 1:
                    # the symbol term: every token whose symbol is after(mid)
                    after = int(t["after"][view])
                    sym_targets = [int(cell[after, q + 1]) for q in range(-1, n_states)]
                else:
                    sym_targets = []
                weights: dict[int, int] = {}
                for d in targets:
                    weights[d] = weights.get(d, 0) + 1
                for d in sym_targets:
                    weights[d] = weights.get(d, 0) + 1
                for d, w in weights.items():
                    if raw is None:
                        form.add_bias(d, w)
                    else:
                        form.add(d, op, raw, w)
        return form


@dataclass(frozen=True, slots=True)
class SharedRule:
    """A token from three earlier positions through one score table shared by every
    position (the uniform route, docs/uniform.md): ``argmax_d left[d, x_a] + middle[d, x_b]
    + right[d, x_c] + bias[d]`` with the integer tables ``shared_left``, ``shared_middle``,
    ``shared_right`` and ``shared_bias``. Its linear form is the whole table at every
    position, so the weights are translation-invariant."""

    operands: tuple[int, int, int]

    def reads(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.operands)))

    def evaluate(self, seq: np.ndarray, prog: CoTProgram) -> np.ndarray:
        t = prog.tables
        a, b, c = self.operands
        scores = (t["shared_left"].T[seq[:, a]] + t["shared_middle"].T[seq[:, b]]
                  + t["shared_right"].T[seq[:, c]] + t["shared_bias"])
        return scores.argmax(axis=1).astype(np.int32)

    def linear_form(self, prog: CoTProgram) -> LinearForm:
        t = prog.tables
        form = LinearForm()
        for d, value in enumerate(t["shared_bias"].tolist()):
            form.add_bias(d, int(value))
        for table, pos in zip(("shared_left", "shared_middle", "shared_right"), self.operands, strict=True):
            rows, cols = np.nonzero(t[table])
            for d, tok in zip(rows.tolist(), cols.tolist(), strict=True):
                form.add(d, pos, tok, int(t[table][d, tok]))
        return form


Rule = ThresholdRule | MapRule | AcceptRule | CellRule | SharedRule


AnswerKind = Literal["accept", "bits", "tape", "tape-bits"]


@dataclass(frozen=True)
class Answer:
    """How the answer is read off the last generated positions.

    kind: ``accept`` (one token, ``1``/``0``), ``tape`` (symbol tokens, blanks stripped
    at both ends), ``bits`` (binary tokens in declared output order), ``tape-bits``
    (one-hot groups of ``len(symbols)`` bits per cell, then as ``tape``).
    """

    kind: AnswerKind
    positions: tuple[int, ...]
    symbols: tuple[str, ...] = ()
    blank: str = ""


class CoTProgram:
    """A chain-of-thought program: input positions, then one rule per generated token.

    Immutable and validated when built: every rule reads earlier positions only, the
    answer layout decodes (:func:`check_answer`), the labels have one row per generated
    position. Use :meth:`replace` for a changed copy.

    Parameters
    ----------
    name, n_inputs, input_alphabet, vocab:
        The input length and alphabet; the whole dictionary (input symbols included).
    rules:
        One rule per generated position, in order (position ``n_inputs + k``).
    answer:
        Which positions hold the answer and how to decode it.
    tables:
        Shared lookup tables that rules refer to by name (stored read-only).
    domains, position_domain:
        The tokens each generated position can hold (``domains[position_domain[k]]``);
        by default binary. Inputs hold the input alphabet.
    labels:
        One claim per generated position about the machine's run
        (:mod:`theorymodel.program.labels`): the contract between a compiler and the
        checker, which proves every token equal to its label. None for programs with
        no machine behind them.
    gate_order:
        For programs built from a circuit: the gate behind each generated position.
    meta:
        Route, time bound and other facts for reports (read-only).
    """

    __slots__ = ("_domains", "_position_domain", "answer", "gate_order", "input_alphabet",
                 "input_ids", "labels", "meta", "n_inputs", "name", "one", "rules", "tables", "token_id",
                 "vocab", "zero")
    name: str
    n_inputs: int
    input_alphabet: tuple[str, ...]
    vocab: tuple[str, ...]
    token_id: Mapping[str, int]
    rules: tuple[Rule, ...]
    answer: Answer
    tables: Mapping[str, np.ndarray]
    meta: Mapping[str, Any]
    labels: np.ndarray | None
    gate_order: tuple[str, ...]
    one: int
    zero: int
    input_ids: np.ndarray
    _domains: tuple[np.ndarray, ...]
    _position_domain: np.ndarray

    def __init__(
        self, *, name: str, n_inputs: int, input_alphabet: Sequence[str], vocab: Sequence[str],
        rules: Sequence[Rule], answer: Answer, tables: Mapping[str, np.ndarray] | None = None,
        domains: Sequence[np.ndarray] = (), position_domain: np.ndarray | None = None,
        labels: np.ndarray | None = None, gate_order: Sequence[str] = (),
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        set_ = object.__setattr__
        vocab = tuple(vocab)
        token_id = token_ids(vocab)
        if len(token_id) != len(vocab):
            raise ProgramError("duplicate token in vocab")
        missing = [s for s in input_alphabet if s not in token_id]
        if missing:
            raise ProgramError(f"input symbol {missing[0]!r} is not in the vocabulary")
        rules = tuple(rules)
        for k, rule in enumerate(rules):
            late = [p for p in rule.reads() if p >= n_inputs + k]
            if late:
                raise ProgramError(f"generated position {n_inputs + k} reads position {late[0]}, not an earlier one")
        check_answer(answer, n_inputs=n_inputs, n_generated=len(rules))
        if labels is not None:
            labels = np.array(labels, dtype=np.int64).reshape(-1, 5)
            if len(labels) != len(rules):
                raise ProgramError(f"{len(labels)} labels for {len(rules)} generated positions")
            if len(labels) and not set(labels[:, 0].tolist()) <= set(LABEL_KINDS):
                raise ProgramError("a label has an unknown kind")
            labels.setflags(write=False)
        frozen_tables = {}
        for key, table in (tables or {}).items():
            table = np.array(table)
            table.setflags(write=False)
            frozen_tables[key] = table
        set_(self, "name", name)
        set_(self, "n_inputs", n_inputs)
        set_(self, "input_alphabet", tuple(input_alphabet))
        set_(self, "vocab", vocab)
        set_(self, "token_id", MappingProxyType(token_id))
        set_(self, "rules", rules)
        set_(self, "answer", answer)
        set_(self, "tables", MappingProxyType(frozen_tables))
        set_(self, "meta", MappingProxyType(dict(meta or {})))
        set_(self, "labels", labels)
        set_(self, "gate_order", tuple(gate_order))
        set_(self, "one", token_id.get("1", -1))
        set_(self, "zero", token_id.get("0", -1))
        set_(self, "input_ids", np.array([token_id[s] for s in self.input_alphabet], dtype=np.int32))
        # domains[position_domain[k]]: the tokens generated position k can hold;
        # by default every generated position is binary (threshold programs)
        set_(self, "_domains", tuple(domains) or (np.array(sorted({self.zero, self.one}), dtype=np.int32),))
        set_(self, "_position_domain",
             np.zeros(len(rules), dtype=np.int16) if position_domain is None else np.asarray(position_domain))

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("CoTProgram is immutable; use replace()")

    def replace(self, **changes: Any) -> CoTProgram:
        """A validated copy with some fields changed (``tables`` entries are merged)."""
        fields: dict[str, Any] = {
            "name": self.name, "n_inputs": self.n_inputs, "input_alphabet": self.input_alphabet,
            "vocab": self.vocab, "rules": self.rules, "answer": self.answer, "tables": dict(self.tables),
            "domains": self._domains, "position_domain": self._position_domain, "labels": self.labels,
            "gate_order": self.gate_order, "meta": dict(self.meta),
        }
        if "tables" in changes:
            changes["tables"] = {**fields["tables"], **changes["tables"]}
        fields.update(changes)
        return CoTProgram(**fields)

    @property
    def cot_tokens(self) -> int:
        return len(self.rules)

    @property
    def context_length(self) -> int:
        return self.n_inputs + len(self.rules)

    def domain(self, pos: int) -> np.ndarray:
        """The tokens position ``pos`` can hold on some input."""
        if pos < self.n_inputs:
            return self.input_ids
        return self._domains[int(self._position_domain[pos - self.n_inputs])]

    # -- evaluation ---------------------------------------------------------------------
    def encode_inputs(self, words: Sequence[Sequence[str]]) -> np.ndarray:
        """Token ids of input words, shape (batch, n)."""
        return encode_words(self.token_id, self.input_alphabet, self.n_inputs, words)

    def evaluate(self, inputs: np.ndarray) -> np.ndarray:
        """Full sequences (input tokens first) for a batch of encoded inputs."""
        inputs = np.asarray(inputs, dtype=np.int32)
        if inputs.ndim == 1:
            inputs = inputs[None, :]
        seq = np.zeros((inputs.shape[0], self.context_length), dtype=np.int32)
        seq[:, : self.n_inputs] = inputs
        for k, rule in enumerate(self.rules):
            seq[:, self.n_inputs + k] = rule.evaluate(seq, self)
        return seq

    def decode(self, seq_row: Sequence[int]) -> str:
        """The answer string of one full sequence."""
        return decode_answer(self.vocab, self.answer, seq_row)

    def records(self, words: Sequence[Sequence[str]]) -> list[dict[str, Any]]:
        """``cot.jsonl`` records: input, full token sequence, output."""
        seq = self.evaluate(self.encode_inputs(words))
        vocab = self.vocab
        return [
            {"input": "".join(w), "tokens": [vocab[t] for t in row], "output": self.decode(row)}
            for w, row in zip(words, seq, strict=True)
        ]

    def __repr__(self) -> str:
        return (f"CoTProgram(name={self.name!r}, n={self.n_inputs}, cot_tokens={self.cot_tokens}, "
                f"vocab={len(self.vocab)})")

    def picture(self, word: Sequence[str] | None = None) -> Any:
        """The CoT of one input (default: the first input in order) as a tableau picture
        (:class:`theorymodel.display.Scene`; ``.svg()``, ``.save(path)``)."""
        from theorymodel.display import cot_rows, tableau_scene
        from theorymodel.program.labels import CELL

        word = tuple(word) if word is not None else (self.input_alphabet[0],) * self.n_inputs
        seq = self.evaluate(self.encode_inputs([word]))[0]
        rows, names = cot_rows(self.vocab, self.labels, self.n_inputs, seq, cell_kind=CELL)
        return tableau_scene(rows, title=f"{self.name} on {''.join(word)!r}: answer {self.decode(seq)!r}",
                             row_names=names)

    def _repr_html_(self) -> str:
        from theorymodel.display import html_table

        table = html_table(f"CoTProgram {self.name}", {
            "route": self.meta.get("route", "-"), "input tokens": self.n_inputs, "CoT tokens": self.cot_tokens,
            "dictionary": f"{len(self.vocab)} tokens", "answer": self.answer.kind})
        return table + (self.picture().svg() if self.cot_tokens <= 2000 else "")


ANSWER_KINDS: tuple[AnswerKind, ...] = ("accept", "bits", "tape", "tape-bits")
UNDECODABLE = "?"  # a tape-bits group without exactly one hot bit


def answer_cells(vocab: Sequence[str], a: Answer, seq_row: Sequence[int] | np.ndarray) -> tuple[str, ...]:
    """The answer of one full sequence as a tuple of symbols (see :class:`Answer`).

    This is what every verdict compares, under every method: ``accept`` and ``bits``
    answers are their tokens; ``tape`` answers the cell symbols with blanks stripped at
    both ends; ``tape-bits`` first reads each one-hot group as its symbol (``?`` when
    not exactly one bit is ``1``). Comparing symbol tuples, not joined strings, keeps
    multi-character symbols apart (``ab`` + ``c`` is not ``a`` + ``bc``).
    """
    toks = [vocab[int(seq_row[p])] for p in a.positions]
    if a.kind in ("accept", "bits"):
        return tuple(toks)
    if a.kind == "tape":
        cells = toks
    elif a.kind == "tape-bits":
        k = len(a.symbols)
        cells = []
        for c in range(0, len(toks), k):
            group = toks[c: c + k]
            hot = [s for s, bit in zip(a.symbols, group, strict=True) if bit == "1"]
            cells.append(hot[0] if len(hot) == 1 else UNDECODABLE)
    else:
        raise ValueError(f"unknown answer kind {a.kind!r}")
    lo, hi = 0, len(cells)
    while lo < hi and cells[lo] == a.blank:
        lo += 1
    while hi > lo and cells[hi - 1] == a.blank:
        hi -= 1
    return tuple(cells[lo:hi])


def token_ids(vocab: Sequence[str]) -> dict[str, int]:
    """Token string -> id (its index in the dictionary)."""
    return {t: i for i, t in enumerate(vocab)}


def decode_answer(vocab: Sequence[str], a: Answer, seq_row: Sequence[int] | np.ndarray) -> str:
    """The answer string a user reads: :func:`answer_cells`, concatenated."""
    return "".join(answer_cells(vocab, a, seq_row))


def answer_kind(text: str) -> AnswerKind:
    """An answer kind read from a file, checked.

    Raises
    ------
    FormatError
        For a kind that is not one of :data:`ANSWER_KINDS`.
    """
    for kind in ANSWER_KINDS:
        if text == kind:
            return kind
    raise FormatError(f"unknown answer kind {text!r}; kinds are {', '.join(ANSWER_KINDS)}")


def check_answer(a: Answer, *, n_inputs: int, n_generated: int) -> None:
    """Refuse an answer layout that cannot be decoded: unknown kind, positions outside
    the generated ones or repeated, a one-hot group that does not fit.

    Raises
    ------
    FormatError
        With what is wrong (exit 2 from the CLI).
    """
    if a.kind not in ANSWER_KINDS:
        raise FormatError(f"unknown answer kind {a.kind!r}; kinds are {', '.join(ANSWER_KINDS)}")
    lo, hi = n_inputs, n_inputs + n_generated
    bad = [p for p in a.positions if not lo <= p < hi]
    if bad:
        raise FormatError(f"answer position {bad[0]} is not a generated position ({lo}..{hi - 1})")
    if len(set(a.positions)) != len(a.positions):
        raise FormatError("an answer position is listed twice")
    if a.kind == "accept" and len(a.positions) != 1:
        raise FormatError(f"an accept answer is one token, not {len(a.positions)}")
    if a.kind == "tape-bits" and (not a.symbols or len(a.positions) % len(a.symbols)
                                  or len(set(a.symbols)) != len(a.symbols)):
        raise FormatError("a tape-bits answer needs distinct symbols and one group of bits per cell")


def encode_words(token_id: Mapping[str, int], alphabet: Sequence[str], n: int,
                 words: Sequence[Sequence[str]]) -> np.ndarray:
    """Token ids of input words of length ``n`` over ``alphabet``, shape (batch, n)."""
    out = np.zeros((len(words), n), dtype=np.int32)
    for b, word in enumerate(words):
        if len(word) != n:
            raise UsageError(f"input {''.join(word)!r} has length {len(word)}, not {n}")
        for j, sym in enumerate(word):
            if sym not in alphabet:
                raise UsageError(f"input symbol {sym!r} is not in {list(alphabet)}")
            out[b, j] = token_id[sym]
    return out
