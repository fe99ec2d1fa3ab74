"""A frozen copy of the tight domain's construction as it was before it was made fast
(``proofs_check/uniform/invariant.py`` and ``proofs_check/uniform/row_scan.py`` at the commit that
tests/test_domain_speed.py was written against): the window invariant by rounds over whole
(k+2)-windows, the row invariant pair of states by pair of states. tests/test_domain_speed.py
checks that the fast code computes exactly what this computes. Do not optimise this file:
it is the oracle. Only the module docs, region_triples and the caches were left out."""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import product
from typing import Any

from proofs_check.semantics.machine import Tables, next_cell
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


def canonical_domain(tm: TuringMachine, k: int) -> tuple[frozenset[tuple[str, str, str]], dict[str, Any]]:
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


# -- the row invariant (proofs_check/uniform/row_scan.py) --

NOTHING = -3  # no cell read yet
MAX_ENTRIES = 400_000  # a scan invariant past this many entries is refused (the caller leaves it out)
MAX_STATES = 4_000_000  # pairs of reader states past this are refused likewise

_Entry = tuple[int, int, int, int]  # (context, left, middle, right)
_State = tuple[int, int, int, int, int, int, int, int]  # (context, a, b, heads, stepped context, x, y, first)
_Reader = tuple[int, int, int, int]  # (context, a, b, heads): the row's reader alone


@dataclass(frozen=True)
class RowScan:
    """The entries of the least fixpoint, and what reading them cost."""

    entries: frozenset[_Entry]
    states: int  # pairs of reader states reached
    mirrored: bool
    # (a row's last cell, ``#``, the first cell of the row it steps to) for every row of
    # L(P) read left to right; None when read right to left (not tracked)
    walls: frozenset[tuple[int, int, int]] | None

    def cell_triples(self, wall: int) -> set[tuple[int, int, int]]:
        """(left, middle, right) around every cell the rows of ``L(P)`` hold, in the row's
        own left-to-right order."""
        out = set()
        for _, a, b, c in self.entries:
            if b != wall:
                out.add((c, b, a) if self.mirrored else (a, b, c))
        return out


def row_scan(tm: TuringMachine, tid: Mapping[str, int], *, mirrored: bool = False,
             max_entries: int = MAX_ENTRIES, max_states: int = MAX_STATES) -> RowScan:
    """The least fixpoint of the module doc, reading rows left to right (``mirrored``: right
    to left).

    Raises
    ------
    ResourceLimitError
        Past ``max_entries`` entries or ``max_states`` pairs of states (exit 3), or past the
        deadline of :data:`proofs_check.invariant.DEADLINE`.
    """
    tab = Tables.of(tm)
    views = cell_tokens(tm, tid)
    token_of = {v: t for t, v in views.items()}
    wall = tid[SEPARATOR]
    heads = {t for t, (_, q) in views.items() if q >= 0}
    # a cell's classes: its tape symbol, and the state of a head on it
    nsym = len(tm.tape_symbols)
    kind = {t: (1 << s) | ((1 << (nsym + q)) if q >= 0 else 0) for t, (s, q) in views.items()}
    kind[wall] = kind[NOTHING] = 0
    forward = -1 if mirrored else 1  # the direction of reading, as a head move

    def moves(t: int) -> int:
        s, q = views[t]
        return tab.move.get((q, s), 0) if tab.defined.get((q, s), False) else 0

    def extend(ctx: int, t: int) -> int:
        """The context after cell ``t``: the classes seen so far, as bits."""
        return ctx | kind[t]

    cache: dict[tuple[int, int, int], int] = {}

    def step(before: int, mid: int, after: int) -> int:
        """The cell ``mid`` becomes (``before``/``after``: its neighbours in reading order)."""
        key = (before, mid, after)
        if key not in cache:
            left, right = (after, before) if mirrored else (before, after)
            lv = (-1, -1) if left == wall else views[left]
            rv = (-1, -1) if right == wall else views[right]
            cache[key] = token_of[next_cell(tab, lv, views[mid], rv)]
        return cache[key]

    entries: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    waiting: dict[tuple[int, int, int], list[_State]] = defaultdict(list)
    reached: set[_State] = set()
    todo: list[tuple[_State, int]] = []
    count = 0
    # the reader alone: which of its states can still finish a row (a path of entries to the
    # closing wall); only rows that finish are rows of L(P), so the stepped row's entries
    # wait until the reader's state they lead to can finish
    finishes: set[_Reader] = set()
    before: dict[_Reader, set[_Reader]] = defaultdict(set)
    deferred: dict[_Reader, list[_Entry]] = defaultdict(list)
    walls: set[tuple[int, int, int]] = set()

    def add_entry(e: _Entry) -> None:
        nonlocal count
        key = e[:3]
        if e[3] in entries[key]:
            return
        entries[key].add(e[3])
        count += 1
        if count > max_entries:
            raise ResourceLimitError(f"the row invariant of {tm.name} passed {max_entries} entries",
                                     limit="size-cap", details={"entries": count})
        todo.extend((s, e[3]) for s in waiting.get(key, ()))

    def can_finish(u: _Reader) -> None:
        stack = [u]
        while stack:
            v = stack.pop()
            if v in finishes:
                continue
            finishes.add(v)
            for e in deferred.pop(v, ()):
                add_entry(e)
            stack.extend(before.pop(v, ()))

    def add_state(s: _State) -> None:
        if s in reached:
            return
        reached.add(s)
        if len(reached) > max_states:
            raise ResourceLimitError(f"the row invariant of {tm.name} passed {max_states} reader states",
                                     limit="size-cap", details={"states": len(reached)})
        key = s[:3]
        waiting[key].append(s)
        todo.extend((s, c) for c in entries.get(key, ()))

    def take(s: _State, c: int) -> None:
        """Read cell ``c`` (or the closing wall) in state ``s``; the stepped row gets the
        cell that ``b`` becomes."""
        ctx, a, b, nheads, octx, x, y, first = s
        nheads += c in heads
        if nheads > 1:
            return
        if b in heads and ((a == wall and moves(b) == -forward) or (c == wall and moves(b) == forward)):
            return  # the head steps into a wall: the run leaves the window, beyond the claim
        z = wall if b == wall else step(a, b, c)
        if x == NOTHING and y == wall and not mirrored:
            first = z  # the stepped row's first cell
        emitted = []
        if x != NOTHING:
            emitted.append((octx, x, y, z))
            octx = extend(octx, x)
        here = (ctx, a, b, s[3])
        nxt = (extend(ctx, a), b, c, nheads)
        if c == wall:  # the row ends; so does the stepped row
            emitted.append((octx, y, z, wall))
            if not mirrored:
                walls.add((b, wall, first))
        if c == wall or nxt in finishes:
            for e in emitted:
                add_entry(e)
            can_finish(here)
        else:
            deferred[nxt].extend(emitted)
            before[nxt].add(here)
        if c != wall:
            add_state((*nxt[:3], nheads, octx, y, z, first))

    # base: every row 0, read by a small generator (margin, head on the word's first cell
    # or on a blank, the rest of the word, margin) beside the entries' reader
    blank = tid[tm.blank_symbol]
    start = tm.initial_state
    word = [tid[s] for s in tm.input_symbols]
    start_heads = [tid[f"[{start}]{s}"] for s in tm.input_symbols]
    empty_head = tid[f"[{start}]{tm.blank_symbol}"]
    # phases: 0 margin before, 1 inside the word (head still to come when mirrored), 2 margin after
    moves_from: dict[int, list[tuple[int, int]]] = {
        0: [(blank, 0), (empty_head, 2), *((h, 1) for h in start_heads)] if not mirrored else
           [(blank, 0), (empty_head, 2), *((w, 1) for w in word), *((h, 2) for h in start_heads)],
        1: [(blank, 2), *((w, 1) for w in word), (wall, 3)] if not mirrored else
           [*((w, 1) for w in word), *((h, 2) for h in start_heads)],
        2: [(blank, 2), (wall, 3)],
    }
    frontier = [(0, 0, NOTHING, wall)]
    seen_base = set(frontier)
    while frontier:
        phase, ctx, a, b = frontier.pop()
        for c, nxt in moves_from[phase]:
            if a != NOTHING:
                add_entry((ctx, a, b, c))
            if nxt != 3:
                made = (nxt, extend(ctx, a), b, c)
                if made not in seen_base:
                    seen_base.add(made)
                    frontier.append(made)
    todo.clear()  # no reader state exists yet: the base entries wait for none

    # step: the reader and the stepped row's reader, from the opening wall
    deadline = DEADLINE.get()
    for c in views:
        take((0, NOTHING, wall, 0, 0, NOTHING, NOTHING, NOTHING), c)
    done = 0
    while todo:
        state, c = todo.pop()
        take(state, c)
        done += 1
        if deadline is not None and not done % 4096 and time.monotonic() > deadline:
            raise ResourceLimitError(f"the row invariant of {tm.name} ran out of time", limit="solver-timeout",
                                     details={"entries": count})
    return RowScan(frozenset((*key, c) for key, cs in entries.items() for c in cs), len(reached), mirrored,
                   None if mirrored else frozenset(walls))


def scan_triples(tm: TuringMachine) -> tuple[frozenset[tuple[str, str, str]] | None, dict[str, int]]:
    """The triples the row invariant admits, by spelling: around each cell, those both
    readings admit; under each ``#``, those of the left-to-right reading. None where either
    reading passes its caps (the domain then does without them)."""
    vocab, _, _ = uniform_vocab(tm.tape_symbols, tm.states)
    tid = {t: i for i, t in enumerate(vocab)}
    wall = tid[SEPARATOR]
    sizes: dict[str, int] = {}
    scans = []
    for mirrored in (False, True):
        try:
            scan = row_scan(tm, tid, mirrored=mirrored)
        except ResourceLimitError as e:
            if e.limit != "size-cap":
                raise
            return None, {}
        name = "right_to_left" if mirrored else "left_to_right"
        sizes[f"{name}_entries"], sizes[f"{name}_states"] = len(scan.entries), scan.states
        scans.append(scan)
    forward, backward = scans
    assert forward.walls is not None
    triples = (forward.cell_triples(wall) & backward.cell_triples(wall)) | forward.walls
    sizes["triples"] = len(triples)
    return frozenset((vocab[a], vocab[b], vocab[c]) for a, b, c in triples), sizes
