"""An inductive invariant of the windows a run can show, for every input length, width and
number of steps (docs/uniform.md, "A tight domain"): the lemma of
:mod:`proofs_check.uniform` need only hold on the triples it admits.

A row is drawn on an infinite line: ``... o o # c_0 ... c_{W-1} # o o ...`` where ``#`` is
the wall and ``o`` (:data:`OUT`) lies beyond it. A *k-window* is k consecutive entries.
The set ``S`` is the least fixpoint of

- **base:** every k-window of every row 0 (blanks, the input with the start head on its
  first cell, blanks; the input language is regular, so segments longer than k add no
  window and the base is finite);
- **step:** for every (k+2)-window ``w`` whose three k-subwindows lie in ``S``, whose walls
  sit at its ends (``o* # cells # o*`` or a part of it) and which holds at most one head,
  add the k-window its middle k entries step to (a wall or ``o`` stays; a cell becomes
  :func:`proofs_check.tm_semantics.next_cell` of the three entries above it).

**Soundness, by induction over rows.** Row 0's k-windows are in ``S`` (base). If every
k-window of row t is in ``S``, take any k-window of row t+1. It is determined by the
(k+2)-window of row t around it, whose three k-subwindows are k-windows of row t (so in
``S``), whose walls are a real row's, and which holds at most the row's one head. So the
step adds it. Hence every triple a run shows (a cell and its two neighbours in the row
above, or the row above's last cell, ``#`` and this row's first cell) is a triple of
``S``'s windows. The machine's semantics enter only through ``next_cell``, read from the
transition table, never from the compiler.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from proofs_check.tm_semantics import Tables, next_cell
from theorymodel.errors import ResourceLimitError
from theorymodel.machines import TuringMachine
from theorymodel.program.uniform import SEPARATOR, uniform_vocab

OUT = -2  # beyond a wall
DEADLINE: ContextVar[float | None] = ContextVar("invariant_deadline", default=None)  # set by callers with --timeout
MAX_WINDOWS = 2_000_000  # a fixpoint larger than this is refused (exit 3) before it exhausts memory
_SHAPE = re.compile(r"o+|o*wc*|o*wc+wo*|c*wo*|c+")


@dataclass(frozen=True)
class Invariant:
    """The least fixpoint ``S`` of k-windows (token ids; ``#`` is the rule's separator)."""

    k: int
    windows: frozenset[tuple[int, ...]]
    rounds: int

    def cell_triples(self) -> set[tuple[int, int, int]]:
        """(left, middle, right) around every cell of every window."""
        out = set()
        for w in self.windows:
            for i in range(1, self.k - 1):
                if w[i] > 0:
                    out.add((w[i - 1], w[i], w[i + 1]))
        return out

    def edge_cells(self, wall: int) -> tuple[set[int], set[int]]:
        """The cells a row can end with (before ``# o``) and start with (after ``o #``)."""
        last, first = set(), set()
        for w in self.windows:
            for i in range(1, self.k - 1):
                if w[i] == wall and w[i + 1] == OUT and w[i - 1] > 0:
                    last.add(w[i - 1])
                if w[i] == wall and w[i - 1] == OUT and w[i + 1] > 0:
                    first.add(w[i + 1])
        return last, first


def cell_tokens(tm: TuringMachine, tid: Mapping[str, int]) -> dict[int, tuple[int, int]]:
    """Token id -> (symbol code, state code or -1) for this machine's cells, read from the
    tokens' spelling (a symbol ``s``, a head ``[q]s``); spellings missing from ``tid`` are
    left out."""
    views: dict[int, tuple[int, int]] = {}
    for c, s in enumerate(tm.tape_symbols):
        if s in tid:
            views[tid[s]] = (c, -1)
        for qc, q in enumerate(tm.states):
            if f"[{q}]{s}" in tid:
                views[tid[f"[{q}]{s}"]] = (c, qc)
    return views


def initial_windows(tm: TuringMachine, tid: Mapping[str, int], k: int) -> set[tuple[int, ...]]:
    """Every k-window of every row 0 (module doc, "base")."""
    wall = tid[SEPARATOR]
    blank = tid[tm.blank_symbol]
    q0 = tm.initial_state
    rows: list[list[int]] = []
    for a, c in product(range(k + 1), repeat=2):
        rows.append([blank] * a + [tid[f"[{q0}]{tm.blank_symbol}"]] + [blank] * c)  # the empty input
        for length in range(k + 1):
            for word in product(tm.input_symbols, repeat=length + 1):
                cells = [tid[f"[{q0}]{word[0]}"], *(tid[s] for s in word[1:])]
                rows.append([blank] * a + cells + [blank] * c)
    out: set[tuple[int, ...]] = set()
    for row in rows:
        line = [OUT] * k + [wall, *row, wall] + [OUT] * k
        out.update(tuple(line[i:i + k]) for i in range(len(line) - k + 1))
    return out


def invariant(tm: TuringMachine, tid: Mapping[str, int], k: int = 3) -> Invariant:
    """The least fixpoint (module doc), computed by rounds until nothing is added.

    Raises
    ------
    ResourceLimitError
        When the set grows past :data:`MAX_WINDOWS` (exit 3).
    """
    if k < 3:
        raise ValueError("a window must hold a cell and both its neighbours: k >= 3")
    tab = Tables.of(tm)
    views = cell_tokens(tm, tid)  # every cell is spelled: tid is the machine's whole uniform dictionary
    token_of = {v: t for t, v in views.items()}
    wall = tid[SEPARATOR]
    kind = {t: "c" for t in views}
    kind[wall], kind[OUT] = "w", "o"
    heads = {t for t, (_, q) in views.items() if q >= 0}
    wall_view = (-1, -1)

    def leaves(w: tuple[int, ...]) -> bool:
        """A head next to a wall stepping into it: the run leaves the window, which the claim
        assumes it never does, so no later row of a covered run comes from this window."""
        for i in range(1, len(w) - 1):
            if w[i] in heads:
                s, q = views[w[i]]
                move = tab.move.get((q, s)) if tab.defined.get((q, s), False) else None
                if (move == 1 and w[i + 1] == wall) or (move == -1 and w[i - 1] == wall):
                    return True
        return False

    def step(w: tuple[int, ...], i: int) -> int:
        t = w[i]
        if t in (wall, OUT):
            return t
        left = wall_view if w[i - 1] == wall else views[w[i - 1]]
        right = wall_view if w[i + 1] == wall else views[w[i + 1]]
        return token_of[next_cell(tab, left, views[t], right)]

    cache: dict[tuple[int, int, int], int] = {}

    def stepped(w: tuple[int, ...]) -> tuple[int, ...]:
        out = []
        for i in range(1, k + 1):
            key = (w[i - 1], w[i], w[i + 1])
            if key not in cache:
                cache[key] = step(w, i)
            out.append(cache[key])
        return tuple(out)

    windows = initial_windows(tm, tid, k)
    by_prefix: dict[tuple[int, ...], list[tuple[int, ...]]] = defaultdict(list)
    by_suffix: dict[tuple[int, ...], list[tuple[int, ...]]] = defaultdict(list)
    for w in windows:
        by_prefix[w[:-1]].append(w)
        by_suffix[w[1:]].append(w)
    delta = set(windows)
    rounds = 0
    deadline = DEADLINE.get()
    while delta:  # semi-naive: every new (k+2)-window joins at least one window added last round
        rounds += 1
        if deadline is not None and time.monotonic() > deadline:
            raise ResourceLimitError(f"the window invariant of {tm.name} ran out of time (round {rounds})",
                                     limit="solver-timeout", details={"windows": len(windows), "k": k})
        joined: set[tuple[int, ...]] = set()
        for x in delta:
            for b in by_prefix.get(x[1:], ()):  # x first
                joined.update((*x, b[-1], c[-1]) for c in by_prefix.get(b[1:], ()))
            for a in by_suffix.get(x[:-1], ()):  # x in the middle
                joined.update((*a, x[-1], c[-1]) for c in by_prefix.get(x[1:], ()))
            for b in by_suffix.get(x[:-1], ()):  # x last
                joined.update((*a, b[-1], x[-1]) for a in by_suffix.get(b[:-1], ()))
        new = set()
        for w in joined:
            if sum(t in heads for t in w) > 1 or not _SHAPE.fullmatch("".join(kind[t] for t in w)) or leaves(w):
                continue
            nxt = stepped(w)
            if nxt not in windows:
                new.add(nxt)
        windows |= new
        for w in new:
            by_prefix[w[:-1]].append(w)
            by_suffix[w[1:]].append(w)
        delta = new
        if len(windows) > MAX_WINDOWS:
            raise ResourceLimitError(f"the window invariant of {tm.name} passed {MAX_WINDOWS} windows of {k}",
                                     limit="size-cap", details={"windows": len(windows), "k": k})
    return Invariant(k, frozenset(windows), rounds)


DEFAULT_K = 4  # bb2 needs windows of 4; larger k adds little on the bundled machines (docs/uniform.md)


@lru_cache(maxsize=64)
def _canonical_domain(tm: TuringMachine, k: int) -> tuple[frozenset[tuple[str, str, str]], int, int]:
    """The invariant's triples by spelling (they depend on the machine only), its window
    count and its rounds."""
    vocab, _, _ = uniform_vocab(tm.tape_symbols, tm.states)
    tid = {t: i for i, t in enumerate(vocab)}
    inv = invariant(tm, tid, k)
    wall = tid[SEPARATOR]
    last, first = inv.edge_cells(wall)
    triples = inv.cell_triples() | {(x, wall, y) for x in last for y in first}
    spelled = frozenset((vocab[a], vocab[b], vocab[c]) for a, b, c in triples)
    return spelled, len(inv.windows), inv.rounds


def invariant_domain(tm: TuringMachine, tid: Mapping[str, int], k: int = DEFAULT_K) -> set[tuple[int, int, int]]:
    """Every triple the invariant admits (around each cell, and at each ``#`` between rows),
    as the token ids of the dictionary ``tid``."""
    spelled, _, _ = _canonical_domain(tm, k)
    return {(tid[a], tid[b], tid[c]) for a, b, c in spelled}


def invariant_size(tm: TuringMachine, k: int = DEFAULT_K) -> dict[str, int]:
    spelled, windows, rounds = _canonical_domain(tm, k)
    return {"k": k, "windows": windows, "rounds": rounds, "triples": len(spelled)}
