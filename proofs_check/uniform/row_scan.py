"""A regular invariant of whole rows, closed under the step (docs/uniform.md, "Whole rows:
what came before").

The window invariant of :mod:`proofs_check.uniform.invariant` sees k consecutive cells, so it
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
A pair of states moves on cell ``c`` when ``(context, a, b, c)`` is in ``P``. The stepped
row's entries are added once the reader's state they lead to can still finish a row (a
row of ``L(P)`` ends at a wall). ``P``, the pairs reached and the walls seen are least
fixpoints, so any order of work that makes every such move once reaches the same ones.
The moves are made in rounds, in bulk (numpy): each round moves the pairs reached in the
round before on every entry known, and the older pairs on the entries added in the round
before; what one reader's state or one stepped state does on a cell is worked out once,
in Python. The work is linear in the moves of pairs of states.

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

import numpy as np

from proofs_check.semantics.machine import Tables, next_cell
from proofs_check.uniform.invariant import DEADLINE, cell_tokens
from theorymodel.errors import ResourceLimitError
from theorymodel.machines import TuringMachine
from theorymodel.program.uniform import SEPARATOR, uniform_vocab

NOTHING = -3  # no cell read yet
MAX_ENTRIES = 400_000  # a scan invariant past this many entries is refused (the caller leaves it out)
MAX_STATES = 4_000_000  # pairs of reader states past this are refused likewise

_Entry = tuple[int, int, int, int]  # (context, left, middle, right)


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


class _Column:
    """A growing numpy array of rows of ``width`` values (doubled when a row past its end is
    asked for)."""

    def __init__(self, width: int, dtype: type, fill: int) -> None:
        self.width, self.dtype, self.fill = width, dtype, fill
        self.a: np.ndarray = np.full(1024 * width, fill, dtype=dtype)

    def ensure(self, rows: int) -> None:
        if rows * self.width > len(self.a):
            more: np.ndarray = np.full(max(len(self.a), rows * self.width), self.fill, dtype=self.dtype)
            self.a = np.concatenate([self.a, more])


def _distinct(a: np.ndarray) -> np.ndarray:
    """The distinct values of ``a``, sorted (np.unique, by sorting: faster here than its
    hashing)."""
    a = np.sort(a)
    return a[np.concatenate([[True], a[1:] != a[:-1]])] if len(a) else a


def _distinct_inverse(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``a``, sorted, and where each value of ``a`` is among them."""
    order = np.argsort(a, kind="stable")
    s = a[order]
    first = np.concatenate([[True], s[1:] != s[:-1]]) if len(s) else np.zeros(0, dtype=bool)
    inverse = np.empty(len(a), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return s[first], inverse


def _find(sorted_: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``values`` is, or would go, in ``sorted_``, and whether it is there."""
    where = np.searchsorted(sorted_, values)
    found = np.zeros(len(values), dtype=bool)
    if len(sorted_):
        found = sorted_[np.minimum(where, len(sorted_) - 1)] == values
    return where, found


class _Numbering:
    """Ids 0, 1, 2, ... for int codes, in the order first seen; many codes at once by sorted
    arrays (numpy), one at a time by a dict."""

    def __init__(self) -> None:
        self.ids: dict[int, int] = {}
        self.codes: np.ndarray = np.zeros(0, dtype=np.int64)  # sorted
        self.at: np.ndarray = np.zeros(0, dtype=np.int64)  # their ids
        self.waiting: list[int] = []  # codes numbered one at a time, not yet in the arrays

    def one(self, code: int) -> tuple[int, bool]:
        """The code's id, and whether it is new."""
        i = self.ids.get(code)
        if i is not None:
            return i, False
        i = self.ids[code] = len(self.ids)
        self.waiting.append(code)
        return i, True

    def _merge(self, codes: np.ndarray, ids: np.ndarray) -> None:
        order = np.argsort(codes)
        codes, ids = codes[order], ids[order]
        where = np.searchsorted(self.codes, codes)
        self.codes = np.insert(self.codes, where, codes)
        self.at = np.insert(self.at, where, ids)

    def many(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The codes' ids, and the codes that are new (in the order of their ids)."""
        if self.waiting:
            waiting = np.array(self.waiting, dtype=np.int64)
            self.waiting.clear()
            self._merge(waiting, np.array([self.ids[c] for c in waiting.tolist()], dtype=np.int64))
        unique, inverse = _distinct_inverse(codes)
        where, known = _find(self.codes, unique)
        ids = np.empty(len(unique), dtype=np.int64)
        ids[known] = self.at[where[known]]
        fresh = unique[~known]
        start = len(self.ids)
        ids[~known] = np.arange(start, start + len(fresh))
        self.ids.update(zip(fresh.tolist(), range(start, start + len(fresh)), strict=True))
        self._merge(fresh, ids[~known])
        return ids[inverse], fresh


UNKNOWN, OUTSIDE, CLOSES = -2, -3, -1  # a move not computed yet; out of the premise; the row ends


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
    # the heads that step into a wall when it is behind them (``back``) or ahead (``ahead``)
    # in reading order: the run leaves the window, beyond the claim
    back: set[int] = set()
    ahead: set[int] = set()
    for t in heads:
        s, q = views[t]
        move = tab.move.get((q, s), 0) if tab.defined.get((q, s), False) else 0
        if move == -forward:
            back.add(t)
        elif move == forward:
            ahead.add(t)

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

    # Everything is numbered, so that the pairs of states move in bulk (numpy), a round at a
    # time (the loop at the end):
    # - tokens are ``0 .. ntok - 1``; ``NO = ntok`` stands for NOTHING in the tables;
    # - a context (a set of classes, an int) has an id; ``ctx_or`` is the table of
    #   (context id, token) -> the id of the context with the token's classes added;
    # - a key (context, a, b) has an id; a reader state (context, a, b, heads) is its key and
    #   its number of heads, the id ``2 * key + heads``;
    # - an entry (context, a, b, c) is the int ``key * ntok + c``, and has an id in the
    #   order added. A reader's move on a cell depends on the entry and its heads only, and
    #   is kept by ``2 * entry id + heads``;
    # - a stepped row's state (context, x, y, first) has an id; a pair of states is the int
    #   ``reader << 32 | stepped``, and has a place in the order reached.
    ntok = max([*views, wall]) + 1
    NO, width = ntok, ntok + 1
    is_head = np.zeros(width, dtype=np.int64)
    is_back = np.zeros(width, dtype=bool)
    is_ahead = np.zeros(width, dtype=bool)
    for t in views:
        is_head[t], is_back[t], is_ahead[t] = t in heads, t in back, t in ahead

    def code_of_token(t: int) -> int:
        return NO if t == NOTHING else t

    def token_of_code(t: int) -> int:
        return NOTHING if t == NO else t

    contexts: dict[int, int] = {}
    context_of: list[int] = []
    ctx_or = _Column(width, np.int64, -1)

    def context_id(ctx: int) -> int:
        c = contexts.get(ctx)
        if c is None:
            c = contexts[ctx] = len(context_of)
            context_of.append(ctx)
            ctx_or.ensure(c + 1)
        return c

    def or_classes(ctxs: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """The context ids after the classes of ``tokens`` (codes) are added to ``ctxs``."""
        at = ctxs * width + tokens
        out = ctx_or.a[at]
        if (out < 0).any():
            for f in _distinct(at[out < 0]).tolist():
                c, t = divmod(f, width)
                ctx_or.a[f] = context_id(context_of[c] | kind[token_of_code(t)])
            out = ctx_or.a[at]
        return out

    keys = _Numbering()
    key_ctx = _Column(1, np.int64, 0)
    key_a = _Column(1, np.int64, 0)
    key_b = _Column(1, np.int64, 0)
    finishes = bytearray()  # by reader: it can still finish a row (below)
    have = _Column(ntok, np.bool_, False)  # by entry (the int): in P

    def new_keys(start: int, codes: np.ndarray) -> None:
        n = start + len(codes)
        for column in (key_ctx, key_a, key_b, have):
            column.ensure(n)
        key_ctx.a[start:n] = codes // (width * width)
        key_a.a[start:n] = codes // width % width
        key_b.a[start:n] = codes % width
        finishes.extend(bytes(2 * len(codes)))

    def key_one(ctx: int, a: int, b: int) -> int:
        code = (context_id(ctx) * width + code_of_token(a)) * width + b
        k, new = keys.one(code)
        if new:
            new_keys(k, np.array([code], dtype=np.int64))
        return k

    def key_many(ctxs: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        start = len(keys.ids)
        ids, fresh = keys.many((ctxs * width + a) * width + b)
        new_keys(start, fresh)
        return ids

    entry_key = _Column(1, np.int64, 0)  # by entry id
    entry_cell = _Column(1, np.int64, 0)
    nentries = 0
    moves = _Column(2, np.int64, UNKNOWN)  # by entry and heads: the next reader, CLOSES or OUTSIDE
    becomes = _Column(2, np.int64, 0)  # by entry and heads: the cell z that b becomes
    added: list[np.ndarray] = []  # the ids of the entries added since the round began

    def add_entries(es: np.ndarray) -> None:
        nonlocal nentries
        es = _distinct(es[~have.a[es]])
        if not len(es):
            return
        have.a[es] = True
        start, nentries = nentries, nentries + len(es)
        if nentries > max_entries:
            raise ResourceLimitError(f"the row invariant of {tm.name} passed {max_entries} entries",
                                     limit="size-cap", details={"entries": nentries})
        for column in (entry_key, entry_cell, moves, becomes):
            column.ensure(nentries)
        entry_key.a[start:nentries], entry_cell.a[start:nentries] = np.divmod(es, ntok)
        added.append(np.arange(start, nentries))

    steppeds = _Numbering()
    stepped_ctx = _Column(1, np.int64, 0)
    stepped_x = _Column(1, np.int64, 0)
    stepped_y = _Column(1, np.int64, 0)
    stepped_first = _Column(1, np.int64, 0)
    shows = _Column(1, np.int64, -1)  # by stepped state (octx, x, y, first): the key (octx, x, y), -1 before x
    next_stepped = _Column(ntok, np.int32, -1)  # by (stepped state, z): its next state

    def new_steppeds(start: int, codes: np.ndarray) -> None:
        n = start + len(codes)
        for column in (stepped_ctx, stepped_x, stepped_y, stepped_first, shows, next_stepped):
            column.ensure(n)
        rest, first = np.divmod(codes, width)
        rest, y = np.divmod(rest, width)
        ctx, x = np.divmod(rest, width)
        stepped_ctx.a[start:n], stepped_x.a[start:n], stepped_y.a[start:n] = ctx, x, y
        stepped_first.a[start:n] = first
        cell = x != NO
        shown = np.full(len(codes), -1, dtype=np.int64)
        shown[cell] = key_many(ctx[cell], x[cell], y[cell])
        shows.a[start:n] = shown

    # the reader alone: which of its states can still finish a row (a path of entries to the
    # closing wall); only rows that finish are rows of L(P), so the stepped row's entries
    # wait (``deferred``) until the reader's state they lead to can finish
    before: dict[int, set[int]] = defaultdict(set)
    deferred: dict[int, set[int]] = defaultdict(set)
    walls: set[tuple[int, int, int]] = set()

    def can_finish(u: int, released: list[int]) -> None:
        """Reader ``u`` can finish a row, and so can those before it: their deferred
        entries go to ``released``."""
        stack = [u]
        while stack:
            v = stack.pop()
            if finishes[v]:
                continue
            finishes[v] = 1
            released.extend(deferred.pop(v, ()))
            stack.extend(before.pop(v, ()))

    def reader_moves(slots: np.ndarray) -> None:
        """Each reader (heads ``slot & 1``) on the cell of its entry (id ``slot >> 1``):
        OUTSIDE where the row is out of the premise (two heads; a head stepping into a
        wall), else the next reader (CLOSES at the closing wall) and the cell z that b
        becomes. A reader can finish a row if its next one can (or this is the wall): noted
        here, once per move."""
        k, c = entry_key.a[slots >> 1], entry_cell.a[slots >> 1]
        ctx, a, b = key_ctx.a[k], key_a.a[k], key_b.a[k]
        nheads = (slots & 1) + is_head[c]
        outside = (nheads > 1) | (is_back[b] & (a == wall)) | (is_ahead[b] & (c == wall))
        z = np.full(len(slots), wall, dtype=np.int64)
        cell = ~outside & (b != wall)
        triples = (a[cell] * width + b[cell]) * width + c[cell]
        unique, inverse = _distinct_inverse(triples)
        z[cell] = np.array([step(token_of_code(f // width // width), f // width % width, f % width)
                            for f in unique.tolist()], dtype=np.int64)[inverse]
        closes = ~outside & (c == wall)
        on = ~outside & (c != wall)
        nxt = np.where(outside, OUTSIDE, CLOSES)
        nxt[on] = 2 * key_many(or_classes(ctx[on], a[on]), b[on], c[on]) + nheads[on]
        moves.a[slots], becomes.a[slots] = nxt, z
        readers = 2 * k + (slots & 1)
        now = closes.copy()
        now[on] = np.frombuffer(bytes(finishes), dtype=np.uint8)[nxt[on]].astype(bool)
        later = on & ~now
        span = len(finishes)  # (readers are below it)
        for code in _distinct(nxt[later] * span + readers[later]).tolist():
            before[code // span].add(code % span)  # (before any can_finish below, which may reach it)
        released: list[int] = []
        for r in _distinct(readers[now]).tolist():
            can_finish(r, released)
        add_entries(np.array(released, dtype=np.int64))

    def stepped_steps(tos: np.ndarray) -> None:
        """Each stepped state (``to // ntok``) gets the cell z (``to % ntok``): its next state."""
        o, z = np.divmod(tos, ntok)
        x, y, first = stepped_x.a[o], stepped_y.a[o], stepped_first.a[o]
        if not mirrored:
            first = np.where((x == NO) & (y == wall), z, first)  # the stepped row's first cell
        ctx = or_classes(stepped_ctx.a[o], x)
        start = len(steppeds.ids)
        ids, fresh = steppeds.many(((ctx * width + y) * width + z) * width + first)
        new_steppeds(start, fresh)
        next_stepped.a[tos] = ids

    # the pairs reached (codes, sorted), and by place: reader, stepped state
    reached = np.zeros(0, dtype=np.int64)
    pair_reader = _Column(1, np.int64, 0)
    pair_stepped = _Column(1, np.int64, 0)
    npairs = 0

    def read(rs: np.ndarray, os: np.ndarray, es: np.ndarray) -> None:
        """The pairs (``rs[i]``, ``os[i]``) read the cells of the entries ``es[i]`` of their
        readers' keys (a cell or the closing wall): each a step of the module doc's
        automata, all at once."""
        nonlocal npairs, reached
        slot = 2 * es + (rs & 1)
        nxt = moves.a[slot]
        if (nxt == UNKNOWN).any():
            reader_moves(_distinct(slot[nxt == UNKNOWN]))
            nxt = moves.a[slot]
        inside = nxt != OUTSIDE
        rs, os, slot, nxt = rs[inside], os[inside], slot[inside], nxt[inside]
        z = becomes.a[slot]
        to = os * ntok + z
        os2 = next_stepped.a[to].astype(np.int64)
        if (os2 < 0).any():
            stepped_steps(_distinct(to[os2 < 0]))
            os2 = next_stepped.a[to].astype(np.int64)
        key = shows.a[os]
        shown = np.where(key >= 0, key * ntok + z, -1)  # the entry (octx, x, y, z), once x is a cell
        ends = nxt == CLOSES
        if ends.any():  # the row ends; so does the stepped row, with the entry (octx', y, z, #)
            last = os2[ends]  # (its y is a cell or the wall: every pair but the first has read one)
            add_entries(np.concatenate([shown[ends][shown[ends] >= 0], shows.a[last] * ntok + wall]))
            if not mirrored:  # (b, #, the stepped row's first cell)
                for code in _distinct(key_b.a[rs[ends] >> 1] * width + stepped_first.a[last]).tolist():
                    walls.add((code // width, wall, token_of_code(code % width)))
            on = ~ends
            nxt, os2, shown = nxt[on], os2[on], shown[on]
        # the entries the stepped row shows: now where the next reader can finish a row,
        # else once it can
        done = np.frombuffer(bytes(finishes), dtype=np.uint8)[nxt].astype(bool)
        add_entries(shown[done & (shown >= 0)])
        wait = ~done & (shown >= 0)
        wait[wait] = ~have.a[shown[wait]]
        if wait.any():
            span = len(have.a)  # (entries are below it)
            for code in _distinct(nxt[wait] * span + shown[wait]).tolist():
                deferred[code // span].add(code % span)
        # the pairs reached for the first time
        codes = _distinct((nxt << 32) | os2)
        where, known = _find(reached, codes)
        new = codes[~known]
        if len(new):
            reached = np.insert(reached, where[~known], new)
            start, npairs = npairs, npairs + len(new)
            if npairs > max_states:
                raise ResourceLimitError(f"the row invariant of {tm.name} passed {max_states} reader states",
                                         limit="size-cap", details={"states": npairs})
            pair_reader.ensure(npairs)
            pair_stepped.ensure(npairs)
            pair_reader.a[start:npairs] = new >> 32
            pair_stepped.a[start:npairs] = new & ((1 << 32) - 1)

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
    base: set[tuple[int, int, int, int]] = set()
    while frontier:
        phase, ctx, a, b = frontier.pop()
        for c, nxt in moves_from[phase]:
            if a != NOTHING:
                base.add((context_id(ctx), a, b, c))
                if len(base) > max_entries:  # (refused as soon as it is known, as one by one)
                    raise ResourceLimitError(f"the row invariant of {tm.name} passed {max_entries} entries",
                                             limit="size-cap", details={"entries": len(base)})
            if nxt != 3:
                made = (nxt, ctx | kind[a], b, c)
                if made not in seen_base:
                    seen_base.add(made)
                    frontier.append(made)
    if base:
        ctxs, a_s, b_s, c_s = (np.array(v, dtype=np.int64) for v in zip(*base, strict=True))
        add_entries(key_many(ctxs, a_s, b_s) * ntok + c_s)

    # step: the reader and the stepped row's reader, from the opening wall. This first pair
    # is not counted among the pairs reached, and reads every cell, entry or not: b is the
    # wall, so z is the wall, the stepped row shows nothing yet, and every cell is a first
    # cell (no entry has a = NOTHING, so no cell comes to it later, and that it can finish
    # a row matters to no entry)
    deadline = DEADLINE.get()
    opened = ((context_id(0) * width + NO) * width + wall) * width + NO  # (0, NOTHING, #, NOTHING)
    o1, _ = steppeds.one(opened)
    new_steppeds(o1, np.array([opened], dtype=np.int64))
    first_pairs = sorted({((2 * key_one(0, wall, c) + (c in heads)) << 32) | o1 for c in views})
    reached = np.array(first_pairs, dtype=np.int64)
    npairs = len(first_pairs)
    pair_reader.ensure(npairs)
    pair_stepped.ensure(npairs)
    pair_reader.a[:npairs] = np.array(first_pairs, dtype=np.int64) >> 32
    pair_stepped.a[:npairs] = o1
    # Rounds, semi-naive: every pair reads every cell of its key once. A round's new pairs
    # read all the cells known when it starts, the older pairs the cells added in the round
    # before; what a round adds waits for the next one. Entries and pairs are kept sorted by
    # key, to be met by key in bulk.
    by_key_entries = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))  # keys sorted, entry ids
    by_key_pairs = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))  # keys sorted, pair places

    def merged(into: tuple[np.ndarray, np.ndarray], keys_: np.ndarray,
               items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``into`` (keys sorted, items) with ``items`` of ``keys_`` put in place."""
        order = np.argsort(keys_, kind="stable")
        keys_, items = keys_[order], items[order]
        where = np.searchsorted(into[0], keys_, side="right")
        return np.insert(into[0], where, keys_), np.insert(into[1], where, items)

    def meet(sorted_keys: np.ndarray, items: np.ndarray, keys_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each of ``keys_`` (i), every item of that key: (i repeated, the items)."""
        lo = np.searchsorted(sorted_keys, keys_, side="left")
        counts = np.searchsorted(sorted_keys, keys_, side="right") - lo
        which = np.repeat(np.arange(len(keys_)), counts)
        offsets = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        return which, items[offsets + np.arange(len(which))]

    old = 0  # pairs [:old] have read every cell known when the round began
    while old < npairs or added:
        if deadline is not None and time.monotonic() > deadline:
            raise ResourceLimitError(f"the row invariant of {tm.name} ran out of time", limit="solver-timeout",
                                     details={"entries": nentries})
        new_entries = np.concatenate(added) if added else np.zeros(0, dtype=np.int64)
        added.clear()
        if len(new_entries):
            by_key_entries = merged(by_key_entries, entry_key.a[new_entries], new_entries)
        # the new pairs with their keys' entries (all known now)
        places = np.arange(old, npairs)
        which, es_a = meet(*by_key_entries, pair_reader.a[places] >> 1)
        at_a = places[which]
        # the older pairs with the entries added last round
        which, at_b = meet(*by_key_pairs, entry_key.a[new_entries])
        es_b = new_entries[which]
        by_key_pairs = merged(by_key_pairs, pair_reader.a[places] >> 1, places)
        old = npairs
        at, es = np.concatenate([at_a, at_b]), np.concatenate([es_a, es_b])
        read(pair_reader.a[at], pair_stepped.a[at], es)
    ks, cs = entry_key.a[:nentries].tolist(), entry_cell.a[:nentries].tolist()
    ctx_a_b = [(context_of[c], token_of_code(a), b) for c, a, b in
               zip(key_ctx.a[:len(keys.ids)].tolist(), key_a.a[:len(keys.ids)].tolist(),
                   key_b.a[:len(keys.ids)].tolist(), strict=True)]
    entries = frozenset((*ctx_a_b[k], c) for k, c in zip(ks, cs, strict=True))
    return RowScan(entries, npairs, mirrored, None if mirrored else frozenset(walls))


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
