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

**Rows of one head: the walls.** The triple at a ``#`` joins row t's last cell to row t+1's
first, which is the step of row t's first two cells. In a row of three cells or more those
are three cells of one row, so at most one is a head (:meth:`Invariant.wall_triples`);
shorter rows are seen whole by a window.

**Head counts.** A k-window cannot see that no ``1`` lies anywhere left of a head (zeros_then_ones
returning to its ``X``). So each head may also carry, for a tracked symbol, how many cells
of that symbol lie left and right of it in its row, counted up to a cap (none, one, two or
more). Row 0's head has the blanks of the margin on its left and the rest of the input
and the blanks on its right. One step keeps the counts (no move; a halted head), or, on a
move right, adds the written symbol on the left and takes the cell stepped onto from the
right (a count at the cap may stay there, or drop by one); a move left mirrors it. A real
row's counts are thus always among the annotated head's, and a window's visible cells must
agree with them (fewer than the count if it is below the cap; exactly, where the wall is in
view). The induction above goes through unchanged over the annotated tokens, so the
triples of the annotated fixpoint, read back as plain tokens, hold every triple of every
run. :func:`_canonical_domain` intersects the plain fixpoint with one annotated fixpoint per
tape symbol; each is sound, so the intersection is.

**Head regions.** Counts do not see order: `binary_addition`'s head looking for `+` has `+`
somewhere on its left, but two blanks right next to it are impossible only because the
margin lies beyond `x` and `+`. So a head may instead carry the order of regions on either
side: the tape symbols are split into regions (one symbol, the blank, all the others),
each side is read as region letters with runs of one letter merged, and the head keeps the
letters nearest to it (at most :data:`REGION_LETTERS`) and whether unknown letters may lie
beyond them. Row 0 takes every word that the unseen part allows (margin blanks on the left;
more input, then blanks, on the right). A move right appends the written symbol's letter on
the left, and on the right either keeps the nearest letter (its run goes on) or drops it
(that was its last cell). A move left mirrors it. A window's visible cells, read as letters,
must agree with the letters nearest the head: exactly where the wall is in view. As with
counts, a real row's word is always among its head's, so the induction holds over the
annotated tokens. :func:`region_triples` computes one; no verdict uses them, since on the
bundled machines and on 3,000 random ones they proved no table the counted invariant
left unproved (docs/uniform.md, "Head regions").
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Any

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
    annotated: int = 0  # windows before the head counts were dropped (0: no counts kept)
    heads: frozenset[int] = frozenset()  # the head tokens

    def cell_triples(self) -> set[tuple[int, int, int]]:
        """(left, middle, right) around every cell of every window."""
        out = set()
        for w in self.windows:
            for i in range(1, self.k - 1):
                if w[i] > 0:
                    out.add((w[i - 1], w[i], w[i + 1]))
        return out

    def wall_triples(self, wall: int, step: Callable[[int, int, int], int]) -> set[tuple[int, int, int]]:
        """(row t's last cell, ``#``, row t+1's first cell) for every row the windows allow.
        Row t+1's first cell is ``step(#, f, s)`` of row t's first two cells; in a row of
        three cells or more, its last cell and its first two are three cells of one row, so
        at most one of them is a head. Rows of one or two cells are seen whole."""
        last: set[int] = set()
        starts: set[tuple[int, int]] = set()
        out: set[tuple[int, int, int]] = set()
        for w in self.windows:
            for i in range(1, self.k - 1):
                if w[i] != wall:
                    continue
                if w[i + 1] == OUT and w[i - 1] not in (wall, OUT):
                    last.add(w[i - 1])
                if w[i - 1] == OUT and i + 2 < self.k and w[i + 1] not in (wall, OUT) and w[i + 2] not in (wall, OUT):
                    starts.add((w[i + 1], w[i + 2]))
            for i in range(self.k - 2):  # whole short rows: # c # and # c d #
                if w[i] == wall and w[i + 2] == wall and w[i + 1] not in (wall, OUT):
                    out.add((w[i + 1], wall, step(wall, w[i + 1], wall)))
                if i + 3 < self.k and w[i] == wall and w[i + 3] == wall and OUT not in w[i + 1:i + 3] \
                        and wall not in w[i + 1:i + 3]:
                    out.add((w[i + 2], wall, step(wall, w[i + 1], w[i + 2])))
        heads = self.heads
        for f, s in starts:
            y = step(wall, f, s)
            for x in last:
                if (x in heads) + (f in heads) + (s in heads) <= 1:
                    out.add((x, wall, y))
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


def invariant(tm: TuringMachine, tid: Mapping[str, int], k: int = 3, *, cap: int = 0,
              tracked: tuple[str, ...] | None = None, regions: tuple[frozenset[str], ...] | None = None,
              max_windows: int = MAX_WINDOWS) -> Invariant:
    """The least fixpoint (module doc), computed by rounds until nothing is added.

    With ``cap > 0`` every head also carries how many cells of each ``tracked`` symbol
    (default: all) lie left and right of it in its row, counted up to ``cap`` (module doc,
    "Head counts"); windows are then over these annotated heads, and
    :attr:`Invariant.windows` spells them back as plain tokens. With ``regions`` (a
    partition of the tape symbols) every head carries instead the order of the regions
    on either side of it (module doc, "Head regions").

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
    heads = {t for t, (_, q) in views.items() if q >= 0}
    first_id = max([*tid.values(), wall]) + 1
    counts: _HeadNotes = (_HeadRegions(tm, views, wall, first_id, regions) if regions is not None else
                          _HeadCounts(tm, views, wall, first_id, cap,
                                      tracked=tm.tape_symbols if tracked is None else tracked))
    cap = cap or (1 if regions is not None else 0)  # annotated or not
    kind = {t: "c" for t in views}
    kind[wall], kind[OUT] = "w", "o"
    wall_view = (-1, -1)

    plain_of = counts.plain

    def plain(t: int) -> int:
        return plain_of.get(t, t)

    def leaves(w: tuple[int, ...]) -> bool:
        """A head next to a wall stepping into it: the run leaves the window, which the claim
        assumes it never does, so no later row of a covered run comes from this window."""
        for i in range(1, len(w) - 1):
            h = plain(w[i])
            if h in heads:
                s, q = views[h]
                move = tab.move.get((q, s)) if tab.defined.get((q, s), False) else None
                if (move == 1 and w[i + 1] == wall) or (move == -1 and w[i - 1] == wall):
                    return True
        return False

    def step(left: int, mid: int, right: int) -> int:
        if mid in (wall, OUT):
            return mid
        lv = wall_view if left == wall else views[left]
        rv = wall_view if right == wall else views[right]
        return token_of[next_cell(tab, lv, views[mid], rv)]

    cache: dict[tuple[int, int, int], int] = {}

    def stepped(w: tuple[int, ...], p: tuple[int, ...]) -> list[tuple[int, ...]]:
        """The windows ``w`` steps to (``p``: ``w`` spelled plain)."""
        out = []
        for i in range(1, k + 1):
            key = (p[i - 1], p[i], p[i + 1])
            if key not in cache:
                cache[key] = step(*key)
            out.append(cache[key])
        return counts.annotate_step(w, out) if cap else [tuple(out)]

    windows = initial_windows(tm, tid, k)
    if cap:
        windows = {a for w in windows for a in counts.annotate_initial(w)}
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
            p = tuple(plain_of.get(t, t) for t in w) if cap else w  # unannotated windows are plain already
            if sum(t in heads for t in p) > 1 \
                    or not _SHAPE.fullmatch("".join(kind[t] for t in p)) or leaves(p) \
                    or (cap and not counts.consistent(w)):
                continue
            for nxt in stepped(w, p):
                if nxt not in windows:
                    new.add(nxt)
        windows |= new
        for w in new:
            by_prefix[w[:-1]].append(w)
            by_suffix[w[1:]].append(w)
        delta = new
        if len(windows) > max_windows:
            raise ResourceLimitError(f"the window invariant of {tm.name} passed {max_windows} windows of {k}",
                                     limit="size-cap", details={"windows": len(windows), "k": k})
    annotated = len(windows)
    return Invariant(k, frozenset(tuple(plain(t) for t in w) for w in windows), rounds, annotated if cap else 0,
                     frozenset(heads))


class _HeadNotes(ABC):
    """Head tokens annotated with a note about the rest of their row (module doc, "Head
    counts", "Head regions"). An annotated head gets an id of its own, from ``first_id``
    on. Subclasses say what a note is: how row 0 starts it, which visible cells agree
    with it, and how a move changes it."""

    def __init__(self, tm: TuringMachine, views: Mapping[int, tuple[int, int]], wall: int, first_id: int) -> None:
        self.tab = Tables.of(tm)
        self.views, self.wall = views, wall
        self.next_id = first_id
        self.ids: dict[tuple[int, Any], int] = {}
        self.plain: dict[int, int] = {}
        self.notes: dict[int, Any] = {}

    # -- what a note is (subclasses) --
    @abstractmethod
    def start_notes(self, left: list[int], left_whole: bool, right: list[int], right_whole: bool,
                    right_free: tuple[int, ...]) -> list[Any]:
        """Every note row 0's start head can have: ``left``/``right`` the visible symbols;
        the unseen left part is blanks, the unseen right part ``right_free``* then blanks."""

    @abstractmethod
    def fits(self, note: Any, left: list[int], left_whole: bool, right: list[int], right_whole: bool) -> bool:
        """Whether a window's visible cells beside the head agree with ``note``."""

    @abstractmethod
    def moved(self, note: Any, written: int, onto: int, direction: int) -> list[Any]:
        """The notes after a move (``direction`` 1 or -1) that wrote ``written`` and stepped
        onto a cell holding ``onto``."""

    # -- shared --
    def head(self, token: int, note: Any) -> int:
        key = (token, note)
        if key not in self.ids:
            self.ids[key] = self.next_id
            self.plain[self.next_id] = token
            self.notes[self.next_id] = note
            self.next_id += 1
        return self.ids[key]

    def _sides(self, w: tuple[int, ...], i: int) -> tuple[list[int], bool, list[int], bool]:
        """The symbols visible left and right of index ``i``, in order, and whether each
        side is seen up to its wall."""
        left: list[int] = []
        right: list[int] = []
        left_whole = right_whole = False
        for j, t in enumerate(w):
            if t == self.wall:
                if j < i:
                    left_whole = True
                else:
                    right_whole = True
            elif t != OUT and j != i:
                (left if j < i else right).append(self.views[self.plain.get(t, t)][0])
        return left, left_whole, right, right_whole

    def consistent(self, w: tuple[int, ...]) -> bool:
        """The window's cells agree with its head's note."""
        for i, t in enumerate(w):
            if t in self.notes:
                return self.fits(self.notes[t], *self._sides(w, i))
        return True

    def annotate_initial(self, w: tuple[int, ...]) -> list[tuple[int, ...]]:
        """A row-0 window with every note its head can have: left of the start head lie
        blanks only; right of it the rest of the input, then blanks."""
        tab = self.tab
        for i, t in enumerate(w):
            if t in self.views and self.views[t][1] >= 0:
                left, lw, right, rw = self._sides(w, i)
                last = next((self.views[u][0] for u in reversed(w[i:]) if u in self.views), tab.blank)
                free = () if last == tab.blank else tuple(sorted(set(tab.inputs) - {tab.blank}))
                notes = self.start_notes(left, lw, right, rw, free)
                return [(*w[:i], self.head(t, note), *w[i + 1:]) for note in notes]
        return [w]

    def annotate_step(self, w: tuple[int, ...], out: list[int]) -> list[tuple[int, ...]]:
        """The stepped window with its new head's notes, read from the old head's."""
        j = next((j for j, t in enumerate(out) if t in self.views and self.views[t][1] >= 0), None)
        if j is None:
            return [tuple(out)]
        i = next(i for i, t in enumerate(w) if t in self.notes)
        s, q = self.views[self.plain[w[i]]]
        note = self.notes[w[i]]
        tab = self.tab
        if not tab.defined.get((q, s), False) or tab.move[q, s] == 0:
            options = [note]
        else:
            onto = self.views[self.plain.get(w[j + 1], w[j + 1])][0]
            options = self.moved(note, tab.write[q, s], onto, tab.move[q, s])
        return [(*out[:j], self.head(out[j], n), *out[j + 1:]) for n in options]


class _HeadCounts(_HeadNotes):
    """Capped counts of the tracked symbols left and right of the head ("Head counts")."""

    def __init__(self, tm: TuringMachine, views: Mapping[int, tuple[int, int]], wall: int, first_id: int, cap: int,
                 tracked: tuple[str, ...]) -> None:
        super().__init__(tm, views, wall, first_id)
        self.cap = cap
        # symbol code -> its place in a count vector; untracked symbols are not counted
        ordered = sorted(set(tracked), key=tm.tape_symbols.index)
        self.place = {tm.tape_symbols.index(s): i for i, s in enumerate(ordered)}

    def _count(self, symbols: list[int]) -> list[int]:
        out = [0] * len(self.place)
        for c in symbols:
            if c in self.place:
                out[self.place[c]] += 1
        return out

    def _fits(self, note: tuple[int, ...], seen: list[int], whole: bool) -> bool:
        if whole:
            return all(min(v, self.cap) == c for c, v in zip(note, seen, strict=True))
        return all(c == self.cap or v <= c for c, v in zip(note, seen, strict=True))

    def fits(self, note: Any, left: list[int], left_whole: bool, right: list[int], right_whole: bool) -> bool:
        return self._fits(note[0], self._count(left), left_whole) and self._fits(note[1], self._count(right),
                                                                                  right_whole)

    def _completions(self, seen: list[int], whole: bool, free: tuple[int, ...]) -> set[tuple[int, ...]]:
        """Capped counts of the seen cells plus any number of cells of the symbols ``free``."""
        if whole:
            return {tuple(min(v, self.cap) for v in seen)}
        out = set()
        places = sorted({self.place[s] for s in free if s in self.place})
        for extra in product(range(self.cap + 1), repeat=len(places)):
            total = list(seen)
            for s, e in zip(places, extra, strict=True):
                total[s] += e
            out.add(tuple(min(v, self.cap) for v in total))
        return out

    def start_notes(self, left: list[int], left_whole: bool, right: list[int], right_whole: bool,
                    right_free: tuple[int, ...]) -> list[Any]:
        blank = self.tab.blank
        return [(nl, nr) for nl in self._completions(self._count(left), left_whole, (blank,))
                for nr in self._completions(self._count(right), right_whole, (*right_free, blank))]

    def _minus(self, note: tuple[int, ...], symbol: int) -> list[tuple[int, ...]]:
        if symbol not in self.place:
            return [note]
        s = self.place[symbol]
        c = note[s]
        if c == 0:
            return []  # the cell stepped onto is not on that side: no real row does this
        options = [c - 1, c] if c == self.cap else [c - 1]
        return [(*note[:s], v, *note[s + 1:]) for v in options]

    def _plus(self, note: tuple[int, ...], symbol: int) -> tuple[int, ...]:
        if symbol not in self.place:
            return note
        s = self.place[symbol]
        return (*note[:s], min(note[s] + 1, self.cap), *note[s + 1:])

    def moved(self, note: Any, written: int, onto: int, direction: int) -> list[Any]:
        """A move right adds the written symbol on the left and takes the cell stepped onto
        from the right (a count at the cap may stay there); a move left mirrors it."""
        left, right = note
        if direction == 1:
            return [(self._plus(left, written), r) for r in self._minus(right, onto)]
        return [(lft, self._plus(right, written)) for lft in self._minus(left, onto)]


REGION_LETTERS = 4  # region letters a head keeps on either side (the nearest ones)


class _HeadRegions(_HeadNotes):
    """The order of regions on either side of the head ("Head regions"): the row's symbols
    read as their region's letter, runs of one letter merged into one. A side's note is
    (letters, open): the letters nearest the head, at most :data:`REGION_LETTERS`; ``open``
    says that unknown letters may lie beyond them. Left letters are in row order, ending
    next to the head; right letters start next to it."""

    def __init__(self, tm: TuringMachine, views: Mapping[int, tuple[int, int]], wall: int, first_id: int,
                 regions: tuple[frozenset[str], ...]) -> None:
        super().__init__(tm, views, wall, first_id)
        self.letter = {tm.tape_symbols.index(s): r for r, part in enumerate(regions) for s in part}

    @staticmethod
    def _merged(letters: list[int] | tuple[int, ...]) -> tuple[int, ...]:
        out: list[int] = []
        for x in letters:
            if not out or out[-1] != x:
                out.append(x)
        return tuple(out)

    def _word(self, symbols: list[int]) -> tuple[int, ...]:
        return self._merged([self.letter[c] for c in symbols])

    @staticmethod
    def _fits_side(note: tuple[tuple[int, ...], bool], seen: tuple[int, ...], whole: bool, left: bool) -> bool:
        """The visible letters (nearest the head, all of them if ``whole``) agree with the
        note. The first visible letter of a side may be part of a longer run: still one letter."""
        known, open_ = note
        near = (lambda a, n: a[len(a) - n:]) if left else (lambda a, n: a[:n])  # the n letters nearest the head
        n = min(len(known), len(seen))
        if near(known, n) != near(seen, n):
            return False
        if len(seen) > len(known):
            return open_
        return not whole or len(seen) == len(known)

    def fits(self, note: Any, left: list[int], left_whole: bool, right: list[int], right_whole: bool) -> bool:
        return (self._fits_side(note[0], self._word(left), left_whole, True)
                and self._fits_side(note[1], self._word(right), right_whole, False))

    def _cut(self, letters: tuple[int, ...], open_: bool, left: bool) -> tuple[tuple[int, ...], bool]:
        if len(letters) <= REGION_LETTERS:
            return letters, open_
        return (letters[-REGION_LETTERS:] if left else letters[:REGION_LETTERS]), True

    def start_notes(self, left: list[int], left_whole: bool, right: list[int], right_whole: bool,
                    right_free: tuple[int, ...]) -> list[Any]:
        blank = self.letter[self.tab.blank]
        seen_left = self._word(left)
        lefts = {self._cut(seen_left, False, True)}
        if not left_whole:  # more margin blanks may lie beyond the window
            lefts.add(self._cut(self._merged([blank, *seen_left]), False, True))
        seen_right = self._word(right)
        rights = {self._cut(seen_right, False, False)}
        if not right_whole:  # the rest of the input (letters of right_free), then blanks
            free = sorted({self.letter[c] for c in right_free})
            middles: set[tuple[int, ...]] = {()}
            frontier: set[tuple[int, ...]] = {()}
            for _ in range(REGION_LETTERS + 1):
                frontier = {self._merged([*m, x]) for m in frontier for x in free}
                middles |= frontier
            for m in middles:
                for tail in ((), (blank,)):
                    rights.add(self._cut(self._merged([*seen_right, *m, *tail]), False, False))
        return [(a, b) for a in lefts for b in rights]

    def _plus(self, side: tuple[tuple[int, ...], bool], symbol: int, left: bool) -> tuple[tuple[int, ...], bool]:
        letters, open_ = side
        x = self.letter[symbol]
        return self._cut(self._merged([*letters, x] if left else [x, *letters]), open_, left)

    def _minus(self, side: tuple[tuple[int, ...], bool], symbol: int, left: bool) -> list[tuple[tuple[int, ...], bool]]:
        """The side after its cell nearest the head (holding ``symbol``) leaves it: its run
        goes on, or that was the run's last cell."""
        letters, open_ = side
        x = self.letter[symbol]
        if not letters:
            return [((), True)] if open_ else []  # nothing known: still nothing; a side known empty has no cell
        near = letters[-1] if left else letters[0]
        if near != x:
            return []
        rest = letters[:-1] if left else letters[1:]
        return [side, (rest, open_)]

    def moved(self, note: Any, written: int, onto: int, direction: int) -> list[Any]:
        """A move right writes the left side's new nearest cell and takes the right side's
        nearest cell away; a move left mirrors it."""
        left, right = note
        if direction == 1:
            return [(self._plus(left, written, True), r) for r in self._minus(right, onto, False)]
        return [(lft, self._plus(right, written, False)) for lft in self._minus(left, onto, True)]


DEFAULT_K = 4  # bb2 needs windows of 4; larger k adds little on the bundled machines (docs/uniform.md)


COUNT_CAP = 2  # head counts of one tracked symbol: none, one, two or more
MAX_WINDOWS_TO_COUNT = 4_000  # heads count symbols only where the plain invariant is this small
MAX_COUNTED_WINDOWS = 40_000  # a symbol whose counted invariant grows past this is not counted (a machine-only,
# deterministic cut: the domain never depends on time or load)


def triples_of(inv: Invariant, tm: TuringMachine, tid: Mapping[str, int]) -> set[tuple[int, int, int]]:
    """Every triple ``inv`` admits: around each cell, and at each ``#`` between rows (a row's
    first two cells must fit in one window beside the wall: k >= 4)."""
    if inv.k < 4:
        raise ValueError("the triples under '#' need windows of at least 4 entries")
    tab = Tables.of(tm)
    views = cell_tokens(tm, tid)
    token_of = {v: t for t, v in views.items()}
    wall = tid[SEPARATOR]

    def step(left: int, mid: int, right: int) -> int:
        lv = (-1, -1) if left == wall else views[left]
        rv = (-1, -1) if right == wall else views[right]
        return token_of[next_cell(tab, lv, views[mid], rv)]

    return inv.cell_triples() | inv.wall_triples(wall, step)


@lru_cache(maxsize=64)
def _canonical_domain(tm: TuringMachine, k: int) -> tuple[frozenset[tuple[str, str, str]], dict[str, Any]]:
    """The invariant's triples by spelling (they depend on the machine only) and its sizes.
    The plain window invariant is intersected with one invariant per tape symbol whose
    heads count that symbol on either side (module doc, "Head counts"): each is sound, so
    their intersection is."""
    vocab, _, _ = uniform_vocab(tm.tape_symbols, tm.states)
    tid = {t: i for i, t in enumerate(vocab)}
    inv = invariant(tm, tid, k)
    triples = triples_of(inv, tm, tid)
    sizes = {"k": k, "windows": len(inv.windows), "rounds": inv.rounds, "plain_triples": len(triples)}
    counted_by: dict[str, int] = {}
    for symbol in tm.tape_symbols if len(inv.windows) <= MAX_WINDOWS_TO_COUNT else ():
        try:
            counted = invariant(tm, tid, k, cap=COUNT_CAP, tracked=(symbol,), max_windows=MAX_COUNTED_WINDOWS)
        except ResourceLimitError as e:
            if e.limit != "size-cap":
                raise
            continue  # leaving one invariant out of the intersection keeps it sound, only wider
        counted_by[symbol] = counted.annotated
        triples &= triples_of(counted, tm, tid)
    spelled = frozenset((vocab[a], vocab[b], vocab[c]) for a, b, c in triples)
    return spelled, {**sizes, "counted": counted_by, "triples": len(spelled)}


def region_parts(tm: TuringMachine, symbol: str) -> tuple[frozenset[str], ...]:
    """The regions of :func:`region_triples`: ``symbol``, the blank, every other symbol
    (an empty one left out)."""
    parts = (frozenset({symbol}), frozenset({tm.blank_symbol}),
             frozenset(set(tm.tape_symbols) - {symbol, tm.blank_symbol}))
    return tuple(p for p in parts if p)


MAX_REGION_WINDOWS = 200_000  # a region fixpoint past this many annotated windows is left out


@lru_cache(maxsize=256)
def region_triples(tm: TuringMachine, symbol: str, k: int = DEFAULT_K) -> frozenset[tuple[str, str, str]] | None:
    """The triples of the fixpoint whose heads carry the order of three regions on either
    side (module doc, "Head regions"): ``symbol``, the blank, and every other symbol; by
    spelling. None where it passes :data:`MAX_REGION_WINDOWS`."""
    vocab, _, _ = uniform_vocab(tm.tape_symbols, tm.states)
    tid = {t: i for i, t in enumerate(vocab)}
    try:
        inv = invariant(tm, tid, k, regions=region_parts(tm, symbol), max_windows=MAX_REGION_WINDOWS)
    except ResourceLimitError as e:
        if e.limit != "size-cap":
            raise
        return None
    return frozenset((vocab[a], vocab[b], vocab[c]) for a, b, c in triples_of(inv, tm, tid))


def invariant_domain(tm: TuringMachine, tid: Mapping[str, int], k: int = DEFAULT_K) -> set[tuple[int, int, int]]:
    """Every triple the invariant admits (around each cell, and at each ``#`` between rows),
    as the token ids of the dictionary ``tid``."""
    spelled, _ = _canonical_domain(tm, k)
    return {(tid[a], tid[b], tid[c]) for a, b, c in spelled}


def invariant_size(tm: TuringMachine, k: int = DEFAULT_K) -> dict[str, Any]:
    return dict(_canonical_domain(tm, k)[1])
