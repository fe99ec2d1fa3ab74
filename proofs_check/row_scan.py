"""A regular invariant of whole rows, closed under the step (docs/uniform.md, "Whole rows:
what came before").

The window invariant of :mod:`proofs_check.invariant` sees k consecutive cells, so it
cannot see order across a long run of one symbol: ``binary_addition``'s head looking for
``+`` has ``+`` somewhere on its left, past any number of digits. This module reads a row
from one wall to the other and remembers, at each cell, which kinds of token it has passed.

A row is read as ``# c_0 ... c_{W-1} #``. At each cell ``c_i`` the reader knows its
*context*, the set of classes of ``c_0 .. c_{i-2}``: a cell's classes are its tape symbol
and, for a head, its state. An *entry* is ``(context, c_{i-1}, c_i, c_{i+1})``, the walls
included as neighbours. For a set ``P`` of entries, ``L(P)`` is the set of rows all of
whose entries lie in ``P``: a regular language. ``P`` is the least set such that

- **base:** every entry of every row 0 is in ``P`` (blanks, the input with the start head
  on its first cell, blanks; every input word and every margin);
- **step:** for every row ``r`` in ``L(P)`` with at most one head, whose head does not step
  into a wall, every entry of the row ``r`` steps to is in ``P``. A cell becomes
  :func:`proofs_check.tm_semantics.next_cell` of the three cells above it, read from the
  transition table.

**Soundness, by induction over rows.** Row 0 is in ``L(P)`` (base). If row t is in
``L(P)`` and the head stays in the window at step t+1, row t is a row of the step's
premise, so row t+1's entries are in ``P`` and row t+1 is in ``L(P)``. Every triple a
covered run shows around a cell is then the triple of some entry of ``P``, and every
triple under a ``#`` (row t's last cell, ``#``, row t+1's first cell) is one that a row
of ``L(P)`` and the row it steps to show.

**Computing it.** Rows of ``L(P)`` are not listed: they are read by an automaton whose
state is (context, the last two cells read, how many heads so far), run side by side with
the automaton of the row they step to (its context, its last two cells, its first cell).
A pair of states is reached once; a transition on cell ``c`` is taken when ``(context, a,
b, c)`` is in ``P``, and transitions waiting for an entry are taken when it is added. The
stepped row's entries are added once the reader's state they lead to can still finish a
row (a row of ``L(P)`` ends at a wall). The work is linear in the pairs of states reached.

**Both directions.** A context looks left only. Reading every row from the right (a
mirrored step: left and right swapped, the start head at the word's right end) gives a
second invariant of the same kind, and the domain keeps the cell triples both admit.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from proofs_check.invariant import DEADLINE, cell_tokens
from proofs_check.tm_semantics import Tables, next_cell
from theorymodel.errors import ResourceLimitError
from theorymodel.machines import TuringMachine
from theorymodel.program.uniform import SEPARATOR, uniform_vocab

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


@lru_cache(maxsize=64)
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
