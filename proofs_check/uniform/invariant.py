"""An inductive invariant of the windows a run can show, for every input length, width and
number of steps (docs/uniform.md, "A tight domain"): the lemma of
:mod:`proofs_check.uniform.proof` need only hold on the triples it admits.

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

**Computing it.** By rounds, semi-naively: a round steps the (k+2)-windows that join a
window added in the round before, and adds what is new; the rounds and every round's new
windows are those of the definition. A (k+2)-window is three k-windows A, B, C of ``S``
(first, middle, last), and for k >= 4 every test of the step and the window it steps to
reads A and the last two entries of C only, so the join pairs the distinct *features* of
the A's and C's beside each B (:func:`invariant`'s comments) rather than every window: the
same stepped windows, ~20 times fewer pairs on the big machines. A note is read through
the cells' codes only (:meth:`_HeadNotes.code`), so its checks and moves are memoised on
windows spelled in codes. Row 0's windows are read off a small graph of row 0's positions
rather than from every input word (:func:`initial_windows`). tests/test_domain_speed.py
checks all of it against the plain enumeration it replaced.
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
from itertools import pairwise, product
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
        out: set[tuple[int, int, int]] = set()
        for i in range(1, self.k - 1):
            out.update((w[i - 1], w[i], w[i + 1]) for w in self.windows if w[i] > 0)
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
    """Every k-window of every row 0 (module doc, "base").

    Row 0's lines are ``o^k # _^a H w^m _^c # o^k`` with ``a, m, c`` in ``0..k``: ``H`` the
    start head on the word's first symbol and ``w^m`` the rest of the word, or ``H`` the
    start head on a blank (the empty input, ``m = 0``). Rather than listing every such line
    (|input|^(k+1) words), they are read as paths of a small graph whose nodes are the
    line's positions (each on some whole line), and the k-windows are the labels of its
    paths of k nodes: the same set, since every path of k nodes lies in a whole line and
    every k entries of a line lie on a path."""
    wall = tid[SEPARATOR]
    blank = tid[tm.blank_symbol]
    q0 = tm.initial_state
    label: list[int] = []
    succ: list[list[int]] = []

    def node(t: int) -> int:
        label.append(t)
        succ.append([])
        return len(label) - 1

    def link(a: int, *following: int) -> None:
        succ[a].extend(following)

    out_left = [node(OUT) for _ in range(k)]
    wall_left = node(wall)
    margin_before = [node(blank) for _ in range(k)]
    empty_head = node(tid[f"[{q0}]{tm.blank_symbol}"])
    word_heads = [node(tid[f"[{q0}]{s}"]) for s in tm.input_symbols]
    rest = [[node(tid[s]) for s in tm.input_symbols] for _ in range(k)]  # rest[m]: the word's (m+2)-th symbol
    margin_after = [node(blank) for _ in range(k)]
    wall_right = node(wall)
    out_right = [node(OUT) for _ in range(k)]
    for a, b in pairwise([*out_left, wall_left]):
        link(a, b)
    for i, a in enumerate([wall_left, *margin_before]):  # after i margin blanks: the head, or one more
        link(a, empty_head, *word_heads, *margin_before[i:i + 1])
    ends = (margin_after[0], wall_right)  # after the word: blanks, or the wall at once
    link(empty_head, *ends)
    for m, level in enumerate([word_heads, *rest]):  # after m symbols of the word past the head
        for a in level:
            link(a, *ends, *(rest[m] if m < k else ()))
    for i, a in enumerate(margin_after):
        link(a, wall_right, *margin_after[i + 1:i + 2])
    for a, b in pairwise([wall_right, *out_right]):
        link(a, b)

    memo: dict[tuple[int, int], set[tuple[int, ...]]] = {}

    def paths(n: int, d: int) -> set[tuple[int, ...]]:
        """Labels of the paths of ``d`` nodes from ``n``."""
        if d == 1:
            return {(label[n],)}
        key = (n, d)
        if key not in memo:
            head = (label[n],)
            memo[key] = {head + p for s in succ[n] for p in paths(s, d - 1)}
        return memo[key]

    out: set[tuple[int, ...]] = set()
    for n in range(len(label)):
        out |= paths(n, k)
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
    compress = k >= 4  # the join by features (below) needs A and C to see every middle cell
    kind = {t: "c" for t in views}
    kind[wall], kind[OUT] = "w", "o"
    wall_view = (-1, -1)

    plain_of = counts.plain

    def plain(t: int) -> int:
        return plain_of.get(t, t)

    # a head next to a wall stepping into it: the run leaves the window, which the claim
    # assumes it never does, so no later row of a covered run comes from a window showing it
    into_wall: dict[int, int] = {}  # head token -> the side (1 right, -1 left) it steps to
    for h in heads:
        s, q = views[h]
        if tab.defined.get((q, s), False) and tab.move.get((q, s)) in (1, -1):
            into_wall[h] = tab.move[q, s]

    def leaves_at(p: tuple[int, ...], lo: int, hi: int) -> bool:
        """A head at an index in ``lo..hi-1`` of the plain window ``p`` steps into a wall."""
        for i in range(lo, hi):
            move = into_wall.get(p[i])
            if move is not None and p[i + move] == wall:
                return True
        return False

    def step(left: int, mid: int, right: int) -> int:
        if mid in (wall, OUT):
            return mid
        lv = wall_view if left == wall else views[left]
        rv = wall_view if right == wall else views[right]
        return token_of[next_cell(tab, lv, views[mid], rv)]

    cache: dict[tuple[int, int, int], int] = {}

    def step3(key: tuple[int, int, int]) -> int:
        out = cache.get(key)
        if out is None:
            out = cache[key] = step(*key)
        return out

    shape_ok: dict[str, bool] = {}

    def fits_shape(kinds: str) -> bool:
        ok = shape_ok.get(kinds)
        if ok is None:
            ok = shape_ok[kinds] = _SHAPE.fullmatch(kinds) is not None
        return ok

    # A head's note is checked against the symbols of its window, and moved by the symbol it
    # steps onto, only through the symbols' ``code`` (their count place, their region letter):
    # so both are memoised on the window spelled in codes (walls, ``o`` and the annotated
    # head kept as they are), which many (k+2)-windows share.
    code_of: dict[int, int] = {wall: -1, OUT: -2}
    if cap:
        code_of.update({t: -10 - counts.code(s) for t, (s, q) in views.items() if q < 0})
    fits_memo: dict[tuple[int, ...], bool] = {}
    moved_memo: dict[tuple[int, int, int], tuple[int, ...]] = {}

    def stepped(w: tuple[int, ...], out: list[int]) -> list[tuple[int, ...]]:
        """The windows ``w`` steps to (``out``: its middle k cells stepped, plain)."""
        if not cap:
            return [tuple(out)]
        j = next((j for j, t in enumerate(out) if t in heads), None)
        if j is None:
            return [tuple(out)]
        i = next(i for i, t in enumerate(w) if t in plain_of)
        key = (w[i], out[j], code_of.get(w[j + 1], w[j + 1]))
        made = moved_memo.get(key)
        if made is None:
            made = moved_memo[key] = tuple(a[j] for a in counts.annotate_step(w, out))
        return [(*out[:j], h, *out[j + 1:]) for h in made]

    def whole(w: tuple[int, ...], p: tuple[int, ...], out: list[int] | None,
              codes: tuple[int, ...] | None) -> list[tuple[int, ...]]:
        """The windows one (k+2)-window ``w`` steps to (``p``: spelled plain; ``out``: its
        middle cells stepped, or None to step them here; ``codes``: spelled in codes, or
        None), given that its A and C passed their own tests and its heads and shape passed
        (see :func:`join`): the rest of the module doc's tests, then its step."""
        if not compress and leaves_at(p, 1, k + 1):
            return []  # (for k >= 4 A's and C's own wall tests cover every middle cell)
        if cap:
            key = codes or tuple([code_of.get(t, t) for t in w])
            fits = fits_memo.get(key)
            if fits is None:
                fits = fits_memo[key] = counts.consistent(w)
            if not fits:
                return []
        if out is None:
            out = [step3((p[i - 1], p[i], p[i + 1])) for i in range(1, k + 1)]
        return stepped(w, out)

    # -- The join, by parts. A (k+2)-window is ``A + C[-2:]`` for three k-windows A, B, C of
    # S with A[1:] == B[:-1] and B[1:] == C[:-1] (A its first k entries, B its middle, C its
    # last). For k >= 4 every test of the step, and the window it steps to, split between A
    # and C: the middle steps 1..k-2 are A's own inner cells, k-1 and k are C's last two
    # inner cells; heads, wall moves and the shape's letters likewise (A's whole, C's last
    # two entries). So a window is only its *feature* on the side it plays: as A (``lf``: its
    # inner steps, its letters, its heads) or as C (``rf``: its last two inner steps, its last
    # two letters and heads). Windows sharing a feature give the same stepped windows, so the
    # join pairs the distinct features of the A's and C's beside each B: on the big machines
    # ~20 times fewer pairs than (k+2)-windows. A window that fails a test on its own (two
    # heads, a head stepping into a wall, an ``o`` next to a cell) has no feature.
    #
    # With annotated heads, a head's note is checked against the whole (k+2)-window. A
    # (k+2)-window holding one is then stepped whole (:func:`whole`), and its A's and C's
    # features also keep their entries in codes (``code_of``: what the note reads of them;
    # the head itself as it is): for A all k, for C its last two. Such a feature keeps the
    # first window that had it, and a pair of features is stepped on those windows: it
    # reads the same codes, steps and heads as any pair of its windows. When k == 3 (A and C
    # miss the middle cell) every window is its own feature, stepped whole.
    is_head = heads.__contains__

    def own(p: tuple[int, ...]) -> tuple[str, int, tuple[int, ...]] | None:
        """A window's own facts (spelled plain): its letters, its heads, its inner cells
        stepped (k >= 4); None when it fails a test on its own (two heads, an ``o`` next to
        a cell, a head stepping into a wall): it joins nothing."""
        letters = "".join([kind[t] for t in p])
        if "oc" in letters or "co" in letters:
            return None
        nheads = sum(map(is_head, p))
        if nheads > 1 or (nheads and leaves_at(p, 1, k - 1)):
            return None
        steps = tuple([step3((p[i - 1], p[i], p[i + 1])) for i in range(1, k - 1)]) if compress else ()
        return letters, nheads, steps

    # lanes of a group (the windows sharing the k-1 entries a B meets), each a list of
    # distinct features: "F" plain features; "H" whole features of windows holding a head
    # (annotated, or any window when k == 3), "N" of windows holding none (met only beside an
    # "H"); a group is keyed by (side, k-1 entries): side "A" groups by w[1:], "C" by w[:-1]
    PAIRS = (("F", "F"), ("H", "H"), ("H", "N"), ("N", "H"))
    lanes: dict[tuple[str, str], dict[tuple[int, ...], list[int]]] = \
        {(side, lane): defaultdict(list) for side in "AC" for lane in "FHN"}
    in_lane: dict[tuple[str, str], dict[tuple[int, ...], set[int]]] = \
        {(side, lane): defaultdict(set) for side in "AC" for lane in "FHN"}
    ids: dict[tuple[Any, ...], int] = {}  # a feature by (kind, value) -> its id
    # by id: "F" (steps, letters, heads); whole (window, plain, letters, heads, steps, codes)
    features: list[Any] = []
    members: dict[str, dict[tuple[int, ...], list[int]]] = {"A": defaultdict(list), "C": defaultdict(list)}
    wins: list[tuple[int, ...]] = []
    marks: dict[tuple[str, str, tuple[int, ...]], int] = {}  # lane lengths before last round's windows
    paired: dict[tuple[int, int], tuple[tuple[int, ...], ...]] = {}  # whole features (A, C) -> stepped windows
    NONE: list[int] = []  # an empty lane

    def lane_add(side: str, lane: str, key: tuple[int, ...], name: tuple[Any, ...], feature: Any) -> None:
        f = ids.get(name)
        if f is None:
            f = ids[name] = len(features)
            features.append(feature)
        seen = in_lane[side, lane][key]
        if f not in seen:
            seen.add(f)
            at = lanes[side, lane][key]
            marks.setdefault((side, lane, key), len(at))
            at.append(f)

    def add(w: tuple[int, ...]) -> None:
        i = len(wins)
        wins.append(w)
        ka, kc = w[1:], w[:-1]
        members["A"][ka].append(i)
        members["C"][kc].append(i)
        p = tuple([plain_of.get(t, t) for t in w]) if cap else w
        facts = own(p)
        if facts is None:
            return  # it joins nothing
        letters, nheads, steps = facts
        headed = cap and nheads
        if compress and not headed:
            lf = ("lf", steps, letters, nheads)
            rf = ("rf", steps[-2:], letters[-2:], (p[-2] in heads) + (p[-1] in heads))
            lane_add("A", "F", ka, lf, lf[1:])
            lane_add("C", "F", kc, rf, rf[1:])
            if not cap:
                return
        lane = "H" if headed or not compress else "N"
        name_a: tuple[Any, ...]
        name_c: tuple[Any, ...]
        if compress:
            codes = tuple([code_of.get(t, t) for t in w])
            name_a, name_c = ("wa", steps, codes), ("wc", steps[-2:], codes[-2:])
        else:
            codes = ()
            name_a, name_c = ("wa", w), ("wc", w)
        lane_add("A", lane, ka, name_a, (w, p, letters, nheads, steps, codes))
        lane_add("C", lane, kc, name_c,
                 (w, p, letters[-2:], (p[-2] in heads) + (p[-1] in heads), steps[-2:], codes[-2:]))

    def join(lx: str, ly: str, xs: list[int], ys: list[int], into: set[tuple[int, ...]]) -> None:
        """Step every (k+2)-window of the A's features ``xs`` (lane ``lx``) and the C's ``ys``."""
        if not xs or not ys:
            return
        if lx == "F":
            for f in xs:
                sa, la, ha = features[f]
                for g in ys:
                    sc, lc, hc = features[g]
                    if ha + hc <= 1 and fits_shape(la + lc):
                        into.add(sa + sc)
            return
        # whole: heads and shape first (most pairs hold two heads), then every other test
        for f in xs:
            wa, pa, la, ha, sa, ca = features[f]
            for g in ys:
                wc, pc, lc, hc, sc, cc = features[g]
                if ha + hc <= 1 and fits_shape(la + lc):
                    made = paired.get((f, g))
                    if made is None:  # (a feature's window shares only its codes and steps with the others)
                        made = paired[f, g] = tuple(whole(wa + wc[-2:], pa + pc[-2:],
                                                          list(sa + sc) if compress else None, ca + cc))
                    into.update(made)

    windows = initial_windows(tm, tid, k)
    if cap:
        windows = {a for w in windows for a in counts.annotate_initial(w)}
    for w in windows:
        add(w)
    first_new = 0  # windows from this id on were added last round
    rounds = 0
    deadline = DEADLINE.get()
    while first_new < len(wins):  # semi-naive: every new (k+2)-window joins at least one window added last round
        rounds += 1
        if deadline is not None and time.monotonic() > deadline:
            raise ResourceLimitError(f"the window invariant of {tm.name} ran out of time (round {rounds})",
                                     limit="solver-timeout", details={"windows": len(windows), "k": k})
        fresh, marks = marks, {}
        joined: set[tuple[int, ...]] = set()
        # B added last round: every A and C beside it
        for b in range(first_new, len(wins)):
            w = wins[b]
            ka, kc = w[:-1], w[1:]
            for lx, ly in PAIRS:
                xs = lanes["A", lx].get(ka)
                if xs:
                    join(lx, ly, xs, lanes["C", ly].get(kc, NONE), joined)
        # an older B: the A's added last round with every C; the older A's with the C's added
        # last round (a lane's part before its mark is older)
        for (side, lane, key), mark in fresh.items():
            new_part = lanes[side, lane][key][mark:]
            if side == "A":  # the B's whose first k-1 entries are key
                for b in members["C"].get(key, ()):
                    if b >= first_new:
                        continue
                    kc = wins[b][1:]
                    for lx, ly in PAIRS:
                        if lx == lane:
                            join(lx, ly, new_part, lanes["C", ly].get(kc, NONE), joined)
            else:  # the B's whose last k-1 entries are key
                for b in members["A"].get(key, ()):
                    if b >= first_new:
                        continue
                    ka = wins[b][:-1]
                    for lx, ly in PAIRS:
                        if ly == lane:
                            xs = lanes["A", lx].get(ka, NONE)
                            old = fresh.get(("A", lx, ka))
                            join(lx, ly, xs if old is None else xs[:old], new_part, joined)
        new = joined - windows
        windows |= new
        first_new = len(wins)
        for w in new:
            add(w)
        if len(windows) > max_windows:
            raise ResourceLimitError(f"the window invariant of {tm.name} passed {max_windows} windows of {k}",
                                     limit="size-cap", details={"windows": len(windows), "k": k})
    annotated = len(windows)
    plain_windows = frozenset(tuple(plain(t) for t in w) for w in windows) if cap else frozenset(windows)
    return Invariant(k, plain_windows, rounds, annotated if cap else 0, frozenset(heads))


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

    @abstractmethod
    def code(self, symbol: int) -> int:
        """What :meth:`fits` and :meth:`moved` read of a cell holding ``symbol`` (>= -1): cells
        of one code are alike to them."""

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

    def code(self, symbol: int) -> int:
        return self.place.get(symbol, -1)  # untracked symbols are not counted

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

    def code(self, symbol: int) -> int:
        return self.letter[symbol]

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
